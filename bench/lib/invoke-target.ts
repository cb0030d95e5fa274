// What bench/invoke.ts drives: one way of running a Lambda handler (Stratus through the AWS SDK,
// a bare piscina pool, lambda-local in the bench process), plus what they share: the handler
// sources every target runs, the async-event driver and the sink file it reads completions from.
//
// Lifecycle, per run: factory → setup() → a JIT warm-up cell → for each concurrency warmCell(c)
// (prime with burst() until no environment starts, wait for idle CPU, measure with invoke(),
// close()) → coldStart(i) a number of times → asyncEvents() when the target has it → teardown().
// A fresh target object per run.
import { existsSync, readFileSync } from 'node:fs';
import { sleep } from './proc.js';

/** The handler under test: trivial, so what is measured is the platform around it. */
export const TRIVIAL_HANDLER = 'export const handler = async (e) => ({ ok: true, n: e.n });\n';

/**
 * The async test's handler: appends "n epoch-ms environment-id" to the file named by SINK_FILE.
 * One small O_APPEND write per line, so lines from concurrent environments do not interleave; the
 * time is taken where the handler runs, so polling the file later does not blur completion times.
 * The id is drawn once per module instance, i.e. per environment, so the sink also tells how many
 * environments ran the events (and whether any started during the measurement).
 */
export const SINK_HANDLER = [
  "import { appendFileSync } from 'node:fs';",
  'const env = Math.random().toString(36).slice(2, 10);',
  'export const handler = async (e) => {',
  "  appendFileSync(process.env.SINK_FILE, `${e.n} ${performance.timeOrigin + performance.now()} ${env}\\n`);",
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
  /** Environments that ran the measured events, and how many of them were not warm before (cold starts). */
  environments: number;
  newEnvironments: number;
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
  /** Of that, the server's main thread (event loop: HTTP, auth, API, scheduler, pool dispatch); undefined when not known. */
  serverMainThreadCpuMs?(): number | undefined;
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

export interface SinkLine {
  /** Completion time, epoch ms. */
  t: number;
  /** The environment that ran it. */
  env: string;
}

/** What the sink file says per event number (missing file: nothing yet). */
export function readSink(file: string): Map<number, SinkLine> {
  const done = new Map<number, SinkLine>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [ns, ts, env] = line.split(' ');
    const n = Number(ns);
    const t = Number(ts);
    // A retried event could appear twice; its first completion counts.
    if (ns && env && Number.isInteger(n) && Number.isFinite(t) && !done.has(n)) done.set(n, { t, env });
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

const PRIME_LIMIT_MS = 60_000;
/** "Quiet": the bench and the target together use less than this much of one core... */
const QUIET_CPU_PCT = 10;
/** ...over a window this long... */
const QUIET_WINDOW_MS = 1000;
/** ...or we give up waiting after this long. */
const QUIET_LIMIT_MS = 60_000;

/** CPU ms of the bench process (all its threads: pool threads, lambda-local) so far. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Waits until `cpuMs` (bench + target processes) stops climbing: after many environments start,
 * their isolates keep the CPU busy for seconds (compilation, GC) after the first task returns, and
 * a measurement started then would mostly measure that. Resolves to the ms waited.
 */
export async function waitQuiet(what: string, cpuMs: () => number, log: (line: string) => void): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const a = cpuMs();
    await sleep(QUIET_WINDOW_MS);
    const pct = ((cpuMs() - a) / QUIET_WINDOW_MS) * 100;
    if (pct < QUIET_CPU_PCT) return Date.now() - t0;
    if (Date.now() - t0 > QUIET_LIMIT_MS) {
      log(`${what}: WARNING still using ${Math.round(pct)}% CPU while idle after ${QUIET_LIMIT_MS} ms; measuring anyway`);
      return Date.now() - t0;
    }
  }
}

/**
 * Invokes `burst` until two bursts in a row found every environment warm, so that thread
 * start-up (which can take seconds for 64 environments on 2 cores) stays out of the measurement.
 * Resolves to the number of bursts and of cold starts seen.
 */
export async function primeBursts(what: string, burst: () => Promise<number>, log: (line: string) => void): Promise<{ bursts: number; cold: number }> {
  const deadline = Date.now() + PRIME_LIMIT_MS;
  let quiet = 0;
  let bursts = 0;
  let cold = 0;
  while (quiet < 2) {
    const k = await burst();
    bursts++;
    cold += k;
    quiet = k === 0 ? quiet + 1 : 0;
    if (Date.now() > deadline) {
      log(`${what}: WARNING environments still starting after ${PRIME_LIMIT_MS} ms of priming; measuring anyway`);
      break;
    }
  }
  return { bursts, cold };
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
  const used = new Set<string>();
  for (let n = 0; n < o.events; n++) {
    const l = done.get(n) as SinkLine;
    last = Math.max(last, l.t);
    latencies[n] = l.t - (sentAt[n] as number);
    used.add(l.env);
  }
  // Priming and warm-up events have negative numbers: the environments they saw were warm already.
  const warm = new Set([...done].filter(([n]) => n < 0).map(([, l]) => l.env));
  latencies.sort();
  return {
    events: o.events,
    enqueuePerSec: o.acceptOnly ? o.events / ((lastAccepted - t0) / 1000) : undefined,
    endToEndPerSec: o.events / ((last - t0) / 1000),
    p50Ms: sortedPercentile(latencies, 0.5),
    p99Ms: sortedPercentile(latencies, 0.99),
    environments: used.size,
    newEnvironments: [...used].filter((e) => !warm.has(e)).length,
  };
}
