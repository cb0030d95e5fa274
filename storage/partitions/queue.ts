import { type KvOp } from '../engine/engine.js';
import { DecodeError, Reader, Writer, fromUtf8, prefixEnd, u64Key, utf8 } from './codec.js';
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
  readSendItem,
  validateQueueCommand,
  validateQueueQuery,
  writeSendItem,
} from './queue-codec.js';
import { type Choice, DEAD, DROP, KILL, Msg, PENDING, QueueIndex, STOP, TAKE } from './queue-index.js';

export * from './queue-codec.js';

/*
 * The `queue` kind: one partition of an SQS queue, standard or FIFO.
 *
 * Relative keys (every value starts with a u8 format version, 1):
 *   'q'               → meta: u8 v | u8 mode (0 not yet known, 1 standard, 2 FIFO) | u64 nextSeq | u64 clock
 *   'm' + u64 seq     → message, immutable: u8 v | u64 sentTimestamp | the send item exactly as it
 *                       arrived in the command (queue-codec.ts; its own sentTimestamp is ignored)
 *   's' + u64 seq     → message state: u8 v | u8 flags (1 dead, 2 FIFO group) | u32 receiveCount |
 *                       u64 visibleAt | u64 firstReceiveTs | u64 lastReceiveTs | u64 sentTimestamp |
 *                       [u32 len | groupId]
 *   'd' + dedup key   → FIFO dedup entry: u8 v | u64 seq | u64 acceptedAt | u32 len | message id
 *                       dedup key: 'q' + dedupId (scope queue) or 'g' + groupId + ' ' + dedupId
 *                       (ids are printable ASCII without spaces, so the key is unambiguous)
 *   'a' + attemptId   → FIFO receive attempt: u8 v | u64 at | u64 Raft index | u32 n |
 *                       n × (u64 seq | u32 receiveCount)
 *
 * Bodies are only in 'm' records; the state records hold everything the in-memory index needs
 * (sentTimestamp and groupId are repeated there), so load() never reads a body.
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

const META_KEY = utf8('q');
const MESSAGE_PREFIX = utf8('m');
const STATE_PREFIX = utf8('s');
const DEDUP_ENTRY_PREFIX = utf8('d');
const ATTEMPT_PREFIX = utf8('a');
const FORMAT_VERSION = 1;

const MODE_UNSET = 0;
const MODE_STANDARD = 1;
const MODE_FIFO = 2;
const STATE_DEAD = 1;
const STATE_GROUP = 2;

/** Expired or dead-lettered messages one receive may remove before it stops looking. */
export const RECEIVE_SKIP_BUDGET = 1000;
/** Messages one expire command removes at most (it answers `more` when it stopped early). */
export const EXPIRE_BATCH = 10_000;
/** Expired dedup entries and attempt records each apply forgets at most, of each kind. */
const FORGET_BATCH = 100;

interface DedupEntry {
  seq: number;
  id: string;
  acceptedAt: number;
}

interface Attempt {
  at: number;
  index: number;
  entries: ReceiptRef[];
}

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
    let mode = MODE_UNSET;
    let nextSeq = 1;
    let clock = 0;
    const meta = await store.get(META_KEY);
    if (meta !== undefined) {
      const r = new Reader(meta);
      checkVersion(r.u8(), 'queue meta');
      mode = r.u8('mode');
      nextSeq = r.u64('nextSeq');
      clock = r.u64('clock');
      r.end('queue meta');
    }
    const index = new QueueIndex();
    for await (const [key, value] of scanPrefix(store, STATE_PREFIX)) {
      const seq = keySeq(key);
      if (seq >= nextSeq) throw new Error(`corrupt queue state: message ${seq} at or above next seq ${nextSeq}`);
      const r = new Reader(value);
      checkVersion(r.u8(), 'queue message state');
      const flags = r.u8('flags');
      const rc = r.u32('receiveCount');
      const visibleAt = r.u64('visibleAt');
      const firstRecv = r.u64('firstReceiveTs');
      const lastRecv = r.u64('lastReceiveTs');
      const sentTs = r.u64('sentTimestamp');
      const groupId = (flags & STATE_GROUP) !== 0 ? fromUtf8(r.bytes('groupId')) : undefined;
      r.end('queue message state');
      const dead = (flags & STATE_DEAD) !== 0;
      const group = groupId !== undefined && !dead ? index.group(groupId) : null;
      index.insert(new Msg(seq, sentTs, visibleAt, rc, firstRecv, lastRecv, group), clock, dead);
    }
    const entries: [string, DedupEntry][] = [];
    for await (const [key, value] of scanPrefix(store, DEDUP_ENTRY_PREFIX)) {
      const r = new Reader(value);
      checkVersion(r.u8(), 'queue dedup entry');
      const entry = { seq: r.u64('seq'), acceptedAt: r.u64('acceptedAt'), id: fromUtf8(r.bytes('id')) };
      r.end('queue dedup entry');
      entries.push([fromUtf8(key.subarray(DEDUP_ENTRY_PREFIX.length)), entry]);
    }
    entries.sort(([, a], [, b]) => a.seq - b.seq);
    const attempts: [string, Attempt][] = [];
    for await (const [key, value] of scanPrefix(store, ATTEMPT_PREFIX)) {
      const r = new Reader(value);
      checkVersion(r.u8(), 'queue receive attempt');
      const at = r.u64('at');
      const idx = r.u64('index');
      const n = r.u32('count');
      const list: ReceiptRef[] = [];
      for (let i = 0; i < n; i++) list.push({ seq: r.u64('seq'), receiveCount: r.u32('receiveCount') });
      r.end('queue receive attempt');
      attempts.push([fromUtf8(key.subarray(ATTEMPT_PREFIX.length)), { at, index: idx, entries: list }]);
    }
    attempts.sort(([, a], [, b]) => a.index - b.index);
    // Assign only once everything decoded, so a failed load leaves the old state intact.
    this.dedup = dedup;
    this.mode = mode;
    this.nextSeq = nextSeq;
    this.clock = clock;
    this.index = index;
    this.dedupEntries = new Map(entries);
    this.attempts = new Map(attempts);
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
    if (this.mode !== before.mode || this.nextSeq !== before.nextSeq || this.clock !== before.clock) ops.push(this.metaOp());
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
      ops.push({ type: 'put', key: seqKey(MESSAGE_PREFIX, seq), value: encodeMessage(encoded, sentTimestamp) }, this.stateOp(m, false));
      if (key !== undefined) {
        // Re-inserted rather than overwritten, so that the map stays in seq order.
        this.dedupEntries.delete(key);
        const entry = { seq, id: item.id, acceptedAt: now };
        this.dedupEntries.set(key, entry);
        const value = new Writer(32 + entry.id.length).u8(FORMAT_VERSION).u64(seq).u64(now).bytes(utf8(entry.id)).finish();
        ops.push({ type: 'put', key: dedupEntryKey(key), value });
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
      ops.push(this.stateOp(m, true));
      return KILL;
    };
    const taken = this.index.choose(now, c.max, c.visibilityTimeoutMs, c.fifo, decide);
    for (const m of taken) ops.push(this.stateOp(m, false));
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
    const key = concat(ATTEMPT_PREFIX, utf8(attemptId));
    const had = this.attempts.delete(attemptId);
    // An empty answer is not remembered: replaying it would hide messages for five minutes.
    if (taken.length === 0) {
      if (had) ctx.ops.push({ type: 'del', key });
      return;
    }
    const entries = taken.map((m) => ({ seq: m.seq, receiveCount: m.rc }));
    this.attempts.set(attemptId, { at: now, index: ctx.index, entries });
    const w = new Writer(21 + 12 * entries.length).u8(FORMAT_VERSION).u64(now).u64(ctx.index).u32(entries.length);
    for (const e of entries) w.u64(e.seq).u32(e.receiveCount);
    ctx.ops.push({ type: 'put', key, value: w.finish() });
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
    ops.push(this.stateOp(m, false));
    return 'ok';
  }

  private purge(ops: KvOp[]): number {
    const purged = this.index.size;
    if (purged === 0) return 0;
    this.index = new QueueIndex();
    // Every seq ever assigned is below nextSeq: two range deletes cover live and dead messages.
    for (const prefix of [MESSAGE_PREFIX, STATE_PREFIX]) {
      ops.push({ type: 'delRange', start: u64Key(prefix, 0), end: u64Key(prefix, this.nextSeq) });
    }
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
      ops.push({ type: 'del', key: dedupEntryKey(key) });
    }
    n = 0;
    for (const [id, a] of this.attempts) {
      if (n++ >= FORGET_BATCH || now < a.at + DEDUP_WINDOW_MS) break;
      this.attempts.delete(id);
      ops.push({ type: 'del', key: concat(ATTEMPT_PREFIX, utf8(id)) });
    }
  }

  private stateOp(m: Msg, dead: boolean): KvOp {
    const g = m.group;
    const value = new Uint8Array(38 + (g === null ? 0 : 4 + g.id.length));
    value[0] = FORMAT_VERSION;
    value[1] = (dead ? STATE_DEAD : 0) | (g !== null ? STATE_GROUP : 0);
    putU32(value, 2, m.rc);
    putU64(value, 6, m.visibleAt);
    putU64(value, 14, m.firstRecv);
    putU64(value, 22, m.lastRecv);
    putU64(value, 30, m.sentTs);
    if (g !== null) putAscii(value, 38, g.id);
    return { type: 'put', key: seqKey(STATE_PREFIX, m.seq), value };
  }

  private metaOp(): KvOp {
    const value = new Uint8Array(18);
    value[0] = FORMAT_VERSION;
    value[1] = this.mode;
    putU64(value, 2, this.nextSeq);
    putU64(value, 10, this.clock);
    return { type: 'put', key: META_KEY, value };
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

function dedupEntryKey(key: string): Uint8Array {
  return concat(DEDUP_ENTRY_PREFIX, utf8(key));
}

function encodeMessage(item: Uint8Array, sentTimestamp: number): Uint8Array {
  const value = new Uint8Array(9 + item.length);
  value[0] = FORMAT_VERSION;
  putU64(value, 1, sentTimestamp);
  value.set(item, 9);
  return value;
}

async function readMessage(store: PartitionStore, seq: number): Promise<MessageRecord | undefined> {
  const value = await store.get(seqKey(MESSAGE_PREFIX, seq));
  if (value === undefined) return undefined;
  const r = new Reader(value);
  checkVersion(r.u8(), 'queue message');
  const sentTimestamp = r.u64('sentTimestamp');
  const m = readSendItem(r);
  r.end('queue message');
  const rec: MessageRecord = {
    seq,
    id: m.id,
    body: m.body,
    attributes: m.attributes,
    md5OfBody: m.md5OfBody,
    md5OfAttributes: m.md5OfAttributes,
    sentTimestamp,
    senderId: m.senderId,
  };
  if (m.groupId !== undefined) rec.groupId = m.groupId;
  if (m.dedupId !== undefined) rec.dedupId = m.dedupId;
  if (m.traceHeader !== undefined) rec.traceHeader = m.traceHeader;
  return rec;
}

// Hot-path encoders: small arrays written byte by byte stay on V8's heap (no ArrayBuffer is
// materialised, as Writer's DataView would), which makes the per-message keys and state
// records several times cheaper to build.

function seqKey(prefix: Uint8Array, seq: number): Uint8Array {
  const key = new Uint8Array(9);
  key[0] = prefix[0] as number;
  putU64(key, 1, seq);
  return key;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

function putU64(b: Uint8Array, at: number, v: number): void {
  putU32(b, at, Math.floor(v / 0x1_0000_0000));
  putU32(b, at + 4, v >>> 0);
}

/** u32 length | the characters: group ids are validated printable ASCII, so UTF-8 is bytewise. */
function putAscii(b: Uint8Array, at: number, s: string): void {
  putU32(b, at, s.length);
  for (let i = 0; i < s.length; i++) b[at + 4 + i] = s.charCodeAt(i);
}

function deleteOps(seq: number): KvOp[] {
  return [
    { type: 'del', key: seqKey(MESSAGE_PREFIX, seq) },
    { type: 'del', key: seqKey(STATE_PREFIX, seq) },
  ];
}

function scanPrefix(store: PartitionStore, prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
  return store.scan({ gte: prefix, lt: prefixEnd(prefix) as Uint8Array });
}

function keySeq(key: Uint8Array): number {
  const r = new Reader(key);
  r.raw(STATE_PREFIX.length);
  const seq = r.u64('seq');
  r.end('queue state key');
  return seq;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Writer(a.length + b.length).raw(a).raw(b).finish();
}

function checkVersion(v: number, what: string): void {
  if (v !== FORMAT_VERSION) throw new Error(`unsupported ${what} format version ${v}`);
}
