// One topic's delivery on this scheduler. It runs while it holds the topic's delivery lease (in
// the topic's own Raft group): one SubscriptionWorker per active subscription, their positions
// checkpointed together every few hundred milliseconds under the lease's token, and the log
// trimmed below the slowest position. A scheduler that crashes or is cut off loses the lease when
// it expires; the next holder resumes every subscription at its checkpoint, so a message is
// delivered at least once to every matching subscription and at most a checkpoint interval's
// worth is delivered twice.
import { type SubscriptionRecord, type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { type LeaseRecord } from '../../../storage/partitions/stream-codec.js';
import { type SnsBackend } from '../../gateway/sns/backend.js';
import { settledWithin, sleep } from '../../sleep.js';
import { ACTIVATION_SKEW_MS, SubscriptionWorker, type WorkerDeps } from './subscription-worker.js';
import { LEASE_TTL_MS, TopicLog } from './topic-log.js';

const TICK_MS = 200;
/** How long stopping waits on each step (cluster calls in flight, the last checkpoint, the release). */
const STOP_WAIT_MS = 2000;
const RENEW_EVERY_MS = 4000;
const TRIM_EVERY_MS = 10_000;
/** Records younger than this stay, whatever the positions: a subscription made a moment ago may not be seen here yet. */
const TRIM_KEEP_MS = 60_000;

export interface DelivererDeps extends Omit<WorkerDeps, 'progress' | 'signal'> {
  sns: SnsBackend;
  /** This scheduler's lease identity. */
  owner: string;
  /** The topic's current record and subscriptions (the manager's latest catalog view). */
  current: () => { topic: TopicRecord; subscriptions: SubscriptionRecord[] } | undefined;
  /** Whether to take a free lease at once (this scheduler is the topic's first choice) or only one left expired. */
  preferred: boolean;
}

export class TopicDeliverer {
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  private readonly topicLog: TopicLog;
  private readonly workers = new Map<string, SubscriptionWorker>();
  private readonly dirty = new Map<string, number>();
  private readonly dropped = new Set<string>();
  private lease: LeaseRecord | undefined;
  private lastTrim = 0;
  /** The topic's record the workers run with (attributes such as SignatureVersion and DeliveryPolicy). */
  private topic: TopicRecord;

  constructor(
    private readonly d: DelivererDeps,
    topic: TopicRecord,
  ) {
    this.topic = topic;
    this.topicLog = new TopicLog(d.sns, topic.groupId);
    this.done = this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) d.log(`scheduler: topic ${topic.name}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  get groupId(): number {
    return this.topicLog.groupId;
  }

  /** Whether this scheduler delivers the topic now (tests look). */
  get holding(): boolean {
    return this.lease !== undefined;
  }

  /** Stops delivering; `groupGone` when the topic was deleted (its group no longer takes commands). */
  async stop(groupGone = false): Promise<void> {
    this.abort.abort();
    await settledWithin(this.done, STOP_WAIT_MS);
    await this.stopWorkers();
    const lease = this.lease;
    if (!lease || groupGone) return;
    // The workers' last positions, then the lease handed back: another scheduler takes over at
    // once instead of after the TTL, and redelivers nothing this one finished.
    await settledWithin(this.flush(), STOP_WAIT_MS);
    this.lease = undefined;
    await settledWithin(this.topicLog.release(lease), STOP_WAIT_MS);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (!this.lease) {
          this.lease = await this.tryAcquire();
          if (!this.lease) {
            await sleep(this.d.preferred ? 1000 : LEASE_TTL_MS / 3, signal);
            continue;
          }
          await this.resume();
        }
        await this.hold();
      } catch (err) {
        if (signal.aborted) return;
        this.d.log(`scheduler: topic ${this.topic.name}: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(1000, signal);
      }
    }
  }

  private async tryAcquire(): Promise<LeaseRecord | undefined> {
    if (!this.d.preferred) {
      // Not this topic's first choice: only take a lease nobody renews, so topics stay spread.
      const st = await this.topicLog.state();
      const l = st.leases.find((x) => x.name === 'delivery');
      if (l && l.owner !== '' && l.expiresAtMs > Date.now() - LEASE_TTL_MS / 3) return undefined;
    }
    return this.topicLog.acquire(this.d.owner);
  }

  /** Starts a worker per active subscription at its checkpoint. */
  private async resume(): Promise<void> {
    const st = await this.topicLog.state();
    const positions = new Map(st.checkpoints.map((c) => [c.name, c.offset]));
    await this.sync(positions);
  }

  private async hold(): Promise<void> {
    const signal = this.abort.signal;
    let renewedAt = Date.now();
    while (!signal.aborted && this.lease) {
      await sleep(TICK_MS, signal);
      if (signal.aborted) break;
      await this.sync(new Map());
      if (!(await this.flush())) return this.lost();
      if (Date.now() - renewedAt >= RENEW_EVERY_MS) {
        const renewed = await this.topicLog.acquire(this.d.owner);
        if (!renewed || renewed.token !== this.lease.token) return this.lost();
        this.lease = renewed;
        renewedAt = Date.now();
      }
      if (Date.now() - this.lastTrim >= TRIM_EVERY_MS) await this.trim();
    }
  }

  private async lost(): Promise<void> {
    this.d.log(`scheduler: topic ${this.topic.name}: delivery lease lost; another scheduler delivers it now`);
    this.lease = undefined;
    await this.stopWorkers();
    // Positions not written are the next holder's to redo from its checkpoints.
    this.dirty.clear();
    this.dropped.clear();
  }

  /** Starts workers for new or changed subscriptions, stops those of removed ones. */
  private async sync(checkpoints: Map<string, number>): Promise<void> {
    const cur = this.d.current();
    if (!cur) return;
    const want = new Map(cur.subscriptions.filter((s) => !s.pending).map((s) => [s.id, s]));
    const topicChanged = JSON.stringify(cur.topic) !== JSON.stringify(this.topic);
    this.topic = cur.topic;
    for (const [id, w] of this.workers) {
      const s = want.get(id);
      if (s && !topicChanged && JSON.stringify(s) === JSON.stringify(w.sub)) continue;
      this.workers.delete(id);
      await w.stop();
      if (!s) {
        this.dirty.delete(id);
        this.dropped.add(id);
      } else {
        checkpoints.set(id, w.position);
      }
    }
    let stored: Map<string, number> | undefined;
    for (const [id, s] of want) {
      if (this.workers.has(id) || this.abort.signal.aborted) continue;
      let position = checkpoints.get(id);
      if (position === undefined) {
        // One read of the stored positions for every subscription this pass starts.
        stored ??= new Map((await this.topicLog.state()).checkpoints.map((c) => [c.name, c.offset]));
        position = stored.get(id) ?? (await this.topicLog.offsetAt(s.activeSinceMs - ACTIVATION_SKEW_MS));
        this.dirty.set(id, position);
      }
      this.workers.set(id, this.worker(this.topic, s, position));
    }
  }

  private worker(topic: TopicRecord, sub: SubscriptionRecord, position: number): SubscriptionWorker {
    return new SubscriptionWorker(
      { ...this.d, signal: this.abort.signal, progress: (id, offset) => this.dirty.set(id, offset) },
      this.topicLog,
      topic,
      this.d.sns.topicArn(topic.name),
      sub,
      position,
    );
  }

  /** Writes the moved positions in one fenced command; false when the lease is gone. */
  private async flush(): Promise<boolean> {
    if (!this.lease || (this.dirty.size === 0 && this.dropped.size === 0)) return true;
    const positions = [...this.dirty].map(([name, offset]) => ({ name, offset }));
    const drop = [...this.dropped];
    this.dirty.clear();
    this.dropped.clear();
    try {
      return await this.topicLog.checkpoint(this.lease, positions, drop);
    } catch (err) {
      // Not written: keep them for the next tick (newer positions of the same subscriptions win).
      for (const p of positions) if (!this.dirty.has(p.name)) this.dirty.set(p.name, p.offset);
      for (const id of drop) this.dropped.add(id);
      throw err;
    }
  }

  private async trim(): Promise<void> {
    this.lastTrim = Date.now();
    const st = await this.topicLog.state();
    let low = st.nextOffset;
    for (const w of this.workers.values()) low = Math.min(low, w.position);
    for (const c of st.checkpoints) if (this.workers.has(c.name)) low = Math.min(low, c.offset);
    const keep = await this.topicLog.offsetAt(Date.now() - TRIM_KEEP_MS);
    const to = Math.min(low, keep);
    if (to > st.firstOffset) await this.topicLog.trimTo(to);
  }

  private async stopWorkers(): Promise<void> {
    const all = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(all.map((w) => w.stop()));
  }
}
