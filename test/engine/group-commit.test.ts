import { describe, expect, it } from 'vitest';
import { type Engine, type KvOp, type ScanOptions } from '../../storage/engine/engine.js';
import { GroupCommitter } from '../../storage/engine/group-commit.js';
import { GroupStorage } from '../../storage/engine/group-storage.js';
import { MemoryEngine } from '../../storage/engine/memory-engine.js';
import { EntryType } from '../../storage/raft/types.js';

/** Records every write and lets the test decide when each one completes. */
class RecordingEngine implements Engine {
  readonly kind = 'memory' as const;
  readonly inner = new MemoryEngine();
  readonly writes: Array<{ ops: KvOp[]; sync: boolean }> = [];
  inFlight = 0;
  maxInFlight = 0;
  private gates: Array<() => void> = [];
  manual = false;
  failNext = false;

  async write(ops: KvOp[], opts: { sync: boolean }): Promise<void> {
    this.writes.push({ ops: [...ops], sync: opts.sync });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.manual) await new Promise<void>((resolve) => this.gates.push(resolve));
      if (this.failNext) {
        this.failNext = false;
        throw new Error('disk on fire');
      }
      await this.inner.write(ops, opts);
    } finally {
      this.inFlight--;
    }
  }

  /** Completes the oldest write still waiting. */
  release(): void {
    this.gates.shift()?.();
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(key);
  }
  scan(opts: ScanOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.inner.scan(opts);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const put = (k: number): KvOp => ({ type: 'put', key: Uint8Array.of(k), value: Uint8Array.of(k, k) });
const tick = () => new Promise<void>((r) => setImmediate(r));

describe('GroupCommitter', () => {
  it('writes the ops of several groups in one synced write', async () => {
    const engine = new RecordingEngine();
    const gc = new GroupCommitter(engine);
    const groups = [1, 2, 3].map((g) => GroupStorage.bootstrap(g, [1]));
    for (const { ops } of groups) gc.add(ops);
    await gc.flush();
    for (const { storage } of groups) {
      const entries = [2, 3].map((index) => ({ index, term: 1, type: EntryType.Normal, data: Uint8Array.of(index) }));
      gc.add(storage.persistReady({ entries, hardState: { term: 1, vote: 1, commit: 3 } }), entries.length);
    }
    await gc.flush();
    expect(engine.writes.length).toBe(2);
    expect(engine.writes.every((w) => w.sync)).toBe(true);
    expect(gc.stats).toMatchObject({ writes: 2, fsyncs: 2, entriesSynced: 6 });
    for (const g of [1, 2, 3]) {
      const reopened = await GroupStorage.open(engine, g);
      expect(reopened?.lastIndex()).toBe(3);
    }
  });

  it('pipelines: one write at a time, in order, later ops in the next write', async () => {
    const engine = new RecordingEngine();
    engine.manual = true;
    const gc = new GroupCommitter(engine);
    gc.add([put(1)], 1);
    const f1 = gc.flush();
    await tick();
    expect(engine.writes.length).toBe(1);
    // While the first write is in flight, three cycles queue up and flush.
    gc.add([put(2)], 1);
    const f2 = gc.flush();
    gc.add([put(3)], 1);
    const f3 = gc.flush();
    gc.add([{ type: 'del', key: Uint8Array.of(2) }], 0);
    const f4 = gc.flush();
    await tick();
    expect(engine.writes.length).toBe(1);
    let f2done = false;
    void f2.then(() => (f2done = true));
    engine.release();
    await f1;
    await tick();
    expect(f2done).toBe(false);
    expect(engine.writes.length).toBe(2);
    expect(engine.writes[1]!.ops.map((op) => (op.type === 'delRange' ? -1 : op.key[0]))).toEqual([2, 3, 2]);
    engine.release();
    await Promise.all([f2, f3, f4]);
    expect(engine.maxInFlight).toBe(1);
    expect(await engine.get(Uint8Array.of(2))).toBeUndefined();
    expect(await engine.get(Uint8Array.of(3))).toEqual(Uint8Array.of(3, 3));
    expect(gc.stats).toMatchObject({ writes: 2, fsyncs: 2, entriesSynced: 3, ops: 4 });
    // Nothing queued: flush is immediate and writes nothing.
    await gc.flush();
    expect(engine.writes.length).toBe(2);
  });

  it('writes without fsync only when every vote declined it', async () => {
    const engine = new RecordingEngine();
    const gc = new GroupCommitter(engine);
    gc.add([put(1)], { sync: false });
    await gc.flush();
    gc.add([put(2)], 0);
    await gc.flush(false);
    gc.add([put(3)], { sync: false });
    gc.add([put(4)], { sync: true });
    await gc.flush();
    gc.add([put(5)], 0);
    await gc.flush(true);
    gc.add([put(6)], 0);
    await gc.flush();
    expect(engine.writes.map((w) => w.sync)).toEqual([false, false, true, true, true]);
    expect(gc.stats.fsyncs).toBe(3);
    expect(gc.stats.writes).toBe(5);
    expect(gc.stats.bytes).toBe(6 * 3);
  });

  it('rejects the flushes whose ops a failed write carried, and recovers after', async () => {
    const engine = new RecordingEngine();
    const gc = new GroupCommitter(engine);
    engine.failNext = true;
    gc.add([put(1)]);
    await expect(gc.flush()).rejects.toThrow('disk on fire');
    gc.add([put(2)]);
    await gc.flush();
    expect(await engine.get(Uint8Array.of(1))).toBeUndefined();
    expect(await engine.get(Uint8Array.of(2))).toBeDefined();
  });

  it('reports fsyncs per second and entries per fsync since a mark', async () => {
    let now = 1000;
    const gc = new GroupCommitter(new RecordingEngine(), () => now);
    gc.add([put(1)], 10);
    await gc.flush();
    const mark = gc.mark();
    for (let i = 0; i < 4; i++) {
      gc.add([put(i)], 5);
      await gc.flush();
    }
    now += 2000;
    const r = gc.rates(mark);
    expect(r.seconds).toBe(2);
    expect(r.fsyncsPerSecond).toBe(2);
    expect(r.entriesPerFsync).toBe(5);
    expect(r.bytesPerSecond).toBe(6);
  });
});
