import { describe, expect, it } from 'vitest';
import { MemoryStorage, RawNode, SeededRng } from '../../storage/raft/index.js';
import { TestCluster } from './cluster.js';

describe('restart', () => {
  // Regression (simulator, first sweep): a node restarting from a snapshot whose log kept a few
  // entries before the snapshot index re-applied those entries on top of the restored state.
  it('resumes applying after the storage snapshot, not after the first retained entry', () => {
    const c = new TestCluster([1, 2, 3]);
    c.tickAll(10);
    c.elect(1);
    for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
    const tn = c.get(2);
    const applied = tn.node.status().applied;
    tn.storage.createSnapshot(applied, tn.node.raft.confState(), new Uint8Array([1]));
    tn.storage.compact(applied - 3); // keep three entries before the snapshot
    expect(tn.storage.firstIndex()).toBeLessThan(applied);

    const restarted = new RawNode({ id: 2, storage: tn.storage, rng: new SeededRng(9) });
    expect(restarted.status().applied).toBe(applied);
    expect(restarted.hasReady()).toBe(false);
  });

  it('keeps term, vote and commit across a restart', () => {
    const c = new TestCluster([1, 2, 3]);
    c.tickAll(10);
    c.elect(1);
    c.propose(1, 'x');
    const before = c.get(3).node.status().hardState;
    const restarted = new RawNode({ id: 3, storage: c.get(3).storage, rng: new SeededRng(1) });
    expect(restarted.status().hardState).toEqual(before);
  });

  it('rejects an applied index beyond the commit index', () => {
    const storage = new MemoryStorage({ voters: [1] });
    expect(() => new RawNode({ id: 1, storage, rng: new SeededRng(1), applied: 5 })).toThrow(/applied 5 out of range/);
  });
});
