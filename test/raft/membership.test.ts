import { describe, expect, it } from 'vitest';
import {
  ConfChangeType,
  MemoryStorage,
  MessageType,
  StateRole,
  decodeConfChange,
  encodeConfChange,
} from '../../storage/raft/index.js';
import { applyToConfState, confChangeProblem } from '../../storage/raft/confchange.js';
import { TestCluster, enc } from './cluster.js';

function withLearner(opts: { maxLearnerLag?: number } = {}): TestCluster {
  const c = new TestCluster([1, 2, 3], { raft: { maxLearnerLag: opts.maxLearnerLag ?? 64 } });
  c.elect(1);
  c.propose(1, 'before');
  c.addNode(4, new MemoryStorage());
  c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: 4 });
  return c;
}

describe('membership: learners', () => {
  it('a learner receives and applies entries', () => {
    const c = withLearner();
    for (const id of [1, 2, 3, 4]) expect(c.raft(id).confState()).toEqual({ voters: [1, 2, 3], learners: [4] });
    c.propose(1, 'x');
    expect(c.appliedTexts(4)).toContain('x');
    expect(c.raft(4).log.lastIndex()).toBe(c.raft(1).log.lastIndex());
  });

  it('a learner never campaigns', () => {
    const c = withLearner();
    c.isolate(1);
    c.isolate(2);
    c.isolate(3);
    const term = c.raft(4).term;
    c.tickNodeAndStabilize(4, 200);
    expect(c.raft(4).role).toBe(StateRole.Follower);
    expect(c.raft(4).term).toBe(term);
    expect(c.sentWhere((m) => m.from === 4 && (m.type === MessageType.PreVote || m.type === MessageType.Vote))).toEqual([]);
  });

  it('candidates do not ask learners for votes, and a learner vote does not count', () => {
    const c = withLearner();
    const mark = c.sent.length;
    c.raft(1).transferLeadership(2);
    c.stabilize();
    expect(c.leader()).toBe(2);
    const asked = c.sent.slice(mark).filter((m) => m.type === MessageType.Vote).map((m) => m.to);
    expect(asked.sort()).toEqual([1, 3]);
    // Tally with only the candidate and the learner in favour: not a quorum of voters.
    const t = c.raft(2).tracker;
    t.resetVotes();
    t.recordVote(2, true);
    t.recordVote(4, true);
    expect(t.voteResult()).toBe('pending');
  });

  it('a learner acknowledgement does not count toward commit', () => {
    const c = withLearner();
    c.isolate(2);
    c.isolate(3);
    const committed = c.raft(1).log.committed;
    c.propose(1, 'needs-voters');
    expect(c.raft(4).log.lastIndex()).toBe(c.raft(1).log.lastIndex()); // the learner has it
    expect(c.raft(1).tracker.progress.get(4)!.match).toBe(c.raft(1).log.lastIndex());
    expect(c.raft(1).log.committed).toBe(committed);
    c.heal();
    c.tickNodeAndStabilize(1, 2);
    expect(c.appliedTexts(4)).toContain('needs-voters');
  });

  it('promotion is refused while the learner lags (LearnerNotCaughtUp) and accepted once caught up', () => {
    const c = withLearner({ maxLearnerLag: 5 });
    c.isolate(4);
    for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
    const r = c.get(1).node.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: 4 });
    expect(r).toMatchObject({ ok: false, error: 'LearnerNotCaughtUp', leaderHint: 1 });
    expect(!r.ok && r.detail).toBe('learner 4 is 10 entries behind');
    c.heal();
    c.tickNodeAndStabilize(1, 2);
    expect(c.raft(1).tracker.progress.get(4)!.match).toBe(c.raft(1).log.lastIndex());
    c.confChange(1, { type: ConfChangeType.AddNode, nodeId: 4 });
    for (const id of [1, 2, 3, 4]) expect(c.raft(id).confState()).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    // Now a voter: it counts for commit and the quorum is 3 of 4.
    c.isolate(2);
    c.isolate(3);
    c.propose(1, 'two-of-four');
    expect(c.appliedTexts(1)).not.toContain('two-of-four');
    c.heal();
    c.isolate(3);
    c.tickNodeAndStabilize(1, 2);
    expect(c.appliedTexts(1)).toContain('two-of-four');
  });

  it('a learner within maxLearnerLag may be promoted even if not fully caught up', () => {
    const c = withLearner({ maxLearnerLag: 5 });
    c.isolate(4);
    for (let i = 0; i < 5; i++) c.propose(1, `e${i}`);
    const r = c.get(1).node.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: 4 });
    expect(r.ok).toBe(true);
  });
});

describe('membership: one change at a time', () => {
  it('a second change is refused (ConfChangePending) until the first is applied', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.addNode(4, new MemoryStorage());
    const first = c.get(1).node.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4 });
    expect(first.ok).toBe(true);
    const second = c.get(1).node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 3 });
    expect(second).toMatchObject({ ok: false, error: 'ConfChangePending', leaderHint: 1 });
    // Committed but not yet applied by the leader: still pending.
    const firstIndex = first.ok ? first.lastIndex : 0;
    c.round(); // the leader sends the entry
    c.round(); // followers append and acknowledge; the leader commits
    expect(c.raft(1).log.committed).toBeGreaterThanOrEqual(firstIndex);
    expect(c.raft(1).log.applied).toBeLessThan(firstIndex);
    expect(c.get(1).node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 3 })).toMatchObject({ ok: false, error: 'ConfChangePending' });
    c.stabilize();
    expect(c.raft(1).confState().learners).toEqual([4]);
    c.confChange(1, { type: ConfChangeType.RemoveNode, nodeId: 3 });
    expect(c.raft(1).confState()).toEqual({ voters: [1, 2], learners: [4] });
  });

  it('a new leader treats conf changes in its log as pending until it has applied them', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.addNode(4, new MemoryStorage());
    // The conf change reaches the followers but its commit does not.
    const commits = c.drop((m) => m.type === MessageType.App && m.entries.length === 0);
    expect(c.get(1).node.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4 }).ok).toBe(true);
    c.stabilize();
    c.removeFilter(commits);
    const held = c.hold((m) => m.type === MessageType.AppResp);
    c.raft(1).transferLeadership(2);
    c.stabilize();
    expect(c.raft(2).role).toBe(StateRole.Leader);
    expect(c.get(2).node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 3 })).toMatchObject({
      ok: false,
      error: 'ConfChangePending',
    });
    c.release(held);
    c.stabilize();
    expect(c.raft(2).confState().learners).toEqual([4]);
    expect(c.get(2).node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 3 }).ok).toBe(true);
  });

  it('invalid changes are refused with InvalidConfChange', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const n = c.get(1).node;
    expect(n.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: 2 })).toMatchObject({ ok: false, error: 'InvalidConfChange', detail: 'node 2 is already a voter' });
    expect(n.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 9 })).toMatchObject({ ok: false, error: 'InvalidConfChange', detail: 'node 9 is not a member' });
    expect(n.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 3 })).toMatchObject({ ok: false, error: 'InvalidConfChange' });
    expect(n.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: 0 })).toMatchObject({ ok: false, error: 'InvalidConfChange' });
  });
});

describe('membership: removal', () => {
  it('a removed follower gets no more traffic and never campaigns', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.confChange(1, { type: ConfChangeType.RemoveNode, nodeId: 3 });
    for (const id of [1, 2]) expect(c.raft(id).confState()).toEqual({ voters: [1, 2], learners: [] });
    const mark = c.sent.length;
    c.propose(1, 'without-3');
    c.tickAndStabilize(50);
    expect(c.sent.slice(mark).filter((m) => m.to === 3 || m.from === 3)).toEqual([]);
    expect(c.appliedTexts(2)).toEqual(['without-3']);
    expect(c.leader()).toBe(1);
    expect(c.raft(3).role).toBe(StateRole.Follower);
  });

  it('removing the leader hands leadership to another node and the cluster keeps committing', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const term = c.raft(1).term;
    c.confChange(1, { type: ConfChangeType.RemoveNode, nodeId: 1 });
    expect(c.raft(1).role).toBe(StateRole.Follower);
    expect(c.sentWhere((m) => m.type === MessageType.TimeoutNow && m.from === 1).length).toBe(1);
    const lead = c.leader()!;
    expect([2, 3]).toContain(lead);
    expect(c.raft(lead).term).toBe(term + 1);
    expect(c.raft(lead).confState()).toEqual({ voters: [2, 3], learners: [] });
    c.propose(lead, 'b');
    for (const id of [2, 3]) expect(c.appliedTexts(id)).toEqual(['a', 'b']);
    expect(c.get(1).node.propose(enc('x'))).toMatchObject({ ok: false, error: 'NotLeader' });
  });

  it('after removals the smaller majority commits; before them it could not', () => {
    const c = new TestCluster([1, 2, 3, 4, 5]);
    c.elect(1);
    c.isolate(3);
    c.isolate(4);
    c.isolate(5);
    c.propose(1, 'two-of-five');
    expect(c.appliedTexts(1)).toEqual([]);
    c.heal();
    c.tickNodeAndStabilize(1, 2);
    expect(c.appliedTexts(1)).toEqual(['two-of-five']);

    c.confChange(1, { type: ConfChangeType.RemoveNode, nodeId: 5 });
    c.confChange(1, { type: ConfChangeType.RemoveNode, nodeId: 4 });
    expect(c.raft(1).confState().voters).toEqual([1, 2, 3]);
    c.isolate(3);
    c.propose(1, 'two-of-three');
    expect(c.appliedTexts(1)).toEqual(['two-of-five', 'two-of-three']);
    expect(c.appliedTexts(2)).toEqual(['two-of-five', 'two-of-three']);
  });

  it('applying a removal commits entries that the new, smaller majority already holds', () => {
    const c = new TestCluster([1, 2, 3, 4]);
    c.elect(1);
    c.isolate(4);
    // RemoveNode 4 reaches 2 and 3, but 3's acknowledgement is held back.
    const ack3 = c.hold((m) => m.type === MessageType.AppResp && m.from === 3);
    expect(c.get(1).node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 4 }).ok).toBe(true);
    c.stabilize();
    // 'x' reaches only 2: held by 1 and 2, which is not a majority of four.
    c.drop((m) => m.type === MessageType.App && m.to === 3);
    c.propose(1, 'x');
    expect(c.appliedTexts(1)).toEqual([]);
    const xIndex = c.raft(1).log.lastIndex();
    expect(c.raft(1).log.committed).toBeLessThan(xIndex - 1);
    // 3's ack commits the removal; applying it makes {1,2} a majority of {1,2,3}.
    c.release(ack3);
    c.stabilize();
    expect(c.raft(1).confState().voters).toEqual([1, 2, 3]);
    expect(c.raft(1).log.committed).toBe(xIndex);
    expect(c.appliedTexts(1)).toEqual(['x']);
  });
});

describe('conf change encoding and validation', () => {
  it('round-trips through the log encoding', () => {
    for (const cc of [
      { type: ConfChangeType.AddNode, nodeId: 7 },
      { type: ConfChangeType.AddLearner, nodeId: 2 ** 40 },
      { type: ConfChangeType.RemoveNode, nodeId: 1 },
    ]) {
      expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
    }
    expect(() => decodeConfChange(new Uint8Array(3))).toThrow('conf change: expected 10 bytes, got 3');
    const bad = encodeConfChange({ type: ConfChangeType.AddNode, nodeId: 1 });
    bad[0] = 9;
    expect(() => decodeConfChange(bad)).toThrow('conf change: unknown format version 9');
  });

  it('describes why a change is invalid', () => {
    const cs = { voters: [1], learners: [2] };
    expect(confChangeProblem(cs, { type: ConfChangeType.RemoveNode, nodeId: 1 })).toBe('cannot remove the last voter 1');
    expect(confChangeProblem(cs, { type: ConfChangeType.AddLearner, nodeId: 2 })).toBe('node 2 is already a learner');
    expect(confChangeProblem(cs, { type: ConfChangeType.AddLearner, nodeId: 1 })).toBe('node 1 is a voter; demoting a voter to learner is not supported');
    expect(confChangeProblem(cs, { type: ConfChangeType.AddNode, nodeId: 2 })).toBeUndefined();
    expect(applyToConfState(cs, { type: ConfChangeType.AddNode, nodeId: 2 })).toEqual({ voters: [1, 2], learners: [] });
  });
});
