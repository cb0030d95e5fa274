// `stratus cluster up|down|status`: a local cluster of separate processes on 127.0.0.1 — N
// storage nodes (replication factor up to 3) and one gateway — recorded in DIR/cluster.json so
// `down` and `status` find every process by pid.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterClient } from '../cluster/client.js';
import { decodePlacementResult, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { generateAccessKey, rootFromEnv, writeCredentialsFile } from '../gateway/credentials.js';
import { OptionError } from '../options.js';

const STRATUS_BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));

interface ProcessRecord {
  id: number;
  /** The `stratus node` arguments, so a test can restart the process as it was. */
  args: string[];
  role: 'storage' | 'gateway';
  pid: number;
  grpc: string;
  http?: string;
  log: string;
}

export interface ClusterRecord {
  dir: string;
  processes: ProcessRecord[];
}

interface ClusterFlags {
  nodes: number;
  dir: string;
  basePort: number;
  grpcPort: number;
  httpPort: number;
  tickMs: number | undefined;
  snapshotEntries: number | undefined;
  quiesce: 'on' | 'off' | undefined;
  /** Options of the functions tier, passed to the gateway as given (it checks them). */
  lambda: string[];
}

/** Options of the gateway process's services (functions, Kinesis), passed to it as given. */
const GATEWAY_FLAGS = ['--lambda-concurrency', '--lambda-retry-delay', '--lambda-idle', '--lambda-lease', '--kinesis-limits', '--kinesis-shard-limit'];

function parseFlags(argv: string[], allowed: string[]): ClusterFlags {
  const f: ClusterFlags = { nodes: 3, dir: './.stratus-cluster', basePort: 7101, grpcPort: 50051, httpPort: 4566, tickMs: undefined, snapshotEntries: undefined, quiesce: undefined, lambda: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!allowed.includes(flag)) throw new OptionError(`unknown option '${flag}' (allowed: ${allowed.join(' ')})`);
    const v = argv[++i];
    if (v === undefined) throw new OptionError(`${flag} needs a value`);
    const int = (min: number, max: number): number => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min || n > max) throw new OptionError(`${flag}: expected an integer from ${min} to ${max}, got '${v}'`);
      return n;
    };
    if (flag === '--nodes') f.nodes = int(1, 7);
    else if (flag === '--dir') f.dir = v;
    else if (flag === '--base-port') f.basePort = int(1024, 65000);
    else if (flag === '--grpc-port') f.grpcPort = int(1, 65535);
    else if (flag === '--http-port') f.httpPort = int(0, 65535);
    else if (flag === '--tick-ms') f.tickMs = int(5, 10_000);
    else if (flag === '--snapshot-entries') f.snapshotEntries = int(10, 10_000_000);
    else if (GATEWAY_FLAGS.includes(flag)) f.lambda.push(flag, v);
    else if (flag === '--quiesce') {
      if (v !== 'on' && v !== 'off') throw new OptionError(`--quiesce: expected on or off, got '${v}'`);
      f.quiesce = v;
    }
  }
  f.dir = resolve(f.dir);
  return f;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readRecord(dir: string): ClusterRecord | undefined {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterRecord;
}

export function spawnNode(dir: string, id: number, args: string[], logName: string): { pid: number; log: string } {
  const log = join(dir, logName);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [STRATUS_BIN, 'node', ...args], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start node ${id}`);
  return { pid: child.pid, log };
}

async function waitHealthy(rec: ClusterRecord, timeoutMs: number): Promise<void> {
  const storage = rec.processes.filter((p) => p.role === 'storage');
  const client = new ClusterClient({ seeds: storage.map((p) => p.grpc), totalTimeoutMs: 2000 });
  const until = Date.now() + timeoutMs;
  try {
    while (true) {
      const dead = rec.processes.find((p) => !alive(p.pid));
      if (dead) {
        const last = readFileSync(dead.log, 'utf8').trim().split('\n').filter((l) => l.startsWith('stratus: ')).pop();
        throw new Error(`${dead.role} ${dead.id} exited during start-up${last ? ` (${last.slice('stratus: '.length)})` : ''}; see ${dead.log}`);
      }
      let ok = true;
      for (const p of storage) {
        try {
          const s = (await client.nodeStatus(p.grpc, 1000)) as { groups?: { group: number; leader: number }[] };
          if (!s.groups?.some((g) => g.group === 0 && g.leader > 0)) ok = false;
        } catch {
          ok = false;
        }
      }
      if (ok) {
        // Every storage node has registered in the catalog, so placement can use them all.
        const placed = await client
          .read(0, encodeMetaQuery({ type: 'getPlacement' }))
          .then((b) => decodePlacementResult(b))
          .catch(() => undefined);
        if (placed?.ok && placed.value.nodes.filter((n) => n.state === 'up').length >= storage.length) return;
      }
      if (Date.now() > until) throw new Error(`the cluster did not become healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

/**
 * Every node of a local cluster must agree on the root key, so `cluster up` settles it before
 * starting them: the environment's (STRATUS_ROOT_*), else the one in DIR/credentials from an
 * earlier start, else a new one written there (mode 0600). The children inherit it.
 */
async function clusterRootKey(dir: string): Promise<string> {
  const file = join(dir, 'credentials');
  let key = rootFromEnv(process.env);
  if (!key && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const id = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
    const secret = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
    if (id && secret) key = { accessKeyId: id, secretAccessKey: secret };
  }
  if (!key) {
    key = generateAccessKey();
    await writeCredentialsFile(dir, key);
  }
  process.env.STRATUS_ROOT_ACCESS_KEY_ID = key.accessKeyId;
  process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = key.secretAccessKey;
  return existsSync(file) ? file : 'STRATUS_ROOT_ACCESS_KEY_ID / STRATUS_ROOT_SECRET_ACCESS_KEY';
}

export async function clusterUp(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<ClusterRecord> {
  const f = parseFlags(argv, ['--nodes', '--dir', '--base-port', '--grpc-port', '--http-port', '--tick-ms', '--snapshot-entries', '--quiesce', ...GATEWAY_FLAGS]);
  const existing = readRecord(f.dir);
  if (existing?.processes.some((p) => alive(p.pid))) {
    throw new OptionError(`a cluster is already running in ${f.dir}; run 'stratus cluster down --dir ${f.dir}' first`);
  }
  mkdirSync(f.dir, { recursive: true });
  const credentials = await clusterRootKey(f.dir);
  const peers = Array.from({ length: f.nodes }, (_, i) => `${i + 1}=127.0.0.1:${f.basePort + i}`).join(',');
  const common = [...(f.tickMs ? ['--tick-ms', String(f.tickMs)] : []), ...(f.snapshotEntries ? ['--snapshot-entries', String(f.snapshotEntries)] : []), ...(f.quiesce ? ['--quiesce', f.quiesce] : [])];
  const rec: ClusterRecord = { dir: f.dir, processes: [] };
  for (let id = 1; id <= f.nodes; id++) {
    const grpc = `127.0.0.1:${f.basePort + id - 1}`;
    // Every storage node runs the front roles too, so a client may talk to any of them (the
    // one leading its partition saves a hop); the separate gateway is the stable endpoint, and
    // the one process running functions, so concurrency is counted in one place.
    const args = ['--role', 'all', '--scheduler', 'off', '--http-port', '0', '--id', String(id), '--peers', peers, '--data', join(f.dir, `node-${id}`), '--grpc-port', String(f.basePort + id - 1), ...common];
    rec.processes.push({ id, role: 'storage', grpc, args, ...spawnNode(f.dir, id, args, `node-${id}.log`) });
  }
  const gwId = 1000;
  const gwArgs = ['--role', 'gateway', '--id', String(gwId), '--peers', peers, '--data', join(f.dir, 'gateway'), '--grpc-port', String(f.grpcPort), '--http-port', String(f.httpPort), ...common, ...f.lambda];
  rec.processes.push({ id: gwId, role: 'gateway', grpc: `127.0.0.1:${f.grpcPort}`, http: `127.0.0.1:${f.httpPort}`, args: gwArgs, ...spawnNode(f.dir, gwId, gwArgs, 'gateway.log') });
  writeFileSync(join(f.dir, 'cluster.json'), JSON.stringify(rec, null, 2));
  try {
    await waitHealthy(rec, 30_000);
  } catch (err) {
    await stopAll(rec);
    rmSync(join(f.dir, 'cluster.json'), { force: true });
    throw new OptionError(`cluster up: ${err instanceof Error ? err.message : String(err)}`);
  }
  out(
    [
      `stratus: local cluster of ${f.nodes} storage node(s) and a gateway is up (records in ${f.dir})`,
      `AWS APIs (SQS, SNS, Lambda, Kinesis) at http://${rec.processes.find((p) => p.role === 'gateway')!.http ?? '-'}; root credentials in ${credentials}`,
      ...rec.processes.map((p) => `  ${p.role === 'gateway' ? 'gateway  ' : `storage ${p.id}`}  pid ${p.pid}  gRPC ${p.grpc}${p.http ? `  HTTP http://${p.http}` : ''}  log ${p.log}`),
      `native API (stratus.v1.LogService): ${rec.processes.find((p) => p.role === 'gateway')!.grpc}, and on every storage node's gRPC port`,
      '',
    ].join('\n'),
  );
  return rec;
}

export async function stopAll(rec: ClusterRecord): Promise<void> {
  for (const p of rec.processes) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const until = Date.now() + 5000;
  while (rec.processes.some((p) => alive(p.pid)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const p of rec.processes) {
    if (alive(p.pid)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* raced with its exit */
      }
    }
  }
}

export async function clusterDown(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const f = parseFlags(argv, ['--dir']);
  const rec = readRecord(f.dir);
  if (!rec) throw new OptionError(`no cluster is recorded in ${f.dir} (no cluster.json)`);
  await stopAll(rec);
  rmSync(join(f.dir, 'cluster.json'));
  out(`stratus: cluster in ${f.dir} stopped (${rec.processes.length} processes)\n`);
}

interface StatusReply {
  node: number;
  groups: { group: number; role: string; leader: number; term: number; commit: number; applied: number; lastIndex: number; lag: Record<string, number> }[];
  fsyncs: number;
  entriesSynced: number;
  quiescedGroups: number;
}

export async function clusterStatus(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const f = parseFlags(argv, ['--dir']);
  const rec = readRecord(f.dir);
  if (!rec) throw new OptionError(`no cluster is recorded in ${f.dir} (no cluster.json)`);
  const storage = rec.processes.filter((p) => p.role === 'storage');
  const client = new ClusterClient({ seeds: storage.map((p) => p.grpc) });
  const lines: string[] = ['node  role     pid      state  address           groups  leads  quiet   fsyncs  entries/fsync'];
  const groups = new Map<number, { leader: number; term: number; commit: number; lag: Record<string, number> }>();
  try {
    for (const p of rec.processes) {
      const state = alive(p.pid) ? 'up' : 'down';
      if (p.role === 'gateway') {
        lines.push(`${String(p.id).padEnd(6)}gateway  ${String(p.pid).padEnd(9)}${state.padEnd(7)}${p.grpc}`);
        continue;
      }
      let s: StatusReply | undefined;
      if (state === 'up') s = (await client.nodeStatus(p.grpc, 2000).catch(() => undefined)) as StatusReply | undefined;
      const leads = s?.groups.filter((g) => g.role === 'leader') ?? [];
      for (const g of leads) groups.set(g.group, { leader: p.id, term: g.term, commit: g.commit, lag: g.lag });
      const perFsync = s && s.fsyncs > 0 ? (s.entriesSynced / s.fsyncs).toFixed(1) : '-';
      lines.push(`${String(p.id).padEnd(6)}storage  ${String(p.pid).padEnd(9)}${(s ? state : state === 'up' ? 'noansw' : state).padEnd(7)}${p.grpc.padEnd(18)}${String(s?.groups.length ?? '-').padEnd(8)}${String(leads.length).padEnd(7)}${String(s?.quiescedGroups ?? '-').padEnd(8)}${String(s?.fsyncs ?? '-').padEnd(8)}${perFsync}`);
    }
  } finally {
    client.close();
  }
  lines.push('', 'group  leader  term  commit  lag (node:entries)');
  for (const [g, s] of [...groups].sort((a, b) => a[0] - b[0])) {
    lines.push(`${String(g).padEnd(7)}${String(s.leader).padEnd(8)}${String(s.term).padEnd(6)}${String(s.commit).padEnd(8)}${Object.entries(s.lag).map(([n, l]) => `${n}:${l}`).join(' ')}`);
  }
  out(lines.join('\n') + '\n');
}
