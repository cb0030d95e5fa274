import { describe, expect, it } from 'vitest';
import { MessageType, type RaftOptions, StateRole } from '../../storage/raft/index.js';
import { type Raft } from '../../storage/raft/raft.js';
import { CommitsOldTermEntries } from '../sim/broken-variants.js';
import { TestCluster, enc } from './cluster.js';

describe('commit: majority counting', () => {
  it('an entry commits once a majority holds it, not before', () => {
    const c = new TestCluster([1, 2, 3, 4, 5]);
    c.elect(1);
    c.isolate(3);
    c.isolate(4);
    c.isolate(5);
    c.propose(1, 'minority');
    expect(c.raft(1).log.committed).toBe(2);
    expect(c.appliedTexts(1)).toEqual([]);
    c.heal();
    c.isolate(4);
    c.isolate(5);
    c.tickNodeAndStabilize(1, 2);
    expect(c.raft(1).log.committed).toBe(3);
    expect(c.appliedTexts(1)).toEqual(['minority']);
    expect(c.appliedTexts(3)).toEqual(['minority']);
  });

  it('followers learn the commit index from the next append or heartbeat', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    // Appends reach the followers but the leader's commit announcements do not.
    const held = c.hold((m) => m.type === MessageType.App && m.entries.length === 0);
    c.propose(1, 'a');
    expect(c.raft(1).log.committed).toBe(3);
    expect(c.raft(2).log.committed).toBe(2);
    c.release(held, () => false);
    c.tickNodeAndStabilize(1);
    expect(c.raft(2).log.committed).toBe(3);
    expect(c.appliedTexts(2)).toEqual(['a']);
  });
});

/**
 * Raft paper Figure 8 with five servers S1..S5 (index 1 is the bootstrap snapshot, index 2 the
 * first leader's empty entry). Builds up to step (c): S1, leader of term 4, has replicated the
 * term-2 entry at index 3 to a majority, but not its own term-4 entry at index 4.
 */
function figure8(makeRaft?: (o: RaftOptions) => Raft): TestCluster {
  const c = new TestCluster([1, 2, 3, 4, 5], { raft: { checkQuorum: false, maxSizePerMsg: 1 }, makeRaft });
  c.elect(1); // term 2; index 2 committed everywhere
  expect(c.raft(1).term).toBe(2);
  // (a) S1 appends "x" at index 3 (term 2) and gets it only to S2.
  const toS2Only = c.drop((m) => m.from === 1 && m.to !== 2);
  c.get(1).node.propose(enc('x'));
  c.stabilize();
  expect(c.raft(2).log.term(3)).toBe(2);
  expect(c.raft(3).log.lastIndex()).toBe(2);
  c.removeFilter(toS2Only);

  // (b) S1 crashes; S5 wins term 3 with S3 and S4 and appends index 3 (term 3) locally only.
  const s1Down = c.isolate(1);
  const s5AppsLost = c.drop((m) => m.from === 5 && m.type === MessageType.App);
  c.elect(5);
  expect(c.raft(5).role).toBe(StateRole.Leader);
  expect(c.raft(5).term).toBe(3);
  expect(c.raft(5).log.term(3)).toBe(3);
  c.removeFilter(s5AppsLost);
  c.removeFilter(s1Down);

  // (c) S5 crashes; S1 restarts, wins term 4 and replicates index 3 (term 2) to S3 and S4, but
  // its own term-4 entry reaches nobody (any append that would land it is lost).
  c.isolate(5);
  c.restart(1);
  c.drop((m) => m.type === MessageType.App && m.entries.some((e) => e.term === 4) && c.raft(m.to).log.matchTerm(m.index, m.logTerm));
  for (let i = 0; i < 3 && c.raft(1).role !== StateRole.Leader; i++) c.elect(1);
  expect(c.raft(1).role).toBe(StateRole.Leader);
  expect(c.raft(1).term).toBe(4);
  expect(c.raft(1).log.term(4)).toBe(4);
  for (const id of [1, 2, 3, 4]) expect(c.raft(id).log.term(3)).toBe(2);
  return c;
}

describe('commit: only current-term entries are committed by counting (Figure 8)', () => {
  it('an old-term entry on a majority is not committed by the new leader', () => {
    const c = figure8();
    // S1 knows S3 and S4 hold index 3: with itself that is a majority of five.
    const pr = c.raft(1).tracker.progress;
    expect(pr.get(3)!.match).toBe(3);
    expect(pr.get(4)!.match).toBe(3);
    expect(c.raft(1).log.committed).toBe(2);
    c.tickNodeAndStabilize(1, 5);
    expect(c.raft(1).log.committed).toBe(2);
    for (const id of [1, 2, 3, 4]) expect(c.appliedTexts(id)).toEqual([]);
  });

  it('(d) it would have been wrong: S5 can still win and overwrite index 3', () => {
    const c = figure8();
    c.heal();
    c.isolate(1);
    c.restart(5);
    for (let i = 0; i < 3 && c.raft(5).role !== StateRole.Leader; i++) c.elect(5);
    expect(c.raft(5).role).toBe(StateRole.Leader);
    c.tickNodeAndStabilize(5, 2);
    for (const id of [2, 3, 4, 5]) {
      expect(c.raft(id).log.term(3)).toBe(3);
      expect(c.appliedTexts(id)).toEqual([]);
    }
  });

  it('(e) once an entry of the current term is on a majority, it and the old entry commit', () => {
    const c = figure8();
    c.heal();
    c.isolate(5);
    c.tickNodeAndStabilize(1, 2);
    expect(c.raft(1).log.committed).toBeGreaterThanOrEqual(4);
    for (const id of [1, 2, 3, 4]) expect(c.appliedTexts(id)).toEqual(['x']);
  });

  it('sanity: a core that commits old-term entries by counting does commit index 3 at step (c)', () => {
    const c = figure8((o) => new CommitsOldTermEntries(o));
    expect(c.raft(1).log.committed).toBe(3);
  });
});
