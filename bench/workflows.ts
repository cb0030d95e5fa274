// bench/workflows: Step Functions executions. Stratus (a 3-node cluster; durable STANDARD and
// in-memory EXPRESS state machines, AWS SDK v3 SFN client) side by side with the
// aws-local-stepfunctions npm package interpreting the same definitions in this process.
//
// Workloads (bench/lib/workflow-workloads.ts): a 10-Pass chain, an inline Map over 100 items, a
// Choice loop counting to 10 with States.MathAdd. Per workload, target and mode:
//   latency     one execution at a time for --latency-ms (3 unmeasured first): start → seen
//               finished (Standard: DescribeExecution polled every --describe-poll-ms; Express:
//               the StartSyncExecution round trip; peer: run().result), p50/p99
//   throughput  --concurrency closed-loop callers, each with one execution in flight, for
//               --warmup-ms + --duration-ms: executions/s and states entered/s (Standard
//               completions seen by one shared ListExecutions(RUNNING) poller, every
//               --list-poll-ms); then no execution may have failed
// In the first run, the states entered by one execution are also counted from each target's
// history (Standard: GetExecutionHistory; peer: its event log) and compared with the workload's.
// Every run starts Stratus fresh and rotates who goes first per workload; figures are medians.
//
//   npx tsx bench/workflows.ts [--runs 3] [--duration-ms 5000] [--warmup-ms 1000] [--concurrency 32]
//        [--latency-ms 3000] [--latency-samples 1000] [--workloads chain,map,loop] [--modes standard,express,in-process]
//        [--describe-poll-ms 5] [--list-poll-ms 10] [--data-dir /tmp] [--out bench/results-workflows.md | -] [--json FILE]
//        [--profile DIR]   (STRATUS_CPU_PROFILE for every Stratus process: a V8 CPU profile each, written
//                           when the cluster stops; summarize with npx tsx bench/lib/cpuprofile-summary.ts)
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, percentile, runLoad } from './lib/load.js';
import { type CellRun, cellKey, renderReport, type Row } from './lib/workflow-report.js';
import type { Mode, WorkflowRunner, WorkflowTarget, WorkflowTargetOptions } from './lib/workflow-target.js';
import { type Workload, WORKLOADS } from './lib/workflow-workloads.js';
import { localWorkflowTarget } from './targets/workflow-local.js';
import { stratusWorkflowTarget } from './targets/workflow-stratus.js';

const LATENCY_WARMUP = 3;
const LATENCY_MIN_SAMPLES = 10;
const PEER_KEY = 'aws-local-stepfunctions';
const MODES: readonly Mode[] = ['standard', 'express', 'in-process'];

function fail(message: string): never {
  process.stderr.write(`bench/workflows: ${message}\n`);
  process.exit(2);
}
function posInt(flag: string, value: string, min = 1): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < min) fail(`${flag} must be an integer >= ${min}, got "${value}"`);
  return x;
}
function list<T>(flag: string, value: string, find: (s: string) => T | undefined): T[] {
  const xs = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (xs.length === 0) fail(`${flag}: name at least one`);
  return xs.map((s) => find(s) ?? fail(`${flag}: unknown "${s}"`));
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    'latency-ms': { type: 'string', default: '3000' },
    'latency-samples': { type: 'string', default: '1000' },
    workloads: { type: 'string', default: WORKLOADS.map((w) => w.name).join(',') },
    modes: { type: 'string', default: MODES.join(',') },
    'describe-poll-ms': { type: 'string', default: '5' },
    'list-poll-ms': { type: 'string', default: '10' },
    'data-dir': { type: 'string', default: tmpdir() },
    out: { type: 'string', default: 'bench/results-workflows.md' },
    json: { type: 'string' },
    profile: { type: 'string' },
  },
});

const runs = posInt('--runs', values.runs);
const durationMs = posInt('--duration-ms', values['duration-ms']);
const warmupMs = posInt('--warmup-ms', values['warmup-ms'], 0);
const concurrency = posInt('--concurrency', values.concurrency);
const latencyMs = posInt('--latency-ms', values['latency-ms'], 0);
const latencySamples = posInt('--latency-samples', values['latency-samples'], LATENCY_MIN_SAMPLES);
const workloads = list('--workloads', values.workloads, (s) => WORKLOADS.find((w) => w.name === s));
const modes = list('--modes', values.modes, (s) => MODES.find((m) => m === s));
const targetOptions: WorkflowTargetOptions = {
  dataRoot: resolve(values['data-dir']),
  maxConcurrency: concurrency,
  describePollMs: posInt('--describe-poll-ms', values['describe-poll-ms']),
  listPollMs: posInt('--list-poll-ms', values['list-poll-ms']),
  ...(values.profile !== undefined ? { profileDir: resolve(values.profile) } : {}),
};

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function version(pkgJson: URL): string {
  try {
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
const pkgVersion = (name: string): string => version(new URL(`../node_modules/${name}/package.json`, import.meta.url));

/** The targets of one run, fresh; the peer last in the list so Stratus's rows come first in tables. */
const makeTargets = (): WorkflowTarget[] => [stratusWorkflowTarget(targetOptions), localWorkflowTarget()];
const rowKey = (t: WorkflowTarget, m: Mode): string => (m === 'in-process' ? t.name : `${t.name} ${m}`);

async function latencyPhase(runner: WorkflowRunner): Promise<{ p50Ms: number; p99Ms: number; serverP50Ms: number; samples: number }> {
  for (let i = 0; i < LATENCY_WARMUP; i++) await runner.single();
  const lat: number[] = [];
  const server: number[] = [];
  const until = performance.now() + latencyMs;
  while ((performance.now() < until || lat.length < LATENCY_MIN_SAMPLES) && lat.length < latencySamples) {
    const t0 = performance.now();
    const r = await runner.single();
    lat.push(performance.now() - t0);
    if (r.serverMs !== undefined) server.push(r.serverMs);
  }
  lat.sort((a, b) => a - b);
  server.sort((a, b) => a - b);
  return { p50Ms: percentile(lat, 0.5), p99Ms: percentile(lat, 0.99), serverP50Ms: percentile(server, 0.5), samples: lat.length };
}

async function measureCell(runner: WorkflowRunner, w: Workload, label: string): Promise<CellRun> {
  const lat = await latencyPhase(runner);
  log(`${label} latency: p50 ${fmt(lat.p50Ms)} ms, p99 ${fmt(lat.p99Ms)} ms over ${lat.samples} executions` + (Number.isNaN(lat.serverP50Ms) ? '' : ` (engine's own p50 ${fmt(lat.serverP50Ms)} ms)`));
  const r = await runLoad({
    concurrency,
    durationMs,
    warmupMs,
    op: async () => {
      await runner.loaded();
      return w.transitions;
    },
  });
  await runner.settle();
  log(`${label} throughput: ${fmt(r.opsPerSec)} exec/s, ${fmt(r.recordsPerSec)} transitions/s; under load p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms`);
  return {
    execsPerSec: r.opsPerSec,
    transitionsPerSec: r.recordsPerSec,
    loadP50Ms: r.p50Ms,
    loadP99Ms: r.p99Ms,
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    serverP50Ms: lat.serverP50Ms,
    samples: lat.samples,
  };
}

const failedCell = (error: string): CellRun => ({
  execsPerSec: Number.NaN,
  transitionsPerSec: Number.NaN,
  loadP50Ms: Number.NaN,
  loadP99Ms: Number.NaN,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  serverP50Ms: Number.NaN,
  samples: 0,
  error,
});

async function main(): Promise<void> {
  const startedAt = new Date();
  const [startLoad = 0] = loadavg();
  // Stratus's four processes, the clients and the peer all share this host: other work skews every figure.
  if (startLoad > cpus().length / 2) log(`bench/workflows: WARNING: load average ${startLoad.toFixed(1)} on ${cpus().length} CPU(s) before start: something else is running and will skew results`);
  const results = new Map<string, CellRun[]>();
  const transitionChecks = new Map<string, string>();
  const descriptions = new Map<string, string>();
  const rows: Row[] = [];
  for (const t of makeTargets()) for (const m of t.modes) if (modes.includes(m)) rows.push({ key: rowKey(t, m), target: t.name, mode: m });
  if (rows.length === 0) fail('--modes: no target runs any of them');
  const perCell = (latencyMs + warmupMs + durationMs) / 1000 + 2;
  log(`bench/workflows: ${runs} run(s) x ${workloads.length} workload(s) x ${rows.length} target/mode(s), ≈ ${Math.ceil((perCell * runs * workloads.length * rows.length) / 60)} min plus start-up`);

  for (let run = 1; run <= runs; run++) {
    const targets = makeTargets();
    try {
      for (const t of targets) {
        descriptions.set(t.name, t.describe);
        const t0 = Date.now();
        try {
          await t.setup(workloads);
        } catch (err) {
          throw new Error(`${t.name}: setup failed: ${errorText(err)}`, { cause: err });
        }
        log(`run ${run}/${runs}: ${t.name} up in ${Date.now() - t0} ms`);
      }
      const cells = targets.flatMap((t) => t.modes.filter((m) => modes.includes(m)).map((m) => ({ t, m, key: rowKey(t, m) })));
      for (const [wi, w] of workloads.entries()) {
        // Rotate who goes first, so no target/mode always runs on a cooler (or warmer) machine.
        const shift = (run - 1 + wi) % cells.length;
        for (const { t, m, key } of [...cells.slice(shift), ...cells.slice(0, shift)]) {
          const label = `run ${run}/${runs} ${w.name} ${key}:`;
          const runner = t.runner(w, m);
          let cell: CellRun;
          try {
            if (run === 1) {
              const counted = await runner.countTransitions();
              if (counted !== undefined) {
                log(`${label} history: ${counted} states entered (workload says ${w.transitions})`);
                if (counted !== w.transitions) transitionChecks.set(cellKey(w, key), String(counted));
              }
            }
            cell = await measureCell(runner, w, label);
          } catch (err) {
            log(`${label} FAILED: ${errorText(err)}`);
            cell = failedCell(errorText(err));
          }
          const prev = results.get(cellKey(w, key)) ?? [];
          results.set(cellKey(w, key), [...prev, cell]);
        }
      }
    } finally {
      for (const t of targets) await t.teardown().catch((err: unknown) => log(`${t.name}: teardown: ${errorText(err)}`));
    }
  }

  const args = process.argv.slice(2);
  const { markdown, failures } = renderReport({
    title: 'bench/workflows results',
    command: `npx tsx bench/workflows.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}`,
    startedAt,
    startLoad,
    workloads,
    rows,
    peerKey: PEER_KEY,
    results,
    transitionChecks,
    descriptions,
    versions:
      `Stratus ${version(new URL('../package.json', import.meta.url))}, aws-local-stepfunctions ${pkgVersion('aws-local-stepfunctions')}; ` +
      `client: @aws-sdk/client-sfn ${pkgVersion('@aws-sdk/client-sfn')}`,
    settings: { runs, durationMs, warmupMs, concurrency, latencyMs, latencySamples, describePollMs: targetOptions.describePollMs, listPollMs: targetOptions.listPollMs },
  });
  process.stdout.write(markdown);
  if (values.out !== '-') {
    writeFileSync(values.out, markdown);
    log(`bench/workflows: wrote ${values.out}`);
  }
  if (values.json) {
    const cells = Object.fromEntries([...results].map(([k, v]) => [k, v]));
    writeFileSync(values.json, `${JSON.stringify({ date: startedAt.toISOString(), settings: { runs, durationMs, warmupMs, concurrency, latencyMs, latencySamples }, descriptions: Object.fromEntries(descriptions), failures, cells }, null, 2)}\n`);
  }
  if (failures.length > 0) {
    log(`\nbench/workflows: FAILED CELLS:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  log(`bench/workflows: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
