/**
 * On-disk key layout of a storage node's engine. All Raft groups of a node share one engine, so
 * every group lives under its own prefix and a group is destroyed with one range delete.
 *
 * Format version 1 (FORMAT_VERSION). Integers are big-endian so byte order equals numeric order.
 *
 * | key                                     | value (codec.ts)                          |
 * |-----------------------------------------|-------------------------------------------|
 * | 0x00 "format"                           | u32 format version                        |
 * | 0x00 "group" g:u32                      | the host's descriptor of group g (opaque) |
 * | 0x00 "metaleft"                       | present once this node's replica of the   |
 * |                                         | meta group was moved away (never bootstrap|
 * |                                         | it again from the initial peers)          |
 * | 0x01 g:u32 0x01                         | HardState                                 |
 * | 0x01 g:u32 0x02                         | SnapshotMetadata (+ data length)          |
 * | 0x01 g:u32 0x03                         | AppliedState {index, confState}           |
 * | 0x01 g:u32 0x04 i:u64                   | Entry at log index i                      |
 * | 0x01 g:u32 0x05 n:u32                   | chunk n of the snapshot data blob         |
 * | 0x01 g:u32 0x06                         | TruncatedState: index/term of last        |
 * |                                         | compacted entry (the log's "dummy")       |
 * | 0x01 g:u32 0x10 rel...                  | the group's state machine, key `rel`      |
 *
 * Subspace bytes are never reused for another meaning; new subspaces take unused bytes and
 * bump FORMAT_VERSION only if old builds could misread the data.
 */
import { type Engine } from './engine.js';

export const FORMAT_VERSION = 1;
export const FORMAT_KEY: Uint8Array = Uint8Array.of(0x00, ...new TextEncoder().encode('format'));

/** Written when the node's meta-group replica is destroyed (moved away): never bootstrap it again. */
export const META_LEFT_KEY: Uint8Array = Uint8Array.of(0x00, ...new TextEncoder().encode('metaleft'));

const DESCRIPTOR_PREFIX: Uint8Array = Uint8Array.of(0x00, ...new TextEncoder().encode('group'));

/** Node-wide record of a group the node hosts; the host owns the value's format. */
export function descriptorKey(g: number): Uint8Array {
  checkGroup(g);
  const key = new Uint8Array(DESCRIPTOR_PREFIX.byteLength + 4);
  key.set(DESCRIPTOR_PREFIX);
  new DataView(key.buffer).setUint32(DESCRIPTOR_PREFIX.byteLength, g);
  return key;
}

/** [start, end) covering every descriptor key. */
export function descriptorRange(): [Uint8Array, Uint8Array] {
  const end = DESCRIPTOR_PREFIX.slice();
  end[end.byteLength - 1]!++;
  return [DESCRIPTOR_PREFIX.slice(), end];
}

const GROUP_TAG = 0x01;
const SUB_HARD_STATE = 0x01;
const SUB_SNAPSHOT_META = 0x02;
const SUB_APPLIED = 0x03;
const SUB_LOG = 0x04;
const SUB_SNAPSHOT_DATA = 0x05;
const SUB_TRUNCATED = 0x06;
const SUB_SM = 0x10;

const MAX_GROUP = 0xffffffff;
const TWO_32 = 0x1_0000_0000;

function checkGroup(g: number): void {
  if (!Number.isInteger(g) || g < 0 || g > MAX_GROUP) throw new RangeError(`group id out of range: ${g}`);
}

/** Writes a non-negative safe integer as u64 BE without BigInt: hi and lo 32-bit halves. */
export function writeU64(view: DataView, offset: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of safe range: ${v}`);
  view.setUint32(offset, Math.floor(v / TWO_32));
  view.setUint32(offset + 4, v >>> 0);
}

export function readU64(view: DataView, offset: number): number {
  const v = view.getUint32(offset) * TWO_32 + view.getUint32(offset + 4);
  if (!Number.isSafeInteger(v)) throw new RangeError(`u64 beyond 2^53 at offset ${offset}`);
  return v;
}

function groupKey(g: number, sub: number, extra: number): { key: Uint8Array; view: DataView } {
  checkGroup(g);
  const key = new Uint8Array(6 + extra);
  const view = new DataView(key.buffer);
  key[0] = GROUP_TAG;
  view.setUint32(1, g);
  key[5] = sub;
  return { key, view };
}

export function groupPrefix(g: number): Uint8Array {
  checkGroup(g);
  const key = new Uint8Array(5);
  key[0] = GROUP_TAG;
  new DataView(key.buffer).setUint32(1, g);
  return key;
}

/** Exclusive upper bound of the group's keys. */
export function groupEnd(g: number): Uint8Array {
  checkGroup(g);
  if (g === MAX_GROUP) return Uint8Array.of(GROUP_TAG + 1);
  return groupPrefix(g + 1);
}

export const hardStateKey = (g: number): Uint8Array => groupKey(g, SUB_HARD_STATE, 0).key;
export const snapshotMetaKey = (g: number): Uint8Array => groupKey(g, SUB_SNAPSHOT_META, 0).key;
export const appliedKey = (g: number): Uint8Array => groupKey(g, SUB_APPLIED, 0).key;
export const truncatedKey = (g: number): Uint8Array => groupKey(g, SUB_TRUNCATED, 0).key;

export function logKey(g: number, index: number): Uint8Array {
  const { key, view } = groupKey(g, SUB_LOG, 8);
  writeU64(view, 6, index);
  return key;
}

/** [start, end) covering every log entry key of the group. */
export function logRange(g: number): [Uint8Array, Uint8Array] {
  return [groupKey(g, SUB_LOG, 0).key, groupKey(g, SUB_LOG + 1, 0).key];
}

export function logIndexOf(g: number, key: Uint8Array): number {
  const prefix = groupKey(g, SUB_LOG, 0).key;
  if (key.byteLength !== 14 || !startsWith(key, prefix)) throw new Error(`not a log key of group ${g}: ${hex(key)}`);
  return readU64(new DataView(key.buffer, key.byteOffset, key.byteLength), 6);
}

export function snapshotDataPrefix(g: number): Uint8Array {
  return groupKey(g, SUB_SNAPSHOT_DATA, 0).key;
}

/** [start, end) covering every snapshot data chunk of the group. */
export function snapshotDataRange(g: number): [Uint8Array, Uint8Array] {
  return [snapshotDataPrefix(g), groupKey(g, SUB_SNAPSHOT_DATA + 1, 0).key];
}

export function snapshotChunkKey(g: number, chunk: number): Uint8Array {
  const { key, view } = groupKey(g, SUB_SNAPSHOT_DATA, 4);
  view.setUint32(6, chunk);
  return key;
}

export function snapshotChunkOf(g: number, key: Uint8Array): number {
  if (key.byteLength !== 10 || !startsWith(key, snapshotDataPrefix(g))) {
    throw new Error(`not a snapshot chunk key of group ${g}: ${hex(key)}`);
  }
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(6);
}

export function smKey(g: number, rel: Uint8Array): Uint8Array {
  const { key } = groupKey(g, SUB_SM, rel.byteLength);
  key.set(rel, 6);
  return key;
}

/** [start, end) covering the group's whole state-machine space. */
export function smRange(g: number): [Uint8Array, Uint8Array] {
  return [groupKey(g, SUB_SM, 0).key, groupKey(g, SUB_SM + 1, 0).key];
}

/** The state-machine-relative part of an absolute key of the group. */
export function smRelative(g: number, abs: Uint8Array): Uint8Array {
  if (!startsWith(abs, groupKey(g, SUB_SM, 0).key)) throw new Error(`not a state-machine key of group ${g}: ${hex(abs)}`);
  return abs.subarray(6);
}

/** The group a key belongs to, or undefined for node-wide keys. */
export function groupOf(key: Uint8Array): number | undefined {
  if (key.byteLength < 5 || key[0] !== GROUP_TAG) return undefined;
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
}

/**
 * Every group with at least one key, ascending. Skip-scans: one single-pair scan per group, so
 * the cost does not depend on how much data the groups hold.
 */
export async function listGroupIds(engine: Engine): Promise<number[]> {
  const ids: number[] = [];
  let from: Uint8Array = Uint8Array.of(GROUP_TAG);
  const end = Uint8Array.of(GROUP_TAG + 1);
  for (;;) {
    let found: number | undefined;
    for await (const [k] of engine.scan({ gte: from, lt: end, limit: 1 })) found = groupOf(k);
    if (found === undefined) return ids;
    ids.push(found);
    if (found === MAX_GROUP) return ids;
    from = groupEnd(found);
  }
}

/** Unsigned byte-wise order, the order both engines keep keys in. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.byteLength < prefix.byteLength) return false;
  for (let i = 0; i < prefix.byteLength; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
