// The markdown report of bench/workflows.ts: per workload a table of every target/mode with its
// ratio to the peer, a summary of the ratios, and the settings, machine and versions (the layout
// of bench/results-topics.md).
import { cpus, loadavg, totalmem } from 'node:os';
import { fmt, formatTable, median } from './load.js';
import type { Workload } from './workflow-workloads.js';

/** One target/mode's figures for one workload in one run. */
export interface CellRun {
  execsPerSec: number;
  transitionsPerSec: number;
  /** Start-to-finish latency of executions under the throughput load. */
  loadP50Ms: number;
  loadP99Ms: number;
  /** Start-to-finish latency of one execution at a time. */
  p50Ms: number;
  p99Ms: number;
  /** The engine's own start → stop (p50), where the target reports it. */
  serverP50Ms: number;
  samples: number;
  /** Set when the cell failed (its figures are NaN). */
  error?: string;
}

/** A row of the tables: a target in one of its modes. */
export interface Row {
  key: string;
  target: string;
  mode: string;
}

export interface ReportInput {
  title: string;
  command: string;
  startedAt: Date;
  startLoad: number;
  workloads: readonly Workload[];
  rows: readonly Row[];
  /** The peer's row key; ratios are row ÷ peer. */
  peerKey: string;
  results: ReadonlyMap<string, readonly CellRun[]>;
  /** workload/rowKey → states entered as counted from the target's history, when it differs from the workload's figure. */
  transitionChecks: ReadonlyMap<string, string>;
  descriptions: ReadonlyMap<string, string>;
  versions: string;
  settings: { runs: number; durationMs: number; warmupMs: number; concurrency: number; latencyMs: number; latencySamples: number; describePollMs: number; listPollMs: number };
}

export const cellKey = (w: Workload, rowKey: string): string => `${w.name}/${rowKey}`;

export function renderReport(r: ReportInput): { markdown: string; failures: string[] } {
  const runsOf = (w: Workload, row: string): readonly CellRun[] => r.results.get(cellKey(w, row)) ?? [];
  const med = (w: Workload, row: string, pick: (c: CellRun) => number): number => median(runsOf(w, row).map(pick));
  const ratio = (s: number, p: number): string => (Number.isFinite(s / p) ? `${fmt(s / p)}×` : '—');
  const failures: string[] = [];
  const sections: string[] = [];
  const summary: (string | number)[][] = [['workload', 'mode', 'exec/s (= transitions/s) S/peer', 'latency p50 S/peer', 'latency p99 S/peer', 'Stratus exec/s', 'peer exec/s', 'Stratus p50 ms', 'peer p50 ms']];

  for (const w of r.workloads) {
    const rows: (string | number)[][] = [
      ['target', 'mode', 'exec/s', 'transitions/s', 'load p50 ms', 'load p99 ms', 'latency p50 ms', 'latency p99 ms', 'engine p50 ms', 'samples', 'S/peer exec/s', 'S/peer p50', 'S/peer p99'],
    ];
    const peer = (pick: (c: CellRun) => number): number => med(w, r.peerKey, pick);
    for (const row of r.rows) {
      const get = (pick: (c: CellRun) => number): number => med(w, row.key, pick);
      const failed = runsOf(w, row.key).filter((c) => c.error !== undefined);
      for (const f of failed) failures.push(`${w.name}, ${row.key}: ${f.error}`);
      const isPeer = row.key === r.peerKey;
      const check = r.transitionChecks.get(cellKey(w, row.key));
      rows.push([
        row.target,
        row.mode + (failed.length > 0 ? ` (FAILED in ${failed.length} run(s))` : '') + (check ? ` (history: ${check} states entered)` : ''),
        fmt(get((c) => c.execsPerSec)),
        fmt(get((c) => c.transitionsPerSec)),
        fmt(get((c) => c.loadP50Ms)),
        fmt(get((c) => c.loadP99Ms)),
        fmt(get((c) => c.p50Ms)),
        fmt(get((c) => c.p99Ms)),
        fmt(get((c) => c.serverP50Ms)),
        fmt(get((c) => c.samples)),
        isPeer ? '—' : ratio(get((c) => c.execsPerSec), peer((c) => c.execsPerSec)),
        isPeer ? '—' : ratio(get((c) => c.p50Ms), peer((c) => c.p50Ms)),
        isPeer ? '—' : ratio(get((c) => c.p99Ms), peer((c) => c.p99Ms)),
      ]);
      if (!isPeer) {
        summary.push([
          w.name,
          row.mode,
          ratio(get((c) => c.execsPerSec), peer((c) => c.execsPerSec)),
          ratio(get((c) => c.p50Ms), peer((c) => c.p50Ms)),
          ratio(get((c) => c.p99Ms), peer((c) => c.p99Ms)),
          fmt(get((c) => c.execsPerSec)),
          fmt(peer((c) => c.execsPerSec)),
          fmt(get((c) => c.p50Ms)),
          fmt(peer((c) => c.p50Ms)),
        ]);
      }
    }
    sections.push(`### ${w.name}: ${w.describe} (${w.transitions} states entered per execution)`, '', formatTable(rows), '');
  }

  const s = r.settings;
  const machine = `${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average at the start ${r.startLoad.toFixed(1)}, at the end ${loadavg().map((l) => l.toFixed(1)).join('/')}`;
  const noisy = r.startLoad > cpus().length / 2 ? ['', `**Noisy:** the load average was ${r.startLoad.toFixed(1)} on ${cpus().length} CPU(s) before the run started: other work shared the machine, so these figures are indicative only.`] : [];
  const markdown = [
    `# ${r.title}`,
    '',
    `\`${r.command}\` (\`npm run bench:workflows\`), ${r.startedAt.toISOString().slice(0, 10)}. Stratus is a 3-node cluster on loopback (3 storage processes + a gateway running the scheduler); ` +
      'the peer, aws-local-stepfunctions, interprets the same definitions inside the benchmark process, in memory (nothing durable, no network hop).',
    ...noisy,
    '',
    `## Summary (Stratus ÷ peer, medians of ${s.runs} run(s))`,
    '',
    'exec/s > 1× favours Stratus; latency < 1× favours Stratus. Transitions/s ratios equal the exec/s ratios (same definitions, same states entered).',
    '',
    formatTable(summary),
    '',
    `## Run — ${r.startedAt.toISOString()}`,
    '',
    `${machine}; ${r.versions}. Stratus on loopback on this host, clients (and the peer) in the benchmark process.`,
    '',
    `Medians of ${s.runs} run(s). Throughput: ${s.concurrency} closed-loop callers, each with one execution in flight (start it, wait until it finished, start the next), ${s.durationMs} ms after ${s.warmupMs} ms warmup; ` +
      'an execution counts when it is seen finished inside the window; transitions/s = exec/s × states entered per execution. ' +
      `Latency: one execution at a time for ${s.latencyMs} ms (at least 10, at most ${s.latencySamples} samples, after 3 unmeasured), start → seen finished.`,
    '',
    ...sections,
    'Columns: latency p50/p99 = start-to-finish of one execution at a time: Stratus standard from sending StartExecution until a DescribeExecution answers SUCCEEDED ' +
      `(polled every ${s.describePollMs} ms from the StartExecution answer on, so up to one interval plus one round trip late); express: the StartSyncExecution round trip; ` +
      'peer: StateMachine.run(input).result in process. engine p50 = the engine\'s own stopDate − startDate (DescribeExecution / StartSyncExecution; Stratus only). ' +
      'load p50/p99 = start-to-finish under the throughput load. samples = latency samples per run.',
    `Standard throughput: an execution counts as finished when it is no longer in ListExecutions(statusFilter RUNNING) (paged, up to 1000 per page), polled every ${s.listPollMs} ms by one shared poller ` +
      '(one request per interval however many executions are open; a linearizable read, so every execution acknowledged before the request was sent is listed while running); ' +
      'after the phase, ListExecutions for FAILED, TIMED_OUT and ABORTED must be empty. Detection adds up to one interval (plus a round trip) to each execution\'s time in the closed loop.',
    'S/peer = Stratus ÷ peer. Every run starts Stratus fresh, rotates which target/mode goes first per workload; the Stratus cluster idles while the peer runs.',
    '',
    ...[...r.descriptions].map(([name, d]) => `- ${name}: ${d}.`),
    ...r.workloads.map((w) => `- ${w.name}: ${w.describe}; definition \`${JSON.stringify(w.definition)}\`, input ${JSON.stringify(w.input).length > 80 ? `${JSON.stringify(w.input).slice(0, 60)}…` : JSON.stringify(w.input)}.`),
    '',
  ].join('\n');
  return { markdown, failures };
}
