// Consumes the async-invoke queue: runs each event, retries function errors as Lambda does
// (MaximumRetryAttempts, with backoff), keeps throttled events queued with exponential backoff
// up to the event's maximum age, and after the last attempt hands the event to the function's
// dead-letter queue and/or its OnFailure destination (OnSuccess on success). An event is
// deleted from the queue only after its outcome is stored, so each runs at least once.
import { type QueueRecord } from '../../storage/partitions/meta-codec.js';
import { type LambdaBackend } from '../gateway/lambda/backend.js';
import { type InvokeConfigDoc } from '../gateway/lambda/model.js';
import { encodeReceipt } from '../gateway/sqs/messages.js';
import { changeByHandles, deleteByHandles } from '../gateway/sqs/receipts.js';
import { type Delivered, receiveMessages } from '../gateway/sqs/receive.js';
import { Attr, SpanName, SpanKind, withSpanOpts } from '../telemetry/index.js';
import { asyncHop } from '../telemetry/propagation.js';
import { Metric } from '../telemetry/metric-names.js';
import { type Counter, type Histogram, type MetricsRegistry } from '../telemetry/metrics.js';
import { type AsyncEvent, type AsyncQueue, decodeEvent } from './async-events.js';
import { type Destinations } from './destinations.js';
import { Throttled } from './scheduler.js';
import { type InvokeResult } from './types.js';

export interface AsyncInvokerOptions {
  /** How long a taken event stays hidden from other schedulers before it is retried. */
  leaseMs: number;
  /** Delay before the first retry of a function error; the second waits twice as long (AWS: 1 and 2 minutes). */
  retryBaseMs: number;
  /** Events handled at once by this scheduler. */
  maxInFlight: number;
  log: (line: string) => void;
  /** Async event metrics (received, age, dropped); throttles are counted by the scheduler. */
  metrics?: MetricsRegistry;
}

/** AWS defaults: 2 retries, events kept up to 6 hours. */
export const DEFAULT_RETRIES = 2;
export const DEFAULT_MAX_EVENT_AGE_S = 21_600;
const MAX_THROTTLE_BACKOFF_S = 300;

export class AsyncInvoker {
  private running = false;
  private readonly abort = new AbortController();
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly metrics: { received: Counter<'function'>; age: Histogram<'function'>; dropped: Counter<'function' | 'reason'> } | undefined;

  constructor(
    private readonly lambda: LambdaBackend,
    private readonly queue: AsyncQueue,
    private readonly destinations: Destinations,
    private readonly o: AsyncInvokerOptions,
  ) {
    const m = o.metrics;
    this.metrics = m && { received: m.counter(Metric.AsyncEventsReceived), age: m.histogram(Metric.AsyncEventAge), dropped: m.counter(Metric.AsyncEventsDropped) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops taking events. A long poll in flight ends with the abort, or when the cluster client
   * closes (its storage calls may be retrying against servers already shut down): stop does
   * not wait for the second. Events taken and not finished reappear after their lease.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.wake?.();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 500).unref())]);
  }

  private async run(): Promise<void> {
    let q: QueueRecord | undefined;
    let backoff = 100;
    while (this.running) {
      try {
        // Created by the first Event invoke; until then there is nothing to consume.
        q ??= await this.queue.existing();
        if (!q) {
          await this.nap(500);
          continue;
        }
        if (this.inFlight >= this.o.maxInFlight) {
          await new Promise<void>((r) => (this.wake = r));
          continue;
        }
        const got = await receiveMessages(this.lambda.sqs, q, {
          max: Math.min(10, this.o.maxInFlight - this.inFlight),
          visibilityTimeoutMs: this.o.leaseMs,
          waitMs: 20_000,
          signal: this.abort.signal,
        });
        backoff = 100;
        for (const d of got) {
          this.inFlight++;
          const queue = q;
          void this.handle(queue, d).finally(() => {
            this.inFlight--;
            this.wake?.();
            this.wake = undefined;
          });
        }
      } catch (err) {
        if (!this.running) return;
        this.o.log(`scheduler: async-invoke queue unavailable (${err instanceof Error ? err.message : String(err)}); retrying`);
        await this.nap(backoff);
        backoff = Math.min(5000, backoff * 2);
      }
    }
  }

  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const wake = (): void => {
        clearTimeout(t);
        resolve();
      };
      // Removed when the nap ends on its own: a listener per nap would pile up on the one signal.
      const t = setTimeout(() => {
        signal.removeEventListener('abort', wake);
        resolve();
      }, ms);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private async handle(q: QueueRecord, d: Delivered): Promise<void> {
    const handle = encodeReceipt({ queueId: q.id, partition: d.partition, seq: d.record.seq, receiveCount: d.state.receiveCount });
    const done = async (): Promise<void> => {
      await deleteByHandles(this.lambda.sqs, q, [handle]);
    };
    const e = decodeEvent(d.record.attributes, d.record.body);
    if (!e) {
      this.o.log('scheduler: dropping an unreadable async event');
      await done();
      return;
    }
    // The event continues its producer's trace as a new segment linked to the Invoke that queued it.
    const hop = asyncHop(e.traceId);
    const attributes = { [Attr.FunctionName]: e.functionName, [Attr.AwsRequestId]: e.requestId, [Attr.InvokeType]: 'Event' };
    await withSpanOpts(SpanName.FunctionAsyncEvent, { kind: SpanKind.CONSUMER, attributes, parent: hop.parent, links: hop.links }, async () => {
      try {
        await this.process(q, e, d, handle, done);
      } catch (err) {
        // A system error (storage unavailable, code not loadable): the lease runs out and the
        // event is taken again; nothing is lost.
        this.o.log(`scheduler: async event ${e.requestId} of ${e.functionName} will be retried (${err instanceof Error ? err.message : String(err)})`);
      }
    });
  }

  private async process(q: QueueRecord, e: AsyncEvent, d: Delivered, handle: string, done: () => Promise<void>): Promise<void> {
    const f = await this.lambda.catalog.get('function', e.functionName, (v) => v);
    if (!f) {
      // The function was deleted: its queued events go with it, as in Lambda.
      await done();
      return;
    }
    const fn = await this.lambda.function(e.functionName);
    const cfg = invokeConfig(fn.doc.invokeConfigs, e.qualifier);
    const maxAgeMs = (cfg?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000;
    const retries = cfg?.maximumRetryAttempts ?? DEFAULT_RETRIES;
    const target = this.lambda.resolve(fn, e.qualifier);
    this.metrics?.received.inc({ function: e.functionName });
    this.metrics?.age.observe({ function: e.functionName }, Math.max(0, Date.now() - e.enqueuedMs));
    if (Date.now() - e.enqueuedMs > maxAgeMs) {
      this.metrics?.dropped.inc({ function: e.functionName, reason: 'EventAgeExceeded' });
      await this.destinations.failure(target, e, cfg, { condition: 'EventAgeExceeded' });
      await done();
      return;
    }
    // The lease must outlast the run (plus its own length for the bookkeeping after it), or
    // another scheduler would start the event again.
    const needed = target.config.timeout * 1000 + this.o.leaseMs;
    if (needed > this.o.leaseMs) await changeByHandles(this.lambda.sqs, q, [{ handle, timeout: Math.ceil(needed / 1000) }]);
    let result: InvokeResult;
    try {
      result = await this.lambda.scheduler.invoke(target, { requestId: e.requestId, payload: e.payload, ...(e.traceId !== undefined ? { traceId: e.traceId } : {}) });
    } catch (err) {
      if (!(err instanceof Throttled)) throw err;
      // Throttled: stays queued, retried with exponential backoff until the event is too old.
      const backoff = Math.min(MAX_THROTTLE_BACKOFF_S, 2 ** Math.min(8, d.state.receiveCount - 1));
      await changeByHandles(this.lambda.sqs, q, [{ handle, timeout: backoff }]);
      return;
    }
    if (!result.functionError) {
      await this.destinations.success(target, e, cfg, result);
      await done();
      return;
    }
    const attempts = e.attempts + 1;
    if (attempts <= retries) {
      // Queued again as a new message with its delay, then the taken one is deleted: a crash
      // between the two runs the attempt twice, never zero times.
      const delayS = Math.ceil((this.o.retryBaseMs * 2 ** (attempts - 1)) / 1000);
      await this.queue.put({ ...e, attempts }, delayS);
      await done();
      return;
    }
    this.metrics?.dropped.inc({ function: e.functionName, reason: 'RetriesExhausted' });
    await this.destinations.failure(target, { ...e, attempts }, cfg, { condition: 'RetriesExhausted', result });
    await done();
  }
}

/** The event invoke config that applies: the invoked qualifier's (unqualified means $LATEST). */
export function invokeConfig(configs: InvokeConfigDoc[], qualifier: string | undefined): InvokeConfigDoc | undefined {
  const q = qualifier ?? '$LATEST';
  return configs.find((c) => c.qualifier === q);
}
