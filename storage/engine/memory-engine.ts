import { type Engine, type KvOp, type ScanOptions } from './engine.js';
import { compareKeys } from './keys.js';

interface Pair {
  key: Uint8Array;
  value: Uint8Array;
}

/** A key's state before an unsynced write touched it, so crash() can roll the write back. */
interface Undo {
  key: Uint8Array;
  value: Uint8Array | undefined;
}

/**
 * Engine over a sorted array, for the simulator and fast tests. Keys and values are copied on
 * the way in and pairs are never mutated in place, so a scan can hold on to a slice of the array
 * as its point-in-time view.
 */
export class MemoryEngine implements Engine {
  readonly kind = 'memory' as const;
  private pairs: Pair[] = [];
  private closed = false;
  /** Undo records of writes since the last synced one, newest last. */
  private undo: Undo[] = [];

  async write(ops: KvOp[], opts: { sync: boolean }): Promise<void> {
    this.writeSync(ops, opts);
  }

  /** write(), done by the time it returns: the simulator drives the engine synchronously. */
  writeSync(ops: KvOp[], opts: { sync: boolean }): void {
    this.checkOpen();
    for (const op of ops) {
      if (op.type === 'put') this.set(op.key.slice(), op.value.slice());
      else if (op.type === 'del') this.set(op.key, undefined);
      else {
        const lo = this.lowerBound(op.start);
        const hi = Math.max(lo, this.lowerBound(op.end));
        for (const p of this.pairs.slice(lo, hi)) this.undo.push({ key: p.key, value: p.value });
        this.pairs.splice(lo, hi - lo);
      }
    }
    if (opts.sync) this.undo = [];
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getSync(key);
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    const i = this.lowerBound(key);
    const p = this.pairs[i];
    return p !== undefined && compareKeys(p.key, key) === 0 ? p.value : undefined;
  }

  /** Every pair in [gte, lt), in key order, read now. */
  scanSync(gte: Uint8Array, lt: Uint8Array): Array<[Uint8Array, Uint8Array]> {
    this.checkOpen();
    const lo = this.lowerBound(gte);
    const hi = Math.max(lo, this.lowerBound(lt));
    return this.pairs.slice(lo, hi).map((p) => [p.key, p.value] as [Uint8Array, Uint8Array]);
  }

  scan(opts: ScanOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.checkOpen();
    const lo = this.lowerBound(opts.gte);
    const hi = Math.max(lo, this.lowerBound(opts.lt));
    const limit = opts.limit ?? Infinity;
    // Taken now, not on first next(): the view is the one at the time of the call.
    let view: Pair[];
    if (opts.reverse) view = this.pairs.slice(Math.max(lo, hi - limit), hi).reverse();
    else view = this.pairs.slice(lo, Math.min(hi, lo + limit));
    return (async function* () {
      for (const p of view) yield [p.key, p.value] as [Uint8Array, Uint8Array];
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * Simulates a machine crash: writes not followed by a synced write are lost. The engine
   * stays usable, as if reopened after the crash.
   */
  crash(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const u = this.undo[i]!;
      this.set(u.key, u.value, false);
    }
    this.undo = [];
    this.closed = false;
  }

  /** Number of keys held. */
  size(): number {
    return this.pairs.length;
  }

  private set(key: Uint8Array, value: Uint8Array | undefined, record = true): void {
    const i = this.lowerBound(key);
    const p = this.pairs[i];
    const exists = p !== undefined && compareKeys(p.key, key) === 0;
    if (record) this.undo.push({ key: exists ? p.key : key.slice(), value: exists ? p.value : undefined });
    if (value === undefined) {
      if (exists) this.pairs.splice(i, 1);
    } else if (exists) {
      // A new object, not a mutation: a scan in progress may still reference the old pair.
      this.pairs[i] = { key: p.key, value };
    } else {
      this.pairs.splice(i, 0, { key, value });
    }
  }

  /** Index of the first pair whose key is >= key. */
  private lowerBound(key: Uint8Array): number {
    let lo = 0;
    let hi = this.pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.pairs[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('memory engine is closed');
  }
}
