// The scheduler's view of one topic's Raft group: reads of the message log (subscribers at the
// same position share one read), a wake-up when something is appended, the delivery lease, and
// the subscriptions' checkpoints. Every call goes to the group's leader, so positions and
// leases are never read stale.
import { decodeReadResult, encodeLogCommand, encodeLogQuery, type LogRecordView } from '../../../storage/partitions/log-codec.js';
import { type LeaseRecord, type ShardState, decodeLeaseResult, decodeOffsetResult, decodeShardStateResult, encodeStreamCommand, encodeStreamQuery } from '../../../storage/partitions/stream-codec.js';
import { DELIVERY_LEASE, encodeTopicCommand } from '../../../storage/partitions/topic-codec.js';
import { decodeResult } from '../../../storage/partitions/envelope.js';
import { type SnsBackend } from '../../gateway/sns/backend.js';

export const LEASE_TTL_MS = 15_000;
const READ_RECORDS = 256;
const READ_BYTES = 4 * 1024 * 1024;

export interface LogBatch {
  records: LogRecordView[];
  nextOffset: number;
  firstOffset: number;
}

export class TopicLog {
  /** Reads in flight or just answered, by start offset: many subscribers at one position read once. */
  private readonly reads = new Map<number, Promise<LogBatch>>();
  private appliedIndex = 0;
  private waiting: Promise<void> | undefined;

  constructor(
    private readonly sns: SnsBackend,
    readonly groupId: number,
  ) {}

  read(from: number): Promise<LogBatch> {
    let p = this.reads.get(from);
    if (p) return p;
    p = this.fetch(from);
    this.reads.set(from, p);
    // Kept while in flight and briefly after, so subscribers that finish a batch together share the next read.
    const forget = (): void => {
      setTimeout(() => this.reads.get(from) === p && this.reads.delete(from), 50).unref();
    };
    p.then(forget, () => this.reads.delete(from));
    return p;
  }

  private async fetch(from: number): Promise<LogBatch> {
    const r = decodeReadResult(await this.sns.client.read(this.groupId, encodeLogQuery({ type: 'read', fromOffset: from, maxRecords: READ_RECORDS, maxBytes: READ_BYTES })));
    if (!r.ok) {
      if (r.code === 'OutOfRange') {
        // Trimmed below the position (nothing there was owed to anyone: see TopicDeliverer's
        // trimming), or a position past the end: continue from where the log is.
        const st = await this.state();
        const next = from < st.firstOffset ? st.firstOffset : Math.min(from, st.nextOffset);
        return { records: [], nextOffset: next, firstOffset: st.firstOffset };
      }
      throw new Error(`topic log read failed: ${r.message}`);
    }
    return { records: r.value.records, nextOffset: r.value.nextOffset, firstOffset: r.value.firstOffset };
  }

  /** Resolves when the group applied something new (an append), or after waitMs; shared by every waiter. */
  changed(waitMs: number): Promise<void> {
    this.waiting ??= this.sns.client
      .watch(this.groupId, this.appliedIndex, waitMs)
      .then((index) => {
        this.appliedIndex = index;
      })
      .finally(() => {
        this.waiting = undefined;
      });
    return this.waiting;
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
