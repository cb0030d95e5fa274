// Starts a throwaway 3-member etcd cluster on loopback for side-by-side benchmarks.
// Uses Debian's etcd-server (3.4) with its default durability (fsync on every WAL write; no
// --unsafe-no-fsync). Installs etcd-server/etcd-client with apt-get when `etcd` is not on PATH.
//
//   const cluster = await startEtcdCluster();   // { endpoints, dataDir, stop() }
//   ...
//   await cluster.stop();                        // kills every member by pid, removes data dirs
//
// Members are also SIGKILLed and their data removed if the process exits or gets SIGINT/SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { ensureInstalled, portInUse, sleep, tail } from '../lib/proc.js';
import { etcdStatus } from './etcd-client.js';

export interface EtcdClusterOptions {
  /** Parent of the cluster's temp data dir (default os.tmpdir()). */
  dataRoot?: string;
  /** Client ports of members 1..3 (default 23791..23793). */
  clientPorts?: readonly number[];
  /** Peer ports of members 1..3 (default 23801..23803). */
  peerPorts?: readonly number[];
  /** Extra flags for every member (e.g. ['--max-txn-ops', '1024']). */
  extraArgs?: readonly string[];
  /** How long to wait for a healthy cluster (default 30 s). */
  startTimeoutMs?: number;
}

export interface EtcdCluster {
  /** Client URLs, e.g. http://127.0.0.1:23791. */
  endpoints: string[];
  /** Temp dir holding one data dir and one log file per member. */
  dataDir: string;
  pids: number[];
  stop(): Promise<void>;
}

/** Makes sure `etcd` and `etcdctl` exist, installing Debian's packages if needed. Returns etcd's path. */
export function ensureEtcdInstalled(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  return ensureInstalled('etcd', ['etcd-server', 'etcd-client'], [], log);
}

export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const etcd = ensureEtcdInstalled();
  const clientPorts = options.clientPorts ?? [23791, 23792, 23793];
  const peerPorts = options.peerPorts ?? [23801, 23802, 23803];
  if (clientPorts.length !== peerPorts.length || clientPorts.length === 0) throw new Error('etcd: clientPorts and peerPorts must have the same non-zero length');
  for (const port of [...clientPorts, ...peerPorts]) {
    if (await portInUse(port)) throw new Error(`etcd: port ${port} on 127.0.0.1 is already in use (a leftover etcd? check \`pgrep -a etcd\`)`);
  }

  const dataDir = mkdtempSync(join(options.dataRoot ?? tmpdir(), 'bench-etcd-'));
  const names = clientPorts.map((_, i) => `m${i + 1}`);
  const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${peerPorts[i]}`).join(',');
  const token = `bench-${process.pid}-${Date.now()}`;
  const children: ChildProcess[] = [];
  let removed = false;

  const killAllSync = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) killPid(c.pid);
    if (!removed) {
      removed = true;
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const unregister = onCleanup(killAllSync);

  const endpoints = clientPorts.map((p) => `http://127.0.0.1:${p}`);
  const logs = names.map((n) => join(dataDir, `${n}.log`));
  try {
    names.forEach((name, i) => {
      const clientUrl = endpoints[i] as string;
      const peerUrl = `http://127.0.0.1:${peerPorts[i]}`;
      const args = [
        '--name', name,
        '--data-dir', join(dataDir, name),
        '--listen-client-urls', clientUrl,
        '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', initialCluster,
        '--initial-cluster-token', token,
        '--initial-cluster-state', 'new',
        '--logger', 'zap',
        '--log-level', 'warn',
        ...(options.extraArgs ?? []),
      ];
      const logFd = openSync(logs[i] as string, 'a');
      // Strip ETCD_* so a host's etcd environment cannot change the configuration.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
      const child = spawn(etcd, args, { stdio: ['ignore', logFd, logFd], env });
      closeSync(logFd);
      child.on('error', () => undefined);
      children.push(child);
    });

    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    for (;;) {
      const dead = children.findIndex((c) => c.exitCode !== null || c.signalCode !== null);
      if (dead >= 0) throw new Error(`etcd member ${names[dead]} exited during startup; log tail:\n${tail(logs[dead] as string)}`);
      const statuses = await Promise.all(endpoints.map((e) => etcdStatus(e, 1000).catch(() => undefined)));
      const leaders = new Set(statuses.map((s) => s?.leader));
      if (statuses.every((s) => s !== undefined && s.errors.length === 0) && leaders.size === 1 && !leaders.has('0')) break;
      if (Date.now() > deadline) throw new Error(`etcd cluster not healthy after ${options.startTimeoutMs ?? 30_000} ms; log tail of ${names[0]}:\n${tail(logs[0] as string)}`);
      await sleep(200);
    }
  } catch (err) {
    killAllSync();
    unregister();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const exits = children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r())),
      );
      for (const c of children) killPid(c.pid, 'SIGTERM');
      const all = Promise.all(exits).then(() => true);
      const done = await Promise.race([all, sleep(5000).then(() => false)]);
      if (!done) {
        for (const c of children) killPid(c.pid, 'SIGKILL');
        await Promise.race([all, sleep(2000)]);
      }
      killAllSync();
      unregister();
    })();
    return stopped;
  };

  return { endpoints, dataDir, pids: children.map((c) => c.pid ?? -1), stop };
}
