import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Message, MessageType, NONE, StateRole, message } from '../../storage/raft/index.js';
import { VotesTwiceInATerm } from '../sim/broken-variants.js';
import { TestCluster, drain, newRaft } from './cluster.js';

/** Ticks a lone follower until it starts campaigning; returns how many ticks that took. */
function ticksUntilCampaign(seed: number, electionTick = 10): number {
  const r = newRaft(1, [1, 2, 3], { seed, electionTick });
  for (let t = 1; t <= 10 * electionTick; t++) {
    r.tick();
    if (r.role !== StateRole.Follower) return t;
  }
  throw new Error('never campaigned');
}

function voteReq(from: number, to: number, term: number, index: number, logTerm: number, extra: Partial<Message> = {}): Message {
  return message({ type: MessageType.Vote, from, to, term, index, logTerm, ...extra });
}

function responses(msgs: Message[], type: MessageType): Message[] {
  return msgs.filter((m) => m.type === type);
}

describe('leader election: randomized timeouts', () => {
  it('a follower without a leader campaigns after between electionTick and 2*electionTick ticks', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const t = ticksUntilCampaign(seed);
      expect(t).toBeGreaterThanOrEqual(10);
      expect(t).toBeLessThan(20);
    }
    for (let seed = 1; seed <= 20; seed++) {
      const t = ticksUntilCampaign(seed, 4);
      expect(t).toBeGreaterThanOrEqual(4);
      expect(t).toBeLessThan(8);
    }
  });

  it('different seeds give different timeouts, the same seed the same timeout', () => {
    const timeouts = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) timeouts.add(ticksUntilCampaign(seed));
    expect(timeouts.size).toBeGreaterThan(3);
    expect(ticksUntilCampaign(7)).toBe(ticksUntilCampaign(7));
  });

  it('campaigning starts with a pre-vote that leaves term and vote untouched', () => {
    const r = newRaft(1, [1, 2, 3], { seed: 3 });
    const before = r.hardState();
    while (r.role === StateRole.Follower) r.tick();
    expect(r.role).toBe(StateRole.PreCandidate);
    expect(r.hardState()).toEqual(before);
    const msgs = drain(r);
    expect(msgs.map((m) => [m.type, m.to, m.term])).toEqual([
      [MessageType.PreVote, 2, before.term + 1],
      [MessageType.PreVote, 3, before.term + 1],
    ]);
  });

  it('a follower that keeps hearing from its leader never campaigns', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const term = c.raft(1).term;
    c.tickAndStabilize(200);
    expect(c.leader()).toBe(1);
    for (const id of [1, 2, 3]) expect(c.raft(id).term).toBe(term);
    expect(c.sentWhere((m) => m.type === MessageType.PreVote || m.type === MessageType.Vote).length).toBe(2 * 2);
  });

  it('a cluster with no leader elects exactly one, with at most one leader per term, for many seeds', () => {
    const firstLeaders = new Set<number>();
    for (let seed = 1; seed <= 15; seed++) {
      const c = new TestCluster([1, 2, 3, 4, 5], { seed });
      const leaderOfTerm = new Map<number, number>();
      c.tickUntil(() => {
        for (const tn of c.nodes.values()) {
          if (!tn.node.isLeader()) continue;
          const t = tn.node.raft.term;
          const prev = leaderOfTerm.get(t);
          if (prev !== undefined && prev !== tn.id) throw new Error(`two leaders in term ${t}`);
          leaderOfTerm.set(t, tn.id);
        }
        return c.leader() !== undefined;
      }, 200);
      const lead = c.leader()!;
      firstLeaders.add(lead);
      for (const id of [1, 2, 3, 4, 5]) expect(c.raft(id).lead).toBe(lead);
      expect([...c.nodes.values()].filter((tn) => tn.node.isLeader()).length).toBe(1);
    }
    // The randomized timeouts decide who goes first: not always the same node.
    expect(firstLeaders.size).toBeGreaterThan(1);
  });
});

describe('leader election after a full restart', () => {
  it('nodes restarting with term >= 2 honour leases first, then elect a leader', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const term = c.raft(1).term;
    for (const id of [1, 2, 3]) c.restart(id);
    for (const id of [1, 2, 3]) expect(c.raft(id).role).toBe(StateRole.Follower);
    const ticks = c.tickUntil(() => c.leader() !== undefined, 100);
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(ticks).toBeLessThan(40);
    const lead = c.leader()!;
    expect(c.raft(lead).term).toBe(term + 1);
    c.propose(lead, 'b');
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id)).toEqual(['a', 'b']);
  });
});

describe('leader election: one vote per term', () => {
  it('grants one candidate per term, repeats the grant to it, refuses a rival in that term', () => {
    const r = newRaft(3, [1, 2, 3], { preVote: false });
    expect(r.term).toBe(1);
    r.step(voteReq(1, 3, 2, 1, 1));
    let out = drain(r);
    expect(responses(out, MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 1, term: 2, reject: false })]);
    expect(r.hardState()).toMatchObject({ term: 2, vote: 1 });

    r.step(voteReq(2, 3, 2, 1, 1));
    out = drain(r);
    expect(responses(out, MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 2, reject: true })]);
    expect(r.vote).toBe(1);

    // A retransmitted request from the candidate we voted for is granted again.
    r.step(voteReq(1, 3, 2, 1, 1));
    out = drain(r);
    expect(responses(out, MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 1, reject: false })]);

    // A new term frees the vote.
    r.step(voteReq(2, 3, 3, 1, 1));
    out = drain(r);
    expect(responses(out, MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 2, term: 3, reject: false })]);
    expect(r.hardState()).toMatchObject({ term: 3, vote: 2 });
  });

  it('a candidate does not vote for a rival candidate of its own term', () => {
    const r = newRaft(1, [1, 2, 3], { preVote: false });
    r.step(message({ type: MessageType.Hup, from: 1 }));
    expect(r.role).toBe(StateRole.Candidate);
    drain(r);
    r.step(voteReq(2, 1, r.term, 1, 1));
    expect(responses(drain(r), MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 2, reject: true })]);
    expect(r.vote).toBe(1);
  });

  it('the vote survives a restart (it is part of the persisted hard state)', () => {
    const storage = new MemoryStorage({ voters: [1, 2, 3] });
    storage.setHardState({ term: 2, vote: 1, commit: 1 });
    const r = newRaft(3, [1, 2, 3], { storage, preVote: false });
    r.step(voteReq(2, 3, 2, 1, 1));
    expect(responses(drain(r), MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 2, reject: true })]);
    r.step(voteReq(1, 3, 2, 1, 1));
    expect(responses(drain(r), MessageType.VoteResp)).toEqual([expect.objectContaining({ to: 1, reject: false })]);
  });

  it('split vote: nobody wins the term, a later term elects exactly one leader', () => {
    const c = new TestCluster([1, 2, 3, 4], { raft: { preVote: false } });
    // 3 hears only from 1, 4 only from 2: two votes each, quorum is three.
    c.drop((m) => m.type === MessageType.Vote && ((m.from === 1 && m.to === 4) || (m.from === 2 && m.to === 3)));
    c.get(1).node.campaign();
    c.get(2).node.campaign();
    c.stabilize();
    expect(c.leader()).toBeUndefined();
    expect(c.raft(1).role).toBe(StateRole.Candidate);
    expect(c.raft(2).role).toBe(StateRole.Candidate);
    expect(c.raft(3).vote).toBe(1);
    expect(c.raft(4).vote).toBe(2);
    for (const id of [1, 2, 3, 4]) expect(c.raft(id).term).toBe(2);

    c.heal();
    c.tickUntil(() => c.leader() !== undefined, 100);
    const lead = c.leader()!;
    expect(c.raft(lead).term).toBeGreaterThanOrEqual(3);
    expect([...c.nodes.values()].filter((tn) => tn.node.isLeader()).length).toBe(1);
    for (const id of [1, 2, 3, 4]) expect(c.raft(id).lead).toBe(lead);
    c.propose(lead, 'after-split');
    for (const id of [1, 2, 3, 4]) expect(c.appliedTexts(id)).toEqual(['after-split']);
  });

  it('sanity: a core that votes twice in a term fails the one-vote check', () => {
    const r = new VotesTwiceInATerm({ id: 3, storage: new MemoryStorage({ voters: [1, 2, 3] }), rng: { intn: () => 0 }, preVote: false });
    r.step(voteReq(1, 3, 2, 1, 1));
    drain(r);
    r.step(voteReq(2, 3, 2, 1, 1));
    expect(responses(drain(r), MessageType.VoteResp)[0]?.reject).toBe(false);
  });
});

describe('leader election: log up-to-date check', () => {
  function raftWithLog(id: number, terms: number[], opts: { preVote?: boolean } = {}) {
    // Entries 2.. with the given terms after the bootstrap snapshot at 1 (term 1).
    const storage = new MemoryStorage({ voters: [1, 2, 3] });
    storage.append(terms.map((term, i) => ({ index: i + 2, term, type: 0, data: new Uint8Array(0) })));
    storage.setHardState({ term: Math.max(1, ...terms), vote: NONE, commit: 1 });
    return newRaft(id, [1, 2, 3], { storage, checkQuorum: false, ...opts });
  }

  it.each([
    { name: 'shorter log, same last term', index: 3, logTerm: 3, granted: false },
    { name: 'same log', index: 4, logTerm: 3, granted: true },
    { name: 'longer log, same last term', index: 9, logTerm: 3, granted: true },
    { name: 'shorter log with a newer last term', index: 2, logTerm: 4, granted: true },
    { name: 'longer log with an older last term', index: 20, logTerm: 2, granted: false },
  ])('vote for a candidate with a $name: granted=$granted', ({ index, logTerm, granted }) => {
    // Voter log: 2@2, 3@3, 4@3 -> last (4, 3).
    for (const type of [MessageType.Vote, MessageType.PreVote]) {
      const r = raftWithLog(3, [2, 3, 3]);
      r.step(message({ type, from: 1, to: 3, term: 5, index, logTerm }));
      const resp = drain(r).find((m) => m.type === (type === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp));
      expect(resp?.reject).toBe(!granted);
      if (type === MessageType.Vote) expect(r.vote).toBe(granted ? 1 : NONE);
    }
  });

  it.each([true, false])('a node that missed committed entries cannot become leader (preVote=%s); an up-to-date one can', (preVote) => {
    const c = new TestCluster([1, 2, 3], { raft: { checkQuorum: false, preVote } });
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'a');
    c.propose(1, 'b');
    c.heal();
    // Leader 1 goes away; 3 (missing a and b) campaigns against 2.
    c.isolate(1);
    c.get(3).node.campaign();
    c.stabilize();
    expect(c.raft(3).role).not.toBe(StateRole.Leader);
    expect(c.raft(2).role).toBe(StateRole.Follower);
    const respType = preVote ? MessageType.PreVoteResp : MessageType.VoteResp;
    expect(c.sentWhere((m) => m.type === respType && m.from === 2 && m.to === 3).map((m) => m.reject)).toEqual([true]);
    expect(c.raft(2).vote).not.toBe(3);

    c.get(2).node.campaign();
    c.stabilize();
    expect(c.raft(2).role).toBe(StateRole.Leader);
    expect(c.raft(3).lead).toBe(2);
    c.propose(2, 'c');
    expect(c.appliedTexts(2)).toEqual(['a', 'b', 'c']);
    expect(c.appliedTexts(3)).toEqual(['a', 'b', 'c']);
  });
});
