// bench/streams: Kinesis Data Streams throughput and end-to-end latency of Stratus (a 3-node
// cluster of separate processes, replicated and fsynced) side by side with kinesalite (the npm
// Kinesis emulator: one process, in memory, not replicated), both driven by the same AWS SDK v3
// Kinesis client over HTTP/1.1 keep-alive.
//
// Per run both targets start fresh; then for every shard count (1, 4, 16), alternating targets
// (who goes first rotates per run), on a fresh stream:
//   latency     one producer puts ONE record per PutRecord, open loop at --latency-rate records/s
//               (random partition keys; the send time, performance.timeOrigin + now(), is carried
//               in the record's data); one consumer per shard polls GetRecords in a loop from a
//               LATEST iterator taken before the producer starts, as a KCL worker does: the next
//               call at once when records came back, --poll-sleep-ms of sleep when the answer was
//               empty. latency = the consumer's receive time - the producer's send time, for
//               records sent inside the window; p50/p99.
//   throughput  --producers closed-loop producers, each sending PutRecords of --batch records of
//               --size bytes (random partition keys), --warmup-ms then a --duration-ms window;
//               only records the answer reports as successful count. records/s and MB/s (10^6 B
//               of record data), per-request p50/p99.
// Figures are medians over --runs. Stratus runs with --kinesis-limits off (the env variable
// STRATUS_KINESIS_LIMITS=off, which `stratus cluster up` passes to its nodes), so AWS's per-shard
// 1 MiB/s and 1,000 records/s cap does not bound the figures; kinesalite enforces no such limit.
// kinesalite is installed on first use into bench/.peers/kinesalite (npm install --no-save) and
// runs as a child process; every process the bench starts is killed by pid on exit, error or ^C.
//
//   npx tsx bench/streams.ts [--quick] [--targets stratus-3node,kinesalite] [--runs 3] [--shards 1,4,16]
//                            [--producers 8] [--batch 500] [--size 1024] [--duration-ms 5000] [--warmup-ms 1000]
//                            [--latency-rate 100] [--latency-duration-ms 6000] [--latency-size 100]
//                            [--poll-sleep-ms 50] [--jit-warmup-ms 3000] [--data-dir /tmp] [--json FILE]
//                            [--profile DIR]   (STRATUS_CPU_PROFILE for every Stratus process: a V8 CPU
//                                               profile each, written when the cluster stops; see
//                                               bench/lib/cpuprofile-summary.ts)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { killPid, onCleanup } from './lib/cleanup.js';
import { describeFsyncFloor, type FsyncFloor, measureFsyncFloor } from './lib/fsync-floor.js';
import { type Cell, fmt, formatTable, type LoadResult, median, percentile, runLoad } from './lib/load.js';
import { assertPortsFree, run, sleep, tail } from './lib/proc.js';

const STRATUS_BIN = fileURLToPath(new URL('../bin/stratus.js', import.meta.url));
const PEERS_DIR = fileURLToPath(new URL('./.peers/kinesalite/', import.meta.url));
const KINESALITE_VERSION = '3.3.3';
const ACCESS_KEY_ID = 'AKIABENCHBENCHBENCH0';
const SECRET_ACCESS_KEY = 'benchSecretKeyForStratusQueueBench000000';
const STRATUS = 'stratus-3node';
const KINESALITE = 'kinesalite';
const TARGET_NAMES = [STRATUS, KINESALITE] as const;
type TargetName = (typeof TARGET_NAMES)[number];
const isTargetName = (s: string): s is TargetName => (TARGET_NAMES as readonly string[]).includes(s);
/** An SDK call that does not finish in this long fails the run instead of hanging it. */
const OP_TIMEOUT_MS = 30_000;
/** Open-loop latency producer: at most this many PutRecord calls in flight (then it waits). */
const LATENCY_MAX_IN_FLIGHT = 64;
/** After the latency producer's last send, how long consumers may take to see every record. */
const DRAIN_LIMIT_MS = 10_000;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ). */
const CLK_TCK = 100;

function fail(message: string): never {
  process.stderr.write(`bench/streams: ${message}\n`);
  process.exit(2);
}

function posInt(flag: string, value: string, min = 1): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < min) fail(`${flag} must be an integer >= ${min}, got "${value}"`);
  return x;
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    targets: { type: 'string', default: TARGET_NAMES.join(',') },
    runs: { type: 'string' },
    shards: { type: 'string', default: '1,4,16' },
    producers: { type: 'string', default: '8' },
    batch: { type: 'string', default: '500' },
    size: { type: 'string', default: '1024' },
    'duration-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    'latency-rate': { type: 'string', default: '100' },
    'latency-duration-ms': { type: 'string' },
    'latency-size': { type: 'string', default: '100' },
    'poll-sleep-ms': { type: 'string', default: '50' },
    'jit-warmup-ms': { type: 'string' },
    'data-dir': { type: 'string', default: tmpdir() },
    'fsync-iterations': { type: 'string', default: '1000' },
    json: { type: 'string' },
    profile: { type: 'string' },
  },
});

const quick = values.quick;
const targetNames = values.targets.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => (isTargetName(s) ? s : fail(`--targets: unknown target "${s}" (known: ${TARGET_NAMES.join(', ')})`)));
if (targetNames.length === 0) fail('--targets: name at least one target');
const runs = posInt('--runs', values.runs ?? (quick ? '1' : '3'));
const shardCounts = values.shards.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => posInt('--shards', s));
if (shardCounts.length === 0) fail('--shards: name at least one shard count');
const producers = posInt('--producers', values.producers);
const batch = posInt('--batch', values.batch);
if (batch > 500) fail('--batch: PutRecords takes at most 500 records');
const size = posInt('--size', values.size);
if (size * batch > 5 * 1024 * 1024 - batch * 256) fail('--size x --batch: a PutRecords request carries at most 5 MiB');
const durationMs = posInt('--duration-ms', values['duration-ms'] ?? (quick ? '2000' : '5000'));
const warmupMs = posInt('--warmup-ms', values['warmup-ms'] ?? (quick ? '500' : '1000'), 0);
const latencyRate = posInt('--latency-rate', values['latency-rate']);
const latencyDurationMs = posInt('--latency-duration-ms', values['latency-duration-ms'] ?? (quick ? '2000' : '6000'));
const latencySize = posInt('--latency-size', values['latency-size']);
if (latencySize < 16) fail('--latency-size: at least 16 bytes (send time and sequence number)');
const pollSleepMs = posInt('--poll-sleep-ms', values['poll-sleep-ms'], 0);
const jitWarmupMs = posInt('--jit-warmup-ms', values['jit-warmup-ms'] ?? (quick ? '1000' : '3000'), 0);
const dataRoot = resolve(values['data-dir']);
const fsyncIterations = posInt('--fsync-iterations', values['fsync-iterations']);
const profileDir = values.profile !== undefined ? resolve(values.profile) : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const epochMs = (): number => performance.timeOrigin + performance.now();

function withTimeout<T>(p: Promise<T>, what: string, ms = OP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** "Name (HTTP 404): message", from whatever the SDK threw. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode !== undefined ? ` (HTTP ${meta.httpStatusCode})` : '';
  return `${err.name}${status}: ${err.message}`;
}

/** utime + stime of a process in ms, from /proc; undefined once it is gone. */
function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function pkgVersion(dir: string, name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
const ROOT_DIR = fileURLToPath(new URL('../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new Error('could not find a free port'))));
    });
  });
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer from ${url} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets

interface StreamTarget {
  readonly name: TargetName;
  readonly describe: string;
  readonly endpoint: string;
  readonly client: KinesisClient;
  /** The server's processes, labelled (for CPU accounting). */
  procs(): { label: string; pid: number }[];
  teardown(): Promise<void>;
}

/** The same client for both systems: SDK defaults (3 attempts, standard retry) over HTTP/1.1 keep-alive. */
function makeClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }), connectionTimeout: 5000, requestTimeout: OP_TIMEOUT_MS }),
  });
}

/** The processes `stratus cluster up` records in DIR/cluster.json (its documented output). */
function clusterProcs(dir: string): { label: string; pid: number }[] {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return [];
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as { processes?: { pid?: unknown; role?: unknown; id?: unknown }[] };
    return (rec.processes ?? []).flatMap((p) => (typeof p.pid === 'number' ? [{ label: p.role === 'gateway' ? 'gateway' : `node-${String(p.id)}`, pid: p.pid }] : []));
  } catch {
    return [];
  }
}
const clusterPids = (dir: string): number[] => clusterProcs(dir).map((p) => p.pid);

async function startStratus(): Promise<StreamTarget> {
  const dir = mkdtempSync(join(dataRoot, 'bench-streams-stratus-'));
  // Registered before `cluster up` runs, so an interrupted start-up is still cleaned up (the pids
  // are known once cluster.json exists; the nodes are detached and would outlive the bench).
  let pids: number[] = [];
  let procs: { label: string; pid: number }[] = [];
  const unregister = onCleanup(() => {
    for (const pid of new Set([...pids, ...clusterPids(dir)])) killPid(pid);
    rmSync(dir, { recursive: true, force: true });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, STRATUS_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID, STRATUS_ROOT_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, STRATUS_KINESIS_LIMITS: 'off', ...(profileDir ? { STRATUS_CPU_PROFILE: profileDir } : {}) };
  let client: KinesisClient | undefined;
  const teardown = async (): Promise<void> => {
    client?.destroy();
    if (existsSync(join(dir, 'cluster.json'))) await run(process.execPath, [STRATUS_BIN, 'cluster', 'down', '--dir', dir], env, 30_000).catch(() => undefined);
    for (const pid of pids) killPid(pid);
    rmSync(dir, { recursive: true, force: true });
    unregister();
  };
  try {
    const base = 40000 + Math.floor(Math.random() * 500) * 8;
    const grpcPort = base + 5;
    const httpPort = base + 6;
    await assertPortsFree(STRATUS, [base, base + 1, base + 2, grpcPort, httpPort]);
    const r = await run(process.execPath, [STRATUS_BIN, 'cluster', 'up', '--nodes', '3', '--dir', dir, '--base-port', String(base), '--grpc-port', String(grpcPort), '--http-port', String(httpPort)], env);
    procs = clusterProcs(dir);
    pids = procs.map((p) => p.pid);
    if (r.code !== 0) throw new Error(`stratus cluster up failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-3000)}`);
    const endpoint = `http://127.0.0.1:${httpPort}`;
    await waitHealthy(`${endpoint}/health`, 30_000);
    client = makeClient(endpoint);
    return {
      name: STRATUS,
      describe:
        'Stratus 3-node cluster (`stratus cluster up --nodes 3`: 3 storage processes + a gateway process, each shard a Raft group with 3 replicas, ' +
        'fsync per commit), `STRATUS_KINESIS_LIMITS=off` (= `--kinesis-limits off`); the SDK talks to the gateway',
      endpoint,
      client,
      procs: () => procs,
      teardown,
    };
  } catch (err) {
    const logs = ['node-1.log', 'gateway.log'].map((f) => `${f}:\n${tail(join(dir, f), 1500)}`).join('\n');
    await teardown();
    throw new Error(`${STRATUS}: ${errorText(err)}\n${logs}`, { cause: err });
  }
}

function kinesaliteInstalled(): boolean {
  return pkgVersion(PEERS_DIR, 'kinesalite') === KINESALITE_VERSION;
}

/** Installs kinesalite@KINESALITE_VERSION into bench/.peers/kinesalite (its own prefix, so it does not prune the other peers). */
function ensureKinesalite(): string {
  if (!kinesaliteInstalled()) {
    log(`bench/streams: installing kinesalite@${KINESALITE_VERSION} into ${PEERS_DIR}`);
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `kinesalite@${KINESALITE_VERSION}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    if (r.status !== 0 || !kinesaliteInstalled()) {
      throw new Error(`npm install kinesalite@${KINESALITE_VERSION} failed (exit ${r.status}): ${`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.slice(-2000)}`);
    }
  }
  return join(PEERS_DIR, 'node_modules', 'kinesalite', 'cli.js');
}

async function startKinesalite(): Promise<StreamTarget> {
  const cli = ensureKinesalite();
  const port = await freePort();
  // No --path: kinesalite keeps everything in memory (memdown). Streams become ACTIVE at once.
  const args = [cli, '--port', String(port), '--shardLimit', '100000', '--createStreamMs', '0', '--deleteStreamMs', '0', '--updateStreamMs', '0'];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  const unregister = onCleanup(() => killPid(pid));
  let output = '';
  const keep = (s: string): void => {
    output = (output + s).slice(-4000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  child.on('error', (err) => keep(`spawn error: ${String(err)}\n`));
  let client: KinesisClient | undefined;
  const teardown = async (): Promise<void> => {
    client?.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      killPid(pid, 'SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) killPid(pid);
    }
    unregister();
  };
  try {
    const deadline = Date.now() + 20_000;
    while (!output.includes('Listening at')) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`kinesalite exited during start-up: ${output}`);
      if (Date.now() > deadline) throw new Error(`kinesalite did not report listening within 20 s: ${output}`);
      await sleep(50);
    }
    const endpoint = `http://127.0.0.1:${port}`;
    client = makeClient(endpoint);
    return {
      name: KINESALITE,
      describe: `kinesalite ${KINESALITE_VERSION} (npm), one Node process, data in memory (memdown: no --path, no disk, no replication), createStreamMs/deleteStreamMs/updateStreamMs 0, no throughput limits`,
      endpoint,
      client,
      procs: () => (pid !== undefined ? [{ label: 'kinesalite', pid }] : []),
      teardown,
    };
  } catch (err) {
    await teardown();
    throw new Error(`${KINESALITE}: ${errorText(err)}`, { cause: err });
  }
}

const FACTORIES: Record<TargetName, () => Promise<StreamTarget>> = { [STRATUS]: startStratus, [KINESALITE]: startKinesalite };

// ---------------------------------------------------------------------------------------------
// Workload

/** Every SDK call goes through here, so a failing API is reported with the call and the answer. */
async function call<T>(t: StreamTarget, what: string, f: (c: KinesisClient) => Promise<T>): Promise<T> {
  try {
    return await withTimeout(f(t.client), `${t.name} ${what}`);
  } catch (err) {
    throw new Error(`${t.name}: Kinesis ${what} on ${t.endpoint} failed: ${describeError(err)}`, { cause: err });
  }
}

/** Creates a stream, waits until it is ACTIVE and resolves to its shard ids. */
async function createStream(t: StreamTarget, name: string, shards: number): Promise<string[]> {
  await call(t, 'CreateStream', (c) => c.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards })));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await call(t, 'DescribeStreamSummary', (c) => c.send(new DescribeStreamSummaryCommand({ StreamName: name })));
    const status = d.StreamDescriptionSummary?.StreamStatus;
    if (status === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`${t.name}: stream ${name} still ${status} 60 s after CreateStream`);
    await sleep(50);
  }
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const tok = token;
    const r = await call(t, 'ListShards', (c) => c.send(new ListShardsCommand(tok ? { NextToken: tok } : { StreamName: name })));
    for (const s of r.Shards ?? []) if (s.ShardId) ids.push(s.ShardId);
    token = r.NextToken;
  } while (token);
  if (ids.length !== shards) throw new Error(`${t.name}: stream ${name} lists ${ids.length} shards, expected ${shards}`);
  return ids;
}

async function deleteStream(t: StreamTarget, name: string): Promise<void> {
  await call(t, 'DeleteStream', (c) => c.send(new DeleteStreamCommand({ StreamName: name })));
}

/** A random partition key per record, drawn from a pool made once (keeps key generation off the hot path). */
const KEYS = Array.from({ length: 16384 }, () => randomBytes(12).toString('hex'));
const randomKey = (): string => KEYS[(Math.random() * KEYS.length) | 0] as string;
const payload = new Uint8Array(randomBytes(size));

const serverCpuMs = (t: StreamTarget): number => t.procs().reduce((sum, p) => sum + (procCpuMs(p.pid) ?? 0), 0);

/** CPU ms of each of the target's processes so far. */
const cpuByProc = (t: StreamTarget): Map<string, number> => new Map(t.procs().map((p) => [p.label, procCpuMs(p.pid) ?? 0]));
/** "gateway 80%, node-1 40%, ...": each process's share of one core since `before`. */
function cpuBreakdown(t: StreamTarget, before: Map<string, number>, wallMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, ms] of cpuByProc(t)) out[label] = ((ms - (before.get(label) ?? 0)) / wallMs) * 100;
  return out;
}
const showBreakdown = (b: Record<string, number>): string => Object.entries(b).map(([k, v]) => `${k} ${Math.round(v)}%`).join(', ');

/** Waits (at most 10 s) until the target's processes use less than 25% of a core over 500 ms. */
async function waitQuiet(t: StreamTarget): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const a = serverCpuMs(t);
    await sleep(500);
    const pct = ((serverCpuMs(t) - a) / 500) * 100;
    if (pct < 25) return;
    if (Date.now() - t0 > 10_000) {
      log(`bench/streams: ${t.name} still at ${Math.round(pct)}% CPU after 10 s; measuring anyway`);
      return;
    }
  }
}

interface ThroughputMeasured {
  result: LoadResult;
  failed: number;
  retried: number;
  clientCpuPct: number;
  serverCpuPct: number;
  /** Per process of the target, % of one core. */
  serverCpuByProc: Record<string, number>;
}

async function throughputPhase(t: StreamTarget, stream: string, ms: number, warm: number): Promise<ThroughputMeasured> {
  let failed = 0;
  let retried = 0;
  let firstFailure = '';
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuMs(t);
  const byProc0 = cpuByProc(t);
  const wall0 = performance.now();
  const result = await runLoad({
    concurrency: producers,
    durationMs: ms,
    warmupMs: warm,
    op: async () => {
      const Records = Array.from({ length: batch }, () => ({ Data: payload, PartitionKey: randomKey() }));
      const r = await call(t, 'PutRecords', (c) => c.send(new PutRecordsCommand({ StreamName: stream, Records })));
      if ((r.$metadata.attempts ?? 1) > 1) retried++;
      const f = r.FailedRecordCount ?? 0;
      if (f > 0) {
        failed += f;
        if (!firstFailure) {
          const e = r.Records?.find((x) => x.ErrorCode);
          firstFailure = `${e?.ErrorCode}: ${e?.ErrorMessage}`;
        }
      }
      return batch - f;
    },
  });
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  if (failed > 0) log(`bench/streams: ${t.name}: ${failed} record(s) refused in the throughput phase; first: ${firstFailure}`);
  return {
    result,
    failed,
    retried,
    clientCpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    serverCpuPct: ((serverCpuMs(t) - server0) / wall) * 100,
    serverCpuByProc: cpuBreakdown(t, byProc0, wall),
  };
}

interface LatencyMeasured {
  /** End-to-end latencies (ms) of the records sent inside the window, sorted. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  /** Records sent inside the window that no consumer saw within DRAIN_LIMIT_MS. */
  missing: number;
  /** Records seen more than once (should be 0). */
  duplicates: number;
  putP50Ms: number;
  getP50Ms: number;
  /** Records/s the producer achieved in the window (less than asked if it hit its in-flight cap). */
  sentPerSec: number;
  emptyPollPct: number;
  serverCpuPct: number;
  serverCpuByProc: Record<string, number>;
}

async function latencyPhase(t: StreamTarget, stream: string, shardIds: string[], ms: number, warm: number): Promise<LatencyMeasured> {
  const iterators = await Promise.all(
    shardIds.map((ShardId) => call(t, 'GetShardIterator', (c) => c.send(new GetShardIteratorCommand({ StreamName: stream, ShardId, ShardIteratorType: 'LATEST' })))),
  );
  const seen = new Map<number, number>(); // seq -> end-to-end ms
  let duplicates = 0;
  const getMs: number[] = [];
  let polls = 0;
  let empty = 0;
  let stop = false;
  let consumerError: unknown;
  const consumer = async (it0: string | undefined): Promise<void> => {
    let it = it0;
    while (!stop && it) {
      const shardIterator = it;
      const t0 = performance.now();
      const r = await call(t, 'GetRecords', (c) => c.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: 10000 })));
      const now = epochMs();
      getMs.push(performance.now() - t0);
      polls++;
      const recs = r.Records ?? [];
      for (const rec of recs) {
        const d = rec.Data;
        if (!d || d.length < 16) continue;
        const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
        const sentAt = view.getFloat64(0);
        const seq = view.getUint32(8);
        if (seen.has(seq)) duplicates++;
        else seen.set(seq, now - sentAt);
      }
      it = r.NextShardIterator;
      if (recs.length === 0) {
        empty++;
        await sleep(pollSleepMs);
      }
    }
  };
  const consumers = iterators.map((r) =>
    consumer(r.ShardIterator).catch((err: unknown) => {
      consumerError ??= err;
      stop = true;
    }),
  );

  const server0 = serverCpuMs(t);
  const byProc0 = cpuByProc(t);
  const wall0 = performance.now();
  const total = Math.ceil((latencyRate * (warm + ms)) / 1000);
  const sentAtOf = new Float64Array(total);
  const putMs: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let producerError: unknown;
  const start = performance.now();
  const windowStart = performance.timeOrigin + start + warm;
  const windowEnd = windowStart + ms;
  for (let i = 0; i < total && !stop && producerError === undefined; i++) {
    const due = start + (i * 1000) / latencyRate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= LATENCY_MAX_IN_FLIGHT) await Promise.race(inFlight);
    const data = new Uint8Array(latencySize);
    const view = new DataView(data.buffer);
    const sentAt = epochMs();
    view.setFloat64(0, sentAt);
    view.setUint32(8, i);
    sentAtOf[i] = sentAt;
    const p = call(t, 'PutRecord', (c) => c.send(new PutRecordCommand({ StreamName: stream, Data: data, PartitionKey: randomKey() })))
      .then(() => {
        putMs.push(epochMs() - sentAt);
      })
      .catch((err: unknown) => {
        producerError ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  if (producerError !== undefined) {
    stop = true;
    await Promise.all(consumers);
    throw producerError;
  }
  // Every record sent in the window should show up; give the consumers a bounded time to see them.
  const inWindow = (i: number): boolean => (sentAtOf[i] as number) >= windowStart && (sentAtOf[i] as number) <= windowEnd;
  const drainUntil = Date.now() + DRAIN_LIMIT_MS;
  while (!stop && seen.size < total && Date.now() < drainUntil) await sleep(20);
  const serverCpuPct = ((serverCpuMs(t) - server0) / (performance.now() - wall0)) * 100;
  const serverCpuByProc = cpuBreakdown(t, byProc0, performance.now() - wall0);
  stop = true;
  await Promise.all(consumers);
  if (consumerError !== undefined) throw consumerError;

  const lat: number[] = [];
  let missing = 0;
  let sentInWindow = 0;
  for (let i = 0; i < total; i++) {
    if (!inWindow(i)) continue;
    sentInWindow++;
    const l = seen.get(i);
    if (l === undefined) missing++;
    else lat.push(l);
  }
  const sorted = Float64Array.from(lat).sort();
  const putSorted = Float64Array.from(putMs).sort();
  const getSorted = Float64Array.from(getMs).sort();
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    samples: sorted.length,
    missing,
    duplicates,
    putP50Ms: percentile(putSorted, 0.5),
    getP50Ms: percentile(getSorted, 0.5),
    sentPerSec: sentInWindow / (ms / 1000),
    emptyPollPct: polls ? (empty / polls) * 100 : Number.NaN,
    serverCpuPct,
    serverCpuByProc,
  };
}

/**
 * Before anything is measured: a 1-shard stream takes a batch and gives it back byte for byte,
 * three back-to-back PutRecords of 500 records (more than AWS's 1,000 records/s per shard) are
 * all accepted (so throughput limits are really off), then `jitWarmupMs` of throughput traffic
 * so V8 has optimised the server's and the SDK's code before the first cell.
 */
async function smokeAndWarm(t: StreamTarget, run: number): Promise<void> {
  const name = `bench-smoke-${run}-${Date.now().toString(36)}`;
  const [shardId] = await createStream(t, name, 1);
  const sent = Array.from({ length: 10 }, (_, i) => ({ Data: new Uint8Array(randomBytes(32 + i)), PartitionKey: randomKey() }));
  const put = await call(t, 'PutRecords', (c) => c.send(new PutRecordsCommand({ StreamName: name, Records: sent })));
  if ((put.FailedRecordCount ?? 0) > 0) throw new Error(`${t.name}: smoke test: PutRecords of 10 records refused ${put.FailedRecordCount}: ${JSON.stringify(put.Records?.find((r) => r.ErrorCode))}`);
  const it = await call(t, 'GetShardIterator', (c) => c.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })));
  const got = await call(t, 'GetRecords', (c) => c.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator })));
  const back = got.Records ?? [];
  if (back.length !== sent.length || back.some((r, i) => Buffer.compare(Buffer.from(r.Data ?? []), Buffer.from(sent[i]?.Data ?? [])) !== 0 || r.PartitionKey !== sent[i]?.PartitionKey)) {
    throw new Error(`${t.name}: smoke test: GetRecords from TRIM_HORIZON returned ${back.length} record(s), not the 10 put in order`);
  }
  const big = Array.from({ length: 500 }, () => ({ Data: payload, PartitionKey: randomKey() }));
  const three = await Promise.all([0, 1, 2].map(() => call(t, 'PutRecords', (c) => c.send(new PutRecordsCommand({ StreamName: name, Records: big })))));
  const refused = three.reduce((s, r) => s + (r.FailedRecordCount ?? 0), 0);
  if (refused > 0) {
    throw new Error(`${t.name}: smoke test: ${refused} of 1,500 records refused on one shard (${three.flatMap((r) => r.Records ?? []).find((r) => r.ErrorCode)?.ErrorCode}); are the per-shard throughput limits still on?`);
  }
  if (jitWarmupMs > 0) {
    const r = await throughputPhase(t, name, jitWarmupMs, 0);
    log(`run ${run}/${runs}: ${t.name} JIT warm-up: ${fmt(r.result.recordsPerSec)} records/s over ${jitWarmupMs} ms`);
  }
  await deleteStream(t, name);
  await waitQuiet(t);
}

// ---------------------------------------------------------------------------------------------
// Runner and report

async function main(): Promise<void> {
  log(`bench/streams: fsync floor on ${dataRoot} (N=${fsyncIterations})...`);
  const floors: FsyncFloor[] = measureFsyncFloor({ dir: dataRoot, iterations: fsyncIterations, sizes: [4096, 100] });
  log(describeFsyncFloor(floors));
  const perCell = (latencyDurationMs + warmupMs + durationMs + warmupMs) / 1000 + 3;
  log(
    `bench/streams: ${runs} run(s) x ${shardCounts.length} shard count(s) x ${targetNames.length} target(s) x ~${Math.round(perCell)} s ≈ ` +
      `${Math.ceil((runs * (shardCounts.length * targetNames.length * perCell + targetNames.length * (jitWarmupMs / 1000 + 5) + 10)) / 60)} min`,
  );

  const tput = new Map<string, ThroughputMeasured[]>();
  const lat = new Map<string, LatencyMeasured[]>();
  const descriptions = new Map<TargetName, string>();
  const push = <V>(m: Map<string, V[]>, k: string, v: V): void => {
    m.set(k, [...(m.get(k) ?? []), v]);
  };
  const key = (shards: number, t: string): string => `${shards}/${t}`;

  for (let run = 1; run <= runs; run++) {
    const shift = (run - 1) % targetNames.length;
    const order = [...targetNames.slice(shift), ...targetNames.slice(0, shift)];
    const targets: StreamTarget[] = [];
    try {
      for (const name of order) {
        const t0 = Date.now();
        const t = await FACTORIES[name]();
        targets.push(t);
        descriptions.set(name, t.describe);
        await smokeAndWarm(t, run);
        log(`run ${run}/${runs}: ${name} up, smoke-tested and warmed in ${Date.now() - t0} ms`);
      }
      let seq = 0;
      for (const shards of shardCounts) {
        for (const t of targets) {
          const label = `run ${run}/${runs}: ${t.name.padEnd(13)} shards=${String(shards).padEnd(3)}`;
          const stream = `bench-${run}-${shards}-${(seq++).toString(36)}-${Date.now().toString(36)}`;
          const ids = await createStream(t, stream, shards);
          const l = await latencyPhase(t, stream, ids, latencyDurationMs, warmupMs);
          push(lat, key(shards, t.name), l);
          log(
            `${label} latency:    e2e p50 ${fmt(l.p50Ms)} ms, p99 ${fmt(l.p99Ms)} ms, max ${fmt(l.maxMs)} ms over ${l.samples} records (${l.missing} missing, ${l.duplicates} dup); ` +
              `PutRecord p50 ${fmt(l.putP50Ms)} ms, GetRecords p50 ${fmt(l.getP50Ms)} ms, ${fmt(l.emptyPollPct)}% empty polls, sent ${fmt(l.sentPerSec)}/s, server CPU ${Math.round(l.serverCpuPct)}% (${showBreakdown(l.serverCpuByProc)})`,
          );
          if (l.missing > 0) log(`${label} WARNING: ${l.missing} record(s) sent in the window were never received`);
          const p = await throughputPhase(t, stream, durationMs, warmupMs);
          push(tput, key(shards, t.name), p);
          log(
            `${label} throughput: ${fmt(p.result.recordsPerSec)} records/s, ${fmt((p.result.recordsPerSec * size) / 1e6)} MB/s, PutRecords p50 ${fmt(p.result.p50Ms)} ms, p99 ${fmt(p.result.p99Ms)} ms; ` +
              `${p.failed} refused, ${p.retried} retried; CPU client ${Math.round(p.clientCpuPct)}% server ${Math.round(p.serverCpuPct)}% (${showBreakdown(p.serverCpuByProc)})`,
          );
          await deleteStream(t, stream);
          await waitQuiet(t);
        }
      }
    } finally {
      for (const t of [...targets].reverse()) {
        try {
          await t.teardown();
        } catch (err) {
          log(`bench/streams: teardown of ${t.name} failed: ${errorText(err)}`);
        }
      }
    }
  }

  process.stdout.write(`${report(tput, lat, descriptions, floors)}\n`);
  if (values.json) {
    const obj = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      runs,
      producers,
      batch,
      size,
      durationMs,
      warmupMs,
      latencyRate,
      latencyDurationMs,
      latencySize,
      pollSleepMs,
      fsyncFloor: floors,
      targets: Object.fromEntries(descriptions),
      throughput: Object.fromEntries(tput),
      latency: Object.fromEntries(lat),
    };
    writeFileSync(values.json, `${JSON.stringify(obj, null, 2)}\n`);
  }
}

const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${fmt(a / b)}×` : '—');

function report(tput: Map<string, ThroughputMeasured[]>, lat: Map<string, LatencyMeasured[]>, descriptions: Map<TargetName, string>, floors: FsyncFloor[]): string {
  const both = targetNames.includes(STRATUS) && targetNames.includes(KINESALITE);
  const mt = (s: number, t: string, pick: (m: ThroughputMeasured) => number): number => median((tput.get(`${s}/${t}`) ?? []).map(pick));
  const ml = (s: number, t: string, pick: (m: LatencyMeasured) => number): number => median((lat.get(`${s}/${t}`) ?? []).map(pick));
  const recs = (m: ThroughputMeasured): number => m.result.recordsPerSec;

  const trows: Cell[][] = [['shards', 'target', 'records/s', 'MB/s', 'PutRecords/s', 'runs min–max records/s', 'p50 ms', 'p99 ms', 'refused', 'client CPU %', 'server CPU %', 'Stratus/kinesalite records/s']];
  const lrows: Cell[][] = [['shards', 'target', 'e2e p50 ms', 'e2e p99 ms', 'PutRecord p50 ms', 'GetRecords p50 ms', 'empty polls %', 'records/run', 'missing', 'server CPU %', 'Stratus/kinesalite p50', 'Stratus/kinesalite p99']];
  for (const s of shardCounts) {
    for (const t of targetNames) {
      const all = tput.get(`${s}/${t}`) ?? [];
      const xs = all.map(recs);
      const r = mt(s, t, recs);
      trows.push([
        s,
        t,
        fmt(r),
        fmt((r * size) / 1e6),
        fmt(mt(s, t, (m) => m.result.opsPerSec)),
        xs.length > 1 ? `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}` : '',
        fmt(mt(s, t, (m) => m.result.p50Ms)),
        fmt(mt(s, t, (m) => m.result.p99Ms)),
        all.reduce((a, m) => a + m.failed, 0),
        fmt(mt(s, t, (m) => m.clientCpuPct)),
        fmt(mt(s, t, (m) => m.serverCpuPct)),
        both && t === STRATUS ? ratio(r, mt(s, KINESALITE, recs)) : '—',
      ]);
      const ls = lat.get(`${s}/${t}`) ?? [];
      lrows.push([
        s,
        t,
        fmt(ml(s, t, (m) => m.p50Ms)),
        fmt(ml(s, t, (m) => m.p99Ms)),
        fmt(ml(s, t, (m) => m.putP50Ms)),
        fmt(ml(s, t, (m) => m.getP50Ms)),
        fmt(ml(s, t, (m) => m.emptyPollPct)),
        fmt(ml(s, t, (m) => m.samples)),
        ls.reduce((a, m) => a + m.missing, 0),
        fmt(ml(s, t, (m) => m.serverCpuPct)),
        both && t === STRATUS ? ratio(ml(s, t, (m) => m.p50Ms), ml(s, KINESALITE, (m) => m.p50Ms)) : '—',
        both && t === STRATUS ? ratio(ml(s, t, (m) => m.p99Ms), ml(s, KINESALITE, (m) => m.p99Ms)) : '—',
      ]);
    }
  }
  const crows: Cell[][] = [['shards', 'target', 'phase', 'server CPU by process, % of one core (medians)']];
  for (const s of shardCounts) {
    for (const t of targetNames) {
      const byProc = (ms: Record<string, number>[]): string => {
        const labels = [...new Set(ms.flatMap((m) => Object.keys(m)))].sort();
        return labels.map((l) => `${l} ${fmt(median(ms.map((m) => m[l] ?? Number.NaN)))}`).join(', ');
      };
      crows.push([s, t, 'throughput', byProc((tput.get(`${s}/${t}`) ?? []).map((m) => m.serverCpuByProc))]);
      crows.push([s, t, 'latency', byProc((lat.get(`${s}/${t}`) ?? []).map((m) => m.serverCpuByProc))]);
    }
  }
  const sdk = pkgVersion(ROOT_DIR, '@aws-sdk/client-kinesis');
  return [
    `## bench/streams — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}); @aws-sdk/client-kinesis ${sdk} for both targets over HTTP/1.1 ` +
      `(NodeHttpHandler, keep-alive agent, maxSockets 64), SDK default retries; everything on loopback on this host. Medians of ${runs} run(s); targets alternate within every cell and who goes first rotates per run.`,
    '',
    `### PutRecords throughput (${producers} closed-loop producers, ${batch} records of ${size} B per request, random partition keys; ${durationMs} ms window after ${warmupMs} ms warmup)`,
    '',
    formatTable(trows),
    '',
    'records/s: records the answers reported successful, in requests completing inside the window; MB/s: of record data (10^6 B). p50/p99: per PutRecords request. ' +
      'refused: records with an ErrorCode, all runs. CPU: % of one core over warmup + window (client: the bench process; server: all the target\'s processes).',
    '',
    `### End-to-end latency (one producer, PutRecord of ${latencySize} B at ${latencyRate} records/s open loop, random partition keys; one GetRecords poller per shard, ` +
      `${pollSleepMs} ms sleep after an empty answer; ${latencyDurationMs} ms window after ${warmupMs} ms warmup)`,
    '',
    formatTable(lrows),
    '',
    'e2e: the consumer receiving the GetRecords answer minus the producer starting the PutRecord (the send time travels in the record), for records sent in the window; ' +
      'p50/p99 per run, median over runs. PutRecord/GetRecords p50: per call. missing: records sent in the window never received (all runs).',
    '',
    formatTable(crows),
    '',
    `${describeFsyncFloor(floors)}.`,
    both ? 'Stratus/kinesalite: records/s > 1× and latency < 1× favour Stratus.' : '',
    '',
    ...targetNames.map((n) => `- ${n}: ${descriptions.get(n) ?? ''}`),
  ].join('\n');
}

main().catch((err: unknown) => {
  log(`bench/streams: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
