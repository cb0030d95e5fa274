// bench/topics: SNS-style fan-out (one topic, N subscribers, every message delivered to each):
// Stratus (SNS API → N SQS queues, AWS SDK v3) side by side with NATS core pub/sub and RabbitMQ
// exchanges bound to durable quorum queues, each a 3-node cluster on this host.
//
// Cells: subscribers (1, 10, 100) x filter (none; filtered: every subscription filters on
// kind=bench and every message matches, so all are delivered but the filter is evaluated).
// Per cell and target, on a fresh topic with N fresh subscribers:
//   latency     consumers on every subscriber; probes until each has one (readiness), then
//               --latency-messages publishes at a fixed interval (--latency-interval-ms, widened
//               so N subscribers get at most --latency-deliveries-per-sec: a low-rate phase at
//               any N, measuring latency rather than queueing), each carrying its send time;
//               receive time − send time over all deliveries (p50/p99); every subscriber must get
//               every message within --delivery-timeout-ms, else the cell FAILS (reported, exit 1)
//   throughput  consumers off; c closed-loop publishers for warmup + window: publishes/s, publish
//               op latency, deliveries/s = publishes/s x N; then the subscribers' backlogs are
//               polled until every one holds every delivery: fan-out lag (after the last publish
//               ack) and sustained deliveries/s = all deliveries / (publishing time + lag)
// Every run starts every target fresh, alternates targets within a cell, rotating who goes first
// per run (as bench/sqs.ts does); figures are medians over runs.
//
//   npx tsx bench/topics.ts [--targets stratus,nats,rabbitmq] [--runs 3] [--subscribers 1,10,100]
//        [--filters none,filtered] [--duration-ms 5000] [--warmup-ms 1000] [--concurrency 16]
//        [--size 256] [--batch] [--latency-messages 200] [--latency-interval-ms 20] [--latency-deliveries-per-sec 500]
//        [--delivery-timeout-ms 30000] [--drain-timeout-ms 120000] [--peer-connections 1]
//        [--data-dir /tmp] [--json results.json]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, formatTable, median, runLoad } from './lib/load.js';
import { debVersion } from './lib/proc.js';
import { drain, latencyPhase, MIN_SIZE, NON_MATCHING_EVERY, nowMs, throughputBodies, throughputOp } from './lib/topic-phases.js';
import type { TopicTarget, TopicTargetFactory } from './lib/topic-target.js';
import { natsServerVersion } from './peers/nats.js';
import { natsTopicTarget } from './targets/topic-nats.js';
import { rabbitTopicTarget } from './targets/topic-rabbitmq.js';
import { stratusTopicTarget } from './targets/topic-stratus.js';

const TARGETS = {
  stratus: (o) => stratusTopicTarget(o),
  nats: (o) => natsTopicTarget({ ...o, prefix: 'benchtn', clientBasePort: 24281, clusterBasePort: 24291 }),
  rabbitmq: (o) => rabbitTopicTarget({ ...o, prefix: 'benchtr', amqpBasePort: 25731, epmdPort: 24374 }),
} satisfies Record<string, TopicTargetFactory>;
type TargetName = keyof typeof TARGETS;
const isTargetName = (s: string): s is TargetName => Object.hasOwn(TARGETS, s);

type Filter = 'none' | 'filtered';
const BATCH = 10; // SNS PublishBatch's limit
const OP_TIMEOUT_MS = 30_000; // an op that does not finish in this long fails the run instead of hanging it
const LATENCY_WARMUP = 10; // first latency messages: checked for delivery, left out of the figures
const PROBE_TIMEOUT_MS = 60_000;

function fail(message: string): never {
  process.stderr.write(`bench/topics: ${message}\n`);
  process.exit(2);
}
function posInt(flag: string, value: string, min = 1): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < min) fail(`${flag} must be an integer >= ${min}, got "${value}"`);
  return x;
}
function list<T extends string>(flag: string, value: string, ok: (s: string) => s is T): T[] {
  const xs = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (xs.length === 0) fail(`${flag}: name at least one`);
  return xs.map((s) => (ok(s) ? s : fail(`${flag}: unknown "${s}"`)));
}

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: Object.keys(TARGETS).join(',') },
    runs: { type: 'string', default: '3' },
    subscribers: { type: 'string', default: '1,10,100' },
    filters: { type: 'string', default: 'none,filtered' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    size: { type: 'string', default: '256' },
    batch: { type: 'boolean', default: false },
    'latency-messages': { type: 'string', default: '200' },
    'latency-interval-ms': { type: 'string', default: '20' },
    'latency-deliveries-per-sec': { type: 'string', default: '500' },
    'delivery-timeout-ms': { type: 'string', default: '30000' },
    'drain-timeout-ms': { type: 'string', default: '120000' },
    'peer-connections': { type: 'string', default: '1' },
    'data-dir': { type: 'string', default: tmpdir() },
    json: { type: 'string' },
  },
});

const targetNames = list('--targets', values.targets, isTargetName);
const filters = list('--filters', values.filters, (s): s is Filter => s === 'none' || s === 'filtered');
const subscriberCounts = values.subscribers.split(',').filter((s) => s.trim() !== '').map((s) => posInt('--subscribers', s.trim()));
const runs = posInt('--runs', values.runs);
const durationMs = posInt('--duration-ms', values['duration-ms']);
const warmupMs = posInt('--warmup-ms', values['warmup-ms'], 0);
const concurrency = posInt('--concurrency', values.concurrency);
const size = posInt('--size', values.size, MIN_SIZE);
if (size > 256 * 1024) fail('--size: SNS messages are at most 262144 bytes');
const perOp = values.batch ? BATCH : 1;
const latencyMessages = posInt('--latency-messages', values['latency-messages'], LATENCY_WARMUP + 1);
const latencyIntervalMs = posInt('--latency-interval-ms', values['latency-interval-ms']);
const latencyDeliveriesPerSec = posInt('--latency-deliveries-per-sec', values['latency-deliveries-per-sec']);
/** The latency phase's publish interval for N subscribers. */
const intervalFor = (n: number): number => Math.max(latencyIntervalMs, Math.ceil((n * 1000) / latencyDeliveriesPerSec));
const deliveryTimeoutMs = posInt('--delivery-timeout-ms', values['delivery-timeout-ms']);
const drainTimeoutMs = posInt('--drain-timeout-ms', values['drain-timeout-ms']);
const peerConnections = posInt('--peer-connections', values['peer-connections'], 0);
const dataRoot = resolve(values['data-dir']);

interface CellSpec {
  subscribers: number;
  filter: Filter;
}
const cells: CellSpec[] = subscriberCounts.flatMap((subscribers) => filters.map((filter) => ({ subscribers, filter })));
const cellKey = (c: CellSpec, target: string): string => `${c.subscribers}/${c.filter}/${target}`;

/** One target's figures for one cell in one run. */
interface CellRun {
  publishesPerSec: number;
  deliveriesPerSec: number;
  sustainedDeliveriesPerSec: number;
  fanoutLagMs: number;
  publishP50Ms: number;
  publishP99Ms: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  readyMs: number;
  /** Latency phase: deliveries that never came; throughput phase: deliveries not in the backlog by the drain timeout. */
  lost: number;
  undelivered: number;
  duplicates: number;
  extra: number;
  /** Filtered cells: deliveries of messages no subscription matches (must be 0). */
  leaked: number;
  clientCpuPct: number;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function withTimeout<T>(p: Promise<T>, what: string, ms = OP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function pkgVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
function stratusVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const bodies = throughputBodies(size, 64);

async function measureCell(target: TopicTarget, cell: CellSpec, topicName: string, label: string): Promise<CellRun> {
  const n = cell.subscribers;
  let seq = 0;
  const nextSeq = (): number => seq++;
  const t0 = Date.now();
  // Creating 100 replicated queues and subscriptions takes a while on any of the three.
  await withTimeout(target.createTopic({ name: topicName, subscribers: n, filtered: cell.filter === 'filtered' }), `${target.name} createTopic`, 300_000);
  log(`${label} topic with ${n} subscriber(s) created in ${Date.now() - t0} ms`);

  const lat = await latencyPhase(target, {
    subscribers: n,
    filtered: cell.filter === 'filtered',
    size,
    messages: latencyMessages,
    warmup: LATENCY_WARMUP,
    intervalMs: intervalFor(n),
    deliveryTimeoutMs,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
    nextSeq,
    log,
  });
  log(
    `${label} latency: ready after ${lat.readyMs} ms; every ${intervalFor(n)} ms: publish→delivery p50 ${fmt(lat.p50Ms)} ms, p99 ${fmt(lat.p99Ms)} ms, max ${fmt(lat.maxMs)} ms over ${lat.samples} deliveries` +
      (lat.missing ? `; LOST ${lat.missing} of ${lat.expected} (${lat.missingBy.map((m) => `sub ${m.subscriber}: ${m.missing}`).join(', ')})` : '; none lost') +
      (lat.duplicates ? `; ${lat.duplicates} duplicate(s)` : '') +
      (lat.nonMatching ? `; ${lat.leaked} of ${lat.nonMatching} x ${n} non-matching deliveries let through${lat.leaked ? ' — FILTER NOT APPLIED' : ''}` : ''),
  );

  let acked = 0;
  const next = throughputOp(bodies, perOp, nextSeq);
  const cpu0 = process.cpuUsage();
  const wall0 = nowMs();
  const r = await runLoad({
    concurrency,
    durationMs,
    warmupMs,
    op: async (w) => {
      const k = await withTimeout(target.publish(w, next()), `${target.name} publish`);
      acked += k;
      return k;
    },
  });
  const publishEnd = nowMs();
  const cpu = process.cpuUsage(cpu0);
  const clientCpuPct = ((cpu.user + cpu.system) / 1000 / (publishEnd - wall0)) * 100;
  const d = await drain(target, acked, publishEnd, drainTimeoutMs);
  const sustained = (acked * n) / ((publishEnd - wall0 + d.lagMs) / 1000);
  log(
    `${label} throughput: ${fmt(r.recordsPerSec)} publishes/s (${fmt(r.recordsPerSec * n)} deliveries/s), p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, client CPU ${Math.round(clientCpuPct)}%; ` +
      `${acked} x ${n} deliveries all in place ${fmt(d.lagMs)} ms after the last ack (sustained ${fmt(sustained)}/s)` +
      (d.missing ? `; UNDELIVERED ${d.missing} after ${drainTimeoutMs} ms` : '') +
      (d.extra ? `; ${d.extra} extra` : ''),
  );
  await withTimeout(target.deleteTopic(), `${target.name} deleteTopic`, 300_000);
  return {
    publishesPerSec: r.recordsPerSec,
    deliveriesPerSec: r.recordsPerSec * n,
    sustainedDeliveriesPerSec: d.missing ? Number.NaN : sustained,
    fanoutLagMs: d.missing ? Number.NaN : d.lagMs,
    publishP50Ms: r.p50Ms,
    publishP99Ms: r.p99Ms,
    e2eP50Ms: lat.p50Ms,
    e2eP99Ms: lat.p99Ms,
    readyMs: lat.readyMs,
    lost: lat.missing,
    undelivered: d.missing,
    duplicates: lat.duplicates,
    extra: d.extra,
    leaked: lat.leaked,
    clientCpuPct,
  };
}

async function main(): Promise<void> {
  // Host brokers (e.g. Debian's services) would share CPU with the benchmark.
  for (const proc of ['beam.smp', 'nats-server']) {
    const foreign = spawnSync('pgrep', ['-a', '-x', proc], { encoding: 'utf8' });
    if (foreign.status === 0 && foreign.stdout.trim()) log(`bench/topics: WARNING: ${proc} processes already running (they will skew results):\n${foreign.stdout.trim()}`);
  }
  // Everything (three clusters and the clients) shares this host: other work skews every figure.
  const [load1] = loadavg();
  if ((load1 ?? 0) > cpus().length / 2) log(`bench/topics: WARNING: load average ${(load1 ?? 0).toFixed(1)} on ${cpus().length} CPU(s) before start: something else is running and will skew results`);
  const results = new Map<string, CellRun[]>();
  const descriptions = new Map<string, { describe: string; filterNote: string }>();
  const maxSubscribers = Math.max(...subscriberCounts);
  const perTarget = (c: CellSpec): number => (durationMs + warmupMs + latencyMessages * intervalFor(c.subscribers)) / 1000 + 5;
  const total = cells.reduce((a, c) => a + perTarget(c), 0) * runs * targetNames.length;
  log(`bench/topics: ${runs} run(s) x ${cells.length} cells x ${targetNames.length} target(s), ≈ ${Math.ceil(total / 60)} min plus start-up and topic set-up`);

  for (let run = 1; run <= runs; run++) {
    const shift = (run - 1) % targetNames.length;
    const order = [...targetNames.slice(shift), ...targetNames.slice(0, shift)];
    const targets: TopicTarget[] = [];
    try {
      for (const name of order) {
        const target = TARGETS[name]({ dataRoot, maxConcurrency: concurrency, maxSubscribers, peerConnections });
        targets.push(target);
        descriptions.set(name, { describe: target.describe, filterNote: target.filterNote });
        const t0 = Date.now();
        try {
          await target.setup();
        } catch (err) {
          throw new Error(`${name}: setup failed: ${errorText(err)}`, { cause: err });
        }
        log(`run ${run}/${runs}: ${name} up in ${Date.now() - t0} ms`);
      }
      let seq = 0;
      for (const cell of cells) {
        for (const target of targets) {
          const label = `run ${run}/${runs}: ${target.name.padEnd(8)} N=${String(cell.subscribers).padEnd(3)} ${cell.filter.padEnd(8)}`;
          const topicName = `bt${run}-${cell.subscribers}${cell.filter === 'filtered' ? 'f' : 'u'}-${(seq++).toString(36)}${Date.now().toString(36)}`;
          const m = await measureCell(target, cell, topicName, label);
          const k = cellKey(cell, target.name);
          results.set(k, [...(results.get(k) ?? []), m]);
        }
      }
    } finally {
      for (const target of [...targets].reverse()) {
        try {
          await target.teardown();
        } catch (err) {
          log(`bench/topics: teardown of ${target.name} failed: ${errorText(err)}`);
        }
      }
    }
  }
  report(results, descriptions);
}

function report(results: Map<string, CellRun[]>, descriptions: Map<string, { describe: string; filterNote: string }>): void {
  const med = (cell: CellSpec, target: string, pick: (r: CellRun) => number): number => median((results.get(cellKey(cell, target)) ?? []).map(pick));
  const sum = (cell: CellSpec, target: string, pick: (r: CellRun) => number): number => (results.get(cellKey(cell, target)) ?? []).reduce((a, r) => a + pick(r), 0);
  const ratio = (s: number, p: number): string => (Number.isFinite(s / p) ? `${fmt(s / p)}×` : '—');
  const failures: string[] = [];
  const sections: string[] = [];
  const json: Record<string, unknown>[] = [];
  for (const cell of cells) {
    const rows: (string | number)[][] = [
      ['target', 'pub/s', 'deliv/s', 'fan-out lag ms', 'sustained deliv/s', 'pub p50 ms', 'pub p99 ms', 'e2e p50 ms', 'e2e p99 ms', 'lost', 'S/peer pub/s', 'S/peer sustained', 'S/peer pub p50', 'S/peer e2e p50', 'S/peer e2e p99'],
    ];
    for (const name of targetNames) {
      const get = (pick: (r: CellRun) => number): number => med(cell, name, pick);
      const pub = get((r) => r.publishesPerSec);
      const sustained = get((r) => r.sustainedDeliveriesPerSec);
      const p50 = get((r) => r.publishP50Ms);
      const e50 = get((r) => r.e2eP50Ms);
      const e99 = get((r) => r.e2eP99Ms);
      const lost = sum(cell, name, (r) => r.lost + r.undelivered);
      const leaked = sum(cell, name, (r) => r.leaked);
      if (lost > 0) failures.push(`${name}, ${cell.subscribers} subscriber(s), ${cell.filter}: ${lost} deliveries lost or undelivered (summed over runs)`);
      if (leaked > 0) failures.push(`${name}, ${cell.subscribers} subscriber(s), ${cell.filter}: the filter let ${leaked} non-matching deliveries through`);
      const peer = name !== 'stratus' && targetNames.includes('stratus');
      const s = (pick: (r: CellRun) => number): number => med(cell, 'stratus', pick);
      rows.push([
        name,
        fmt(pub),
        fmt(get((r) => r.deliveriesPerSec)),
        fmt(get((r) => r.fanoutLagMs)),
        fmt(sustained),
        fmt(p50),
        fmt(get((r) => r.publishP99Ms)),
        fmt(e50),
        fmt(e99),
        lost > 0 || leaked > 0 ? `FAILED ${lost}${leaked > 0 ? ` (+${leaked} unfiltered)` : ''}` : '0',
        peer ? ratio(s((r) => r.publishesPerSec), pub) : '—',
        peer ? ratio(s((r) => r.sustainedDeliveriesPerSec), sustained) : '—',
        peer ? ratio(s((r) => r.publishP50Ms), p50) : '—',
        peer ? ratio(s((r) => r.e2eP50Ms), e50) : '—',
        peer ? ratio(s((r) => r.e2eP99Ms), e99) : '—',
      ]);
      json.push({ ...cell, target: name, publishesPerSec: pub, deliveriesPerSec: get((r) => r.deliveriesPerSec), sustainedDeliveriesPerSec: sustained, fanoutLagMs: get((r) => r.fanoutLagMs), publishP50Ms: p50, publishP99Ms: get((r) => r.publishP99Ms), e2eP50Ms: e50, e2eP99Ms: e99, lost, runs: results.get(cellKey(cell, name)) ?? [] });
    }
    sections.push(`### ${cell.subscribers} subscriber(s), filter: ${cell.filter}`, '', formatTable(rows), '');
  }

  const machine = `${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average at the end ${loadavg().map((l) => l.toFixed(1)).join('/')}`;
  const versions =
    `Stratus ${stratusVersion()}, RabbitMQ ${debVersion('rabbitmq-server')} (Erlang ${debVersion('erlang-base')}), nats-server ${natsServerVersion()}; ` +
    `clients: @aws-sdk/client-sns ${pkgVersion('@aws-sdk/client-sns')}, @aws-sdk/client-sqs ${pkgVersion('@aws-sdk/client-sqs')}, amqplib ${pkgVersion('amqplib')}, nats ${pkgVersion('nats')}`;
  const header = [
    `## bench/topics — ${new Date().toISOString()}`,
    '',
    `${machine}; ${versions}. All servers on loopback on this host (3-node clusters), clients in the benchmark process.`,
    '',
    `Medians of ${runs} run(s). Throughput: ${concurrency} closed-loop publishers, ${durationMs} ms after ${warmupMs} ms warmup, ${size} B messages, ` +
      `${perOp === 1 ? 'one message per publish op' : `${perOp} messages per publish op (Stratus: PublishBatch)`}; deliv/s = pub/s × subscribers. ` +
      `Latency (e2e): ${latencyMessages} publishes at a fixed interval, max(${latencyIntervalMs} ms, N / ${latencyDeliveriesPerSec} s) for N subscribers ` +
      `(${subscriberCounts.map((n) => `N=${n}: ${intervalFor(n)} ms`).join(', ')}; first ${LATENCY_WARMUP} not counted), receive time − send time over every subscriber's deliveries.`,
    '',
  ];
  const footer = [
    'Columns: pub p50/p99 = publish op latency (until acknowledged). fan-out lag = after the last publish ack, until every subscriber held every delivery (backlogs polled every 20 ms, after 1 s every 100 ms; ' +
      'RabbitMQ confirms only once every queue has committed the message, so its lag is only its queue counters catching up). sustained deliv/s = all deliveries / (publishing time + fan-out lag). ' +
      `lost = deliveries missing after --delivery-timeout-ms (latency phase) or --drain-timeout-ms (throughput phase), summed over runs: a FAILED cell ` +
      `(also when a filtered cell delivers any of the non-matching messages, kind=other, published once per ${NON_MATCHING_EVERY} latency messages).`,
    'S/peer = Stratus ÷ peer: pub/s and sustained > 1× favour Stratus; latency < 1× favours Stratus.',
    'NATS core stores nothing: its subscribers are live callbacks in the benchmark process during the throughput phase too (their CPU competes with the publishers\'); ' +
      'a publish op is publish + flush() (server has routed it), and delivery is at-most-once.',
    '',
    ...targetNames.flatMap((n) => {
      const d = descriptions.get(n);
      return d ? [`- ${n}: ${d.describe}. Filtered: ${d.filterNote}.`] : [];
    }),
  ];
  process.stdout.write(`${[...header, ...sections, ...footer].join('\n')}\n`);
  if (failures.length > 0) {
    log(`\nbench/topics: FAILED CELLS:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
  if (values.json) {
    const settings = { runs, durationMs, warmupMs, concurrency, size, perOp, latencyMessages, latencyIntervalMs, latencyDeliveriesPerSec, deliveryTimeoutMs, drainTimeoutMs, peerConnections };
    writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), machine, versions, settings, targets: Object.fromEntries(descriptions), failures, cells: json }, null, 2)}\n`);
  }
}

main().catch((err: unknown) => {
  log(`bench/topics: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
