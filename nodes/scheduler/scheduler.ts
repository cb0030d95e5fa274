// The scheduler runs invocations: it admits each against the function's and the account's
// concurrency, loads the code (content-addressed, cached on disk), runs the handler in an
// execution environment of the worker pool, and ships the invocation's logs.
import { type AccessKey } from '../gateway/credentials.js';
import { join } from 'node:path';
import { type EnvironmentSpec, ExecutionPool } from '../../worker-pool/pool.js';
import { TraceFlags, isSpanContextValid } from '@opentelemetry/api';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';
import { tracing } from '../telemetry/tracing.js';
import { type CodeCache } from './code-cache.js';
import { Concurrency, type ThrottleReason } from './concurrency.js';
import { type FunctionLogs } from './function-logs.js';
import { FunctionMetrics } from './function-metrics.js';
import { type MetricsRegistry } from '../telemetry/metrics.js';
import { type InvokeRequest, type InvokeResult, type InvokeTarget } from './types.js';

export interface SchedulerOptions {
  region: string;
  accountId: string;
  /** AWS: 1,000 concurrent executions per account and region by default. */
  accountConcurrency: number;
  /** Where execution environments get their private /tmp directories. */
  tmpRoot: string;
  /** A warm environment with no work for this long is shut down. */
  idleMs: number;
  /** Exported to handlers as AWS_ENDPOINT_URL: their SDK clients reach this Stratus. */
  endpointUrl: () => string | undefined;
  /** Exported to handlers as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (Lambda: the execution role's credentials). */
  credentials?: () => Promise<AccessKey | undefined>;
  log: (line: string) => void;
}

export class Throttled extends Error {
  constructor(readonly reason: ThrottleReason) {
    super('Rate Exceeded.');
    this.name = 'Throttled';
  }
}

export interface SchedulerDeps {
  codeCache: CodeCache;
  logs: FunctionLogs;
  /** The account's total reserved concurrency (cached by the caller). */
  totalReserved: () => Promise<number>;
  /** Where invocation metrics go (nodes/telemetry/metric-names.ts); none: not recorded. */
  metrics?: MetricsRegistry;
}

export class Scheduler {
  readonly pool: ExecutionPool;
  readonly concurrency: Concurrency;
  private readonly metrics: FunctionMetrics | undefined;

  constructor(
    private readonly o: SchedulerOptions,
    private readonly deps: SchedulerDeps,
  ) {
    this.pool = new ExecutionPool({ tmpRoot: o.tmpRoot, log: o.log });
    this.concurrency = new Concurrency(o.accountConcurrency, deps.metrics);
    this.metrics = deps.metrics ? new FunctionMetrics(deps.metrics) : undefined;
  }

  /** Invocations admitted and not finished. */
  running(): number {
    return this.concurrency.total();
  }

  /** Runs one invocation; throws Throttled when concurrency does not admit it. */
  async invoke(target: InvokeTarget, req: InvokeRequest): Promise<InvokeResult> {
    const admission = this.concurrency.admit(target.functionName, target.reserved, await this.deps.totalReserved());
    if (!admission.ok) {
      this.metrics?.throttled(target.functionName, target.version);
      throw new Throttled(admission.reason);
    }
    try {
      return await withSpan(SpanName.FunctionInvoke, { [Attr.FunctionName]: target.functionName, [Attr.FunctionVersion]: target.version, [Attr.AwsRequestId]: req.requestId }, async (span) => {
        const spec = await this.spec(target);
        const sc = span.spanContext();
        const out = await this.pool.invoke(spec, {
          requestId: req.requestId,
          payload: req.payload,
          invokedFunctionArn: target.invokedArn,
          ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
          ...(isSpanContextValid(sc) ? { trace: { traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & TraceFlags.SAMPLED) !== 0, active: target.config.tracingMode === 'Active' } } : {}),
          ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
          ...(req.signal !== undefined ? { signal: req.signal } : {}),
        }).finally(this.metrics?.useProvisioned(spec.key)); // evaluated right after the pool picked an environment
        this.metrics?.invoked(target.functionName, target.version, out.durationMs, out.functionError !== undefined);
        if (out.spans) tracing()?.ingest(out.spans);
        if (out.initDurationMs !== undefined) span.setAttribute(Attr.ColdStart, true);
        if (out.functionError) span.setAttribute(Attr.FunctionError, out.error?.errorType ?? out.functionError);
        this.deps.logs.add(target.functionName, req.requestId, out.logs);
        return {
          payload: out.payload,
          logs: out.logs,
          durationMs: out.durationMs,
          ...(out.functionError ? { functionError: out.functionError } : {}),
          ...(out.error ? { errorType: out.error.errorType } : {}),
          ...(out.initDurationMs !== undefined ? { initDurationMs: out.initDurationMs } : {}),
        };
      });
    } finally {
      admission.release();
    }
  }

  /** Provisioned concurrency: `count` environments of the version initialised ahead of requests. */
  async prewarm(target: InvokeTarget, count: number): Promise<void> {
    const spec = await this.spec(target);
    try {
      await this.pool.prewarm(spec, count);
    } catch (err) {
      this.metrics?.dropProvisioned(spec.key);
      throw err;
    }
    this.metrics?.setProvisioned(spec.key, target.functionName, target.version, count);
  }

  /** Drops a spec's provisioned environments (its on-demand ones stay). */
  async unprovision(specKey: string): Promise<void> {
    this.metrics?.dropProvisioned(specKey);
    await this.pool.unprovision(specKey);
  }

  async spec(target: InvokeTarget): Promise<EnvironmentSpec> {
    const dir = await this.deps.codeCache.functionDir(
      target.config.code,
      target.layers.map((l) => l.code),
    );
    const c = target.config;
    const credentials = this.o.credentials ? await this.o.credentials() : undefined;
    return {
      key: `${target.functionName}:${target.version}:${c.revisionId}`,
      codeDir: join(dir, 'task'),
      handler: c.handler,
      runtime: c.runtime,
      functionName: target.functionName,
      functionVersion: target.version,
      memoryMb: c.memorySize,
      timeoutSec: c.timeout,
      ephemeralStorageMb: c.ephemeralStorage,
      region: this.o.region,
      accountId: this.o.accountId,
      logGroupName: `/aws/lambda/${target.functionName}`,
      env: target.env,
      maxEnvironments: Math.max(1, target.reserved ?? this.o.accountConcurrency),
      idleMs: this.o.idleMs,
      ...(this.o.endpointUrl() !== undefined ? { endpointUrl: this.o.endpointUrl()! } : {}),
      ...(credentials ? { credentials } : {}),
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
    // Logs still buffered get a few seconds: a stop must not wait out the storage tier's retries
    // (say, for the log of a function deleted meanwhile).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.deps.logs.drain(), new Promise<void>((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
  }
}
