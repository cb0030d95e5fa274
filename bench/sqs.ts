// bench/sqs: queue throughput and latency of Stratus's SQS API (AWS SDK v3 client), side by side
// with RabbitMQ quorum queues and NATS JetStream work-queue streams, single-node and 3-node each.
//
// Cells: mode (single: one message per send, receive max 1 + DeleteMessage; batch: 10 per send,
// receive max 10 + DeleteMessageBatch) x concurrency. Per cell and target, on a fresh queue:
//   send             c closed-loop producers for warmup + window; messages/s and op latency
//   receive+delete   the queue is topped up so it cannot run dry, then c closed-loop consumers,
//                    each op = receive up to N and delete/ack what it got; messages/s, op latency
// A receive phase that found the queue short (an empty receive, or fewer than c x N messages
// left at the end) is discarded and rerun with a bigger backlog, so figures never include
// starvation. Every run starts every target fresh and measures cells one after the other,
// alternating targets within a cell (rotating who goes first per run) so machine noise hits all
// alike; figures are medians over runs. The fsync floor of the data dir is printed alongside.
//
//   npx tsx bench/sqs.ts [--targets stratus-embedded,stratus-3node,rabbitmq-1,rabbitmq-3,jetstream-r1,jetstream-r3]
//                        [--runs 3] [--duration-ms 5000] [--warmup-ms 1000] [--concurrency 1,16,64]
//                        [--modes single,batch] [--size 100] [--data-dir /tmp] [--json results.json]
//                        [--peer-connections 1]   (AMQP/NATS connections shared by the workers; 0: one per worker)
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeFsyncFloor, type FsyncFloor, measureFsyncFloor } from './lib/fsync-floor.js';
import { fmt, formatTable, type LoadResult, median, runLoad } from './lib/load.js';
import { debVersion } from './lib/proc.js';
import type { QueueTarget, QueueTargetFactory } from './lib/queue-target.js';
import { natsServerVersion } from './peers/nats.js';
import { jetStreamTarget } from './targets/queue-jetstream.js';
import { rabbitTarget } from './targets/queue-rabbitmq.js';
import { stratusQueueTarget } from './targets/queue-stratus.js';

const TARGETS = {
  'stratus-embedded': (o) => stratusQueueTarget({ ...o, mode: 'embedded' }),
  'stratus-3node': (o) => stratusQueueTarget({ ...o, mode: '3node' }),
  'rabbitmq-1': (o) => rabbitTarget({ ...o, name: 'rabbitmq-1', nodes: 1, prefix: 'benchr1', amqpBasePort: 25701, epmdPort: 24371, connections: peerConnections }),
  'rabbitmq-3': (o) => rabbitTarget({ ...o, name: 'rabbitmq-3', nodes: 3, prefix: 'benchr3', amqpBasePort: 25702, epmdPort: 24372, connections: peerConnections }),
  'jetstream-r1': (o) => jetStreamTarget({ ...o, name: 'jetstream-r1', replicas: 1, prefix: 'benchj1', clientBasePort: 24221, clusterBasePort: 24251, connections: peerConnections }),
  'jetstream-r3': (o) => jetStreamTarget({ ...o, name: 'jetstream-r3', replicas: 3, prefix: 'benchj3', clientBasePort: 24231, clusterBasePort: 24241, connections: peerConnections }),
} satisfies Record<string, QueueTargetFactory>;
type TargetName = keyof typeof TARGETS;
const isTargetName = (s: string): s is TargetName => Object.hasOwn(TARGETS, s);

/** The Stratus variant each peer is compared with: same number of replicas. */
const COUNTERPART: Partial<Record<TargetName, TargetName>> = {
  'rabbitmq-1': 'stratus-embedded',
  'jetstream-r1': 'stratus-embedded',
  'rabbitmq-3': 'stratus-3node',
  'jetstream-r3': 'stratus-3node',
};

type Mode = 'single' | 'batch';
type Phase = 'send' | 'receive+delete';
const BATCH = 10; // SQS's limit for SendMessageBatch, ReceiveMessage and DeleteMessageBatch
const PREFILL_WORKERS = 16;
// An op that does not finish in this long fails the run instead of hanging it.
const OP_TIMEOUT_MS = 30_000;
const MAX_RECEIVE_ATTEMPTS = 4;

function fail(message: string): never {
  process.stderr.write(`bench/sqs: ${message}\n`);
  process.exit(2);
}

function intList(flag: string, value: string): number[] {
  const xs = value.split(',').filter((s) => s.trim() !== '').map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) fail(`${flag} must be a comma-separated list of positive integers, got "${value}"`);
  return xs;
}

function posInt(flag: string, value: string, min = 1): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < min) fail(`${flag} must be an integer >= ${min}, got "${value}"`);
  return x;
}

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: Object.keys(TARGETS).join(',') },
    runs: { type: 'string', default: '3' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '1,16,64' },
    modes: { type: 'string', default: 'single,batch' },
    size: { type: 'string', default: '100' },
    'data-dir': { type: 'string', default: tmpdir() },
    'fsync-iterations': { type: 'string', default: '2000' },
    json: { type: 'string' },
    'peer-connections': { type: 'string', default: '1' },
  },
});

const targetNames: TargetName[] = values.targets.split(',').filter((s) => s.trim() !== '').map((s) => {
  const t = s.trim();
  if (!isTargetName(t)) fail(`--targets: unknown target "${t}" (known: ${Object.keys(TARGETS).join(', ')})`);
  return t;
});
if (targetNames.length === 0) fail('--targets: name at least one target');
const modes: Mode[] = values.modes.split(',').filter((s) => s.trim() !== '').map((s) => {
  const m = s.trim();
  if (m !== 'single' && m !== 'batch') fail(`--modes: single and/or batch, got "${m}"`);
  return m;
});
const runs = posInt('--runs', values.runs);
const durationMs = posInt('--duration-ms', values['duration-ms']);
const warmupMs = posInt('--warmup-ms', values['warmup-ms'], 0);
const concurrencies = intList('--concurrency', values.concurrency);
const size = posInt('--size', values.size);
if (size > 256 * 1024) fail('--size: SQS messages are at most 262144 bytes');
const dataRoot = resolve(values['data-dir']);
const fsyncIterations = posInt('--fsync-iterations', values['fsync-iterations']);
const phaseSeconds = (warmupMs + durationMs) / 1000;
const peerConnections = posInt('--peer-connections', values['peer-connections'], 0);

interface CellSpec {
  mode: Mode;
  concurrency: number;
}
const cells: CellSpec[] = modes.flatMap((mode) => concurrencies.map((concurrency) => ({ mode, concurrency })));
const perOp = (mode: Mode): number => (mode === 'single' ? 1 : BATCH);
const key = (cell: CellSpec, phase: Phase, target: string): string => `${cell.mode}/${cell.concurrency}/${phase}/${target}`;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// Printable bodies: an SQS body must be valid XML characters, and all targets get the same bytes.
const bodies: Buffer[] = Array.from({ length: BATCH }, () => Buffer.from(randomBytes(size).toString('base64url').slice(0, size), 'latin1'));
const bodiesFor = (mode: Mode): Buffer[] => bodies.slice(0, perOp(mode));

/** Sends `count` messages in batches of 10 as fast as the target takes them (not measured). */
async function prefill(target: QueueTarget, count: number): Promise<void> {
  let remaining = count;
  const worker = async (w: number): Promise<void> => {
    while (remaining > 0) {
      const n = Math.min(BATCH, remaining);
      remaining -= n;
      const acked = await withTimeout(target.send(w, bodies.slice(0, n)), `${target.name} prefill send`);
      if (acked !== n) throw new Error(`${target.name}: prefill send acknowledged ${acked} of ${n} messages`);
    }
  };
  await Promise.all(Array.from({ length: PREFILL_WORKERS }, (_, w) => worker(w)));
}

/** One message through create → send → receive+delete → delete queue, before anything is measured. */
async function smokeTest(target: QueueTarget): Promise<void> {
  const q = `bench-smoke-${Date.now().toString(36)}`;
  const step = async <T>(what: string, p: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(p(), `${target.name} ${what}`);
    } catch (err) {
      throw new Error(`${target.name}: smoke test failed at ${what}: ${errorText(err)}`, { cause: err });
    }
  };
  await step('create queue', () => target.createQueue(q));
  const sent = await step('send', () => target.send(0, bodiesFor('single')));
  if (sent !== 1) throw new Error(`${target.name}: smoke test: send acknowledged ${sent} messages, expected 1`);
  let got = 0;
  for (let i = 0; i < 5 && got === 0; i++) got = await step('receive+delete', () => target.receiveAndDelete(0, 1));
  if (got !== 1) throw new Error(`${target.name}: smoke test: the message sent was not received (5 receives returned nothing)`);
  await step('end phase', () => target.endPhase());
  await step('delete queue', () => target.deleteQueue());
}

function clientCpuPct(cpu0: NodeJS.CpuUsage, wall0: bigint): number {
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) / 1000 / (Number(process.hrtime.bigint() - wall0) / 1e6)) * 100;
}

function pkgVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

interface Measured {
  result: LoadResult;
  /** Receive phases only: attempts discarded because the queue ran short. */
  reruns: number;
}

async function main(): Promise<void> {
  // Host brokers (e.g. Debian's services) would share CPU and disk with the benchmark.
  for (const proc of ['beam.smp', 'nats-server']) {
    const foreign = spawnSync('pgrep', ['-a', '-x', proc], { encoding: 'utf8' });
    if (foreign.status === 0 && foreign.stdout.trim()) log(`bench/sqs: WARNING: ${proc} processes already running (they will skew results):\n${foreign.stdout.trim()}`);
  }

  log(`bench/sqs: fsync floor on ${dataRoot} (N=${fsyncIterations})...`);
  const floors: FsyncFloor[] = measureFsyncFloor({ dir: dataRoot, iterations: fsyncIterations, sizes: [4096, 100] });
  log(describeFsyncFloor(floors));

  const results = new Map<string, Measured[]>();
  const add = (k: string, m: Measured): void => {
    results.set(k, [...(results.get(k) ?? []), m]);
  };
  // Highest receive rate seen per target+mode(+concurrency): sizes the backlog of later receive phases.
  const receiveRate = new Map<string, number>();
  const descriptions = new Map<string, string>();
  const maxConcurrency = Math.max(...concurrencies, PREFILL_WORKERS);
  log(`bench/sqs: ${runs} run(s) x ${cells.length} cells x ${targetNames.length} target(s) x 2 phases x ${phaseSeconds}s ≈ ${Math.ceil((runs * cells.length * targetNames.length * 2 * phaseSeconds) / 60)} min plus start-up and prefills`);

  for (let run = 1; run <= runs; run++) {
    const shift = (run - 1) % targetNames.length;
    const order = [...targetNames.slice(shift), ...targetNames.slice(0, shift)];
    const targets: QueueTarget[] = [];
    try {
      for (const name of order) {
        const target = TARGETS[name]({ dataRoot, maxConcurrency });
        targets.push(target);
        descriptions.set(name, target.describe);
        const t0 = Date.now();
        try {
          await target.setup();
        } catch (err) {
          throw new Error(`${name}: setup failed: ${errorText(err)}`, { cause: err });
        }
        await smokeTest(target);
        log(`run ${run}/${runs}: ${name} up and answering in ${Date.now() - t0} ms`);
      }

      let seq = 0;
      for (const cell of cells) {
        const n = perOp(cell.mode);
        for (const target of targets) {
          const label = `run ${run}/${runs}: ${target.name.padEnd(16)} ${cell.mode.padEnd(6)} c=${String(cell.concurrency).padEnd(3)}`;
          const queue = `bench-${run}-${cell.mode}-${cell.concurrency}-${(seq++).toString(36)}-${Date.now().toString(36)}`;
          await withTimeout(target.createQueue(queue), `${target.name} createQueue`);

          let sent = 0;
          let cpu0 = process.cpuUsage();
          let wall0 = process.hrtime.bigint();
          const s = await runLoad({
            concurrency: cell.concurrency,
            durationMs,
            warmupMs,
            op: async (w) => {
              const k = await withTimeout(target.send(w, bodiesFor(cell.mode)), `${target.name} send`);
              sent += k;
              return k;
            },
          });
          add(key(cell, 'send', target.name), { result: s, reruns: 0 });
          log(`${label} send:           ${fmt(s.recordsPerSec)} msg/s, p50 ${fmt(s.p50Ms)} ms, p99 ${fmt(s.p99Ms)} ms, client CPU ${Math.round(clientCpuPct(cpu0, wall0))}%`);

          // Enough backlog that the consumers cannot drain it: this cell's receive rate from an
          // earlier run, else the best seen in this mode or twice this cell's send rate, with margin.
          const cellRateKey = `${target.name}/${cell.mode}/${cell.concurrency}`;
          const modeRateKey = `${target.name}/${cell.mode}`;
          const guess = receiveRate.get(cellRateKey) ?? Math.max(receiveRate.get(modeRateKey) ?? 0, (2 * sent) / phaseSeconds);
          let want = Math.ceil(Math.max(guess * phaseSeconds * 1.5, 1000) + cell.concurrency * n * 4);
          let backlog = sent;
          let measured: Measured | undefined;
          for (let attempt = 1; attempt <= MAX_RECEIVE_ATTEMPTS && !measured; attempt++) {
            if (backlog < want) {
              const t0 = Date.now();
              await prefill(target, want - backlog);
              log(`${label} prefilled ${want - backlog} messages in ${Date.now() - t0} ms (backlog ${want})`);
              backlog = want;
            }
            let received = 0;
            let empty = 0;
            cpu0 = process.cpuUsage();
            wall0 = process.hrtime.bigint();
            const r = await runLoad({
              concurrency: cell.concurrency,
              durationMs,
              warmupMs,
              op: async (w) => {
                const k = await withTimeout(target.receiveAndDelete(w, n), `${target.name} receive+delete`);
                received += k;
                if (k === 0) empty++;
                return k;
              },
            });
            const cpu = clientCpuPct(cpu0, wall0);
            await withTimeout(target.endPhase(), `${target.name} endPhase`);
            backlog -= received;
            for (const k of [cellRateKey, modeRateKey]) receiveRate.set(k, Math.max(receiveRate.get(k) ?? 0, r.recordsPerSec));
            if (empty === 0 && backlog >= cell.concurrency * n) {
              measured = { result: r, reruns: attempt - 1 };
              log(`${label} receive+delete: ${fmt(r.recordsPerSec)} msg/s, p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, client CPU ${Math.round(cpu)}% (${backlog} left)`);
            } else if (attempt < MAX_RECEIVE_ATTEMPTS) {
              log(`${label} receive+delete ran the queue short (${empty} empty receive(s), ${backlog} left); rerunning with a bigger backlog`);
              want = Math.ceil(Math.max(want * 2, r.recordsPerSec * phaseSeconds * 2) + cell.concurrency * n * 4);
            } else {
              // Keep the figure (it is a lower bound) but say so in the table.
              measured = { result: r, reruns: attempt };
              log(`${label} receive+delete: WARNING still short after ${attempt} attempts; figure is a lower bound: ${fmt(r.recordsPerSec)} msg/s`);
            }
          }
          if (measured) add(key(cell, 'receive+delete', target.name), measured);
          await withTimeout(target.deleteQueue(), `${target.name} deleteQueue`);
        }
      }
    } finally {
      for (const target of [...targets].reverse()) {
        try {
          await target.teardown();
        } catch (err) {
          log(`bench/sqs: teardown of ${target.name} failed: ${errorText(err)}`);
        }
      }
    }
  }

  const med = (cell: CellSpec, phase: Phase, target: string, pick: (r: LoadResult) => number): number => median((results.get(key(cell, phase, target)) ?? []).map((m) => pick(m.result)));
  const rows: (string | number)[][] = [['mode', 'c', 'phase', 'target', 'msg/s', 'ops/s', 'p50 ms', 'p99 ms', 'Stratus/peer msg/s', 'Stratus/peer p50']];
  const json: Record<string, unknown>[] = [];
  let lowerBounds = false;
  for (const cell of cells) {
    for (const phase of ['send', 'receive+delete'] as const) {
      for (const name of targetNames) {
        const msgs = med(cell, phase, name, (r) => r.recordsPerSec);
        const p50 = med(cell, phase, name, (r) => r.p50Ms);
        let ratioTput = '—';
        let ratioP50 = '—';
        const counterpart = COUNTERPART[name];
        if (counterpart && targetNames.includes(counterpart)) {
          ratioTput = `${fmt(med(cell, phase, counterpart, (r) => r.recordsPerSec) / msgs)}×`;
          ratioP50 = `${fmt(med(cell, phase, counterpart, (r) => r.p50Ms) / p50)}×`;
        }
        const all = results.get(key(cell, phase, name)) ?? [];
        const short = all.some((m) => m.reruns >= MAX_RECEIVE_ATTEMPTS);
        lowerBounds ||= short;
        const ops = med(cell, phase, name, (r) => r.opsPerSec);
        const p99 = med(cell, phase, name, (r) => r.p99Ms);
        rows.push([cell.mode, cell.concurrency, phase, name, `${fmt(msgs)}${short ? ' (≥)' : ''}`, fmt(ops), fmt(p50), fmt(p99), ratioTput, ratioP50]);
        json.push({ ...cell, phase, target: name, messagesPerSec: msgs, opsPerSec: ops, p50Ms: p50, p99Ms: p99, runs: all });
      }
    }
  }

  const header = [
    `## bench/sqs — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}); RabbitMQ ${debVersion('rabbitmq-server')} (Erlang ${debVersion('erlang-base')}), ` +
      `nats-server ${natsServerVersion()}; clients: @aws-sdk/client-sqs ${pkgVersion('@aws-sdk/client-sqs')}, amqplib ${pkgVersion('amqplib')}, nats ${pkgVersion('nats')}. ` +
      `All servers on loopback on this host. Medians of ${runs} run(s) of ${durationMs} ms after ${warmupMs} ms warmup; closed loop (each worker has one op in flight); ` +
      `${size} B messages; single = 1 message per op, batch = ${BATCH}. A send op = send N and await their acks; a receive+delete op = receive up to N and delete/ack them.`,
    '',
  ];
  const footer = [
    '',
    `${describeFsyncFloor(floors)}.`,
    'Stratus/peer: the Stratus variant with the same replica count (stratus-embedded for *-1/*-r1, stratus-3node for *-3/*-r3) divided by the peer; msg/s > 1× and p50 < 1× favour Stratus.',
    ...(lowerBounds ? ['(≥): the queue ran short in every attempt; the figure is a lower bound.'] : []),
    '',
    ...targetNames.map((n) => `- ${n}: ${descriptions.get(n) ?? ''}`),
  ];
  process.stdout.write(`${[...header, formatTable(rows), ...footer].join('\n')}\n`);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), runs, durationMs, warmupMs, size, fsyncFloor: floors, targets: Object.fromEntries(descriptions), cells: json }, null, 2)}\n`);
  }
}

main().catch((err: unknown) => {
  log(`bench/sqs: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
