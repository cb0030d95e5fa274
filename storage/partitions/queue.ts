import { type KvOp } from '../engine/engine.js';
import { DecodeError, Writer } from './codec.js';
import { DedupTable, type DedupOptions } from './dedup.js';
import { type Command, CommandError, decodeQuery, errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from './kind.js';
import {
  type DeadMessage,
  type DeleteOutcome,
  type MessageRecord,
  type QueueCommand,
  type QueueQuery,
  type ReceiptRef,
  type ReceivedMessage,
  type SendItem,
  type SentMessage,
  type VisibilityChange,
  type VisibilityOutcome,
  DEDUP_WINDOW_MS,
  MAX_VISIBILITY_MS,
  decodeQueueCommand,
  decodeQueueQuery,
  encodeAckDeadResult,
  encodeChangeVisibilityResult,
  encodeDeadResult,
  encodeDeleteResult,
  encodeExpireResult,
  encodeGetResult,
  encodePurgeResult,
  encodeReceiveResult,
  encodeSendResult,
  encodeStatsResult,
  validateQueueCommand,
  validateQueueQuery,
  writeSendItem,
} from './queue-codec.js';
import { type Choice, DEAD, DROP, KILL, Msg, PENDING, QueueIndex, STOP, TAKE } from './queue-index.js';
import {
  type Attempt,
  type DedupEntry,
  attemptDel,
  attemptOp,
  dedupEntryDel,
  dedupEntryOp,
  deleteOps,
  loadAttempts,
  loadDedupEntries,
  loadMeta,
  loadStates,
  messageOp,
  metaOp,
  purgeOps,
  readMessage,
  stateOp,
} from './queue-store.js';

export * from './queue-codec.js';

/*
 * The `queue` kind: one partition of an SQS queue, standard or FIFO.
 *
 * The key layout and record formats are in queue-store.ts. Message bodies live only in the
 * store; the in-memory index (queue-index.ts) holds per-message metadata and is rebuilt by
 * load() from the small state records.
 *
 * Time: `now` is the envelope's timestamp clamped to be non-decreasing (a new leader's clock may
 * be behind the old one's) and persisted as `clock`, so visibility, delays, retention and the
 * five-minute windows never run backwards, and a reloaded replica sees the clock that a replica
 * which applied live has. A command that fails validation changes nothing, the clock included.
 *
 * The dedup entries and attempt records are kept in maps in apply order (dedup entries by seq,
 * attempts by Raft index, and load() sorts by those); since the clock is monotonic, the oldest
 * are at the front and each apply forgets a bounded number of expired ones from there.
 */

const MODE_UNSET = 0;
const MODE_STANDARD = 1;
const MODE_FIFO = 2;

/** Expired or dead-lettered messages one receive may remove before it stops looking. */
export const RECEIVE_SKIP_BUDGET = 1000;
/** Messages one expire command removes at most (it answers `more` when it stopped early). */
export const EXPIRE_BATCH = 10_000;
/** Expired dedup entries and attempt records each apply forgets at most, of each kind. */
const FORGET_BATCH = 100;

export interface QueueStateMachineOptions {
  dedup?: DedupOptions;
}

type Of<T extends QueueCommand['type']> = Extract<QueueCommand, { type: T }>;

export class QueueStateMachine implements PartitionStateMachine {
  private readonly dedupOptions: DedupOptions;
  private dedup: DedupTable;
  private mode = MODE_UNSET;
  private nextSeq = 1;
  private clock = 0;
  private index = new QueueIndex();
  private dedupEntries = new Map<string, DedupEntry>();
  private attempts = new Map<string, Attempt>();

  constructor(opts: QueueStateMachineOptions = {}) {
    this.dedupOptions = opts.dedup ?? {};
    this.dedup = new DedupTable(this.dedupOptions);
  }

  async load(store: PartitionStore): Promise<void> {
    const dedup = new DedupTable(this.dedupOptions);
    await dedup.load(store);
    const meta = await loadMeta(store);
    const index = new QueueIndex();
    for await (const st of loadStates(store)) {
      if (st.seq >= meta.nextSeq) throw new Error(`corrupt queue state: message ${st.seq} at or above next seq ${meta.nextSeq}`);
      const group = st.groupId !== undefined && !st.dead ? index.group(st.groupId) : null;
      index.insert(new Msg(st.seq, st.sentTs, st.visibleAt, st.rc, st.firstRecv, st.lastRecv, group), meta.clock, st.dead);
    }
    const dedupEntries = new Map(await loadDedupEntries(store));
    const attempts = new Map(await loadAttempts(store));
    // Assign only once everything decoded, so a failed load leaves the old state intact.
    this.dedup = dedup;
    this.mode = meta.mode;
    this.nextSeq = meta.nextSeq;
    this.clock = meta.clock;
    this.index = index;
    this.dedupEntries = dedupEntries;
    this.attempts = attempts;
  }

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    return this.dedup.applyEncoded(command, ctx, (c, cx) => this.applyOp(c, cx));
  }

  private applyOp(cmd: Command, ctx: ApplyContext): Uint8Array {
    let c: QueueCommand;
    try {
      c = decodeQueueCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', `malformed queue command: ${e.message}`);
      throw e;
    }
    const invalid = validateQueueCommand(c);
    if (invalid !== undefined) return errorResult('InvalidArgument', invalid);
    if ((c.type === 'send' || c.type === 'receive') && this.wrongMode(c.fifo)) return this.modeError(c.fifo);

    const before = { mode: this.mode, nextSeq: this.nextSeq, clock: this.clock };
    const now = Math.max(cmd.timestampMs, this.clock);
    this.clock = now;
    this.index.drain(now);
    const ops = ctx.ops;
    this.forgetExpired(now, ops);
    const result = this.dispatch(c, now, ctx);
    if (this.mode !== before.mode || this.nextSeq !== before.nextSeq || this.clock !== before.clock) {
      ops.push(metaOp({ mode: this.mode, nextSeq: this.nextSeq, clock: this.clock }));
    }
    return result;
  }

  private dispatch(c: QueueCommand, now: number, ctx: ApplyContext): Uint8Array {
    switch (c.type) {
      case 'send':
        return this.send(c, now, ctx.ops);
      case 'receive':
        return this.receive(c, now, ctx);
      case 'delete':
        return okResult(encodeDeleteResult({ outcomes: c.entries.map((e) => this.deleteOne(e, ctx.ops)) }));
      case 'changeVisibility':
        return okResult(encodeChangeVisibilityResult({ outcomes: c.entries.map((e) => this.changeOne(e, now, ctx.ops)) }));
      case 'purge':
        return okResult(encodePurgeResult({ purged: this.purge(ctx.ops) }));
      case 'expire':
        return okResult(encodeExpireResult(this.expire(now - c.retentionMs, ctx.ops)));
      case 'ackDead':
        return okResult(encodeAckDeadResult({ removed: this.ackDead(c.seqs, ctx.ops) }));
    }
  }

  private wrongMode(fifo: boolean): boolean {
    return this.mode !== MODE_UNSET && this.mode !== (fifo ? MODE_FIFO : MODE_STANDARD);
  }

  private modeError(fifo: boolean): Uint8Array {
    const is = this.mode === MODE_FIFO ? 'a FIFO' : 'a standard';
    return errorResult('FailedPrecondition', `this partition holds ${is} queue; the command is for a ${fifo ? 'FIFO' : 'standard'} one`);
  }

  private send(c: Of<'send'>, now: number, ops: KvOp[]): Uint8Array {
    if (this.mode === MODE_UNSET) this.mode = c.fifo ? MODE_FIFO : MODE_STANDARD;
    const out: SentMessage[] = [];
    for (let i = 0; i < c.messages.length; i++) {
      const item = c.messages[i] as SendItem;
      const key = c.fifo && item.dedupId !== undefined ? dedupKey(item, item.dedupId) : undefined;
      const previous = key === undefined ? undefined : this.dedupEntries.get(key);
      if (previous !== undefined && now < previous.acceptedAt + DEDUP_WINDOW_MS) {
        out.push({ seq: previous.seq, id: previous.id, duplicate: true });
        continue;
      }
      const seq = this.nextSeq++;
      const sentTimestamp = item.sentTimestamp ?? now;
      const group = c.fifo ? this.index.group(item.groupId as string) : null;
      const m = new Msg(seq, sentTimestamp, now + item.delayMs, 0, 0, 0, group);
      this.index.insert(m, now, false);
      const encoded = c.encoded?.[i] ?? writeSendItem(new Writer(), item).finish();
      ops.push(messageOp(seq, encoded, sentTimestamp), stateOp(m, false));
      if (key !== undefined) {
        // Re-inserted rather than overwritten, so that the map stays in seq order.
        this.dedupEntries.delete(key);
        const entry = { seq, id: item.id, acceptedAt: now };
        this.dedupEntries.set(key, entry);
        ops.push(dedupEntryOp(key, entry));
      }
      out.push({ seq, id: item.id, duplicate: false });
    }
    return okResult(encodeSendResult({ messages: out }));
  }

  private receive(c: Of<'receive'>, now: number, ctx: ApplyContext): Uint8Array {
    const ops = ctx.ops;
    if (c.attemptId !== undefined) {
      const again = this.replayAttempt(c.attemptId, now);
      if (again !== undefined) return okResult(encodeReceiveResult({ messages: again, deadLettered: 0 }));
    }
    let budget = RECEIVE_SKIP_BUDGET;
    let deadLettered = 0;
    const cutoff = now - c.retentionMs;
    const decide = (m: Msg): Choice => {
      const expired = m.sentTs <= cutoff;
      if (!expired && (c.maxReceiveCount === 0 || m.rc < c.maxReceiveCount)) return TAKE;
      if (budget === 0) return STOP;
      budget--;
      if (expired) {
        ops.push(...deleteOps(m.seq));
        return DROP;
      }
      deadLettered++;
      ops.push(stateOp(m, true));
      return KILL;
    };
    const taken = this.index.choose(now, c.max, c.visibilityTimeoutMs, c.fifo, decide);
    for (const m of taken) ops.push(stateOp(m, false));
    if (c.attemptId !== undefined) this.recordAttempt(c.attemptId, taken, now, ctx);
    return okResult(encodeReceiveResult({ messages: taken.map(received), deadLettered }));
  }

  /** The messages of a remembered attempt, if every one is still in flight in that generation. */
  private replayAttempt(attemptId: string, now: number): ReceivedMessage[] | undefined {
    const a = this.attempts.get(attemptId);
    if (a === undefined || now >= a.at + DEDUP_WINDOW_MS) return undefined;
    const out: ReceivedMessage[] = [];
    for (const e of a.entries) {
      const m = this.index.get(e.seq);
      if (m === undefined || m.state !== PENDING || m.rc !== e.receiveCount) return undefined;
      out.push(received(m));
    }
    return out;
  }

  private recordAttempt(attemptId: string, taken: Msg[], now: number, ctx: ApplyContext): void {
    // Re-inserted rather than overwritten, so that the map stays in apply order.
    const had = this.attempts.delete(attemptId);
    // An empty answer is not remembered: replaying it would hide messages for five minutes.
    if (taken.length === 0) {
      if (had) ctx.ops.push(attemptDel(attemptId));
      return;
    }
    const a: Attempt = { at: now, index: ctx.index, entries: taken.map((m) => ({ seq: m.seq, receiveCount: m.rc })) };
    this.attempts.set(attemptId, a);
    ctx.ops.push(attemptOp(attemptId, a));
  }

  private deleteOne(e: ReceiptRef, ops: KvOp[]): DeleteOutcome {
    const m = this.index.get(e.seq);
    if (m === undefined || m.state === DEAD) return 'unknown';
    // A higher generation than the message's own was never handed out.
    if (m.rc !== e.receiveCount) return e.receiveCount < m.rc ? 'stale' : 'unknown';
    this.index.remove(m);
    ops.push(...deleteOps(m.seq));
    return 'deleted';
  }

  private changeOne(e: VisibilityChange, now: number, ops: KvOp[]): VisibilityOutcome {
    const m = this.index.get(e.seq);
    if (m === undefined || m.state === DEAD || m.rc !== e.receiveCount) return 'invalid';
    if (m.state !== PENDING) return 'notInflight';
    const visibleAt = now + e.visibilityTimeoutMs;
    if (visibleAt > m.lastRecv + MAX_VISIBILITY_MS) return 'tooLong';
    this.index.setVisibleAt(m, visibleAt, now);
    ops.push(stateOp(m, false));
    return 'ok';
  }

  private purge(ops: KvOp[]): number {
    const purged = this.index.size;
    if (purged === 0) return 0;
    this.index = new QueueIndex();
    ops.push(...purgeOps(this.nextSeq));
    return purged;
  }

  private expire(cutoff: number, ops: KvOp[]): { expired: number; more: boolean } {
    let expired = 0;
    for (let m = this.index.oldestSentBy(cutoff); m !== undefined && expired < EXPIRE_BATCH; m = this.index.oldestSentBy(cutoff)) {
      this.index.remove(m);
      ops.push(...deleteOps(m.seq));
      expired++;
    }
    return { expired, more: this.index.oldestSentBy(cutoff) !== undefined };
  }

  private ackDead(seqs: number[], ops: KvOp[]): number {
    let removed = 0;
    for (const seq of seqs) {
      const m = this.index.get(seq);
      if (m === undefined || m.state !== DEAD) continue;
      this.index.remove(m);
      ops.push(...deleteOps(seq));
      removed++;
    }
    return removed;
  }

  private forgetExpired(now: number, ops: KvOp[]): void {
    let n = 0;
    for (const [key, e] of this.dedupEntries) {
      if (n++ >= FORGET_BATCH || now < e.acceptedAt + DEDUP_WINDOW_MS) break;
      this.dedupEntries.delete(key);
      ops.push(dedupEntryDel(key));
    }
    n = 0;
    for (const [id, a] of this.attempts) {
      if (n++ >= FORGET_BATCH || now < a.at + DEDUP_WINDOW_MS) break;
      this.attempts.delete(id);
      ops.push(attemptDel(id));
    }
  }

  /**
   * Queries: `stats` from memory as of max(query now, clock); `get` and `dead` read the message
   * records from the store (absent seqs are omitted).
   */
  async read(query: Uint8Array, store: PartitionStore): Promise<Uint8Array> {
    let q: QueueQuery;
    try {
      const { op, body } = decodeQuery(query);
      q = decodeQueueQuery(op, body);
    } catch (e) {
      if (e instanceof CommandError || e instanceof DecodeError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    const invalid = validateQueueQuery(q);
    if (invalid !== undefined) return errorResult('InvalidArgument', invalid);
    switch (q.type) {
      case 'stats':
        // The index answers for either mode, so the query's fifo flag needs no check.
        return okResult(encodeStatsResult(this.index.stats(Math.max(q.now, this.clock), q.retentionMs)));
      case 'get': {
        const records: MessageRecord[] = [];
        for (const seq of q.seqs) {
          const rec = await readMessage(store, seq);
          if (rec !== undefined) records.push(rec);
        }
        return okResult(encodeGetResult(records));
      }
      case 'dead': {
        const dead = this.index.deadList(q.max).map((m) => ({ seq: m.seq, receiveCount: m.rc }));
        const records: DeadMessage[] = [];
        for (const d of dead) {
          const rec = await readMessage(store, d.seq);
          if (rec !== undefined) records.push({ ...rec, receiveCount: d.receiveCount });
        }
        return okResult(encodeDeadResult(records));
      }
    }
  }
}

function received(m: Msg): ReceivedMessage {
  return { seq: m.seq, receiveCount: m.rc, firstReceiveTs: m.firstRecv, sentTimestamp: m.sentTs };
}

function dedupKey(item: SendItem, dedupId: string): string {
  return (item.dedupScope ?? 'queue') === 'queue' ? `q${dedupId}` : `g${item.groupId ?? ''} ${dedupId}`;
}
