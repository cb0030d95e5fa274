// Starts a throwaway NATS server or cluster with JetStream on loopback for side-by-side
// benchmarks. Uses Debian's nats-server (2.9) with its default JetStream settings (file store,
// which in 2.9 does not fsync per message: the OS flushes, or a 2-minute sync timer). Installs it
// with apt-get when missing.
//
//   const c = await startNatsCluster({ prefix: 'j3', nodes: 3, clientBasePort: 24231, clusterBasePort: 24241 });
//   ... c.urls ...
//   await c.stop();   // stops every server by pid, removes the temp dir
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { assertPortsFree, ensureInstalled, portInUse, sleep, tail } from '../lib/proc.js';

export interface NatsClusterOptions {
  /** Server names are `${prefix}n1`, ...; the cluster is named after the prefix. */
  prefix: string;
  nodes: number;
  /** Client port of server 1; server i listens on clientBasePort + i - 1. */
  clientBasePort: number;
  /** Route port of server 1 (only used with more than one server). */
  clusterBasePort: number;
  dataRoot?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
  /** Enable JetStream (default true); false runs core NATS only (no store, no meta group). */
  jetstream?: boolean;
}

export interface NatsCluster {
  /** nats:// URLs, server 1 first. */
  urls: string[];
  serverNames: string[];
  dataDir: string;
  stop(): Promise<void>;
}

export function natsServerVersion(): string {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (/\bv(\d\S*)/.exec(r.stdout)?.[1] ?? 'unknown') : 'not installed';
}

const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

export async function startNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const bin = ensureInstalled('nats-server', ['nats-server'], [], log);
  const n = options.nodes;
  const clientPorts = Array.from({ length: n }, (_, i) => options.clientBasePort + i);
  const routePorts = Array.from({ length: n }, (_, i) => options.clusterBasePort + i);
  await assertPortsFree('nats', n > 1 ? [...clientPorts, ...routePorts] : clientPorts);

  const dataDir = mkdtempSync(join(options.dataRoot ?? tmpdir(), `bench-nats-${options.prefix}-`));
  const serverNames = clientPorts.map((_, i) => `${options.prefix}n${i + 1}`);
  const children: ChildProcess[] = [];
  let removed = false;
  const killAllSync = (): void => {
    for (const c of children) if (!exited(c)) killPid(c.pid);
    if (!removed) {
      removed = true;
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const unregister = onCleanup(killAllSync);
  const logs = serverNames.map((s) => join(dataDir, `${s}.log`));

  try {
    serverNames.forEach((name, i) => {
      // JSON is valid NATS config syntax, and JSON.stringify quotes paths safely.
      const config: Record<string, unknown> = {
        server_name: name,
        host: '127.0.0.1',
        port: clientPorts[i],
        ...(options.jetstream === false ? {} : { jetstream: { store_dir: join(dataDir, name) } }),
      };
      if (n > 1) {
        config['cluster'] = {
          name: options.prefix,
          listen: `127.0.0.1:${routePorts[i]}`,
          routes: routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`),
        };
      }
      const confPath = join(dataDir, `${name}.conf`);
      writeFileSync(confPath, JSON.stringify(config, null, 2));
      const fd = openSync(logs[i] as string, 'a');
      const child = spawn(bin, ['-c', confPath], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child.on('error', () => undefined);
      children.push(child);
    });
    // Listening is necessary, not sufficient: JetStream's meta leader may still be electing.
    // The target retries its first stream creation until the cluster accepts it.
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    for (let i = 0; i < n; i++) {
      while (!(await portInUse(clientPorts[i] as number))) {
        const c = children[i] as ChildProcess;
        if (exited(c)) throw new Error(`nats-server ${serverNames[i]} exited during start-up; log tail:\n${tail(logs[i] as string)}`);
        if (Date.now() > deadline) throw new Error(`nats-server ${serverNames[i]} not listening after ${options.startTimeoutMs ?? 30_000} ms; log tail:\n${tail(logs[i] as string)}`);
        await sleep(100);
      }
    }
  } catch (err) {
    killAllSync();
    unregister();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const exits = children.map((c) => (exited(c) ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
      for (const c of children) killPid(c.pid, 'SIGTERM');
      const all = Promise.all(exits).then(() => true);
      if (!(await Promise.race([all, sleep(10_000).then(() => false)]))) {
        for (const c of children) killPid(c.pid, 'SIGKILL');
        await Promise.race([all, sleep(2000)]);
      }
      killAllSync();
      unregister();
    })();
    return stopped;
  };

  return { urls: clientPorts.map((p) => `nats://127.0.0.1:${p}`), serverNames, dataDir, stop };
}
