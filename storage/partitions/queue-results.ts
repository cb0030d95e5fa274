import { DecodeError, Reader, Writer, fromUtf8, utf8 } from './codec.js';
import { type Decoded, decodeResultWith } from './envelope.js';

/*
 * Result types and their binary formats for the `queue` kind, the message record it stores
 * under 'm' and returns from the `get` and `dead` queries, and the primitives its command codec
 * (queue-codec.ts, which re-exports this module) shares. Every result decoder takes the whole
 * result envelope and answers Decoded<T>: the error result, or the decoded body.
 */

export interface SentMessage {
  seq: number;
  id: string;
  /** A FIFO duplicate: seq and id are those of the message accepted first. */
  duplicate: boolean;
}

export interface SendResult {
  messages: SentMessage[];
}

/** What receive returns per message; everything immutable comes from the `get` query. */
export interface ReceivedMessage {
  seq: number;
  /** The receipt generation: a receipt is (seq, receiveCount). */
  receiveCount: number;
  firstReceiveTs: number;
  sentTimestamp: number;
}

export interface ReceiveResult {
  messages: ReceivedMessage[];
  /** Messages this receive marked dead (receive count reached maxReceiveCount). */
  deadLettered: number;
}

export const DELETE_OUTCOMES = ['deleted', 'stale', 'unknown'] as const;
export type DeleteOutcome = (typeof DELETE_OUTCOMES)[number];
export const VISIBILITY_OUTCOMES = ['ok', 'notInflight', 'invalid', 'tooLong'] as const;
export type VisibilityOutcome = (typeof VISIBILITY_OUTCOMES)[number];

export interface DeleteResult {
  outcomes: DeleteOutcome[];
}
export interface ChangeVisibilityResult {
  outcomes: VisibilityOutcome[];
}
export interface PurgeResult {
  purged: number;
}
export interface ExpireResult {
  expired: number;
  /** The per-command bound was reached: more messages are past retention. */
  more: boolean;
}
export interface AckDeadResult {
  removed: number;
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  delayed: number;
  dead: number;
  expired: number;
  nextVisibleAt: number;
  oldestSentTimestamp: number;
}

/** The immutable message record, as stored and as returned by `get`. */
export interface MessageRecord {
  seq: number;
  id: string;
  body: Uint8Array;
  attributes: Uint8Array;
  md5OfBody: string;
  md5OfAttributes: string;
  sentTimestamp: number;
  groupId?: string;
  dedupId?: string;
  senderId: string;
  traceHeader?: string;
  /** The queue (by name) a dead-letter move took the message from; absent for messages sent directly. */
  deadLetterSource?: string;
}

export interface DeadMessage extends MessageRecord {
  receiveCount: number;
}

// --- shared primitives -----------------------------------------------------------------------

export function writeStr(w: Writer, s: string): Writer {
  return w.bytes(utf8(s));
}

export function readStr(r: Reader, what: string): string {
  const b = r.bytes(what);
  try {
    return fromUtf8(b);
  } catch {
    throw new DecodeError(`${what} is not valid UTF-8`);
  }
}

export function readBool(r: Reader, what: string): boolean {
  const v = r.u8(what);
  if (v > 1) throw new DecodeError(`${what} must be 0 or 1, got ${v}`);
  return v === 1;
}

/** A count followed by items of at least minSize bytes each: fails fast on a lying count. */
export function readCount(r: Reader, minSize: number, what: string): number {
  const n = r.u32(`${what} count`);
  if (n * minSize > r.remaining) throw new DecodeError(`${what} count ${n} exceeds the body`);
  return n;
}

/** Flags of the optional fields, in send items and message records. */
export const F_GROUP = 1;
export const F_DEDUP = 2;
export const F_TRACE = 4;
/** 8 is F_SENT, which only send items use (queue-codec.ts). */
export const F_SOURCE = 16;

// --- message records --------------------------------------------------------------------------

// Fields: str id | str md5OfBody | str md5OfAttributes | u64 sentTimestamp | str senderId |
//   u8 flags | [str groupId] | [str dedupId] | [str traceHeader] | [str deadLetterSource] |
//   bytes attributes | bytes body
export function writeMessageFields(w: Writer, m: Omit<MessageRecord, 'seq'>): Writer {
  const flags =
    (m.groupId !== undefined ? F_GROUP : 0) |
    (m.dedupId !== undefined ? F_DEDUP : 0) |
    (m.traceHeader !== undefined ? F_TRACE : 0) |
    (m.deadLetterSource !== undefined ? F_SOURCE : 0);
  writeStr(w, m.id);
  writeStr(w, m.md5OfBody);
  writeStr(w, m.md5OfAttributes);
  w.u64(m.sentTimestamp);
  writeStr(w, m.senderId).u8(flags);
  if (m.groupId !== undefined) writeStr(w, m.groupId);
  if (m.dedupId !== undefined) writeStr(w, m.dedupId);
  if (m.traceHeader !== undefined) writeStr(w, m.traceHeader);
  if (m.deadLetterSource !== undefined) writeStr(w, m.deadLetterSource);
  return w.bytes(m.attributes).bytes(m.body);
}

export function readMessageFields(r: Reader, seq: number): MessageRecord {
  const id = readStr(r, 'id');
  const md5OfBody = readStr(r, 'md5OfBody');
  const md5OfAttributes = readStr(r, 'md5OfAttributes');
  const sentTimestamp = r.u64('sentTimestamp');
  const senderId = readStr(r, 'senderId');
  const flags = r.u8('flags');
  const groupId = (flags & F_GROUP) !== 0 ? readStr(r, 'groupId') : undefined;
  const dedupId = (flags & F_DEDUP) !== 0 ? readStr(r, 'dedupId') : undefined;
  const traceHeader = (flags & F_TRACE) !== 0 ? readStr(r, 'traceHeader') : undefined;
  const deadLetterSource = (flags & F_SOURCE) !== 0 ? readStr(r, 'deadLetterSource') : undefined;
  const attributes = r.bytes('attributes');
  const body = r.bytes('body');
  const rec: MessageRecord = { seq, id, body, attributes, md5OfBody, md5OfAttributes, sentTimestamp, senderId };
  if (groupId !== undefined) rec.groupId = groupId;
  if (dedupId !== undefined) rec.dedupId = dedupId;
  if (traceHeader !== undefined) rec.traceHeader = traceHeader;
  if (deadLetterSource !== undefined) rec.deadLetterSource = deadLetterSource;
  return rec;
}

// --- results ---------------------------------------------------------------------------------

function decodeList<T>(bytes: Uint8Array, what: string, minSize: number, item: (r: Reader) => T): Decoded<T[]> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const n = readCount(r, minSize, what);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(r));
    r.end(`${what} result`);
    return out;
  });
}

function mapOk<T, U>(d: Decoded<T>, f: (v: T) => U): Decoded<U> {
  return d.ok ? { ok: true, value: f(d.value) } : d;
}

// Send result: u32 n | n × (u64 seq | str id | u8 duplicate)
export function encodeSendResult(res: SendResult): Uint8Array {
  const w = new Writer(4 + res.messages.length * 50).u32(res.messages.length);
  for (const m of res.messages) writeStr(w.u64(m.seq), m.id).u8(m.duplicate ? 1 : 0);
  return w.finish();
}

export function decodeSendResult(bytes: Uint8Array): Decoded<SendResult> {
  const list = decodeList(bytes, 'send', 13, (r) => ({ seq: r.u64('seq'), id: readStr(r, 'id'), duplicate: readBool(r, 'duplicate') }));
  return mapOk(list, (messages) => ({ messages }));
}

// Receive result: u32 deadLettered | u32 n | n × (u64 seq | u32 receiveCount | u64 firstReceiveTs | u64 sentTimestamp)
export function encodeReceiveResult(res: ReceiveResult): Uint8Array {
  const w = new Writer(8 + res.messages.length * 28).u32(res.deadLettered).u32(res.messages.length);
  for (const m of res.messages) w.u64(m.seq).u32(m.receiveCount).u64(m.firstReceiveTs).u64(m.sentTimestamp);
  return w.finish();
}

export function decodeReceiveResult(bytes: Uint8Array): Decoded<ReceiveResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const deadLettered = r.u32('deadLettered');
    const n = readCount(r, 28, 'message');
    const messages: ReceivedMessage[] = [];
    for (let i = 0; i < n; i++) {
      messages.push({ seq: r.u64('seq'), receiveCount: r.u32('receiveCount'), firstReceiveTs: r.u64('firstReceiveTs'), sentTimestamp: r.u64('sentTimestamp') });
    }
    r.end('receive result');
    return { messages, deadLettered };
  });
}

// Delete and change-visibility results: u32 n | n × u8 outcome (index into the outcome list)
function encodeOutcomes(outcomes: readonly string[], names: readonly string[]): Uint8Array {
  const w = new Writer(4 + outcomes.length).u32(outcomes.length);
  for (const o of outcomes) w.u8(names.indexOf(o));
  return w.finish();
}

function decodeOutcomes<T extends string>(bytes: Uint8Array, names: readonly T[], what: string): Decoded<T[]> {
  return decodeList(bytes, what, 1, (r) => {
    const i = r.u8('outcome');
    const name = names[i];
    if (name === undefined) throw new DecodeError(`unknown ${what} outcome ${i}`);
    return name;
  });
}

export function encodeDeleteResult(res: DeleteResult): Uint8Array {
  return encodeOutcomes(res.outcomes, DELETE_OUTCOMES);
}

export function decodeDeleteResult(bytes: Uint8Array): Decoded<DeleteResult> {
  return mapOk(decodeOutcomes(bytes, DELETE_OUTCOMES, 'delete'), (outcomes) => ({ outcomes }));
}

export function encodeChangeVisibilityResult(res: ChangeVisibilityResult): Uint8Array {
  return encodeOutcomes(res.outcomes, VISIBILITY_OUTCOMES);
}

export function decodeChangeVisibilityResult(bytes: Uint8Array): Decoded<ChangeVisibilityResult> {
  return mapOk(decodeOutcomes(bytes, VISIBILITY_OUTCOMES, 'changeVisibility'), (outcomes) => ({ outcomes }));
}

function decodeU64Result(bytes: Uint8Array, what: string): Decoded<number> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const v = r.u64(what);
    r.end(`${what} result`);
    return v;
  });
}

export function encodePurgeResult(res: PurgeResult): Uint8Array {
  return new Writer(8).u64(res.purged).finish();
}

export function decodePurgeResult(bytes: Uint8Array): Decoded<PurgeResult> {
  return mapOk(decodeU64Result(bytes, 'purged'), (purged) => ({ purged }));
}

export function encodeAckDeadResult(res: AckDeadResult): Uint8Array {
  return new Writer(8).u64(res.removed).finish();
}

export function decodeAckDeadResult(bytes: Uint8Array): Decoded<AckDeadResult> {
  return mapOk(decodeU64Result(bytes, 'removed'), (removed) => ({ removed }));
}

export function encodeExpireResult(res: ExpireResult): Uint8Array {
  return new Writer(9).u64(res.expired).u8(res.more ? 1 : 0).finish();
}

export function decodeExpireResult(bytes: Uint8Array): Decoded<ExpireResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { expired: r.u64('expired'), more: readBool(r, 'more') };
    r.end('expire result');
    return res;
  });
}

const STATS_FIELDS = ['visible', 'inFlight', 'delayed', 'dead', 'expired', 'nextVisibleAt', 'oldestSentTimestamp'] as const;

export function encodeStatsResult(s: QueueStats): Uint8Array {
  const w = new Writer(8 * STATS_FIELDS.length);
  for (const f of STATS_FIELDS) w.u64(s[f]);
  return w.finish();
}

export function decodeStatsResult(bytes: Uint8Array): Decoded<QueueStats> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const s: QueueStats = { visible: 0, inFlight: 0, delayed: 0, dead: 0, expired: 0, nextVisibleAt: 0, oldestSentTimestamp: 0 };
    for (const f of STATS_FIELDS) s[f] = r.u64(f);
    r.end('stats result');
    return s;
  });
}

// Get result: u32 n | n × (u64 seq | message fields)
export function encodeGetResult(records: MessageRecord[]): Uint8Array {
  const w = new Writer(256).u32(records.length);
  for (const m of records) writeMessageFields(w.u64(m.seq), m);
  return w.finish();
}

export function decodeGetResult(bytes: Uint8Array): Decoded<MessageRecord[]> {
  return decodeList(bytes, 'get', 8, (r) => readMessageFields(r, r.u64('seq')));
}

// Dead result: u32 n | n × (u64 seq | u32 receiveCount | message fields)
export function encodeDeadResult(records: DeadMessage[]): Uint8Array {
  const w = new Writer(256).u32(records.length);
  for (const m of records) writeMessageFields(w.u64(m.seq).u32(m.receiveCount), m);
  return w.finish();
}

export function decodeDeadResult(bytes: Uint8Array): Decoded<DeadMessage[]> {
  return decodeList(bytes, 'dead', 12, (r) => {
    const seq = r.u64('seq');
    const receiveCount = r.u32('receiveCount');
    return { ...readMessageFields(r, seq), receiveCount };
  });
}
