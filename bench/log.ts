// bench/log: append throughput and latency of Stratus's replicated log, side by side with a
// 3-member etcd 3.4 cluster (loopback, default fsync) doing puts of the same size and concurrency.
//
// For every run, each target gets a fresh 3-node cluster; cells (record size x concurrency, plus a
// batched cell per size) are measured one after the other, alternating targets within a cell
// (etcd, then stratus) so machine noise hits both alike. Each figure is the median over runs.
// The machine's fsync floor (fdatasync p50 on the data dir's filesystem) is printed alongside.
//
//   npx tsx bench/log.ts [--stratus-endpoint leader|gateway] [--only etcd|stratus|both] [--runs 3] [--duration-ms 5000] [--warmup-ms 1000]
//                        [--sizes 100,1024] [--concurrency 1,16,256] [--batch 64] [--batch-concurrency 16]
//                        [--data-dir /tmp] [--json results.json]
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeFsyncFloor, type FsyncFloor, measureFsyncFloor } from './lib/fsync-floor.js';
import { fmt, formatTable, type LoadResult, median, runLoad } from './lib/load.js';
import type { LogTarget, TargetFactory } from './lib/target.js';
import { etcdTarget } from './targets/etcd.js';
import { stratusTarget } from './targets/stratus.js';

let stratusEndpoint: 'leader' | 'gateway' = 'leader';
const TARGETS: Record<'etcd' | 'stratus', TargetFactory> = {
  etcd: (o) => etcdTarget(o),
  stratus: (o) => stratusTarget({ ...o, endpoint: stratusEndpoint }),
};

function fail(message: string): never {
  process.stderr.write(`bench/log: ${message}\n`);
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
    only: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '3' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '1000' },
    sizes: { type: 'string', default: '100,1024' },
    concurrency: { type: 'string', default: '1,16,256' },
    batch: { type: 'string', default: '64' },
    'batch-concurrency': { type: 'string', default: '16' },
    'data-dir': { type: 'string', default: tmpdir() },
    'fsync-iterations': { type: 'string', default: '2000' },
    json: { type: 'string' },
    'stratus-endpoint': { type: 'string', default: 'leader' },
  },
});
if (values['stratus-endpoint'] !== 'leader' && values['stratus-endpoint'] !== 'gateway') fail(`--stratus-endpoint must be leader or gateway, got "${values['stratus-endpoint']}"`);
stratusEndpoint = values['stratus-endpoint'];

const only = values.only;
if (only !== 'etcd' && only !== 'stratus' && only !== 'both') fail(`--only must be etcd, stratus or both, got "${only}"`);
const targetNames: ('etcd' | 'stratus')[] = only === 'both' ? ['etcd', 'stratus'] : [only];
const runs = posInt('--runs', values.runs);
const durationMs = posInt('--duration-ms', values['duration-ms']);
const warmupMs = posInt('--warmup-ms', values['warmup-ms'], 0);
const sizes = intList('--sizes', values.sizes);
const concurrencies = intList('--concurrency', values.concurrency);
const batch = posInt('--batch', values.batch, 0); // 0 or 1: no batched cells
const batchConcurrency = posInt('--batch-concurrency', values['batch-concurrency']);
const dataRoot = resolve(values['data-dir']);
const fsyncIterations = posInt('--fsync-iterations', values['fsync-iterations']);

interface CellSpec {
  size: number;
  concurrency: number;
  batch: number;
}
const cells: CellSpec[] = [];
for (const size of sizes) {
  for (const concurrency of concurrencies) cells.push({ size, concurrency, batch: 1 });
  if (batch > 1) cells.push({ size, concurrency: batchConcurrency, batch });
}
const maxBatch = Math.max(...cells.map((c) => c.batch));
const cellKey = (c: CellSpec, target: string): string => `${c.size}/${c.concurrency}/${c.batch}/${target}`;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function etcdVersion(): string {
  const r = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (/etcd Version: (\S+)/.exec(r.stdout)?.[1] ?? 'unknown') : 'not installed';
}

async function main(): Promise<void> {
  // A host etcd (e.g. the Debian service) would share CPU and disk with the benchmark.
  const foreign = spawnSync('pgrep', ['-a', '-x', 'etcd'], { encoding: 'utf8' });
  if (foreign.status === 0 && foreign.stdout.trim()) log(`bench/log: WARNING: etcd processes already running (they will skew results):\n${foreign.stdout.trim()}`);

  log(`bench/log: fsync floor on ${dataRoot} (N=${fsyncIterations})...`);
  const floors: FsyncFloor[] = measureFsyncFloor({ dir: dataRoot, iterations: fsyncIterations, sizes: [4096, 100] });
  log(describeFsyncFloor(floors));
  const floorP50Ms = (floors[0]?.p50Us ?? Number.NaN) / 1000;

  const results = new Map<string, LoadResult[]>();
  const perCellSeconds = (warmupMs + durationMs) / 1000;
  log(`bench/log: ${runs} run(s) x ${cells.length} cells x ${targetNames.length} target(s) x ${perCellSeconds}s ≈ ${Math.ceil((runs * cells.length * targetNames.length * perCellSeconds) / 60)} min plus cluster start-up`);

  for (let run = 1; run <= runs; run++) {
    const targets: LogTarget[] = [];
    try {
      for (const name of targetNames) {
        const target = (TARGETS[name])({ dataRoot, maxBatch });
        targets.push(target);
        const t0 = Date.now();
        await target.setup();
        log(`run ${run}/${runs}: ${name} up in ${Date.now() - t0} ms`);
      }
      for (const cell of cells) {
        const records = Array.from({ length: cell.batch }, () => new Uint8Array(randomBytes(cell.size)));
        for (const target of targets) {
          const cpu0 = process.cpuUsage();
          const wall0 = process.hrtime.bigint();
          const r = await runLoad({ concurrency: cell.concurrency, durationMs, warmupMs, op: () => target.append(records) });
          const cpu = process.cpuUsage(cpu0);
          // CPU used by this (client) process; near 100% means the load generator, not the target, is the limit.
          const clientCpuPct = ((cpu.user + cpu.system) / 1000 / (Number(process.hrtime.bigint() - wall0) / 1e6)) * 100;
          const key = cellKey(cell, target.name);
          results.set(key, [...(results.get(key) ?? []), r]);
          log(`run ${run}/${runs}: ${target.name.padEnd(7)} size=${cell.size} c=${cell.concurrency} batch=${cell.batch}: ${fmt(r.opsPerSec)} ops/s, ${fmt(r.recordsPerSec)} rec/s, p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, max ${fmt(r.maxMs)} ms, client CPU ${Math.round(clientCpuPct)}%`);
        }
      }
    } finally {
      for (const target of targets.reverse()) {
        try {
          await target.teardown();
        } catch (err) {
          log(`bench/log: teardown of ${target.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  const med = (cell: CellSpec, target: string, pick: (r: LoadResult) => number): number => median((results.get(cellKey(cell, target)) ?? []).map(pick));
  const rows: (string | number)[][] = [['size (B)', 'concurrency', 'batch', 'target', 'ops/s', 'records/s', 'p50 ms', 'p99 ms', 'p50 / fsync floor', 'Stratus/etcd records/s', 'Stratus/etcd p50']];
  const json: Record<string, unknown>[] = [];
  for (const cell of cells) {
    for (const name of targetNames) {
      const recs = med(cell, name, (r) => r.recordsPerSec);
      const p50 = med(cell, name, (r) => r.p50Ms);
      let ratioTput = '—';
      let ratioP50 = '—';
      if (name === 'stratus' && targetNames.includes('etcd')) {
        ratioTput = `${fmt(recs / med(cell, 'etcd', (r) => r.recordsPerSec))}×`;
        ratioP50 = `${fmt(p50 / med(cell, 'etcd', (r) => r.p50Ms))}×`;
      }
      const p99 = med(cell, name, (r) => r.p99Ms);
      const ops = med(cell, name, (r) => r.opsPerSec);
      rows.push([cell.size, cell.concurrency, cell.batch, name, fmt(ops), fmt(recs), fmt(p50), fmt(p99), `${fmt(p50 / floorP50Ms)}×`, ratioTput, ratioP50]);
      json.push({ ...cell, target: name, opsPerSec: ops, recordsPerSec: recs, p50Ms: p50, p99Ms: p99, runs: results.get(cellKey(cell, name)) ?? [] });
    }
  }

  const header = [
    `## bench/log — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), etcd ${etcdVersion()}; ` +
      `3-node clusters on loopback; medians of ${runs} run(s) of ${durationMs} ms after ${warmupMs} ms warmup; ` +
      `closed loop (each appender has one request in flight); batch = records per request.`,
    '',
  ];
  const footer = [
    '',
    `${describeFsyncFloor(floors)}.`,
    `p50 / fsync floor = commit p50 ÷ ${fmt(floors[0]?.p50Us ?? Number.NaN)} µs (4096 B fdatasync p50).`,
    'etcd: put of a unique key (~10 B) with the record as value, sent to the leader; batched = one Txn of N puts.',
  ];
  process.stdout.write(`${[...header, formatTable(rows), ...footer].join('\n')}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), runs, durationMs, warmupMs, fsyncFloor: floors, cells: json }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  log(`bench/log: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
