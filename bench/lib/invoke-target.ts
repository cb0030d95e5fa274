// What bench/invoke.ts drives: one way of running a Lambda handler (Stratus through the AWS SDK,
// a bare piscina pool, lambda-local in the bench process), plus what they share: the handler
// sources every target runs, the async-event driver and the sink file it reads completions from.
//
// Lifecycle, per run: factory → setup() → for each concurrency warmCell(c) (prime with burst(),
// measure with invoke(), close()) → coldStart(i) a number of times → asyncEvents() when the target
// has it → teardown(). A fresh target object per run.
import { existsSync, readFileSync } from 'node:fs';
import { sleep } from './proc.js';

/** The handler under test: trivial, so what is measured is the platform around it. */
export const TRIVIAL_HANDLER = 'export const handler = async (e) => ({ ok: true, n: e.n });\n';

/**
 * The async test's handler: appends "n epoch-ms" to the file named by SINK_FILE. One small
 * O_APPEND write per line, so lines from concurrent environments do not interleave; the time is
 * taken where the handler runs, so polling the file later does not blur completion times.
 */
export const SINK_HANDLER = [
  "import { appendFileSync } from 'node:fs';",
  'export const handler = async (e) => {',
  "  appendFileSync(process.env.SINK_FILE, `${e.n} ${performance.timeOrigin + performance.now()}\\n`);",
  '  return { ok: true, n: e.n };',
  '};',
  '',
].join('\n');

export interface ColdSample {
  /** First invocation of a fresh function/pool/module, as its caller sees it. */
  latencyMs: number;
  /** The Init Duration the platform reported (Stratus's REPORT line), when it reports one. */
  initMs: number | undefined;
}

export interface WarmCell {
  /** One invocation of the trivial handler with event { n }; resolves to 1 (records for runLoad). */
  invoke(workerIndex: number, n: number): Promise<number>;
  /** `concurrency` invocations at once, results checked; resolves to how many of them hit a cold environment. */
  burst(): Promise<number>;
  /** Releases the function/pool of this cell. */
  close(): Promise<void>;
}

export interface AsyncResult {
  events: number;
  /** Accepted (202) events per second over the sending phase; undefined when sending is running (the floor). */
  enqueuePerSec: number | undefined;
  /** Events completed per second, first send to last completion. */
  endToEndPerSec: number;
  /** Per event: completion (in the handler) minus the start of its send. */
  p50Ms: number;
  p99Ms: number;
}

export interface InvokeTarget {
  readonly name: string;
  /** One line on how the target is configured, for the report. */
  readonly describe: string;
  setup(): Promise<void>;
  /** A function (pool, module) of the trivial handler sized for `concurrency` closed-loop callers. */
  warmCell(concurrency: number): Promise<WarmCell>;
  /** Creates something fresh and times its first invocation. */
  coldStart(index: number): Promise<ColdSample>;
  /** `events` asynchronous events sent by `concurrency` closed-loop senders, run to completion. */
  asyncEvents?(events: number, concurrency: number): Promise<AsyncResult>;
  /** CPU ms used so far by processes the target started (undefined: it runs inside the bench process). */
  serverCpuMs(): number | undefined;
  /** Stops everything it started; safe after a failed setup(). */
  teardown(): Promise<void>;
}

export interface InvokeTargetOptions {
  /** Scratch directory of this run (handler files, sink files, data dirs live under it). */
  workDir: string;
  /** Environment for child processes and worker threads: the bench's, from before lambda-local touched process.env. */
  env: NodeJS.ProcessEnv;
  /** Largest closed-loop caller count of the run (socket pools are sized to it). */
  maxConcurrency: number;
}

export type InvokeTargetFactory = (options: InvokeTargetOptions) => InvokeTarget;

/** Wall-clock ms with sub-ms resolution, comparable across threads and processes on this host. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Throws unless `v` is what the trivial handler returns for event { n }. */
export function checkResult(target: string, v: unknown, n: number): void {
  if (!isRecord(v) || v.ok !== true || v.n !== n) throw new Error(`${target}: handler returned ${JSON.stringify(v)}, expected {"ok":true,"n":${n}}`);
}

/** Completion time per event number, from the sink file (missing file: none yet). */
export function readSink(file: string): Map<number, number> {
  const done = new Map<number, number>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const n = Number(line.slice(0, sp));
    const t = Number(line.slice(sp + 1));
    // A retried event could appear twice; its first completion counts.
    if (Number.isInteger(n) && Number.isFinite(t) && !done.has(n)) done.set(n, t);
  }
  return done;
}

/** Waits until the sink has event `n` (or throws after timeoutMs). */
export async function waitForSink(file: string, n: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readSink(file).has(n)) {
    if (Date.now() > deadline) throw new Error(`${what}: event ${n} did not complete within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const sortedPercentile = (xs: Float64Array, q: number): number => (xs.length === 0 ? Number.NaN : (xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] as number));

/**
 * Sends events 0..events-1 from `concurrency` closed-loop senders (`send` resolves when the event
 * is accepted), then waits until the sink file shows every one of them completed.
 */
export async function runAsyncEvents(o: {
  events: number;
  concurrency: number;
  sinkFile: string;
  send: (n: number) => Promise<void>;
  /** Whether `send` returning means "accepted" (Stratus's 202) rather than "ran" (the floor). */
  acceptOnly: boolean;
  timeoutMs: number;
  what: string;
}): Promise<AsyncResult> {
  const sentAt = new Float64Array(o.events);
  let next = 0;
  let lastAccepted = 0;
  const t0 = epochMs();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.events) {
        const n = next++;
        sentAt[n] = epochMs();
        await o.send(n);
        lastAccepted = Math.max(lastAccepted, epochMs());
      }
    }),
  );
  const deadline = Date.now() + o.timeoutMs;
  let done = readSink(o.sinkFile);
  const complete = (): boolean => {
    for (let n = 0; n < o.events; n++) if (!done.has(n)) return false;
    return true;
  };
  while (!complete()) {
    if (Date.now() > deadline) {
      const got = [...done.keys()].filter((n) => n >= 0 && n < o.events).length;
      throw new Error(`${o.what}: only ${got} of ${o.events} events completed within ${o.timeoutMs} ms of the last send`);
    }
    await sleep(25);
    done = readSink(o.sinkFile);
  }
  const latencies = new Float64Array(o.events);
  let last = 0;
  for (let n = 0; n < o.events; n++) {
    const t = done.get(n) as number;
    last = Math.max(last, t);
    latencies[n] = t - (sentAt[n] as number);
  }
  latencies.sort();
  return {
    events: o.events,
    enqueuePerSec: o.acceptOnly ? o.events / ((lastAccepted - t0) / 1000) : undefined,
    endToEndPerSec: o.events / ((last - t0) / 1000),
    p50Ms: sortedPercentile(latencies, 0.5),
    p99Ms: sortedPercentile(latencies, 0.99),
  };
}
