// One execution environment: a piscina worker thread that loads one function's handler once (the
// init phase, on its first task), then runs invocations one at a time with Lambda's context
// object, capturing everything it prints in the Node.js runtime's log format. Whatever the handler
// does to the thread (exit, exhaust the heap, loop) ends only this thread; errors that escape an
// invocation (timers, stray rejections) fail it and retire the environment, as the runtime exits
// the process after them. Threads start it compiled (environment-script.ts).
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { type Handler, type Loaders, errorBody, formatted, initErrorBody, isThenable, loadHandler } from './handler.js';
import { type EnvironmentData, type InvokeTask, type TaskResult, type WorkerMessage, type WorkerOutcome, isEnvironmentData, isTask, wallClock } from './protocol.js';
import { type FunctionErrorBody } from './types.js';
import { traceInvocation } from './worker-tracing.js';

const MB = 1024 * 1024;
/** One invocation's captured output beyond this is dropped (the host would hold it all in memory). */
const MAX_LOG_BYTES = 4 * MB;

type InitState = { handler: Handler; durationMs: number } | { error: FunctionErrorBody; durationMs: number };
type Settled = { ok: true; value: unknown } | { ok: false; body: FunctionErrorBody; label: string; retire: boolean };

interface Invocation {
  requestId: string;
  settled: boolean;
  /** An error that escaped the handler (timer, stray rejection, off-heap memory) while it ran. */
  escape(settled: Settled): void;
}

function post(m: WorkerMessage): void {
  parentPort?.postMessage(m);
}

function dirBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    try {
      total += e.isDirectory() ? dirBytes(p) : lstatSync(p).size;
    } catch {
      // removed while we counted
    }
  }
  return total;
}

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

class Environment {
  private readonly tmp: string;
  private readonly logStream: string;
  /** Output written while no invocation task runs (between tasks, a prewarm's init): it goes out with the next invocation. */
  private held: string[] = [];
  private heldBytes = 0;
  /** The invocation task that output belongs to now, and how much it has sent. */
  private logTaskId: string | undefined;
  private logBytes = 0;
  private current: Invocation | undefined;
  private activeTaskId: string | undefined;
  /** Set when an error escaped while a task was finishing: the environment retires after it. */
  private broken: FunctionErrorBody | undefined;
  private initState: Promise<InitState> | undefined;
  /** What keeps the event loop alive when the environment is idle (piscina's ports), taken at the first task. */
  private baseline: Map<string, number> | undefined;
  private peakBytes = 0;

  constructor(
    private readonly data: EnvironmentData,
    private readonly loaders: Loaders,
  ) {
    // Private /tmp: os.tmpdir() reads TMPDIR, and a worker's process.env is its own copy.
    this.tmp = join(data.tmpBase, `env-${threadId}`);
    mkdirSync(this.tmp, { recursive: true });
    process.env.TMPDIR = this.tmp;
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    this.logStream = `${day}/[${data.functionVersion}]${randomUUID().replace(/-/g, '')}`;
    process.env.AWS_LAMBDA_LOG_STREAM_NAME = this.logStream;
    this.capture();
    this.guardProcess();
    process.on('uncaughtException', (err) => this.escaped(err, false));
    process.on('unhandledRejection', (reason) => this.escaped(reason, true));
  }

  private write(text: string): void {
    const taskId = this.logTaskId;
    if (taskId === undefined) {
      if (this.heldBytes <= MAX_LOG_BYTES) this.held.push(text);
      this.heldBytes += text.length;
      return;
    }
    if (this.logBytes > MAX_LOG_BYTES) return;
    this.logBytes += text.length;
    post({ type: 'log', taskId, init: this.current === undefined, text: this.logBytes > MAX_LOG_BYTES ? '[log output truncated]\n' : text });
  }

  private logLine(level: string, message: string): void {
    this.write(`${new Date().toISOString()}\t${this.current?.requestId ?? 'undefined'}\t${level}\t${message}\n`);
  }

  /** console.* and direct stdout/stderr writes go to the invocation's log, never to the host's stdout. */
  private capture(): void {
    const levels = [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']] as const;
    for (const [method, level] of levels) console[method] = (...args: unknown[]) => this.logLine(level, format(...args));
    const raw = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      this.write(typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk));
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') queueMicrotask(() => done.call(undefined));
      return true;
    };
    process.stdout.write = raw;
    process.stderr.write = raw;
  }

  /** Calls that would reach past this thread into the host process. */
  private guardProcess(): void {
    // The runtime's working directory is the code directory; a worker cannot chdir, so path.resolve() users get it here.
    process.cwd = () => this.data.codeDir;
    process.abort = () => process.exit(134);
    const kill = process.kill.bind(process);
    process.kill = (pid: number, signal?: string | number): true => {
      if (pid !== process.pid && pid > 0) return kill(pid, signal);
      const n = typeof signal === 'number' ? signal : osConstants.signals[(signal ?? 'SIGTERM') as keyof typeof osConstants.signals] ?? 15;
      process.exit(128 + n);
    };
    process.on('exit', (code) => {
      post({ type: 'exiting', code, ...(this.activeTaskId !== undefined ? { taskId: this.activeTaskId } : {}) });
      rmSync(this.tmp, { recursive: true, force: true });
    });
  }

  /** An error outside any handler's promise: it fails the running invocation, or ends an idle environment. */
  private escaped(err: unknown, rejection: boolean): void {
    const settled: Settled = rejection
      ? {
          ok: false,
          body: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: String(err), trace: [`Runtime.UnhandledPromiseRejection: ${String(err)}`, ...(errorBody(err).trace ?? []).slice(1)] },
          label: 'Unhandled Promise Rejection',
          retire: true,
        }
      : { ok: false, body: errorBody(err), label: 'Uncaught Exception', retire: true };
    const inv = this.current;
    if (inv && !inv.settled) {
      inv.escape(settled);
      return;
    }
    this.logLine('ERROR', `${settled.label} \t${formatted(settled.body)}`);
    if (this.activeTaskId !== undefined) {
      this.broken ??= settled.body;
      return;
    }
    // Idle: nobody to report to. Exiting with 0 makes piscina drop the thread without an error
    // (and start another if it keeps a minimum); a task racing in is retried by the host.
    post({ type: 'stray', text: `${settled.label}: ${settled.body.errorType}: ${settled.body.errorMessage}` });
    process.exit(0);
  }

  private samplePeak(inv?: Invocation): void {
    const s = getHeapStatistics();
    this.peakBytes = Math.max(this.peakBytes, s.used_heap_size + s.external_memory);
    // resourceLimits bound the JS heap only; Buffers and ArrayBuffers live outside it.
    if (inv && !inv.settled && s.external_memory > this.data.memoryMb * MB) {
      inv.escape({
        ok: false,
        body: { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${inv.requestId} Error: Runtime exited with error: signal: killed` },
        label: 'Out Of Memory',
        retire: true,
      });
    }
  }

  private peakMb(): number {
    return Math.ceil(this.peakBytes / MB);
  }

  private loopIsEmpty(): boolean {
    const base = this.baseline ?? new Map<string, number>();
    for (const [kind, n] of countResources()) if (n > (base.get(kind) ?? 0)) return false;
    return true;
  }

  /** Resolves once nothing but the environment's own ports keeps the event loop alive, or the invocation is over. */
  private emptyLoop(inv: Invocation): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (inv.settled || this.loopIsEmpty()) resolve();
        else setTimeout(check, 1).unref();
      };
      setImmediate(check).unref();
    });
  }

  private async init(): Promise<InitState> {
    const started = performance.now();
    try {
      const handler = await loadHandler(this.data.codeDir, this.data.handler, this.loaders);
      return { handler, durationMs: performance.now() - started };
    } catch (err) {
      const error = initErrorBody(err);
      this.logLine('ERROR', `Uncaught Exception \t${formatted(error)}`);
      return { error, durationMs: performance.now() - started };
    } finally {
      this.samplePeak();
    }
  }

  async run(raw: unknown): Promise<TaskResult> {
    if (!isTask(raw)) throw new Error('worker-pool: malformed task');
    this.activeTaskId = raw.taskId;
    this.baseline ??= countResources();
    post({ type: 'accepted', taskId: raw.taskId });
    if (raw.kind === 'invoke') {
      this.logTaskId = raw.taskId;
      this.logBytes = 0;
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      for (const text of held) this.write(text);
    }
    const cold = this.initState === undefined;
    const init = await (this.initState ??= this.init());
    if (raw.kind === 'init') {
      raw.hold.postMessage('initialised');
      await once(raw.hold, 'message');
      raw.hold.close();
      const error = 'error' in init ? init.error : this.broken;
      return this.finish(raw.taskId, { kind: 'init', ...(error ? { error } : {}) }, error !== undefined);
    }
    const { outcome, retire } = await this.invoke(raw, init, cold);
    return this.finish(raw.taskId, { kind: 'invoke', outcome }, retire || this.broken !== undefined);
  }

  private finish(taskId: string, result: TaskResult, retire: boolean): Promise<TaskResult> {
    this.logTaskId = undefined;
    post({ type: 'done', taskId, result, retire });
    if (!retire) {
      this.activeTaskId = undefined;
      return Promise.resolve(result);
    }
    // The host aborts this task, which terminates the thread. Settling instead would let piscina
    // hand this thread the next task; the task stays active so a late error does not exit first.
    return new Promise<TaskResult>(() => undefined);
  }

  private async invoke(task: InvokeTask, init: InitState, cold: boolean): Promise<{ outcome: WorkerOutcome; retire: boolean }> {
    const inv: Invocation = { requestId: task.requestId, settled: false, escape: () => undefined };
    this.current = inv;
    const startedAt = wallClock();
    const deadlineMs = startedAt + this.data.timeoutMs;
    this.samplePeak();
    post({ type: 'started', taskId: task.taskId, startedAt, deadlineMs, maxMemoryUsedMb: this.peakMb(), ...(cold ? { initDurationMs: init.durationMs } : {}) });
    const started = performance.now();
    const sampler = setInterval(() => this.samplePeak(inv), 10).unref();
    const traced = await traceInvocation(task.trace, { 'faas.name': this.data.functionName, 'faas.version': this.data.functionVersion, 'aws.request_id': task.requestId }, String(threadId), async (header) => {
      // X-Ray's header for this invocation; its Parent is where the handler's own spans hang.
      const h = header ?? task.traceId;
      if (h !== undefined) process.env._X_AMZN_TRACE_ID = h;
      else delete process.env._X_AMZN_TRACE_ID;
      const s: Settled = 'error' in init ? { ok: false, body: init.error, label: '', retire: true } : await this.runHandler(init.handler, task, inv, deadlineMs);
      return s.ok ? { failed: false, settled: s } : { failed: true, errorType: s.body.errorType, settled: s };
    });
    const settled = traced.result.settled;
    clearInterval(sampler);
    const durationMs = performance.now() - started;
    this.samplePeak();

    let result = settled;
    let payload = 'null';
    if (result.ok) {
      try {
        payload = JSON.stringify(result.value) ?? 'null';
      } catch (err) {
        result = { ok: false, body: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${errorBody(err).errorMessage}` }, label: 'Invoke Error', retire: false };
      }
    }
    if (!result.ok && result.label !== '') this.logLine('ERROR', `${result.label} \t${formatted(result.body)}`);
    let retire = !result.ok && result.retire;
    if (dirBytes(this.tmp) > this.data.ephemeralStorageMb * MB) {
      retire = true;
      if (result.ok) result = { ok: false, body: { errorType: 'Error', errorMessage: `ENOSPC: no space left on device, ephemeral storage of ${this.data.ephemeralStorageMb} MB exceeded` }, label: '', retire: true };
    }
    if (!result.ok) payload = JSON.stringify(result.body);
    this.current = undefined;
    const outcome: WorkerOutcome = {
      ok: result.ok,
      payload,
      ...(result.ok ? {} : { error: result.body }),
      ...(cold ? { initDurationMs: init.durationMs } : {}),
      durationMs,
      maxMemoryUsedMb: this.peakMb(),
      ...(traced.spans.length > 0 ? { spans: traced.spans } : {}),
    };
    return { outcome, retire };
  }

  private runHandler(handler: Handler, task: InvokeTask, inv: Invocation, deadlineMs: number): Promise<Settled> {
    return new Promise<Settled>((resolve) => {
      const settle = (s: Settled): void => {
        if (inv.settled) return;
        inv.settled = true;
        resolve(s);
      };
      const fail = (err: unknown): void => settle({ ok: false, body: errorBody(err), label: 'Invoke Error', retire: false });
      const succeed = (value: unknown): void => settle({ ok: true, value });
      inv.escape = settle;
      let event: unknown;
      try {
        event = JSON.parse(task.payload);
      } catch (err) {
        fail(err);
        return;
      }
      let called = false;
      const callback = (err?: unknown, result?: unknown): void => {
        called = true;
        if (err !== undefined && err !== null) fail(err);
        else if (context.callbackWaitsForEmptyEventLoop) void this.emptyLoop(inv).then(() => succeed(result));
        else succeed(result);
      };
      const context = {
        awsRequestId: task.requestId,
        functionName: this.data.functionName,
        functionVersion: this.data.functionVersion,
        invokedFunctionArn: task.invokedFunctionArn,
        memoryLimitInMB: String(this.data.memoryMb),
        logGroupName: this.data.logGroupName,
        logStreamName: this.logStream,
        identity: parseJson(task.identity),
        clientContext: parseJson(task.clientContext),
        // Approximation: Lambda answers a callback-style handler once the event loop is empty
        // (or at once when this is false). A worker's loop is never empty (piscina's ports keep
        // it alive), so "empty" here means no active handle or request beyond those ports, per
        // process.getActiveResourcesInfo(), polled every millisecond. Like Lambda, a handle left
        // open (a socket, a ref'd timer) makes such an invocation run into its timeout. With
        // false, work left running is not frozen as Lambda would: it keeps running between
        // invocations, and an error it throws there replaces the environment.
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: (): number => Math.max(0, Math.floor(deadlineMs - wallClock())),
        // The runtime's legacy completion methods.
        succeed: (result?: unknown): void => callback(null, result),
        fail: (err?: unknown): void => callback(err ?? 'handled'),
        done: (err?: unknown, result?: unknown): void => callback(err, result),
      };
      let returned: unknown;
      try {
        returned = handler(event, context, callback);
      } catch (err) {
        fail(err);
        return;
      }
      // A promise answers when it settles; otherwise the callback answers, or an empty event
      // loop does, with null (a plain return value is not the response, as in Lambda).
      if (isThenable(returned)) returned.then(succeed, fail);
      else
        void this.emptyLoop(inv).then(() => {
          if (!called) succeed(undefined);
        });
    });
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The piscina task function for this thread. */
export function start(loaders: Loaders): (task: unknown) => Promise<TaskResult> {
  const data: unknown = workerData;
  if (!isEnvironmentData(data)) throw new Error('worker-pool: malformed environment data');
  const env = new Environment(data, loaders);
  return (task) => env.run(task);
}
