// The scheduler runs invocations: it admits each against the function's and the account's
// concurrency, loads the code (content-addressed, cached on disk), runs the handler in an
// execution environment of the worker pool, and ships the invocation's logs.
import { join } from 'node:path';
import { type EnvironmentSpec, ExecutionPool } from '../../worker-pool/pool.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';
import { type CodeCache } from './code-cache.js';
import { Concurrency, type ThrottleReason } from './concurrency.js';
import { type FunctionLogs } from './function-logs.js';
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
}

export class Scheduler {
  readonly pool: ExecutionPool;
  readonly concurrency: Concurrency;

  constructor(
    private readonly o: SchedulerOptions,
    private readonly deps: SchedulerDeps,
  ) {
    this.pool = new ExecutionPool({ tmpRoot: o.tmpRoot, log: o.log });
    this.concurrency = new Concurrency(o.accountConcurrency);
  }

  /** Runs one invocation; throws Throttled when concurrency does not admit it. */
  async invoke(target: InvokeTarget, req: InvokeRequest): Promise<InvokeResult> {
    const admission = this.concurrency.admit(target.functionName, target.reserved, await this.deps.totalReserved());
    if (!admission.ok) throw new Throttled(admission.reason);
    try {
      return await withSpan(SpanName.FunctionInvoke, { [Attr.FunctionName]: target.functionName, [Attr.FunctionVersion]: target.version, [Attr.AwsRequestId]: req.requestId }, async (span) => {
        const spec = await this.spec(target);
        const out = await this.pool.invoke(spec, {
          requestId: req.requestId,
          payload: req.payload,
          invokedFunctionArn: target.invokedArn,
          ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
          ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
          ...(req.signal !== undefined ? { signal: req.signal } : {}),
        });
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
    await this.pool.prewarm(await this.spec(target), count);
  }

  async spec(target: InvokeTarget): Promise<EnvironmentSpec> {
    const dir = await this.deps.codeCache.functionDir(
      target.config.code,
      target.layers.map((l) => l.code),
    );
    const c = target.config;
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
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.deps.logs.drain();
  }
}
