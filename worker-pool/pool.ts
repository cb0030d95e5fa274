// Execution environments on piscina: one pool of worker threads per spec key (function version
// and configuration), each thread one environment with the handler loaded once. Provisioned
// concurrency is a second pool of the same spec whose threads are initialised up front and never
// expire. Whatever a handler does (throws, loops, exhausts its heap, calls process.exit) ends at
// most its own thread: piscina replaces it, the invocation gets Lambda's error for it, and the
// host keeps serving.
import { createHash, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { type PlatformFailure, environmentVariables, outcome, platformBody, platformLogLines } from './lambda.js';
import { type EnvironmentData, type Task, type TaskResult, isWorkerMessage, wallClock } from './protocol.js';
import { environmentScript } from './environment-script.js';
import { type EnvironmentSpec, type InvokeOutcome, type InvokeRequest } from './types.js';
// Threads run worker.ts compiled by environment-script.ts; this type import also keeps it in the type-checked program.
import { type start } from './worker.js';

export type { EnvironmentSpec, FunctionErrorBody, InvokeOutcome, InvokeRequest } from './types.js';

/** Lambda's init phase limit. Until the handler starts, a task may also wait for a thread to boot. */
const INIT_LIMIT_MS = 10_000;
/** A task handed to a thread that exited (idle, on its own) before taking it is handed on, this often. */
const MAX_REDISPATCH = 3;

/** What the environment's task function (worker.ts's `start`) resolves to. */
type Pool = Piscina<Task, Awaited<ReturnType<ReturnType<typeof start>>>>;

interface Pending {
  accepted: boolean;
  /** When the handler started (wallClock()), as the environment reported it. */
  startedAt: number | undefined;
  peakMb: number;
  /** The init phase's duration when this task initialised its environment. */
  initDurationMs: number | undefined;
  initLogs: string[];
  logs: string[];
  result: TaskResult | undefined;
  exitCode: number | undefined;
  /** Why the host stopped the task, if it did. */
  stopped: 'timeout' | 'caller' | undefined;
  abort: AbortController;
  timer: NodeJS.Timeout | undefined;
  /** Resolves when the result arrived or the task was stopped. */
  settled: Promise<void>;
  settle: () => void;
}

interface Execution {
  result?: TaskResult;
  failure?: PlatformFailure;
  pending: Pending;
  /** When the task was submitted (wallClock()). */
  began: number;
}

interface Provisioned {
  pool: Pool;
  count: number;
  busy: number;
  closed: boolean;
}

interface Entry {
  spec: EnvironmentSpec;
  /** Environments' private /tmp directories live under here. */
  tmpBase: string;
  onDemand: Pool;
  provisioned: Provisioned | undefined;
  /** Provisioned-concurrency changes of this spec, one after another. */
  provisioning: Promise<void>;
  busy: number;
  released: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** piscina's error for a thread that exited while it held a task. */
function exitCodeOf(err: unknown): number | undefined {
  const m = /worker exited with code: (-?\d+)/.exec(messageOf(err));
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

export class ExecutionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private closed = false;
  private readonly log: (line: string) => void;

  constructor(private readonly o: { tmpRoot: string; log?: (line: string) => void }) {
    this.log = o.log ?? (() => undefined);
  }

  /** Invocations of the spec running (or waiting for an environment) now. */
  busy(specKey: string): number {
    return this.entries.get(specKey)?.busy ?? 0;
  }

  /** Runs one invocation. Never rejects for anything the function does; only when the pool is closed. */
  async invoke(spec: EnvironmentSpec, req: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) throw new Error('worker-pool: the execution pool is closed');
    const e = this.entry(spec);
    const prov = e.provisioned && !e.provisioned.closed && e.provisioned.busy < e.provisioned.count ? e.provisioned : undefined;
    e.busy++;
    if (prov) prov.busy++;
    try {
      const task = (taskId: string): Task => ({
        kind: 'invoke',
        taskId,
        requestId: req.requestId,
        payload: req.payload,
        invokedFunctionArn: req.invokedFunctionArn,
        ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
        ...(req.trace !== undefined ? { trace: req.trace } : {}),
        ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
        ...(req.identity !== undefined ? { identity: req.identity } : {}),
      });
      const usable = (): boolean => !e.released && !(prov?.closed ?? false);
      const x = await this.execute(e, prov?.pool ?? e.onDemand, task, { signal: req.signal, usable });
      return this.outcome(e.spec, req.requestId, x);
    } finally {
      e.busy--;
      if (prov) prov.busy--;
    }
  }

  private outcome(spec: EnvironmentSpec, requestId: string, x: Execution): InvokeOutcome {
    const initLogs = x.pending.initLogs.join('');
    const logs = x.pending.logs.join('');
    if (x.result?.kind === 'invoke') {
      const o = outcome(spec, requestId, x.result.outcome, initLogs, logs);
      return x.result.outcome.spans ? { ...o, spans: x.result.outcome.spans } : o;
    }
    const f: PlatformFailure = x.failure ?? { kind: 'exit', code: undefined };
    const body = platformBody(f, requestId, spec.timeoutSec);
    const elapsed = wallClock() - (x.pending.startedAt ?? x.began);
    const measured = {
      payload: JSON.stringify(body),
      error: body,
      ...(x.pending.initDurationMs !== undefined ? { initDurationMs: x.pending.initDurationMs } : {}),
      // A timer may fire a fraction of a millisecond early; a timed-out invocation ran its whole timeout.
      durationMs: f.kind === 'timeout' && x.pending.stopped === 'timeout' ? Math.max(elapsed, spec.timeoutSec * 1000) : elapsed,
      maxMemoryUsedMb: f.kind === 'oom' ? spec.memoryMb : x.pending.peakMb,
    };
    const sep = logs === '' || logs.endsWith('\n') ? '' : '\n';
    return outcome(spec, requestId, measured, initLogs, `${logs}${sep}${platformLogLines(f, body, requestId, spec.timeoutSec)}`);
  }

  /**
   * Runs a task on the pool and follows it through the environment's messages: the function's
   * timeout counts from the handler's start, an abort (timeout, the caller, a retiring
   * environment) makes piscina terminate the thread, and a thread's death becomes the failure
   * Lambda reports for it.
   */
  private async execute(
    e: Entry,
    pool: Pool,
    task: (taskId: string) => Task,
    o: { signal?: AbortSignal | undefined; usable: () => boolean; transfer?: MessagePort[]; redispatch?: boolean },
  ): Promise<Execution> {
    const { signal, usable } = o;
    for (let attempt = 0; ; attempt++) {
      const taskId = `${++this.seq}`;
      const p = this.track(taskId);
      const began = wallClock();
      // Lambda never cancels an invocation it has taken: a caller that gives up before the task
      // is submitted drops it, and once submitted it runs to its end. (Aborting a submitted task
      // would terminate its thread, even one still booting, and under clients that time out
      // every environment would be torn down and cold-started again.)
      if (signal?.aborted) this.stop(p, 'caller');
      p.timer = setTimeout(() => this.stop(p, 'timeout'), INIT_LIMIT_MS + e.spec.timeoutSec * 1000);
      let thrown: unknown;
      try {
        if (!usable()) throw new Error('worker-pool: the environments were released');
        await pool.run(task(taskId), { signal: p.abort.signal, ...(o.transfer ? { transferList: o.transfer } : {}) });
        await p.settled;
      } catch (err) {
        thrown = err;
      } finally {
        clearTimeout(p.timer);
        this.pending.delete(taskId);
      }
      if (p.result) return { result: p.result, pending: p, began };
      if (p.stopped) return { failure: { kind: 'timeout' }, pending: p, began };
      const oom = isRecord(thrown) && thrown.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const code = p.exitCode ?? exitCodeOf(thrown);
      // The thread died before it took the task (it exited while idle, after an error between
      // invocations): nothing of the function ran for this task, so it goes to another thread.
      if ((oom || code !== undefined) && !p.accepted && attempt < MAX_REDISPATCH && (o.redispatch ?? true) && usable()) continue;
      if (oom) return { failure: { kind: 'oom' }, pending: p, began };
      if (code === undefined) this.log(`worker-pool: ${e.spec.functionName}: task ended without a result: ${messageOf(thrown)}`);
      return { failure: { kind: 'exit', code }, pending: p, began };
    }
  }

  private track(taskId: string): Pending {
    let settle = (): void => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const p: Pending = {
      accepted: false,
      startedAt: undefined,
      peakMb: 0,
      initDurationMs: undefined,
      initLogs: [],
      logs: [],
      result: undefined,
      exitCode: undefined,
      stopped: undefined,
      abort: new AbortController(),
      timer: undefined,
      settled,
      settle,
    };
    this.pending.set(taskId, p);
    return p;
  }

  /** Timeout, or a caller gone before submission: piscina terminates the thread running the task (or drops it from the queue). */
  private stop(p: Pending, why: 'timeout' | 'caller'): void {
    if (p.result || p.stopped) return;
    p.stopped = why;
    p.abort.abort();
    p.settle();
  }

  private onMessage(spec: EnvironmentSpec, m: unknown): void {
    if (!isWorkerMessage(m)) return;
    if (m.type === 'stray') {
      this.log(`worker-pool: ${spec.functionName}: environment replaced after an error between invocations: ${m.text}`);
      return;
    }
    if (m.type === 'exiting' && m.taskId === undefined) {
      // Status 0 follows a 'stray' message (or is the function's own clean exit).
      if (m.code !== 0) this.log(`worker-pool: ${spec.functionName}: environment exited between invocations with status ${m.code}; replaced`);
      return;
    }
    const p = m.taskId !== undefined ? this.pending.get(m.taskId) : undefined;
    if (!p) return;
    switch (m.type) {
      case 'accepted':
        p.accepted = true;
        break;
      case 'started':
        p.startedAt = m.startedAt;
        p.peakMb = m.maxMemoryUsedMb;
        p.initDurationMs = m.initDurationMs;
        if (p.stopped || p.result) break;
        clearTimeout(p.timer);
        p.timer = setTimeout(() => this.stop(p, 'timeout'), Math.max(0, m.deadlineMs - wallClock()));
        break;
      case 'log':
        (m.init ? p.initLogs : p.logs).push(m.text);
        break;
      case 'done':
        if (p.stopped) break;
        p.result = m.result;
        p.settle();
        if (m.retire) p.abort.abort();
        break;
      case 'exiting':
        p.exitCode = m.code;
        break;
    }
  }

  private entry(spec: EnvironmentSpec): Entry {
    let e = this.entries.get(spec.key);
    if (!e) {
      const tmpBase = join(this.o.tmpRoot, `${createHash('sha256').update(spec.key).digest('hex').slice(0, 16)}-${randomUUID().slice(0, 8)}`);
      e = { spec, tmpBase, onDemand: this.createPool(spec, tmpBase, undefined), provisioned: undefined, provisioning: Promise.resolve(), busy: 0, released: false };
      this.entries.set(spec.key, e);
    }
    return e;
  }

  private createPool(spec: EnvironmentSpec, tmpBase: string, provisioned: number | undefined): Pool {
    const workerData: EnvironmentData = {
      codeDir: spec.codeDir,
      handler: spec.handler,
      functionName: spec.functionName,
      functionVersion: spec.functionVersion,
      memoryMb: spec.memoryMb,
      timeoutMs: spec.timeoutSec * 1000,
      ephemeralStorageMb: spec.ephemeralStorageMb,
      logGroupName: spec.logGroupName,
      tmpBase,
    };
    const pool: Pool = new Piscina<Task, Awaited<ReturnType<ReturnType<typeof start>>>>({
      filename: environmentScript(),
      // No minimum, also for provisioned environments: piscina tops a pool up to minThreads when
      // a terminated thread's exit arrives, even after close(), which would leak a thread.
      minThreads: 0,
      maxThreads: provisioned ?? Math.max(1, spec.maxEnvironments),
      idleTimeout: provisioned !== undefined ? Infinity : spec.idleMs,
      concurrentTasksPerWorker: 1,
      // The environment's event loop keeps running between invocations (Lambda would freeze
      // it), so an error left behind by one invocation surfaces while the environment is idle,
      // where it is replaced quietly, instead of failing whichever invocation comes next.
      atomics: 'disabled',
      // Nothing of the host's node flags (--import tsx, --inspect) reaches user code.
      execArgv: [],
      env: environmentVariables(spec, provisioned !== undefined ? 'provisioned-concurrency' : 'on-demand'),
      workerData,
      // The function's memory is its JS heap budget; young generation and code space come on
      // top, as the runtime's own overhead does in Lambda.
      resourceLimits: { maxOldGenerationSizeMb: spec.memoryMb },
      recordTiming: false,
    });
    pool.on('message', (m: unknown) => this.onMessage(spec, m));
    // Without a listener, a thread failing with no task (out of memory while idle) would throw in the host.
    pool.on('error', (err: unknown) => this.log(`worker-pool: ${spec.functionName}: environment failed: ${messageOf(err)}`));
    pool.on('workerDestroy', (w: unknown) => {
      if (isRecord(w) && typeof w.id === 'number' && w.id >= 0) void rm(join(tmpBase, `env-${w.id}`), { recursive: true, force: true }).catch(() => undefined);
    });
    return pool;
  }

  /**
   * Provisioned concurrency: `count` environments initialised (handler loaded, init code run)
   * before they take requests, kept until release (they never idle out). Invocations use them
   * first and spill over to on-demand environments. One that ends (timeout, crash) is replaced on
   * demand, by a thread that initialises on its first invocation, which then reports a cold
   * start. Rejects when an environment fails to initialise. 0 removes them.
   */
  async prewarm(spec: EnvironmentSpec, count: number): Promise<void> {
    if (this.closed) throw new Error('worker-pool: the execution pool is closed');
    const e = this.entry(spec);
    const next = e.provisioning.then(() => this.provision(e, count));
    e.provisioning = next.catch(() => undefined);
    await next;
  }

  private async provision(e: Entry, count: number): Promise<void> {
    if (e.released) throw new Error('worker-pool: the environments were released');
    if ((e.provisioned?.count ?? 0) === count) return;
    const old = e.provisioned;
    e.provisioned = undefined;
    if (old) await this.retireProvisioned(old);
    if (count <= 0) return;
    const prov: Provisioned = { pool: this.createPool(e.spec, e.tmpBase, count), count, busy: 0, closed: false };
    // `count` init tasks, each held by its environment until all are initialised, so that they
    // occupy `count` threads; a task that ends without saying so (its thread died) counts too.
    const channels = Array.from({ length: count }, () => new MessageChannel());
    const arrived = new Set<MessageChannel>();
    const arrive = (c: MessageChannel): void => {
      arrived.add(c);
      if (arrived.size === count) for (const ch of channels) ch.port1.postMessage('go');
    };
    for (const c of channels) c.port1.once('message', () => arrive(c));
    const runs = await Promise.all(
      channels.map((c) =>
        this.execute(e, prov.pool, (taskId) => ({ kind: 'init', taskId, hold: c.port2 }), { usable: () => !e.released, transfer: [c.port2], redispatch: false }).then((x) => {
          arrive(c);
          return x;
        }),
      ),
    );
    for (const c of channels) c.port1.close();
    const failed = runs.find((x) => x.result?.kind !== 'init' || x.result.error !== undefined);
    if (failed || e.released) {
      await this.retireProvisioned(prov);
      if (!failed) throw new Error('worker-pool: the environments were released');
      const body = failed.result?.kind === 'init' ? failed.result.error : undefined;
      const reason = body ? `${body.errorType}: ${body.errorMessage}` : platformBody(failed.failure ?? { kind: 'exit', code: undefined }, 'init', e.spec.timeoutSec).errorMessage;
      throw new Error(`worker-pool: provisioned environment of ${e.spec.functionName} failed to initialise: ${reason}`);
    }
    e.provisioned = prov;
  }

  /** Lets running invocations of provisioned environments finish, then ends them. */
  private async retireProvisioned(p: Provisioned): Promise<void> {
    p.closed = true;
    await p.pool.close();
  }

  /** Drops a spec's provisioned environments; its on-demand ones stay. */
  async unprovision(specKey: string): Promise<void> {
    const e = this.entries.get(specKey);
    if (!e) return;
    const next = e.provisioning.then(() => this.provision(e, 0));
    e.provisioning = next.catch(() => undefined);
    await next;
  }

  /** Drops all of a spec's environments (function updated or deleted); invocations still running fail. */
  async release(specKey: string): Promise<void> {
    const e = this.entries.get(specKey);
    if (!e) return;
    this.entries.delete(specKey);
    e.released = true;
    const prov = e.provisioned;
    e.provisioned = undefined;
    if (prov) prov.closed = true;
    await Promise.all([e.onDemand.destroy(), prov?.pool.destroy()]);
    await rm(e.tmpBase, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.keys()].map((k) => this.release(k)));
  }
}
