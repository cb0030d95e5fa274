import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, decodeHardState, decodeSnapshotMetadata, encodeSnapshotMetadata } from '../../storage/engine/codec.js';
import { type Engine, type KvOp } from '../../storage/engine/engine.js';
import {
  GroupStorage,
  SNAPSHOT_CHUNK_BYTES,
  decodeSnapshotData,
  encodeSnapshotData,
  snapshotStateMachine,
} from '../../storage/engine/group-storage.js';
import { listGroupIds, logKey, smKey, smRange, snapshotDataRange } from '../../storage/engine/keys.js';
import { MemoryEngine } from '../../storage/engine/memory-engine.js';
import { RocksEngine } from '../../storage/engine/rocks-engine.js';
import { SeededRng } from '../../storage/raft/rng.js';
import { type Storage, MemoryStorage } from '../../storage/raft/storage.js';
import { type Entry, type Snapshot, EntryType } from '../../storage/raft/types.js';
import { collect, withTempDir } from './engine-suite.js';

interface Harness {
  engine: Engine;
  /** Closes and reopens the engine (persistent engines) or keeps it (memory). */
  reopen(): Promise<Engine>;
}

const engines: Array<[string, (dir: string) => Promise<Harness>]> = [
  [
    'memory',
    async () => {
      const engine = new MemoryEngine();
      return { engine, reopen: async () => engine };
    },
  ],
  [
    'rocksdb',
    async (dir) => {
      const h: Harness = {
        engine: await RocksEngine.open(dir),
        reopen: async () => {
          await h.engine.close();
          h.engine = await RocksEngine.open(dir);
          return h.engine;
        },
      };
      return h;
    },
  ],
];

const s = (text: string): Uint8Array => new TextEncoder().encode(text);
const ent = (index: number, term: number, data = `e${index}t${term}`): Entry => ({ index, term, type: EntryType.Normal, data: s(data) });
const write = (e: Engine, ops: KvOp[]): Promise<void> => e.write(ops, { sync: true });
const plain = (es: Entry[]) => es.map((e) => ({ index: e.index, term: e.term, type: e.type, data: Buffer.from(e.data).toString() }));

async function reopened(h: Harness, g: number): Promise<GroupStorage> {
  const gs = await GroupStorage.open(await h.reopen(), g);
  expect(gs).toBeDefined();
  return gs!;
}

/** Everything a Raft core could observe through Storage, as plain data. */
function view(st: Storage): unknown {
  const first = st.firstIndex();
  const last = st.lastIndex();
  const terms: number[] = [];
  for (let i = first - 1; i <= last; i++) terms.push(st.term(i));
  const snap = st.snapshot();
  return {
    first,
    last,
    terms,
    entries: last >= first ? plain(st.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) : [],
    initial: st.initialState(),
    snapshot: { ...snap.metadata, data: Buffer.from(snap.data).toString('hex') },
  };
}

function errorName(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  }
}

for (const [name, make] of engines) {
  const withHarness = (fn: (h: Harness) => Promise<void>) => () =>
    withTempDir(async (dir) => {
      const h = await make(dir);
      try {
        await fn(h);
      } finally {
        await h.engine.close();
      }
    });

  describe(`GroupStorage on ${name}`, () => {
    it(
      'bootstraps like MemoryStorage and reopens with the same entries, hard state and applied state',
      withHarness(async (h) => {
        const { storage: gs, ops } = GroupStorage.bootstrap(7, [1, 2, 3], [4]);
        const ms = new MemoryStorage({ voters: [1, 2, 3], learners: [4] });
        expect(view(gs)).toEqual(view(ms));
        expect(gs.applied()).toEqual({ index: 1, confState: { voters: [1, 2, 3], learners: [4] } });
        await write(h.engine, ops);
        const hs = { term: 2, vote: 3, commit: 3 };
        await write(h.engine, gs.persistReady({ hardState: hs, entries: [ent(2, 1), ent(3, 2), ent(4, 2)] }));
        await write(h.engine, gs.appliedOps(3, { voters: [1, 2], learners: [] }));
        ms.append([ent(2, 1), ent(3, 2), ent(4, 2)]);
        ms.setHardState(hs);
        expect(view(gs)).toEqual(view(ms));

        const again = await reopened(h, 7);
        expect(view(again)).toEqual(view(ms));
        expect(again.getHardState()).toEqual(hs);
        expect(again.applied()).toEqual({ index: 3, confState: { voters: [1, 2], learners: [] } });
        expect(again.stats()).toMatchObject({ entries: 3, firstIndex: 2, lastIndex: 4, snapshotIndex: 1 });
        expect(await GroupStorage.open(h.engine, 8)).toBeUndefined();
      }),
    );

    it(
      'truncates a conflicting suffix, on disk too',
      withHarness(async (h) => {
        const { storage: gs, ops } = GroupStorage.bootstrap(1, [1]);
        await write(h.engine, ops);
        await write(h.engine, gs.persistReady({ entries: [2, 3, 4, 5, 6].map((i) => ent(i, 1)) }));
        // A new leader overwrites from index 4 with a shorter log in one Ready, and in the
        // same batch another append follows it: ops must apply in order.
        const batch = [...gs.persistReady({ entries: [ent(4, 2)] }), ...gs.persistReady({ entries: [ent(5, 2)] })];
        await write(h.engine, batch);
        await write(h.engine, gs.persistReady({ entries: [ent(4, 3)] }));
        const expected = [ent(2, 1), ent(3, 1), ent(4, 3)];
        expect(plain(gs.entries(2, 5, Infinity))).toEqual(plain(expected));
        const again = await reopened(h, 1);
        expect(again.lastIndex()).toBe(4);
        expect(plain(again.entries(2, 5, Infinity))).toEqual(plain(expected));
        expect(await h.engine.get(logKey(1, 5))).toBeUndefined();
        expect(await h.engine.get(logKey(1, 6))).toBeUndefined();
      }),
    );

    it(
      'keeps a created snapshot and the compaction point across reopen',
      withHarness(async (h) => {
        const { storage: gs, ops } = GroupStorage.bootstrap(3, [1, 2]);
        await write(h.engine, ops);
        await write(h.engine, gs.persistReady({ entries: [2, 3, 4, 5, 6, 7].map((i) => ent(i, i < 5 ? 1 : 2)) }));
        await write(h.engine, [{ type: 'put', key: smKey(3, s('k1')), value: s('v1') }, { type: 'put', key: smKey(3, s('k2')), value: s('v2') }]);
        const data = await snapshotStateMachine(h.engine, 3);
        await write(h.engine, gs.createSnapshot(5, { voters: [1, 2], learners: [] }, data));
        await write(h.engine, gs.compact(4));
        expect(gs.firstIndex()).toBe(5);
        expect(gs.term(4)).toBe(1);

        const again = await reopened(h, 3);
        expect(again.firstIndex()).toBe(5);
        expect(again.lastIndex()).toBe(7);
        expect(again.term(4)).toBe(1);
        expect(again.term(5)).toBe(2);
        expect(errorName(() => again.term(3))).toBe('CompactedError');
        expect(again.snapshot().metadata).toEqual({ index: 5, term: 2, confState: { voters: [1, 2], learners: [] } });
        expect(decodeSnapshotData(again.snapshot().data).map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString()])).toEqual([
          ['k1', 'v1'],
          ['k2', 'v2'],
        ]);
        expect(view(again)).toEqual(view(gs));
      }),
    );

    it(
      'installs a received snapshot: the log is replaced, the state machine restored',
      withHarness(async (h) => {
        const gs = GroupStorage.empty(9);
        expect(gs.applied().index).toBe(0);
        await write(h.engine, gs.persistReady({ hardState: { term: 1, vote: 0, commit: 0 }, entries: [] }));
        await write(h.engine, [{ type: 'put', key: smKey(9, s('stale')), value: s('x') }]);
        const sm = await encodeSnapshotData(
          (async function* () {
            yield [s('a'), s('1')] as [Uint8Array, Uint8Array];
            yield [s('b'), new Uint8Array(0)] as [Uint8Array, Uint8Array];
          })(),
        );
        const snap: Snapshot = { metadata: { index: 10, term: 3, confState: { voters: [1, 2, 9], learners: [] } }, data: sm };
        const rdOps = gs.persistReady({ snapshot: snap, entries: [ent(11, 3)], hardState: { term: 3, vote: 0, commit: 10 } });
        await write(h.engine, [...rdOps, ...gs.restoreSnapshotOps(snap)]);
        const ms = new MemoryStorage();
        ms.applySnapshot(snap);
        ms.append([ent(11, 3)]);
        ms.setHardState({ term: 3, vote: 0, commit: 10 });
        expect(view(gs)).toEqual(view(ms));

        const again = await reopened(h, 9);
        expect(view(again)).toEqual(view(ms));
        expect(again.applied()).toEqual({ index: 10, confState: { voters: [1, 2, 9], learners: [] } });
        const [gte, lt] = smRange(9);
        expect(await collect(h.engine.scan({ gte, lt }))).toEqual([
          [Buffer.from(smKey(9, s('a'))).toString('hex'), '1'],
          [Buffer.from(smKey(9, s('b'))).toString('hex'), ''],
        ]);

        // A later snapshot over a log with entries drops them all.
        await write(h.engine, again.persistReady({ entries: [ent(12, 3), ent(13, 4)] }));
        const snap2: Snapshot = { metadata: { index: 20, term: 5, confState: { voters: [1], learners: [] } }, data: new Uint8Array(0) };
        await write(h.engine, [...again.persistReady({ snapshot: snap2, entries: [] }), ...again.restoreSnapshotOps(snap2)]);
        const third = await reopened(h, 9);
        expect(third.firstIndex()).toBe(21);
        expect(third.lastIndex()).toBe(20);
        expect(third.term(20)).toBe(5);
        expect(await collect(h.engine.scan({ gte, lt }))).toEqual([]);
        expect(() => third.persistReady({ snapshot: snap, entries: [] })).toThrow(/older than the current/);
      }),
    );

    it(
      'stores a large snapshot in chunks of at most 1 MiB',
      withHarness(async (h) => {
        const { storage: gs, ops } = GroupStorage.bootstrap(2, [1]);
        await write(h.engine, [...ops, ...gs.persistReady({ entries: [ent(2, 1)] })]);
        const data = new Uint8Array(2 * SNAPSHOT_CHUNK_BYTES + 123);
        for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
        await write(h.engine, gs.createSnapshot(2, { voters: [1], learners: [] }, data));
        const [gte, lt] = snapshotDataRange(2);
        const chunks: number[] = [];
        for await (const [, v] of h.engine.scan({ gte, lt })) chunks.push(v.byteLength);
        expect(chunks).toEqual([SNAPSHOT_CHUNK_BYTES, SNAPSHOT_CHUNK_BYTES, 123]);
        const again = await reopened(h, 2);
        expect(Buffer.from(again.snapshot().data).equals(Buffer.from(data))).toBe(true);
      }),
    );

    it(
      'destroyOps removes the group and nothing else',
      withHarness(async (h) => {
        const a = GroupStorage.bootstrap(4, [1]);
        const b = GroupStorage.bootstrap(5, [1]);
        await write(h.engine, [...a.ops, ...b.ops, { type: 'put', key: smKey(4, s('x')), value: s('y') }]);
        expect(await listGroupIds(h.engine)).toEqual([4, 5]);
        await write(h.engine, a.storage.destroyOps());
        expect(await GroupStorage.open(h.engine, 4)).toBeUndefined();
        expect(await GroupStorage.open(h.engine, 5)).toBeDefined();
        expect(await listGroupIds(h.engine)).toEqual([5]);
      }),
    );

    it(
      'matches MemoryStorage on random append/truncate/compact/snapshot sequences, before and after reopen',
      withHarness(async (h) => {
        for (const seed of [1, 2, 3]) await differential(h, seed, 100 + seed);
      }),
    );
  });
}

async function differential(h: Harness, seed: number, g: number): Promise<void> {
  const rng = new SeededRng(seed);
  const boot = GroupStorage.bootstrap(g, [1, 2, 3]);
  let gs = boot.storage;
  const ms = new MemoryStorage({ voters: [1, 2, 3] });
  let pending: KvOp[] = [...boot.ops];
  let term = 1;
  const same = (): void => {
    expect(view(gs)).toEqual(view(ms));
    // Error semantics, probed around both ends of the log.
    const first = ms.firstIndex();
    const last = ms.lastIndex();
    for (let i = first - 3; i <= last + 2; i++) {
      expect(errorName(() => gs.term(i))).toBe(errorName(() => ms.term(i)));
      expect(errorName(() => gs.entries(i, i + 2, 100))).toBe(errorName(() => ms.entries(i, i + 2, 100)));
    }
  };
  for (let step = 0; step < 300; step++) {
    const r = rng.intn(100);
    if (r < 55) {
      // Append, conflicting with the tail a third of the time.
      const last = ms.lastIndex();
      const from = rng.chance(0.33) ? Math.max(ms.firstIndex(), last - rng.intn(4)) : last + 1;
      if (from <= last) term++;
      const es = Array.from({ length: 1 + rng.intn(4) }, (_, k) => ent(from + k, term, `s${seed}-${step}-${k}`));
      ms.append(es);
      pending.push(...gs.persistReady({ entries: es }));
    } else if (r < 70) {
      const hs = { term, vote: rng.intn(4), commit: rng.intn(ms.lastIndex() + 1) };
      ms.setHardState(hs);
      pending.push(...gs.persistReady({ entries: [], hardState: hs }));
    } else if (r < 82) {
      if (ms.lastIndex() >= ms.firstIndex()) {
        const i = ms.firstIndex() + rng.intn(ms.lastIndex() - ms.firstIndex() + 1);
        ms.compact(i);
        pending.push(...gs.compact(i));
      }
    } else if (r < 92) {
      const lo = Math.max(ms.snapshot().metadata.index + 1, ms.firstIndex() - 1);
      if (ms.lastIndex() >= lo) {
        const i = lo + rng.intn(ms.lastIndex() - lo + 1);
        const data = s(`snap-${seed}-${step}`);
        const cs = { voters: [1, 2, 3].slice(0, 1 + rng.intn(3)), learners: [] };
        ms.createSnapshot(i, cs, data);
        pending.push(...gs.createSnapshot(i, cs, data));
      }
    } else {
      term++;
      const snap: Snapshot = {
        metadata: { index: ms.lastIndex() + rng.intn(5), term, confState: { voters: [1, 2], learners: [3] } },
        data: s(`recv-${seed}-${step}`),
      };
      if (snap.metadata.index > ms.snapshot().metadata.index) {
        ms.applySnapshot(snap);
        pending.push(...gs.persistReady({ snapshot: snap, entries: [] }));
      }
    }
    same();
    // Write in batches of a few steps, so ops of several mutations share one write.
    if (rng.chance(0.4)) {
      await write(h.engine, pending);
      pending = [];
      if (rng.chance(0.15)) {
        gs = await reopened(h, g);
        same();
      }
    }
  }
  await write(h.engine, pending);
  gs = await reopened(h, g);
  same();
}

describe('codec', () => {
  it('round-trips and rejects corrupt values', () => {
    const e = { index: 2 ** 40 + 3, term: 2 ** 33, type: EntryType.ConfChange, data: s('cc') };
    expect(decodeEntry(encodeEntry(e))).toEqual({ ...e, data: s('cc') });
    expect(() => decodeEntry(new Uint8Array(5))).toThrow(/corrupt log entry/);
    const bad = encodeEntry(e);
    bad[0] = 200;
    expect(() => decodeEntry(bad)).toThrow(/unknown entry type/);
    expect(() => decodeHardState(new Uint8Array(19))).toThrow(/corrupt hard state/);
    const meta = encodeSnapshotMetadata({ index: 5, term: 2, confState: { voters: [1, 2], learners: [3] } }, 77);
    expect(decodeSnapshotMetadata(meta)).toEqual({ metadata: { index: 5, term: 2, confState: { voters: [1, 2], learners: [3] } }, dataBytes: 77 });
    expect(() => decodeSnapshotMetadata(meta.subarray(0, meta.length - 2))).toThrow(/corrupt snapshot metadata/);
    expect(() => decodeSnapshotData(Uint8Array.of(1, 0, 0, 0, 9, 1))).toThrow(/corrupt snapshot data/);
    expect(() => decodeSnapshotData(Uint8Array.of(2))).toThrow(/unknown version/);
    expect(decodeSnapshotData(new Uint8Array(0))).toEqual([]);
  });
});
