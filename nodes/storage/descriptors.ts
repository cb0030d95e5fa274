// Which groups this node hosts, and of what kind: one small record per replica, written with
// the replica's bootstrap state and deleted with its data, so a restart reopens exactly these.
import { type Engine } from '../../storage/engine/engine.js';
import { descriptorKey as engineDescriptorKey, descriptorRange } from '../../storage/engine/keys.js';
import { type PartitionKind } from '../../storage/partitions/kind.js';

export interface Descriptor {
  group: number;
  kind: PartitionKind;
}

// Kind codes are an on-disk format: only add at the end.
const KINDS: PartitionKind[] = ['meta', 'log', 'queue', 'blob', 'stream', 'topic', 'workflow'];

export const descriptorKey = engineDescriptorKey;

export function encodeDescriptor(d: Descriptor): Uint8Array {
  const code = KINDS.indexOf(d.kind);
  if (code < 0) throw new Error(`descriptor: unknown partition kind ${d.kind}`);
  return Uint8Array.of(1, code);
}

export function decodeDescriptor(group: number, v: Uint8Array): Descriptor {
  const kind = v.byteLength === 2 && v[0] === 1 ? KINDS[v[1]!] : undefined;
  if (!kind) throw new Error(`descriptor of group ${group}: unreadable (${v.byteLength} bytes, a newer format?)`);
  return { group, kind };
}

export async function listDescriptors(engine: Engine): Promise<Descriptor[]> {
  const [gte, lt] = descriptorRange();
  const out: Descriptor[] = [];
  for await (const [k, v] of engine.scan({ gte, lt })) {
    const view = new DataView(k.buffer, k.byteOffset, k.byteLength);
    const group = view.getUint32(k.byteLength - 4);
    out.push(decodeDescriptor(group, v));
  }
  return out;
}
