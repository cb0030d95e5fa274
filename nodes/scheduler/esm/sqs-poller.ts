// An SQS event source mapping: pollers long-poll the queue, hand batches to the function, and
// delete a message only after the function succeeded with it. A failed message is left alone: it
// becomes visible again after the queue's visibility timeout, and the queue's own redrive policy
// moves it to the dead-letter queue after maxReceiveCount receives. FIFO order needs nothing
// here: a FIFO partition hands out a message group's next message only after the previous one
// was deleted or came back, so groups run in parallel and each stays in order.
//
// Scaling (AWS): a mapping starts with 5 pollers and, while messages keep coming, adds up to 60
// a minute (one a second here) up to 1,000 or ScalingConfig.MaximumConcurrency; a poller that
// finds the queue empty three times running retires, down to the first 5.
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { type MappingDoc } from '../../gateway/lambda/mappings.js';
import { changeByHandles, deleteByHandles } from '../../gateway/sqs/receipts.js';
import { type Delivered, receiveMessages } from '../../gateway/sqs/receive.js';
import { type CompiledFilters, matches, parseFilterCriteria, sqsFilterView } from '../event-filter.js';
import { type BatchOutcome, PROCESSING_FAILED, PROCESSING_OK, invokeBatch } from './batch.js';
import { sleep } from '../../sleep.js';
import { type SqsEventRecord, sqsRecord } from './sqs-event.js';

const INITIAL_POLLERS = 5;
const MAX_POLLERS = 1000;
const SCALE_UP_EVERY_MS = 1000;
/** AWS: an invocation's payload is at most 6 MB; a batch stops growing before it. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024 - 64 * 1024;
const LONG_POLL_MS = 20_000;

export interface MappingRunner {
  stop(): Promise<void>;
}

export class SqsMappingRunner implements MappingRunner {
  private readonly abort = new AbortController();
  private readonly pollers = new Set<Promise<void>>();
  private readonly filters: CompiledFilters;
  private busySince = 0;
  private readonly scaler: NodeJS.Timeout;

  constructor(
    private readonly lambda: LambdaBackend,
    private readonly m: MappingDoc,
    private readonly report: (result: string) => void,
    private readonly log: (line: string) => void,
  ) {
    this.filters = parseFilterCriteria({ Filters: m.filterPatterns.map((p) => ({ Pattern: p })) }, { source: 'sqs' });
    for (let i = 0; i < Math.min(INITIAL_POLLERS, this.limit()); i++) this.addPoller();
    this.scaler = setInterval(() => {
      if (this.busySince > 0 && Date.now() - this.busySince >= SCALE_UP_EVERY_MS && this.pollers.size < this.limit()) this.addPoller();
    }, SCALE_UP_EVERY_MS);
    this.scaler.unref();
  }

  /** Pollers running now (what the mapping's concurrency has scaled to). */
  get concurrency(): number {
    return this.pollers.size;
  }

  private limit(): number {
    return Math.min(MAX_POLLERS, this.m.maximumConcurrency ?? MAX_POLLERS);
  }

  private addPoller(): void {
    const p: Promise<void> = this.poll().finally(() => this.pollers.delete(p));
    this.pollers.add(p);
  }

  async stop(): Promise<void> {
    clearInterval(this.scaler);
    this.abort.abort();
    await Promise.allSettled([...this.pollers]);
  }

  private async poll(): Promise<void> {
    let empty = 0;
    let backoff = 100;
    while (!this.abort.signal.aborted) {
      try {
        const q = await this.lambda.sqs.byArn(this.m.eventSourceArn);
        if (!q) {
          this.report('PROBLEM: Queue does not exist');
          await sleep(5000, this.abort.signal);
          continue;
        }
        const batch = await this.collect(q);
        if (batch.length === 0) {
          // The backlog is gone: stop adding pollers; this one retires after three empty polls.
          this.busySince = 0;
          if (++empty >= 3 && this.pollers.size > INITIAL_POLLERS) return;
          continue;
        }
        empty = 0;
        if (this.busySince === 0) this.busySince = Date.now();
        const throttled = await this.process(q, batch);
        backoff = 100;
        if (throttled) {
          this.busySince = 0;
          await sleep(1000, this.abort.signal);
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log(`scheduler: event source mapping ${this.m.uuid}: ${err instanceof Error ? err.message : String(err)}; retrying`);
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(5000, backoff * 2);
      }
    }
  }

  /** A batch: at once when messages come (no window), else up to BatchSize or the window's end. */
  private async collect(q: QueueRecord): Promise<Delivered[]> {
    const visibilityMs = Number(q.attributes.VisibilityTimeout ?? 30) * 1000;
    const windowMs = this.m.maximumBatchingWindowInSeconds * 1000;
    const deadline = Date.now() + windowMs;
    const out: Delivered[] = [];
    let bytes = 0;
    for (;;) {
      const left = deadline - Date.now();
      const waitMs = out.length === 0 ? (windowMs > 0 ? Math.max(0, left) || LONG_POLL_MS : LONG_POLL_MS) : Math.max(0, left);
      const got = await receiveMessages(this.lambda.sqs, q, { max: Math.min(10, this.m.batchSize - out.length), visibilityTimeoutMs: visibilityMs, waitMs, signal: this.abort.signal });
      for (const d of got) {
        out.push(d);
        bytes += d.record.body.length;
      }
      if (out.length >= this.m.batchSize || bytes >= MAX_BATCH_BYTES || windowMs === 0 || Date.now() >= deadline || this.abort.signal.aborted) return out;
      if (got.length === 0 && out.length === 0 && Date.now() >= deadline) return out;
    }
  }

  /** Runs one batch; true when the function was throttled. */
  private async process(q: QueueRecord, batch: Delivered[]): Promise<boolean> {
    const region = this.lambda.opts.region;
    const records = batch.map((d) => sqsRecord(q, this.m.eventSourceArn, region, d));
    // AWS deletes the messages no filter matches: they never reach the function.
    const passing: SqsEventRecord[] = [];
    const dropped: string[] = [];
    for (const r of records) {
      if (this.filters.patterns.length === 0 || matches(this.filters, sqsFilterView(r))) passing.push(r);
      else dropped.push(r.receiptHandle);
    }
    if (dropped.length > 0) await deleteByHandles(this.lambda.sqs, q, dropped);
    if (passing.length === 0) return false;
    const outcome: BatchOutcome = await invokeBatch(this.lambda, this.m, { Records: passing }, passing.map((r) => r.messageId));
    switch (outcome.kind) {
      case 'ok':
        await deleteByHandles(this.lambda.sqs, q, passing.map((r) => r.receiptHandle));
        this.report(PROCESSING_OK);
        return false;
      case 'partial': {
        const failed = new Set(outcome.failed);
        await deleteByHandles(this.lambda.sqs, q, passing.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle));
        this.report(PROCESSING_OK);
        return false;
      }
      case 'error':
        // Left in flight: back after the visibility timeout, to the DLQ by the queue's redrive policy.
        this.report(PROCESSING_FAILED);
        return false;
      case 'throttled':
        // Not the messages' fault: let them be received again soon rather than after the full timeout.
        await changeByHandles(this.lambda.sqs, q, passing.map((r) => ({ handle: r.receiptHandle, timeout: 1 })));
        return true;
    }
  }
}
