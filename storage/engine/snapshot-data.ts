/**
 * The data blob of a group snapshot: the group's whole state-machine space, keys relative to
 * it, so a snapshot can be installed under another group id or node layout.
 *
 *   version:u8 (= 1), then per pair: keyLen:u32 key valueLen:u32 value, in key order
 *
 * A zero-length blob (the bootstrap snapshot) stands for an empty state machine.
 */
import { CorruptionError } from './codec.js';
import { type Engine, type KvOp } from './engine.js';
import { smKey, smRange, smRelative } from './keys.js';

export const SNAPSHOT_DATA_VERSION = 1;

export async function encodeSnapshotData(pairs: AsyncIterable<[Uint8Array, Uint8Array]>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [Uint8Array.of(SNAPSHOT_DATA_VERSION)];
  for await (const [k, v] of pairs) {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, k.byteLength);
    const vheader = new Uint8Array(4);
    new DataView(vheader.buffer).setUint32(0, v.byteLength);
    parts.push(header, k, vheader, v);
  }
  return Buffer.concat(parts);
}

export function decodeSnapshotData(data: Uint8Array): Array<[Uint8Array, Uint8Array]> {
  if (data.byteLength === 0) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== SNAPSHOT_DATA_VERSION) throw new CorruptionError('snapshot data', `unknown version ${version}`);
  const pairs: Array<[Uint8Array, Uint8Array]> = [];
  let off = 1;
  const field = (): Uint8Array => {
    if (off + 4 > data.byteLength) throw new CorruptionError('snapshot data', `truncated length at byte ${off}`);
    const n = view.getUint32(off);
    off += 4;
    if (off + n > data.byteLength) throw new CorruptionError('snapshot data', `${n}-byte field at byte ${off} overruns the blob`);
    const b = data.subarray(off, off + n);
    off += n;
    return b;
  };
  while (off < data.byteLength) {
    const k = field();
    pairs.push([k, field()]);
  }
  return pairs;
}

/** Encodes group `groupId`'s state machine as of now (the scan's point-in-time view). */
export function snapshotStateMachine(engine: Engine, groupId: number): Promise<Uint8Array> {
  const [gte, lt] = smRange(groupId);
  const pairs = engine.scan({ gte, lt });
  return encodeSnapshotData(
    (async function* () {
      for await (const [k, v] of pairs) yield [smRelative(groupId, k), v] as [Uint8Array, Uint8Array];
    })(),
  );
}

/** Replaces group `groupId`'s state machine with the snapshot blob's contents. */
export function restoreOps(groupId: number, data: Uint8Array): KvOp[] {
  const [start, end] = smRange(groupId);
  const ops: KvOp[] = [{ type: 'delRange', start, end }];
  for (const [k, v] of decodeSnapshotData(data)) ops.push({ type: 'put', key: smKey(groupId, k), value: v });
  return ops;
}
