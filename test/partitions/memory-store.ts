// A tiny sorted in-memory PartitionStore for the partition tests, independent of storage/engine.
import { type KvOp } from '../../storage/engine/engine.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from '../../storage/partitions/kind.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class MemoryStore implements PartitionStore {
  /** Lowercase hex sorts like the bytes it encodes, so the sorted hex keys are in byte order. */
  private keys: string[] = [];
  private values = new Map<string, Uint8Array>();

  private position(k: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as string) < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  write(ops: KvOp[]): void {
    for (const op of ops) {
      if (op.type === 'put') {
        const k = hex(op.key);
        if (!this.values.has(k)) this.keys.splice(this.position(k), 0, k);
        this.values.set(k, op.value.slice());
      } else if (op.type === 'del') {
        const k = hex(op.key);
        if (this.values.delete(k)) this.keys.splice(this.position(k), 1);
      } else {
        const from = this.position(hex(op.start));
        const to = this.position(hex(op.end));
        for (const k of this.keys.splice(from, Math.max(0, to - from))) this.values.delete(k);
      }
    }
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.values.get(hex(key))?.slice();
  }

  async *scan(opts: { gte: Uint8Array; lt: Uint8Array; limit?: number; reverse?: boolean }): AsyncIterable<[Uint8Array, Uint8Array]> {
    const from = this.position(hex(opts.gte));
    const to = this.position(hex(opts.lt));
    const keys = this.keys.slice(from, Math.max(from, to));
    if (opts.reverse === true) keys.reverse();
    const limit = opts.limit ?? Infinity;
    let n = 0;
    for (const k of keys) {
      if (n++ >= limit) return;
      const v = this.values.get(k) as Uint8Array;
      yield [new Uint8Array(Buffer.from(k, 'hex')), v.slice()];
    }
  }

  size(): number {
    return this.keys.length;
  }

  /** All pairs as hex, in key order: a byte-exact picture of the store for comparisons. */
  dump(): [string, string][] {
    return this.keys.map((k) => [k, hex(this.values.get(k) as Uint8Array)]);
  }
}

/** A state machine on a store, applying commands the way the storage node does. */
export class Harness<SM extends PartitionStateMachine> {
  index = 0;
  readonly store: MemoryStore;

  constructor(
    public sm: SM,
    store?: MemoryStore,
  ) {
    this.store = store ?? new MemoryStore();
  }

  apply(command: Uint8Array): { result: Uint8Array; ops: KvOp[] } {
    const ctx: ApplyContext = { index: ++this.index, ops: [] };
    const result = this.sm.apply(command, ctx);
    this.store.write(ctx.ops);
    return { result, ops: ctx.ops };
  }

  read(query: Uint8Array): Promise<Uint8Array> {
    return this.sm.read(query, this.store);
  }

  /** Simulates a restart: a fresh state machine loaded from the same store. */
  async restart(fresh: SM): Promise<void> {
    await fresh.load(this.store);
    this.sm = fresh;
  }
}
