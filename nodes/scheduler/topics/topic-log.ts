// The scheduler's view of one topic's Raft group: reads of the message log (subscribers at the
// same position share one read), a wake-up when something is appended, the delivery lease, and
// the subscriptions' checkpoints. Every call goes to the group's leader, so positions and
// leases are never read stale.
import { decodeReadResult, encodeLogCommand, encodeLogQuery, type LogRecordView } from '../../../storage/partitions/log-codec.js';
import { type LeaseRecord, type ShardState, decodeLeaseResult, decodeOffsetResult, decodeShardStateResult, encodeStreamCommand, encodeStreamQuery } from '../../../storage/partitions/stream-codec.js';
import { DELIVERY_LEASE, encodeTopicCommand } from '../../../storage/partitions/topic-codec.js';
import { decodeResult } from '../../../storage/partitions/envelope.js';
import { type SnsBackend } from '../../gateway/sns/backend.js';
import { type StoredMessage, decodeStored } from '../../gateway/sns/message.js';

export const LEASE_TTL_MS = 15_000;
const READ_RECORDS = 256;
const READ_BYTES = 4 * 1024 * 1024;

export interface LogBatch {
  records: LogRecordView[];
  /** records[i]'s message, decoded once for every subscriber that reads this batch. */
  messages: StoredMessage[];
  nextOffset: number;
  firstOffset: number;
}

interface CachedRead {
  batch: Promise<LogBatch>;
  /** The newest applied-index mark taken before this read started: it sees everything up to it. */
  after: number;
}

export class TopicLog {
  /** Reads in flight or just answered, by start offset: many subscribers at one position read once. */
  private readonly reads = new Map<number, CachedRead>();
  private readonly waits = new Map<number, Promise<void>>();
  private lastMark = 0;

  constructor(
    private readonly sns: SnsBackend,
    readonly groupId: number,
  ) {}

  /**
   * The records from `from` on. `after`: only a read started after that applied-index mark will
   * do (a subscriber about to wait must not decide on a read older than its mark).
   */
  read(from: number, after = 0): Promise<LogBatch> {
    const hit = this.reads.get(from);
    if (hit && hit.after >= after) return hit.batch;
    const entry: CachedRead = { batch: this.fetch(from), after: this.lastMark };
    this.reads.set(from, entry);
    // Kept while in flight and briefly after, so subscribers that finish a batch together share the next read.
    const forget = (): void => {
      setTimeout(() => this.reads.get(from) === entry && this.reads.delete(from), 50).unref();
    };
    entry.batch.then(forget, () => this.reads.get(from) === entry && this.reads.delete(from));
    return entry.batch;
  }

  private async fetch(from: number): Promise<LogBatch> {
    const r = decodeReadResult(await this.sns.client.read(this.groupId, encodeLogQuery({ type: 'read', fromOffset: from, maxRecords: READ_RECORDS, maxBytes: READ_BYTES })));
    if (!r.ok) {
      if (r.code === 'OutOfRange') {
        // Trimmed below the position (nothing there was owed to anyone: see TopicDeliverer's
        // trimming), or a position past the end: continue from where the log is.
        const st = await this.state();
        const next = from < st.firstOffset ? st.firstOffset : Math.min(from, st.nextOffset);
        return { records: [], messages: [], nextOffset: next, firstOffset: st.firstOffset };
      }
      throw new Error(`topic log read failed: ${r.message}`);
    }
    const records = r.value.records;
    return { records, messages: records.map((x) => decodeStored(x.value)), nextOffset: r.value.nextOffset, firstOffset: r.value.firstOffset };
  }

  /** The group's applied index now: a read started after it sees every append up to it. */
  async mark(): Promise<number> {
    const index = await this.sns.client.watch(this.groupId, 0, 0);
    this.lastMark = Math.max(this.lastMark, index);
    return index;
  }

  /** Resolves once the group applied past `mark` (an append, a checkpoint), or after waitMs; shared by every waiter on the same mark. */
  changed(mark: number, waitMs: number): Promise<void> {
    let p = this.waits.get(mark);
    if (!p) {
      p = this.sns.client
        .watch(this.groupId, mark, waitMs)
        .then((index) => {
          this.lastMark = Math.max(this.lastMark, index);
        })
        .finally(() => this.waits.delete(mark));
      this.waits.set(mark, p);
    }
    return p;
  }

  async state(): Promise<ShardState> {
    const r = decodeShardStateResult(await this.sns.client.read(this.groupId, encodeStreamQuery({ type: 'state' })));
    if (!r.ok) throw new Error(`topic state: ${r.message}`);
    return r.value;
  }

  async offsetAt(timestampMs: number): Promise<number> {
    const r = decodeOffsetResult(await this.sns.client.read(this.groupId, encodeStreamQuery({ type: 'offsetAtTime', timestampMs })));
    if (!r.ok) throw new Error(`topic offset: ${r.message}`);
    return r.value;
  }

  async acquire(owner: string): Promise<LeaseRecord | undefined> {
    const r = decodeLeaseResult(await this.sns.propose(this.groupId, encodeStreamCommand({ type: 'acquireLease', name: DELIVERY_LEASE, owner, ttlMs: LEASE_TTL_MS, steal: false })));
    return r.ok ? r.value : undefined;
  }

  async release(lease: LeaseRecord): Promise<void> {
    await this.sns.propose(this.groupId, encodeStreamCommand({ type: 'releaseLease', name: DELIVERY_LEASE, owner: lease.owner, token: lease.token }));
  }

  /** False when the lease was lost (the positions were not moved). */
  async checkpoint(lease: LeaseRecord, positions: { name: string; offset: number }[], drop: string[]): Promise<boolean> {
    const r = decodeResult(await this.sns.propose(this.groupId, encodeTopicCommand({ type: 'checkpoints', owner: lease.owner, token: lease.token, positions, drop })));
    if (r.ok) return true;
    if (r.code === 'FailedPrecondition') return false;
    throw new Error(`topic checkpoint: ${r.message}`);
  }

  async trimTo(offset: number): Promise<void> {
    await this.sns.propose(this.groupId, encodeLogCommand({ type: 'trimTo', offset }));
  }
}
