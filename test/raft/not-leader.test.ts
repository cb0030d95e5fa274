import { describe, expect, it } from 'vitest';
import { ConfChangeType, NONE, StateRole } from '../../storage/raft/index.js';
import { TestCluster, enc } from './cluster.js';

describe('NotLeader', () => {
  it('a follower refuses proposals and names the leader', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    for (const id of [2, 3]) {
      const n = c.get(id).node;
      expect(n.propose(enc('x'))).toEqual({ ok: false, error: 'NotLeader', leaderHint: 1 });
      expect(n.proposeBatch([enc('x'), enc('y')])).toEqual({ ok: false, error: 'NotLeader', leaderHint: 1 });
      expect(n.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 3 })).toEqual({ ok: false, error: 'NotLeader', leaderHint: 1 });
      expect(c.raft(id).log.lastIndex()).toBe(c.raft(1).log.lastIndex());
    }
  });

  it('the hint follows the leader, and is NONE when no leader is known', () => {
    const c = new TestCluster([1, 2, 3]);
    expect(c.get(2).node.propose(enc('x'))).toEqual({ ok: false, error: 'NotLeader', leaderHint: NONE });
    c.elect(1);
    c.raft(1).transferLeadership(3);
    c.stabilize();
    expect(c.leader()).toBe(3);
    expect(c.get(1).node.propose(enc('x'))).toEqual({ ok: false, error: 'NotLeader', leaderHint: 3 });
    expect(c.get(2).node.propose(enc('x'))).toEqual({ ok: false, error: 'NotLeader', leaderHint: 3 });
  });

  it('a leader that stepped down for lack of a quorum gives no hint', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(1);
    c.tickNodeAndStabilize(1, 25);
    expect(c.raft(1).role).toBe(StateRole.Follower);
    expect(c.get(1).node.propose(enc('x'))).toEqual({ ok: false, error: 'NotLeader', leaderHint: NONE });
  });
});

describe('uncommitted proposal limit', () => {
  it('drops proposals once a cut-off leader holds maxUncommittedBytes, and accepts them again after commit', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxUncommittedBytes: 100 } });
    c.tickAll(10);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    const leader = c.get(1).node;
    const payload = new Uint8Array(40);
    expect(leader.propose(payload).ok).toBe(true);
    expect(leader.propose(payload).ok).toBe(true);
    const third = leader.propose(payload);
    expect(third.ok).toBe(false);
    if (!third.ok) {
      expect(third.error).toBe('ProposalDropped');
      expect(third.detail).toMatch(/80 bytes/);
    }
    c.heal();
    c.tickAll(1);
    c.stabilize();
    expect(leader.status().hardState.commit).toBeGreaterThanOrEqual(4);
    expect(leader.propose(payload).ok).toBe(true);
  });

  it('always accepts one batch when nothing is uncommitted, even a large one', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxUncommittedBytes: 10 } });
    c.tickAll(10);
    c.elect(1);
    expect(c.get(1).node.propose(new Uint8Array(1000)).ok).toBe(true);
  });
});
