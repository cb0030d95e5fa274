// The replicated application the simulator runs: a key-value register store. Commands and
// snapshots are JSON; a rolling hash over applied entries lets checkers compare whole
// state-machine histories cheaply.

export interface WriteCommand {
  op: number;
  key: string;
  value: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeWrite(c: WriteCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

export function decodeWrite(data: Uint8Array): WriteCommand | undefined {
  if (data.byteLength === 0) return undefined; // a leader's empty entry
  const v: unknown = JSON.parse(dec.decode(data));
  if (typeof v !== 'object' || v === null) throw new Error('kv: malformed command');
  const o = v as Record<string, unknown>;
  if (typeof o.op !== 'number' || typeof o.key !== 'string' || typeof o.value !== 'string') {
    throw new Error('kv: malformed command');
  }
  return { op: o.op, key: o.key, value: o.value };
}

/** FNV-1a over the previous hash, the entry's position and its bytes. */
export function rollHash(prev: number, index: number, term: number, data: Uint8Array): number {
  let h = (prev ^ 0x811c9dc5) >>> 0;
  const mix = (b: number): void => {
    h ^= b & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const n of [index, term]) for (let s = 0; s < 32; s += 8) mix(n >>> s);
  for (const b of data) mix(b);
  return h;
}

export class KvStore {
  data = new Map<string, string>();
  appliedIndex = 0;
  hash = 0;

  apply(index: number, term: number, data: Uint8Array): WriteCommand | undefined {
    const cmd = decodeWrite(data);
    if (cmd) this.data.set(cmd.key, cmd.value);
    this.appliedIndex = index;
    this.hash = rollHash(this.hash, index, term, data);
    return cmd;
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify({ index: this.appliedIndex, hash: this.hash, kv: [...this.data] }));
  }

  static restore(data: Uint8Array): KvStore {
    const s = new KvStore();
    if (data.byteLength === 0) return s; // the bootstrap snapshot
    const v = JSON.parse(dec.decode(data)) as { index: number; hash: number; kv: Array<[string, string]> };
    s.appliedIndex = v.index;
    s.hash = v.hash;
    s.data = new Map(v.kv);
    return s;
  }
}
