import { type KvOp } from '../engine/engine.js';
import { Reader, Writer, fromUtf8, prefixEnd, u64Key, utf8 } from './codec.js';
import { type PartitionStore } from './kind.js';
import { type MessageRecord, type ReceiptRef, readSendItem } from './queue-codec.js';
import { type Msg } from './queue-index.js';

/*
 * What the `queue` kind (queue.ts) keeps in its group's key space. Relative keys; every value
 * starts with a u8 format version (1):
 *
 *   'q'               → meta: u8 v | u8 mode (0 not yet known, 1 standard, 2 FIFO) |
 *                       u64 nextSeq | u64 clock
 *   'm' + u64 seq     → message, immutable: u8 v | u64 sentTimestamp | the send item exactly as it
 *                       arrived in the command (queue-codec.ts; its own sentTimestamp is ignored)
 *   's' + u64 seq     → message state: u8 v | u8 flags (1 dead, 2 FIFO group) | u32 receiveCount |
 *                       u64 visibleAt | u64 firstReceiveTs | u64 lastReceiveTs | u64 sentTimestamp |
 *                       [u32 len | groupId]
 *   'd' + dedup key   → FIFO dedup entry: u8 v | u64 seq | u64 acceptedAt | u32 len | message id;
 *                       the dedup key is 'q' + dedupId (scope queue) or 'g' + groupId + ' ' +
 *                       dedupId (ids are printable ASCII without spaces, so it is unambiguous)
 *   'a' + attemptId   → FIFO receive attempt: u8 v | u64 at | u64 Raft index | u32 n |
 *                       n × (u64 seq | u32 receiveCount)
 *
 * Bodies are only in 'm' records. The state records hold everything the in-memory index needs
 * (sentTimestamp and groupId repeated), so load() never reads a body.
 */

const META_KEY = utf8('q');
const MESSAGE_PREFIX = utf8('m');
const STATE_PREFIX = utf8('s');
const DEDUP_PREFIX = utf8('d');
const ATTEMPT_PREFIX = utf8('a');
const FORMAT_VERSION = 1;
const STATE_DEAD = 1;
const STATE_GROUP = 2;

export interface QueueMeta {
  mode: number;
  nextSeq: number;
  clock: number;
}

export interface StateRecord {
  seq: number;
  rc: number;
  visibleAt: number;
  firstRecv: number;
  lastRecv: number;
  sentTs: number;
  dead: boolean;
  groupId: string | undefined;
}

export interface DedupEntry {
  seq: number;
  id: string;
  acceptedAt: number;
}

export interface Attempt {
  at: number;
  /** Raft index of the receive that recorded it: the apply order load() restores. */
  index: number;
  entries: ReceiptRef[];
}

export function metaOp(m: QueueMeta): KvOp {
  const value = new Uint8Array(18);
  value[0] = FORMAT_VERSION;
  value[1] = m.mode;
  putU64(value, 2, m.nextSeq);
  putU64(value, 10, m.clock);
  return { type: 'put', key: META_KEY, value };
}

export async function loadMeta(store: PartitionStore): Promise<QueueMeta> {
  const value = await store.get(META_KEY);
  if (value === undefined) return { mode: 0, nextSeq: 1, clock: 0 };
  const r = new Reader(value);
  checkVersion(r.u8(), 'queue meta');
  const meta = { mode: r.u8('mode'), nextSeq: r.u64('nextSeq'), clock: r.u64('clock') };
  r.end('queue meta');
  return meta;
}

export function stateOp(m: Msg, dead: boolean): KvOp {
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

/** The state records in seq order. */
export async function* loadStates(store: PartitionStore): AsyncIterable<StateRecord> {
  for await (const [key, value] of scanPrefix(store, STATE_PREFIX)) {
    const k = new Reader(key);
    k.raw(STATE_PREFIX.length);
    const seq = k.u64('seq');
    k.end('queue state key');
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
    yield { seq, rc, visibleAt, firstRecv, lastRecv, sentTs, dead: (flags & STATE_DEAD) !== 0, groupId };
  }
}

/** `item` is the send item's encoding (queue-codec.ts), stored without decoding it again. */
export function messageOp(seq: number, item: Uint8Array, sentTimestamp: number): KvOp {
  const value = new Uint8Array(9 + item.length);
  value[0] = FORMAT_VERSION;
  putU64(value, 1, sentTimestamp);
  value.set(item, 9);
  return { type: 'put', key: seqKey(MESSAGE_PREFIX, seq), value };
}

export async function readMessage(store: PartitionStore, seq: number): Promise<MessageRecord | undefined> {
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
  if (m.deadLetterSource !== undefined) rec.deadLetterSource = m.deadLetterSource;
  return rec;
}

export function deleteOps(seq: number): KvOp[] {
  return [
    { type: 'del', key: seqKey(MESSAGE_PREFIX, seq) },
    { type: 'del', key: seqKey(STATE_PREFIX, seq) },
  ];
}

/** Every seq ever assigned is below nextSeq: two range deletes cover all messages, dead ones too. */
export function purgeOps(nextSeq: number): KvOp[] {
  return [MESSAGE_PREFIX, STATE_PREFIX].map((p): KvOp => ({ type: 'delRange', start: u64Key(p, 0), end: u64Key(p, nextSeq) }));
}

export function dedupEntryOp(key: string, e: DedupEntry): KvOp {
  const value = new Writer(32 + e.id.length).u8(FORMAT_VERSION).u64(e.seq).u64(e.acceptedAt).bytes(utf8(e.id)).finish();
  return { type: 'put', key: concat(DEDUP_PREFIX, utf8(key)), value };
}

export function dedupEntryDel(key: string): KvOp {
  return { type: 'del', key: concat(DEDUP_PREFIX, utf8(key)) };
}

/** The dedup entries in the order they were accepted (by seq). */
export async function loadDedupEntries(store: PartitionStore): Promise<[string, DedupEntry][]> {
  const out: [string, DedupEntry][] = [];
  for await (const [key, value] of scanPrefix(store, DEDUP_PREFIX)) {
    const r = new Reader(value);
    checkVersion(r.u8(), 'queue dedup entry');
    const entry = { seq: r.u64('seq'), acceptedAt: r.u64('acceptedAt'), id: fromUtf8(r.bytes('id')) };
    r.end('queue dedup entry');
    out.push([fromUtf8(key.subarray(DEDUP_PREFIX.length)), entry]);
  }
  return out.sort(([, a], [, b]) => a.seq - b.seq);
}

export function attemptOp(attemptId: string, a: Attempt): KvOp {
  const w = new Writer(21 + 12 * a.entries.length).u8(FORMAT_VERSION).u64(a.at).u64(a.index).u32(a.entries.length);
  for (const e of a.entries) w.u64(e.seq).u32(e.receiveCount);
  return { type: 'put', key: concat(ATTEMPT_PREFIX, utf8(attemptId)), value: w.finish() };
}

export function attemptDel(attemptId: string): KvOp {
  return { type: 'del', key: concat(ATTEMPT_PREFIX, utf8(attemptId)) };
}

/** The attempt records in the order they were recorded (by Raft index). */
export async function loadAttempts(store: PartitionStore): Promise<[string, Attempt][]> {
  const out: [string, Attempt][] = [];
  for await (const [key, value] of scanPrefix(store, ATTEMPT_PREFIX)) {
    const r = new Reader(value);
    checkVersion(r.u8(), 'queue receive attempt');
    const at = r.u64('at');
    const index = r.u64('index');
    const n = r.u32('count');
    const entries: ReceiptRef[] = [];
    for (let i = 0; i < n; i++) entries.push({ seq: r.u64('seq'), receiveCount: r.u32('receiveCount') });
    r.end('queue receive attempt');
    out.push([fromUtf8(key.subarray(ATTEMPT_PREFIX.length)), { at, index, entries }]);
  }
  return out.sort(([, a], [, b]) => a.index - b.index);
}

// Hot-path encoders: small arrays written byte by byte stay on V8's heap (no ArrayBuffer is
// materialised, as Writer's DataView would), which makes the per-message keys and state records
// several times cheaper to build.

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

function scanPrefix(store: PartitionStore, prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
  return store.scan({ gte: prefix, lt: prefixEnd(prefix) as Uint8Array });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Writer(a.length + b.length).raw(a).raw(b).finish();
}

function checkVersion(v: number, what: string): void {
  if (v !== FORMAT_VERSION) throw new Error(`unsupported ${what} format version ${v}`);
}
