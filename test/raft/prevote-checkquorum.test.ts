import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Message, MessageType, StateRole, message } from '../../storage/raft/index.js';
import { TestCluster, drain, newRaft } from './cluster.js';

function lastOf(c: TestCluster, id: number): { index: number; logTerm: number } {
  const log = c.raft(id).log;
  return { index: log.lastIndex(), logTerm: log.lastTerm() };
}

describe('PreVote', () => {
  it('a partitioned node does not increase its term while isolated', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const term = c.raft(1).term;
    c.isolate(3);
    c.tickAndStabilize(100);
    expect(c.raft(3).term).toBe(term);
    expect(c.raft(3).vote).toBe(1);
    expect(c.raft(3).role).toBe(StateRole.PreCandidate);
    // It did try, with pre-votes only.
    expect(c.sentWhere((m) => m.from === 3 && m.type === MessageType.PreVote).length).toBeGreaterThan(4);
    expect(c.sentWhere((m) => m.from === 3 && m.type === MessageType.Vote).length).toBe(0);
    // The majority side kept its leader and term.
    expect(c.raft(1).role).toBe(StateRole.Leader);
    expect(c.raft(1).term).toBe(term);
  });

  it('a rejoining node does not disrupt a healthy leader', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const term = c.raft(1).term;
    c.isolate(3);
    c.tickAndStabilize(60);
    c.propose(1, 'while-away');
    c.heal();
    c.tickAndStabilize(60);
    expect(c.leader()).toBe(1);
    for (const id of [1, 2, 3]) {
      expect(c.raft(id).term).toBe(term);
      expect(c.raft(id).lead).toBe(1);
    }
    expect(c.raft(3).role).toBe(StateRole.Follower);
    expect(c.appliedTexts(3)).toEqual(['while-away']);
  });

  it('a rejoining node with an up-to-date log does not disrupt either (followers in lease ignore it)', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const term = c.raft(1).term;
    c.isolate(3);
    c.tickAndStabilize(60);
    expect(c.raft(3).log.lastIndex()).toBe(c.raft(1).log.lastIndex());
    expect(c.raft(3).role).toBe(StateRole.PreCandidate);
    c.heal();
    c.get(3).node.campaign(); // right at the moment it rejoins
    c.stabilize();
    c.tickAndStabilize(30);
    for (const id of [1, 2, 3]) {
      expect(c.raft(id).term).toBe(term);
      expect(c.raft(id).lead).toBe(1);
    }
  });

  it('control: without PreVote and CheckQuorum the isolated node inflates its term and deposes the leader', () => {
    const c = new TestCluster([1, 2, 3], { raft: { preVote: false, checkQuorum: false } });
    c.elect(1);
    const term = c.raft(1).term;
    c.isolate(3);
    c.tickAndStabilize(60);
    expect(c.raft(3).term).toBeGreaterThan(term + 1);
    c.heal();
    c.tickAndStabilize(60);
    expect(c.raft(c.leader()!).term).toBeGreaterThan(term + 1);
  });

  it('a granted pre-vote does not change the voter term or vote', () => {
    const r = newRaft(2, [1, 2, 3]);
    const before = r.hardState();
    r.step(message({ type: MessageType.PreVote, from: 3, to: 2, term: before.term + 1, index: 1, logTerm: 1 }));
    const resp = drain(r).find((m) => m.type === MessageType.PreVoteResp);
    expect(resp).toMatchObject({ to: 3, reject: false, term: before.term + 1 });
    expect(r.hardState()).toEqual(before);
  });
});

describe('CheckQuorum', () => {
  it('a leader cut off from the quorum steps down within two election timeouts, not before one', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(1);
    let ticks = 0;
    while (c.raft(1).role === StateRole.Leader && ticks < 100) {
      c.tickNodeAndStabilize(1);
      ticks++;
    }
    expect(c.raft(1).role).toBe(StateRole.Follower);
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(ticks).toBeLessThanOrEqual(20);
    expect(c.raft(1).lead).toBe(0);
    // The majority side elects a new leader once its leases expire.
    c.tickUntil(() => c.raft(2).role === StateRole.Leader || c.raft(3).role === StateRole.Leader, 100);
    c.heal();
    c.tickAndStabilize(5);
    const lead = c.leader()!;
    expect([2, 3]).toContain(lead);
    expect(c.raft(1).lead).toBe(lead);
  });

  it('a leader that hears from a quorum stays leader even if one follower is gone', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.tickNodeAndStabilize(1, 100);
    expect(c.raft(1).role).toBe(StateRole.Leader);
  });

  it('control: with checkQuorum off an isolated leader never steps down', () => {
    const c = new TestCluster([1, 2, 3], { raft: { checkQuorum: false } });
    c.elect(1);
    c.isolate(1);
    c.tickNodeAndStabilize(1, 100);
    expect(c.raft(1).role).toBe(StateRole.Leader);
  });
});

describe('leases against disruptive vote requests', () => {
  function disruptive(c: TestCluster, type: MessageType, to: number, force = false): Message {
    const { index, logTerm } = lastOf(c, 1);
    return message({ type, from: 3, to, term: c.raft(1).term + 1, index, logTerm, force });
  }

  it('a follower that heard from its leader ignores (pre-)vote requests of a higher term', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.tickAndStabilize(3);
    const term = c.raft(2).term;
    for (const type of [MessageType.Vote, MessageType.PreVote]) {
      c.get(2).node.step(disruptive(c, type, 2));
      expect(c.raft(2).term).toBe(term);
      expect(c.raft(2).lead).toBe(1);
      expect(c.raft(2).vote).toBe(1);
      expect(drain(c.raft(2))).toEqual([]);
    }
    // The leader ignores it too.
    c.get(1).node.step(disruptive(c, MessageType.Vote, 1));
    expect(c.raft(1).role).toBe(StateRole.Leader);
    expect(c.raft(1).term).toBe(term);
    expect(drain(c.raft(1))).toEqual([]);
  });

  it('a forced vote (leadership transfer) is honoured despite the lease', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.tickAndStabilize(3);
    const term = c.raft(2).term;
    c.get(2).node.step(disruptive(c, MessageType.Vote, 2, true));
    expect(c.raft(2).term).toBe(term + 1);
    expect(c.raft(2).vote).toBe(3);
    expect(drain(c.raft(2)).find((m) => m.type === MessageType.VoteResp)).toMatchObject({ to: 3, reject: false });
  });

  it('once the lease has expired (no leader contact for electionTick ticks) the vote is granted', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.tickAndStabilize(3);
    c.isolate(2);
    c.tickNodeAndStabilize(2, 9);
    c.get(2).node.step(disruptive(c, MessageType.Vote, 2));
    expect(drain(c.raft(2))).toEqual([]);
    c.tickNodeAndStabilize(2, 1);
    c.get(2).node.step(disruptive(c, MessageType.Vote, 2));
    expect(drain(c.raft(2)).find((m) => m.type === MessageType.VoteResp)).toMatchObject({ to: 3, reject: false });
    expect(c.raft(2).vote).toBe(3);
  });

  it('a node restarting with a persisted term >= 2 honours the lease; a fresh node does not', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x');
    const term = c.raft(2).term;
    expect(term).toBeGreaterThanOrEqual(2);
    c.isolate(2);
    c.restart(2);
    c.get(2).node.step(disruptive(c, MessageType.Vote, 2));
    expect(c.raft(2).term).toBe(term);
    expect(drain(c.raft(2))).toEqual([]);
    c.tickNodeAndStabilize(2, 10);
    c.get(2).node.step(disruptive(c, MessageType.Vote, 2));
    expect(c.raft(2).vote).toBe(3);

    const fresh = newRaft(2, [1, 2, 3], { storage: new MemoryStorage({ voters: [1, 2, 3] }) });
    expect(fresh.term).toBe(1);
    fresh.step(message({ type: MessageType.Vote, from: 3, to: 2, term: 2, index: 1, logTerm: 1 }));
    expect(drain(fresh).find((m) => m.type === MessageType.VoteResp)).toMatchObject({ to: 3, reject: false });
  });

  it('with checkQuorum off there is no lease: a higher-term vote is granted at once', () => {
    const c = new TestCluster([1, 2, 3], { raft: { checkQuorum: false } });
    c.elect(1);
    c.tickAndStabilize(3);
    c.get(2).node.step(disruptive(c, MessageType.Vote, 2));
    expect(c.raft(2).vote).toBe(3);
  });
});
