// Queue metrics (names in nodes/telemetry/metric-names.ts). Counters are incremented where
// sends, receives and deletes succeed (partitions.ts, receive.ts); the depth gauges are read at
// scrape time through the same partition counters GetQueueAttributes uses. Stratus's internal
// queues (`stratus.…`) are left out, as they are from every SQS view.
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { INTERNAL_QUEUE_NAME_PATTERN } from '../../../storage/partitions/meta-queues.js';
import { Metric } from '../../telemetry/metric-names.js';
import { type Counter, type MetricsRegistry, type Sample } from '../../telemetry/metrics.js';
import { type SqsBackend } from './backend.js';
import { queueStats } from './partitions.js';

interface QueueDepth {
  queue: string;
  visible: number;
  notVisible: number;
  delayed: number;
  oldestAgeS: number;
}

/** Queues whose partition counters are read at once during a scrape. */
const SCRAPE_PARALLELISM = 8;
/** The four depth gauges of one scrape share one pass over the queues. */
const PASS_REUSE_MS = 1000;

export class SqsMetrics {
  private readonly sentC: Counter<'queue'>;
  private readonly receivedC: Counter<'queue'>;
  private readonly deletedC: Counter<'queue'>;
  private pass: { at: number; depths: Promise<QueueDepth[]> } | undefined;

  constructor(
    registry: MetricsRegistry,
    private readonly sqs: SqsBackend,
    private readonly now: () => number = Date.now,
  ) {
    this.sentC = registry.counter(Metric.NumberOfMessagesSent);
    this.receivedC = registry.counter(Metric.NumberOfMessagesReceived);
    this.deletedC = registry.counter(Metric.NumberOfMessagesDeleted);
    const gauge = (pick: (d: QueueDepth) => number) => async (): Promise<Sample<'queue'>[]> => (await this.depths()).map((d) => ({ labels: { queue: d.queue }, value: pick(d) }));
    registry.collect(Metric.ApproximateNumberOfMessagesVisible, gauge((d) => d.visible));
    registry.collect(Metric.ApproximateNumberOfMessagesNotVisible, gauge((d) => d.notVisible));
    registry.collect(Metric.ApproximateNumberOfMessagesDelayed, gauge((d) => d.delayed));
    registry.collect(Metric.ApproximateAgeOfOldestMessage, gauge((d) => d.oldestAgeS));
  }

  sent(q: QueueRecord, n: number): void {
    if (n > 0 && !INTERNAL_QUEUE_NAME_PATTERN.test(q.name)) this.sentC.inc({ queue: q.name }, n);
  }

  received(q: QueueRecord, n: number): void {
    if (n > 0 && !INTERNAL_QUEUE_NAME_PATTERN.test(q.name)) this.receivedC.inc({ queue: q.name }, n);
  }

  deleted(q: QueueRecord, n: number): void {
    if (n > 0 && !INTERNAL_QUEUE_NAME_PATTERN.test(q.name)) this.deletedC.inc({ queue: q.name }, n);
  }

  private depths(): Promise<QueueDepth[]> {
    const t = this.now();
    if (this.pass && t - this.pass.at < PASS_REUSE_MS) return this.pass.depths;
    const depths = this.readDepths();
    this.pass = { at: t, depths };
    depths.catch(() => {
      if (this.pass?.depths === depths) this.pass = undefined;
    });
    return depths;
  }

  private async readDepths(): Promise<QueueDepth[]> {
    const queues = await this.sqs.all(); // internal queues are already left out
    const out: QueueDepth[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queues.length) {
        const q = queues[next++]!;
        try {
          const s = await queueStats(this.sqs, q);
          const oldest = s.oldestSentTimestamp;
          out.push({
            queue: q.name,
            visible: s.visible,
            notVisible: s.inFlight,
            delayed: s.delayed,
            oldestAgeS: oldest > 0 ? Math.max(0, Math.floor((this.now() - oldest) / 1000)) : 0,
          });
        } catch {
          // A partition without a leader right now: the queue is left out of this scrape.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCRAPE_PARALLELISM, queues.length) }, worker));
    return out.sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
  }
}
