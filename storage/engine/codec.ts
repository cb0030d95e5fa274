/**
 * Value encodings of the keys in keys.ts (format version 1). Fixed-width big-endian fields;
 * u64 fields hold safe integers (< 2^53), node ids are u32.
 *
 *   ConfState        voters:u32 count, u32 × count, learners:u32 count, u32 × count
 *   HardState        term:u64 vote:u32 commit:u64                                (20 bytes)
 *   SnapshotMeta     index:u64 term:u64 dataBytes:u64 ConfState
 *   AppliedState     index:u64 ConfState
 *   TruncatedState   index:u64 term:u64                                           (16 bytes)
 *   Entry            type:u8 term:u64 index:u64 data (rest of the value)
 *
 * Decoders check lengths and throw CorruptionError rather than return garbage: a torn or
 * foreign value must stop the node, not feed the Raft core a wrong log.
 */
import { type ConfState, type Entry, type HardState, type SnapshotMetadata, EntryType } from '../raft/types.js';
import { readU64, writeU64 } from './keys.js';

export class CorruptionError extends Error {
  constructor(what: string, detail: string) {
    super(`corrupt ${what}: ${detail}`);
    this.name = 'CorruptionError';
  }
}

export interface AppliedState {
  index: number;
  confState: ConfState;
}

/** Index and term of the last entry discarded from the log (what term(firstIndex-1) answers). */
export interface TruncatedState {
  index: number;
  term: number;
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function confStateBytes(cs: ConfState): number {
  return 8 + 4 * (cs.voters.length + cs.learners.length);
}

function writeConfState(view: DataView, offset: number, cs: ConfState): number {
  for (const ids of [cs.voters, cs.learners]) {
    view.setUint32(offset, ids.length);
    offset += 4;
    for (const id of ids) {
      view.setUint32(offset, id);
      offset += 4;
    }
  }
  return offset;
}

function readConfState(what: string, view: DataView, offset: number): { cs: ConfState; end: number } {
  const lists: number[][] = [];
  for (let l = 0; l < 2; l++) {
    if (offset + 4 > view.byteLength) throw new CorruptionError(what, 'truncated conf state');
    const n = view.getUint32(offset);
    offset += 4;
    if (offset + 4 * n > view.byteLength) throw new CorruptionError(what, `conf state claims ${n} ids`);
    const ids: number[] = [];
    for (let i = 0; i < n; i++, offset += 4) ids.push(view.getUint32(offset));
    lists.push(ids);
  }
  return { cs: { voters: lists[0]!, learners: lists[1]! }, end: offset };
}

function expectLength(what: string, b: Uint8Array, n: number): void {
  if (b.byteLength !== n) throw new CorruptionError(what, `expected ${n} bytes, got ${b.byteLength}`);
}

export function encodeHardState(hs: HardState): Uint8Array {
  const out = new Uint8Array(20);
  const v = viewOf(out);
  writeU64(v, 0, hs.term);
  v.setUint32(8, hs.vote);
  writeU64(v, 12, hs.commit);
  return out;
}

export function decodeHardState(b: Uint8Array): HardState {
  expectLength('hard state', b, 20);
  const v = viewOf(b);
  return { term: readU64(v, 0), vote: v.getUint32(8), commit: readU64(v, 12) };
}

export function encodeSnapshotMetadata(m: SnapshotMetadata, dataBytes: number): Uint8Array {
  const out = new Uint8Array(24 + confStateBytes(m.confState));
  const v = viewOf(out);
  writeU64(v, 0, m.index);
  writeU64(v, 8, m.term);
  writeU64(v, 16, dataBytes);
  writeConfState(v, 24, m.confState);
  return out;
}

export function decodeSnapshotMetadata(b: Uint8Array): { metadata: SnapshotMetadata; dataBytes: number } {
  if (b.byteLength < 24) throw new CorruptionError('snapshot metadata', `only ${b.byteLength} bytes`);
  const v = viewOf(b);
  const { cs, end } = readConfState('snapshot metadata', v, 24);
  if (end !== b.byteLength) throw new CorruptionError('snapshot metadata', `${b.byteLength - end} trailing bytes`);
  return { metadata: { index: readU64(v, 0), term: readU64(v, 8), confState: cs }, dataBytes: readU64(v, 16) };
}

export function encodeAppliedState(a: AppliedState): Uint8Array {
  const out = new Uint8Array(8 + confStateBytes(a.confState));
  const v = viewOf(out);
  writeU64(v, 0, a.index);
  writeConfState(v, 8, a.confState);
  return out;
}

export function decodeAppliedState(b: Uint8Array): AppliedState {
  if (b.byteLength < 8) throw new CorruptionError('applied state', `only ${b.byteLength} bytes`);
  const v = viewOf(b);
  const { cs, end } = readConfState('applied state', v, 8);
  if (end !== b.byteLength) throw new CorruptionError('applied state', `${b.byteLength - end} trailing bytes`);
  return { index: readU64(v, 0), confState: cs };
}

export function encodeTruncatedState(t: TruncatedState): Uint8Array {
  const out = new Uint8Array(16);
  const v = viewOf(out);
  writeU64(v, 0, t.index);
  writeU64(v, 8, t.term);
  return out;
}

export function decodeTruncatedState(b: Uint8Array): TruncatedState {
  expectLength('truncated state', b, 16);
  const v = viewOf(b);
  return { index: readU64(v, 0), term: readU64(v, 8) };
}

const ENTRY_HEADER = 17;

export function encodeEntry(e: Entry): Uint8Array {
  const out = new Uint8Array(ENTRY_HEADER + e.data.byteLength);
  const v = viewOf(out);
  v.setUint8(0, e.type);
  writeU64(v, 1, e.term);
  writeU64(v, 9, e.index);
  out.set(e.data, ENTRY_HEADER);
  return out;
}

export function decodeEntry(b: Uint8Array): Entry {
  if (b.byteLength < ENTRY_HEADER) throw new CorruptionError('log entry', `only ${b.byteLength} bytes`);
  const v = viewOf(b);
  const type = v.getUint8(0);
  if (EntryType[type] === undefined) throw new CorruptionError('log entry', `unknown entry type ${type}`);
  // Copy the payload: engine buffers may be views into larger pooled allocations.
  return { type: type as EntryType, term: readU64(v, 1), index: readU64(v, 9), data: b.slice(ENTRY_HEADER) };
}
