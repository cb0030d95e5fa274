// A gateway's side of separate scheduler processes (`--schedulers host:port,...`): invocations go
// to the scheduler that owns the function (rendezvous hashing of the function name over the
// list, so a function's warm environments and its concurrency stay in one place), and to the next
// in that order when the owner cannot be reached. Provisioned concurrency is reported from what
// the schedulers say they keep.
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, services } from '../grpc/protos.js';
import { Attr, SpanKind, SpanName, withSpanOpts } from '../telemetry/index.js';
import { traceInterceptor } from '../telemetry/propagation.js';
import { type ThrottleReason } from './concurrency.js';
import { Throttled } from './scheduler.js';
import { type FunctionRunner, type InvokeRequest, type InvokeResult, type InvokeTarget, type ProvisionedView } from './types.js';

/** The schedulers in the order a function tries them: its owner first. */
export function schedulerOrder(functionName: string, addresses: readonly string[]): string[] {
  const score = (a: string): bigint => createHash('md5').update(`${functionName}\u0000${a}`).digest().readBigUInt64BE(0);
  return [...addresses].sort((x, y) => {
    const d = score(y) - score(x);
    return d > 0n ? 1 : d < 0n ? -1 : x < y ? -1 : 1;
  });
}


type Callback = (err: grpc.ServiceError | null, reply?: unknown) => void;
type UnaryMethod = (req: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, cb: Callback) => grpc.ClientUnaryCall;

function isResult(v: unknown): v is InvokeResult {
  return typeof v === 'object' && v !== null && typeof (v as InvokeResult).payload === 'string' && typeof (v as InvokeResult).logs === 'string' && typeof (v as InvokeResult).durationMs === 'number';
}

const THROTTLE_REASONS = new Set<string>(['ReservedFunctionConcurrentInvocationLimitExceeded', 'ConcurrentInvocationLimitExceeded']);

export class RemoteSchedulers implements FunctionRunner, ProvisionedView {
  private readonly clients = new Map<string, grpc.Client>();
  private provisioned = new Map<string, { status: 'IN_PROGRESS' | 'READY' | 'FAILED'; available: number; reason?: string }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly addresses: readonly string[],
    private readonly log: (line: string) => void,
  ) {
    if (addresses.length === 0) throw new Error('RemoteSchedulers needs at least one address');
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 2000);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private client(address: string): grpc.Client {
    let c = this.clients.get(address);
    if (!c) {
      const Ctor = services().scheduler;
      c = new Ctor(address, grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, interceptors: [traceInterceptor] });
      this.clients.set(address, c);
    }
    return c;
  }

  private call(address: string, method: string, req: unknown, signal?: AbortSignal): Promise<unknown> {
    const c = this.client(address) as unknown as Record<string, UnaryMethod>;
    return new Promise((resolve, reject) => {
      const call = c[method]!.call(c, req, new grpc.Metadata(), {}, (err, reply) => (err ? reject(err) : resolve(reply)));
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  async invoke(target: InvokeTarget, req: InvokeRequest): Promise<InvokeResult> {
    const body = {
      targetJson: JSON.stringify(target),
      requestId: req.requestId,
      payload: req.payload,
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext, hasClientContext: true } : {}),
      ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
    };
    const order = schedulerOrder(target.functionName, this.addresses);
    return withSpanOpts(SpanName.SchedulerCall, { kind: SpanKind.CLIENT, attributes: { [Attr.FunctionName]: target.functionName, [Attr.AwsRequestId]: req.requestId } }, async () => {
      let last: unknown;
      for (const address of order) {
        try {
          const reply = await this.call(address, 'invoke', body, req.signal);
          const json = (reply as { resultJson?: unknown } | undefined)?.resultJson;
          const result: unknown = typeof json === 'string' ? JSON.parse(json) : undefined;
          if (!isResult(result)) throw new Error(`scheduler ${address}: malformed reply`);
          return result;
        } catch (err) {
          const e = err as Partial<grpc.ServiceError>;
          if (e.code === grpc.status.RESOURCE_EXHAUSTED) {
            const reason = String(e.metadata?.get('throttle-reason')[0] ?? '');
            throw new Throttled((THROTTLE_REASONS.has(reason) ? reason : 'ConcurrentInvocationLimitExceeded') as ThrottleReason);
          }
          // Only a scheduler that cannot be reached is skipped; any other failure is the answer.
          if (e.code !== grpc.status.UNAVAILABLE) throw err;
          last = err;
          this.log(`gateway: scheduler ${address} unavailable for ${target.functionName}; trying the next`);
        }
      }
      throw last instanceof Error ? last : new Error('no scheduler reachable');
    });
  }

  status(fn: string, qualifier: string): { status: 'IN_PROGRESS' | 'READY' | 'FAILED'; available: number; reason?: string } {
    return this.provisioned.get(`${fn}:${qualifier}`) ?? { status: 'IN_PROGRESS', available: 0 };
  }

  async reconcile(): Promise<void> {
    await Promise.all(this.addresses.map((a) => this.call(a, 'reconcile', {}).catch(() => undefined)));
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const next = new Map<string, { status: 'IN_PROGRESS' | 'READY' | 'FAILED'; available: number; reason?: string }>();
    await Promise.all(
      this.addresses.map(async (a) => {
        const reply = (await this.call(a, 'provisionedStatus', {}).catch(() => undefined)) as { entries?: unknown } | undefined;
        if (!Array.isArray(reply?.entries)) return;
        for (const e of reply.entries as Record<string, unknown>[]) {
          const status = e.status === 'READY' || e.status === 'FAILED' ? e.status : 'IN_PROGRESS';
          const key = `${String(e.functionName)}:${String(e.qualifier)}`;
          // Only the owner keeps a function's environments; a stale entry elsewhere loses to a READY one.
          if (next.get(key)?.status === 'READY') continue;
          next.set(key, { status, available: typeof e.available === 'number' ? e.available : 0, ...(typeof e.reason === 'string' && e.reason !== '' ? { reason: e.reason } : {}) });
        }
      }),
    );
    this.provisioned = next;
  }
}
