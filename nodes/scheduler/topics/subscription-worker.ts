// One subscription's delivery: reads the topic's log from the subscription's position, keeps
// the messages its filter policy matches, delivers them, and only then moves the position. A
// message our side could not take (a queue partition electing a leader, a full async queue) is
// retried without moving the position; one the endpoint refused goes to the subscription's
// dead-letter queue or is dropped, as AWS does. Each subscription moves at its own pace, so a
// slow HTTP endpoint holds back no one else.
import { type SubscriptionRecord, type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { type StoredMessage } from '../../gateway/sns/message.js';
import { sequenceNumberOf } from '../../gateway/sns/backend.js';
import { settledWithin, sleep } from '../../sleep.js';
import { Attr, SpanName, withSpan } from '../../telemetry/index.js';
import { Metric } from '../../telemetry/metric-names.js';
import { type Counter, type MetricsRegistry } from '../../telemetry/metrics.js';
import { type FilterPolicy, compileFilterPolicy } from './filter-policy.js';
import { type PublishedMessage } from './notification.js';
import { type Outcome, type TargetDeps, deliver, toDeadLetterQueue } from './targets.js';
import { type LogBatch, type TopicLog } from './topic-log.js';

const IDLE_WAIT_MS = 1000;
const MAX_BACKOFF_MS = 5000;

export interface WorkerDeps extends TargetDeps {
  log: (line: string) => void;
  /** Called after every batch is done with: the new position to checkpoint. */
  progress: (subscriptionId: string, offset: number) => void;
  metrics?: MetricsRegistry;
}

export class SubscriptionWorker {
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  private readonly filter: FilterPolicy | undefined;
  private readonly deliveredC: Counter<'topic' | 'protocol'> | undefined;
  private readonly failedC: Counter<'topic' | 'protocol'> | undefined;

  constructor(
    private readonly d: WorkerDeps,
    private readonly topicLog: TopicLog,
    private readonly topic: TopicRecord,
    private readonly topicArn: string,
    readonly sub: SubscriptionRecord,
    public position: number,
  ) {
    this.deliveredC = d.metrics?.counter(Metric.NumberOfNotificationsDelivered);
    this.failedC = d.metrics?.counter(Metric.NumberOfNotificationsFailed);
    const policy = sub.attributes.FilterPolicy;
    this.filter = policy ? compileFilterPolicy(policy, sub.attributes.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes') : undefined;
    this.done = this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) d.log(`scheduler: subscription ${topicArn}:${sub.id}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    // A read or a send in flight may keep retrying (its group deleted, its node gone): the
    // position has not moved for it, so it is safe to leave behind.
    await settledWithin(this.done, 1000);
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    // Set after a read found nothing: the next read must start after this applied-index mark, and
    // if it finds nothing too the worker waits for the index to pass it, so no append is missed.
    let mark: number | undefined;
    // After a wait, a read from before it will not do.
    let freshAfter = 0;
    while (!this.signal.aborted) {
      let batch: LogBatch;
      try {
        batch = await this.topicLog.read(this.position, mark ?? freshAfter);
      } catch (err) {
        this.d.log(`scheduler: topic ${this.topic.name}: reading the log failed (${err instanceof Error ? err.message : String(err)}); retrying`);
        await sleep(backoff, this.signal);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        continue;
      }
      backoff = 100;
      if (batch.records.length === 0) {
        if (batch.nextOffset !== this.position) {
          this.advance(batch.nextOffset);
        } else if (mark === undefined) {
          // The read may predate an append that is applied by now: look again after a mark.
          mark = await this.topicLog.mark().catch(() => undefined);
          if (mark === undefined) await sleep(IDLE_WAIT_MS, this.signal);
        } else {
          await settledOrAborted(this.topicLog.changed(mark, IDLE_WAIT_MS).catch(() => sleep(IDLE_WAIT_MS, this.signal)), this.signal);
          freshAfter = mark + 1;
          mark = undefined;
        }
        continue;
      }
      mark = undefined;
      freshAfter = 0;
      const matched: PublishedMessage[] = [];
      for (let i = 0; i < batch.records.length; i++) {
        const r = batch.records[i]!;
        if (r.timestampMs < this.sub.activeSinceMs - ACTIVATION_SKEW_MS) continue;
        const m = this.message(r.offset, r.timestampMs, batch.messages[i]!);
        if (this.matches(m)) matched.push(m);
      }
      if (matched.length > 0) {
        await withSpan(SpanName.TopicDeliver, { [Attr.TopicName]: this.topic.name, [Attr.SubscriptionProtocol]: this.sub.protocol, [Attr.Messages]: matched.length }, () => this.deliverAll(matched));
      }
      if (this.signal.aborted) return;
      this.advance(batch.nextOffset);
    }
  }

  private advance(offset: number): void {
    this.position = offset;
    this.d.progress(this.sub.id, offset);
  }

  private message(offset: number, timestampMs: number, s: StoredMessage): PublishedMessage {
    return {
      messageId: s.id,
      topicArn: this.topicArn,
      timestampMs,
      message: s.message,
      ...(s.subject !== undefined ? { subject: s.subject } : {}),
      ...(s.structure ? { structure: s.structure } : {}),
      attributes: s.attributes,
      ...(s.groupId !== undefined ? { groupId: s.groupId } : {}),
      ...(s.dedupId !== undefined ? { dedupId: s.dedupId } : {}),
      ...(this.topic.fifo ? { sequenceNumber: sequenceNumberOf(offset) } : {}),
    };
  }

  private matches(m: PublishedMessage): boolean {
    if (!this.filter) return true;
    const body = this.filter.scope === 'MessageBody' ? m.message : '';
    return this.filter.matches({ attributes: m.attributes, body });
  }

  /** Until every message is delivered, dead-lettered or dropped (or the worker stops). */
  private async deliverAll(messages: PublishedMessage[]): Promise<void> {
    let pending = messages;
    let backoff = 100;
    while (pending.length > 0 && !this.signal.aborted) {
      const outcomes = await deliver(this.d, this.topic, this.topicArn, this.sub, pending);
      const again: PublishedMessage[] = [];
      let delivered = 0;
      for (let i = 0; i < pending.length; i++) {
        const o = outcomes[i]!;
        const m = pending[i]!;
        if (o.kind === 'delivered') delivered++;
        else if (o.kind === 'retry') again.push(m);
        else if (!(await this.deadLetter(m, o))) again.push(m);
      }
      if (delivered > 0) this.deliveredC?.inc({ topic: this.topic.name, protocol: this.sub.protocol }, delivered);
      if (again.length > 0) {
        const why = outcomes.find((o): o is Extract<Outcome, { kind: 'retry' }> => o.kind === 'retry')?.reason;
        if (why && backoff >= 1600) this.d.log(`scheduler: subscription ${this.topicArn}:${this.sub.id}: delivery retrying (${why})`);
        await sleep(backoff, this.signal);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
      pending = again;
    }
  }

  /** True when the failed message is dealt with (dead-lettered or dropped); false to try it again. */
  private async deadLetter(m: PublishedMessage, o: Extract<Outcome, { kind: 'failed' }>): Promise<boolean> {
    const r = await toDeadLetterQueue(this.d, this.topic, this.topicArn, this.sub, m, o);
    if (r?.kind !== 'retry') this.failedC?.inc({ topic: this.topic.name, protocol: this.sub.protocol }, 1);
    if (r === undefined || r.kind === 'failed') {
      this.d.log(`scheduler: subscription ${this.topicArn}:${this.sub.id}: message ${m.messageId} dropped (${o.code}: ${o.reason})${r ? `; its dead-letter queue refused it too (${r.reason})` : ''}`);
      return true;
    }
    return r.kind === 'delivered';
  }
}

/**
 * Messages published before the subscription was active are not its to get; the comparison
 * allows for the two leaders' clocks (the meta group's and the topic group's) differing a little.
 */
export const ACTIVATION_SKEW_MS = 1000;

/**
 * Resolves when `p` settles or the signal aborts, whichever comes first. The listener goes when
 * `p` wins: one left per idle wait would pile up on the worker's signal for as long as it runs.
 */
function settledOrAborted(p: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    p.then(done, done);
  });
}
