// Starts a throwaway RabbitMQ cluster (1 or more nodes) on loopback for side-by-side benchmarks.
// Uses Debian's rabbitmq-server (3.10) with its default configuration, no plugins; installs it
// with apt-get when missing. Everything lives in one temp dir: HOME (for the shared Erlang
// cookie), the mnesia/quorum-queue data of every node and the logs.
//
//   const c = await startRabbitCluster({ prefix: 'r3', nodes: 3, amqpBasePort: 25702, epmdPort: 24370 });
//   ... amqp://guest:guest@127.0.0.1:25702 ...
//   await c.stop();   // stops every node (process group, by pid) and epmd, removes the temp dir
//
// Each cluster runs its own epmd on its own port (ERL_EPMD_PORT): an epmd started implicitly by
// the first Erlang node would daemonize out of our reach and outlive the benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { assertPortsFree, ensureInstalled, portInUse, type RunResult, run, sleep, tail } from '../lib/proc.js';

// Debian's /usr/sbin/rabbitmq-* wrappers switch to the rabbitmq user and its HOME; the scripts
// they wrap take their whole configuration from the environment, which is what we need.
const RABBIT_SCRIPTS = '/usr/lib/rabbitmq/bin';

export interface RabbitClusterOptions {
  /** Node names are `${prefix}n1@localhost`, ...; unique per benchmark process. */
  prefix: string;
  nodes: number;
  /** AMQP port of node 1; node i listens on amqpBasePort + i - 1, its distribution port 10 above. */
  amqpBasePort: number;
  /** Port of this cluster's own epmd. */
  epmdPort: number;
  dataRoot?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RabbitCluster {
  /** amqp:// URLs of the nodes, node 1 first. */
  urls: string[];
  nodeNames: string[];
  dataDir: string;
  /** Runs rabbitmqctl (or another CLI script, e.g. 'rabbitmq-queues') against node `index`. */
  ctl(index: number, args: readonly string[], script?: string): Promise<RunResult>;
  stop(): Promise<void>;
}

function exited(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

export async function startRabbitCluster(options: RabbitClusterOptions): Promise<RabbitCluster> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  ensureInstalled('rabbitmq-server', ['rabbitmq-server'], [], log);
  const epmd = ensureInstalled('epmd', ['erlang-base'], [], log);
  if (!existsSync(join(RABBIT_SCRIPTS, 'rabbitmq-server'))) throw new Error(`rabbitmq: ${RABBIT_SCRIPTS}/rabbitmq-server not found (expected Debian's rabbitmq-server package layout)`);

  const n = options.nodes;
  const amqpPorts = Array.from({ length: n }, (_, i) => options.amqpBasePort + i);
  const distPorts = amqpPorts.map((p) => p + 10);
  await assertPortsFree('rabbitmq', [options.epmdPort, ...amqpPorts, ...distPorts]);

  const dataDir = mkdtempSync(join(options.dataRoot ?? tmpdir(), `bench-rabbitmq-${options.prefix}-`));
  const nodeNames = amqpPorts.map((_, i) => `${options.prefix}n${i + 1}@localhost`);
  // The Erlang cookie must be identical on every node and the CLI, and private to its owner.
  writeFileSync(join(dataDir, '.erlang.cookie'), `BENCH${process.pid}COOKIE${Date.now()}`, { mode: 0o400 });
  writeFileSync(join(dataDir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dataDir, 'rabbitmq-env.conf'), '');
  // Empty config: RabbitMQ's defaults, but no host-wide /etc/rabbitmq/rabbitmq.conf sneaking in.
  writeFileSync(join(dataDir, 'rabbitmq.conf'), '');
  mkdirSync(join(dataDir, 'log'));

  const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RABBITMQ_') && !k.startsWith('ERL_')));
  Object.assign(baseEnv, { HOME: dataDir, ERL_EPMD_PORT: String(options.epmdPort), RABBITMQ_CONF_ENV_FILE: join(dataDir, 'rabbitmq-env.conf') });
  const nodeEnv = (i: number): NodeJS.ProcessEnv => ({
    ...baseEnv,
    RABBITMQ_NODENAME: nodeNames[i],
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPorts[i]),
    RABBITMQ_DIST_PORT: String(distPorts[i]),
    RABBITMQ_MNESIA_BASE: join(dataDir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dataDir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dataDir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dataDir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dataDir, 'advanced.config'),
    RABBITMQ_PID_FILE: join(dataDir, `${options.prefix}n${i + 1}.pid`),
    // Inter-node traffic on loopback only, like every other benchmark peer.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  });

  const children: ChildProcess[] = [];
  let epmdChild: ChildProcess | undefined;
  let removed = false;
  // rabbitmq-server is a shell script that runs the Erlang VM as its child; both are in a
  // process group of their own (detached), so the group id (= the script's pid) reaches both.
  const killAllSync = (): void => {
    for (const c of children) if (c.pid !== undefined) killPid(-c.pid);
    if (epmdChild && !exited(epmdChild)) killPid(epmdChild.pid);
    if (!removed) {
      removed = true;
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const unregister = onCleanup(killAllSync);

  const ctl = (index: number, args: readonly string[], script = 'rabbitmqctl'): Promise<RunResult> =>
    run(join(RABBIT_SCRIPTS, script), ['-n', nodeNames[index] as string, ...args], baseEnv);
  const ctlOk = async (index: number, args: readonly string[]): Promise<string> => {
    const r = await ctl(index, args);
    if (r.code !== 0) throw new Error(`rabbitmqctl -n ${nodeNames[index]} ${args.join(' ')} failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-2000)}`);
    return r.stdout;
  };
  const logs = nodeNames.map((_, i) => join(dataDir, `${options.prefix}n${i + 1}.out`));

  try {
    const epmdLog = openSync(join(dataDir, 'epmd.log'), 'a');
    epmdChild = spawn(epmd, ['-port', String(options.epmdPort), '-address', '127.0.0.1'], { stdio: ['ignore', epmdLog, epmdLog] });
    closeSync(epmdLog);
    epmdChild.on('error', () => undefined);
    const epmdDeadline = Date.now() + 5000;
    while (!(await portInUse(options.epmdPort))) {
      if (exited(epmdChild) || Date.now() > epmdDeadline) throw new Error(`epmd did not start on port ${options.epmdPort}: ${tail(join(dataDir, 'epmd.log'))}`);
      await sleep(50);
    }

    for (let i = 0; i < n; i++) {
      const fd = openSync(logs[i] as string, 'a');
      const child = spawn(join(RABBIT_SCRIPTS, 'rabbitmq-server'), [], { cwd: dataDir, env: nodeEnv(i), detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child.on('error', () => undefined);
      children.push(child);
    }

    // The AMQP listener opens at the very end of boot, so a TCP connect means the node is ready.
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    for (let i = 0; i < n; i++) {
      while (!(await portInUse(amqpPorts[i] as number))) {
        const c = children[i] as ChildProcess;
        if (exited(c)) throw new Error(`rabbitmq node ${nodeNames[i]} exited during start-up; output tail:\n${tail(logs[i] as string)}\nlog: ${join(dataDir, 'log')}`);
        if (Date.now() > deadline) throw new Error(`rabbitmq node ${nodeNames[i]} not listening after ${options.startTimeoutMs ?? 90_000} ms; output tail:\n${tail(logs[i] as string)}`);
        await sleep(200);
      }
    }

    // Standard clustering: every other node resets into node 1's cluster.
    for (let i = 1; i < n; i++) {
      await ctlOk(i, ['stop_app']);
      await ctlOk(i, ['join_cluster', nodeNames[0] as string]);
      await ctlOk(i, ['start_app']);
    }
    if (n > 1) {
      const status = JSON.parse(await ctlOk(0, ['cluster_status', '--formatter', 'json'])) as { running_nodes?: string[] };
      const running = status.running_nodes ?? [];
      if (running.length !== n) throw new Error(`rabbitmq cluster has ${running.length} running node(s) (${running.join(', ')}), expected ${n}`);
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
      // SIGTERM to the group: the script's trap and the VM both shut the node down cleanly.
      for (const c of children) if (c.pid !== undefined) killPid(-c.pid, 'SIGTERM');
      const all = Promise.all(exits).then(() => true);
      if (!(await Promise.race([all, sleep(15_000).then(() => false)]))) {
        for (const c of children) if (c.pid !== undefined) killPid(-c.pid, 'SIGKILL');
        await Promise.race([all, sleep(2000)]);
      }
      // The VM (same group) may outlive the script by a moment; make sure nothing is left.
      for (const c of children) if (c.pid !== undefined) killPid(-c.pid, 'SIGKILL');
      killAllSync();
      unregister();
    })();
    return stopped;
  };

  return { urls: amqpPorts.map((p) => `amqp://guest:guest@127.0.0.1:${p}`), nodeNames, dataDir, ctl, stop };
}
