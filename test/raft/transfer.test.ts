import { describe, expect, it } from 'vitest';
import { MessageType, NONE, StateRole } from '../../storage/raft/index.js';
import { TestCluster, enc } from './cluster.js';

describe('leadership transfer', () => {
  it('to an up-to-date follower: TimeoutNow at once, the target wins the next term', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const term = c.raft(1).term;
    expect(c.get(1).node.transferLeadership(2)).toEqual({ ok: true });
    expect(c.raft(1).msgs.map((m) => [m.type, m.to])).toEqual([[MessageType.TimeoutNow, 2]]);
    c.stabilize();
    expect(c.leader()).toBe(2);
    expect(c.raft(2).term).toBe(term + 1);
    for (const id of [1, 2, 3]) expect(c.raft(id).lead).toBe(2);
    // The campaign skipped pre-vote and overrode the followers' leases.
    const votes = c.sentWhere((m) => m.from === 2 && m.type === MessageType.Vote);
    expect(votes.every((m) => m.force)).toBe(true);
    expect(c.sentWhere((m) => m.from === 2 && m.type === MessageType.PreVote)).toEqual([]);
    c.propose(2, 'b');
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id)).toEqual(['a', 'b']);
  });

  it('to a lagging follower: it is caught up first, then TimeoutNow goes out', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 5; i++) c.propose(1, `m${i}`);
    c.heal();
    const mark = c.sent.length;
    expect(c.get(1).node.transferLeadership(3)).toEqual({ ok: true });
    expect(c.raft(1).msgs.some((m) => m.type === MessageType.TimeoutNow)).toBe(false);
    c.stabilize();
    const after = c.sent.slice(mark);
    const tn = after.findIndex((m) => m.type === MessageType.TimeoutNow);
    expect(tn).toBeGreaterThan(0);
    // Everything 3 lacked went out before the TimeoutNow.
    let lastAppTo3 = -1;
    after.forEach((m, i) => {
      if (m.type === MessageType.App && m.to === 3 && m.entries.length > 0) lastAppTo3 = i;
    });
    expect(lastAppTo3).toBeGreaterThanOrEqual(0);
    expect(lastAppTo3).toBeLessThan(tn);
    expect(c.leader()).toBe(3);
    expect(c.appliedTexts(3)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('proposals and conf changes are refused with TransferInProgress while it runs', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'x');
    expect(c.get(1).node.transferLeadership(3).ok).toBe(true);
    expect(c.get(1).node.propose(enc('y'))).toEqual({ ok: false, error: 'TransferInProgress', leaderHint: 3 });
    expect(c.get(1).node.proposeConfChange({ type: 2, nodeId: 2 })).toMatchObject({ ok: false, error: 'TransferInProgress' });
    expect(c.raft(1).leadTransferee).toBe(3);
  });

  it('is abandoned after an election timeout if the target is unreachable', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'x');
    c.tickNodeAndStabilize(1, 3);
    expect(c.get(1).node.transferLeadership(3).ok).toBe(true);
    c.tickNodeAndStabilize(1, 9);
    expect(c.raft(1).leadTransferee).toBe(3);
    expect(c.get(1).node.propose(enc('y')).ok).toBe(false);
    c.tickNodeAndStabilize(1, 1);
    expect(c.raft(1).leadTransferee).toBe(NONE);
    expect(c.raft(1).role).toBe(StateRole.Leader);
    expect(c.get(1).node.propose(enc('y')).ok).toBe(true);
    c.stabilize();
    expect(c.appliedTexts(2)).toEqual(['x', 'y']);
  });

  it('rejects invalid targets and non-leaders', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    expect(c.get(1).node.transferLeadership(1)).toEqual({ ok: false, error: 'InvalidTarget', leaderHint: 1 });
    expect(c.get(1).node.transferLeadership(9)).toEqual({ ok: false, error: 'InvalidTarget', leaderHint: 1 });
    expect(c.get(2).node.transferLeadership(3)).toEqual({ ok: false, error: 'NotLeader', leaderHint: 1 });
  });

  it('a repeated request for the same target is a no-op, a new target replaces the old one', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.isolate(2);
    c.propose(1, 'x');
    expect(c.get(1).node.transferLeadership(3).ok).toBe(true);
    expect(c.get(1).node.transferLeadership(3).ok).toBe(true);
    expect(c.get(1).node.transferLeadership(2).ok).toBe(true);
    expect(c.raft(1).leadTransferee).toBe(2);
  });
});
