// Execution environments on piscina: one pool of worker threads per function version (its
// spec key), each thread one environment with the handler loaded once. Provisioned concurrency
// is a second pool of the same spec whose threads are started and initialised up front and
// never expire. Whatever a handler does (throws, loops, exhausts its heap, calls process.exit)
// ends at most its own thread: piscina replaces it and the host keeps serving.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { type EnvironmentData, type FunctionErrorBody, type Invocation, type Outcome } from './protocol.js';

export type { FunctionErrorBody } from './protocol.js';

export interface EnvironmentSpec {
  /** Same key, same environments: function + version + configuration revision. */
  key: string;
  codeDir: string;
  handler: string;
  runtime: string;
  functionName: string;
  functionVersion: string;
  memoryMb: number;
  timeoutSec: number;
  ephemeralStorageMb: number;
  region: string;
  accountId: string;
  logGroupName: string;
  env: Record<string, string>;
  maxEnvironments: number;
  idleMs: number;
  endpointUrl?: string;
}

export interface InvokeRequest {
  requestId: string;
  payload: string;
  invokedFunctionArn: string;
  traceId?: string;
  clientContext?: string;
  signal?: AbortSignal;
}

export interface InvokeOutcome {
  payload: string;
  functionError?: 'Unhandled';
  error?: FunctionErrorBody;
  logs: string;
  initDurationMs?: number;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
}

const BOOT = new URL('./boot.mjs', import.meta.url).href;
/**
 * How long an invocation may wait for an environment to start and initialise before it fails as
 * timed out. Lambda limits init to 10 s; the wait for a thread on a busy host comes on top.
 */
const START_LIMIT_MS = 30_000;

interface Entry {
  spec: EnvironmentSpec;
  onDemand: Piscina;
  provisioned: Piscina | undefined;
  provisionedCount: number;
  provisionedBusy: number;
  busy: number;
}

function logStreamName(spec: EnvironmentSpec): string {
  const d = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[${spec.functionVersion}]${createHash('md5').update(`${spec.key}:${process.pid}`).digest('hex')}`;
}

/** The variables Lambda's Node.js runtime sets, over the function's own (which cannot override them). */
function environment(spec: EnvironmentSpec, stream: string): Record<string, string> {
  return {
    ...spec.env,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: stream,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    LAMBDA_TASK_ROOT: spec.codeDir,
    _HANDLER: spec.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...(spec.endpointUrl !== undefined ? { AWS_ENDPOINT_URL: spec.endpointUrl } : {}),
  };
}

function timeoutBody(requestId: string, seconds: number): FunctionErrorBody {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds` };
}

/** What a failed thread means for the invocation it was running. */
function threadFailure(err: unknown, requestId: string, timedOut: boolean, spec: EnvironmentSpec): FunctionErrorBody {
  if (timedOut) return timeoutBody(requestId, spec.timeoutSec);
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(message)) {
    return { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` };
  }
  const exit = /exited with code (-?\d+)|exit code (-?\d+)|stopped with exit code (-?\d+)/i.exec(message);
  const status = exit ? (exit[1] ?? exit[2] ?? exit[3]) : undefined;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${status ?? 1}` };
}

export class ExecutionPool {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly o: { tmpRoot: string; log?: (line: string) => void }) {}

  private pool(spec: EnvironmentSpec, provisioned: number | undefined): Piscina {
    const stream = logStreamName(spec);
    const data: EnvironmentData = {
      codeDir: spec.codeDir,
      handler: spec.handler,
      functionName: spec.functionName,
      functionVersion: spec.functionVersion,
      memoryMb: spec.memoryMb,
      ephemeralStorageMb: spec.ephemeralStorageMb,
      logGroupName: spec.logGroupName,
      logStreamName: stream,
      tmpBase: this.tmpBase(spec),
      provisioned: provisioned !== undefined,
    };
    return new Piscina({
      filename: BOOT,
      minThreads: provisioned ?? 0,
      maxThreads: provisioned ?? spec.maxEnvironments,
      idleTimeout: provisioned !== undefined ? Number.MAX_SAFE_INTEGER : spec.idleMs,
      concurrentTasksPerWorker: 1,
      // Memory is the heap the function may use; young generation and code space come on top, as
      // the runtime's own overhead does in Lambda.
      resourceLimits: { maxOldGenerationSizeMb: spec.memoryMb, stackSizeMb: 4 },
      env: environment(spec, stream),
      workerData: data,
      // Tasks wait here while every environment is busy; the scheduler admits no more than fit.
      maxQueue: Number.MAX_SAFE_INTEGER,
    });
  }

  private tmpBase(spec: EnvironmentSpec): string {
    return join(this.o.tmpRoot, createHash('sha256').update(spec.key).digest('hex').slice(0, 16));
  }

  private entry(spec: EnvironmentSpec): Entry {
    let e = this.entries.get(spec.key);
    if (!e) {
      e = { spec, onDemand: this.pool(spec, undefined), provisioned: undefined, provisionedCount: 0, provisionedBusy: 0, busy: 0 };
      this.entries.set(spec.key, e);
    }
    return e;
  }

  busy(specKey: string): number {
    return this.entries.get(specKey)?.busy ?? 0;
  }

  async invoke(spec: EnvironmentSpec, req: InvokeRequest): Promise<InvokeOutcome> {
    const e = this.entry(spec);
    const usesProvisioned = e.provisioned !== undefined && e.provisionedBusy < e.provisionedCount;
    const pool = usesProvisioned ? e.provisioned! : e.onDemand;
    const abort = new AbortController();
    let timedOut = false;
    const timeoutMs = spec.timeoutSec * 1000;
    const expire = (): void => {
      timedOut = true;
      abort.abort();
    };
    let timer = setTimeout(expire, START_LIMIT_MS + timeoutMs);
    // The function's timeout runs from the moment its handler starts (see protocol.ts).
    const { port1, port2 } = new MessageChannel();
    port1.once('message', () => {
      clearTimeout(timer);
      timer = setTimeout(expire, timeoutMs);
    });
    port1.unref();
    const onCallerGone = (): void => abort.abort();
    req.signal?.addEventListener('abort', onCallerGone, { once: true });
    const task: Invocation = {
      kind: 'invoke',
      requestId: req.requestId,
      payload: req.payload,
      invokedFunctionArn: req.invokedFunctionArn,
      timeoutMs,
      port: port2,
      ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
    };
    const started = performance.now();
    e.busy++;
    if (usesProvisioned) e.provisionedBusy++;
    try {
      const out = (await pool.run(task, { signal: abort.signal, transferList: [port2] })) as Outcome;
      return this.report(spec, req.requestId, out.logs, {
        payload: out.payload,
        ...(out.ok ? {} : { functionError: 'Unhandled' as const, ...(out.error ? { error: out.error } : {}) }),
        ...(out.initDurationMs !== undefined ? { initDurationMs: out.initDurationMs } : {}),
        durationMs: out.durationMs,
        maxMemoryUsedMb: out.maxMemoryUsedMb,
      });
    } catch (err) {
      // The thread is gone (piscina replaces it); its init, if any, is lost with it.
      const body = threadFailure(err, req.requestId, timedOut, spec);
      const line = timedOut ? `${new Date().toISOString()} ${req.requestId} Task timed out after ${spec.timeoutSec.toFixed(2)} seconds\n` : `${new Date().toISOString()} ${req.requestId} ${body.errorMessage}\n`;
      return this.report(spec, req.requestId, line, {
        payload: JSON.stringify(body),
        functionError: 'Unhandled',
        error: body,
        durationMs: performance.now() - started,
        maxMemoryUsedMb: spec.memoryMb,
      });
    } finally {
      clearTimeout(timer);
      port1.close();
      req.signal?.removeEventListener('abort', onCallerGone);
      e.busy--;
      if (usesProvisioned) e.provisionedBusy--;
    }
  }

  private report(spec: EnvironmentSpec, requestId: string, logs: string, o: Omit<InvokeOutcome, 'logs' | 'billedDurationMs'>): InvokeOutcome {
    const billed = Math.max(1, Math.ceil(o.durationMs));
    const report =
      `REPORT RequestId: ${requestId}\tDuration: ${o.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${spec.memoryMb} MB\tMax Memory Used: ${o.maxMemoryUsedMb} MB\t` +
      (o.initDurationMs !== undefined ? `Init Duration: ${o.initDurationMs.toFixed(2)} ms\t` : '') +
      '\n';
    return { ...o, billedDurationMs: billed, logs: `START RequestId: ${requestId} Version: ${spec.functionVersion}\n${logs}END RequestId: ${requestId}\n${report}` };
  }

  /** Provisioned concurrency: `count` environments initialised now and kept (0 releases them). */
  async prewarm(spec: EnvironmentSpec, count: number): Promise<void> {
    const e = this.entry(spec);
    if (e.provisionedCount === count && e.provisioned) return;
    const old = e.provisioned;
    e.provisioned = count > 0 ? this.pool(spec, count) : undefined;
    e.provisionedCount = count;
    if (old) await old.destroy();
    const p = e.provisioned;
    if (!p) return;
    // A ping needs an initialised thread; `count` of them at once, each held briefly, reach
    // every thread the pool started.
    await Promise.all(Array.from({ length: count }, (_, i) => p.run({ kind: 'ping', requestId: `ping-${i}`, payload: '', invokedFunctionArn: '', timeoutMs: 0 } satisfies Invocation)));
  }

  /** Drops a spec's provisioned environments (its on-demand ones stay). */
  async unprovision(specKey: string): Promise<void> {
    const e = this.entries.get(specKey);
    if (!e?.provisioned) return;
    const p = e.provisioned;
    e.provisioned = undefined;
    e.provisionedCount = 0;
    await p.destroy();
  }

  async release(specKey: string): Promise<void> {
    const e = this.entries.get(specKey);
    if (!e) return;
    this.entries.delete(specKey);
    await Promise.all([e.onDemand.destroy(), e.provisioned?.destroy()]);
    rmSync(this.tmpBase(e.spec), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((k) => this.release(k)));
  }
}
