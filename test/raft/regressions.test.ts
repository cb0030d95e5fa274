// Regressions from a review of the core: each scenario below once broke safety or liveness
// (lease votes, restart configuration, snapshot durability, explicit campaigns, the removed
// leader's hand-over); the last group guards properties verified during the review.
import { describe, expect, it } from 'vitest';
import { ConfChangeType, MemoryStorage, MessageType, RawNode, ReadMode, SeededRng, StateRole } from '../../storage/raft/index.js';
import { TestCluster, enc } from './cluster.js';

const isLeader = (c: TestCluster, id: number) => c.raft(id).role === StateRole.Leader;

/**
 * Sets up: 1 leads term T with a lease acknowledged by 2; 3 (cut off from 1) is a candidate for
 * T+1 whose Vote to 2 is still in flight, and a PreVote 2 sent while it was out of touch with 1
 * is in flight to 3. Nothing but message delay and a one-way cut: all clocks tick together, and
 * both campaigns start from the nodes' own election timers (seed 1).
 */
function leaseRefusalSetup() {
  const c = new TestCluster([1, 2, 3]);
  c.elect(1);
  c.propose(1, 'a');
  const T = c.raft(1).term;
  c.drop((m) => (m.from === 1 && m.to === 3) || (m.from === 3 && m.to === 1)); // 3 never reaches 1
  const preVotes2to3 = c.hold((m) => m.from === 2 && m.to === 3 && m.type === MessageType.PreVote); // delayed
  const votes3to2 = c.hold((m) => m.from === 3 && m.to === 2 && m.type === MessageType.Vote); // delayed
  c.tickAndStabilize(1); // 2 is heard from in 1's first CheckQuorum window
  const silence = c.drop((m) => m.from === 1 && m.to === 2);
  c.tickAndStabilize(13); // 2 misses 13 heartbeats: out of lease, it pre-campaigns and grants 3's pre-vote
  expect(isLeader(c, 1)).toBe(true); // 2 was active in the CheckQuorum window that ended at tick 10
  expect(c.raft(3).role).toBe(StateRole.Candidate);
  expect(c.raft(3).term).toBe(T + 1);
  expect(preVotes2to3.length).toBe(1);
  expect(votes3to2.length).toBe(1);
  c.removeFilter(silence);
  c.tickAndStabilize(1); // 2 acknowledges a heartbeat again: 1's lease is valid from here
  expect(c.raft(2).lead).toBe(1);
  expect(c.raft(2).term).toBe(T);
  expect(c.raft(1).leaseValid()).toBe(true);
  return { c, T, preVotes2to3, votes3to2 };
}

describe('review: lease vote refusal', () => {
  it('a follower in a leader\'s lease does not vote for a rival after a non-vote message raised its term', () => {
    const { c, preVotes2to3, votes3to2 } = leaseRefusalSetup();
    // 2's delayed PreVote reaches candidate 3, whose rejection carries term T+1: 2 moves to T+1
    // with no vote and no leader. 3's delayed Vote at T+1 (the same term now) must still be
    // refused: 2 heard from 1 this very tick.
    c.release(preVotes2to3);
    c.stabilize();
    c.release(votes3to2);
    c.stabilize();
    expect(c.raft(1).leaseValid()).toBe(true);
    expect(isLeader(c, 3)).toBe(false);
  });

  it('a lease read on the old leader still sees every committed write', () => {
    const { c, preVotes2to3, votes3to2 } = leaseRefusalSetup();
    c.drop((m) => m.from === 2 && m.to === 1); // 1 does not hear of term T+1 before the read
    c.release(preVotes2to3);
    c.stabilize();
    c.release(votes3to2);
    c.stabilize();
    // 3 cannot have become leader inside 1's lease, so nothing was committed behind 1's back.
    expect(isLeader(c, 3)).toBe(false);
    expect(c.get(3).node.propose(enc('w')).ok).toBe(false);
    expect(c.raft(1).leaseValid()).toBe(true);
    c.get(1).node.readIndex('after', ReadMode.Lease);
    c.processReady(c.get(1));
    const rs = c.get(1).readStates.find((s) => s.requestCtx === 'after');
    expect(rs).toBeDefined();
    const maxCommitted = Math.max(...[1, 2, 3].map((id) => c.raft(id).log.committed));
    expect(rs!.index).toBeGreaterThanOrEqual(maxCommitted);
  });
});

/** A follower (3) that lagged behind a compaction is about to install a snapshot from 1. */
function snapshotPendingOn3() {
  const c = new TestCluster([1, 2, 3]);
  c.elect(1);
  c.propose(1, 'a');
  const cut = c.isolate(3);
  for (let i = 0; i < 5; i++) c.propose(1, `m${i}`);
  const l = c.get(1);
  const applied = l.node.status().applied;
  l.storage.createSnapshot(applied, c.raft(1).confState(), enc('state'));
  l.storage.compact(applied);
  c.removeFilter(cut);
  c.tick(1);
  for (let i = 0; i < 100 && !c.raft(3).log.hasPendingSnapshot(); i++) c.round();
  expect(c.raft(3).log.hasPendingSnapshot()).toBe(true);
  return { c, snapIndex: applied };
}

describe('review: Ready.mustSync', () => {
  it('a Ready carrying a snapshot must be synced (its AppResp acknowledges the snapshot)', () => {
    const { c, snapIndex } = snapshotPendingOn3();
    const rd = c.get(3).node.ready();
    expect(rd.snapshot?.metadata.index).toBe(snapIndex);
    expect(rd.entries).toEqual([]);
    expect(rd.messages.some((m) => m.type === MessageType.AppResp && m.index === snapIndex && !m.reject)).toBe(true);
    expect(rd.mustSync).toBe(true);
  });

  it('a follower that crashes right after syncing a snapshot it acknowledged recovers', () => {
    const { c, snapIndex } = snapshotPendingOn3();
    const tn = c.get(3);
    const rd = tn.node.ready();
    expect(rd.mustSync).toBe(true);
    // The host syncs the snapshot (and the hard state written with it), sends, then crashes.
    if (rd.snapshot) tn.storage.applySnapshot(rd.snapshot);
    if (rd.hardState) tn.storage.setHardState(rd.hardState);
    for (const m of rd.messages) c.get(m.to).node.step(m);
    c.restart(3);
    expect(c.raft(3).log.committed).toBeGreaterThanOrEqual(snapIndex);
    c.tickAndStabilize(5);
    c.propose(1, 'later');
    expect(c.appliedTexts(3)).toContain('later');
  });
});

describe('review: RawNode.campaign and the lease', () => {
  it('campaign() on a voter that is inside a leader\'s lease does not start an election', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    c.drop((m) => (m.from === 1 && m.to === 3) || (m.from === 3 && m.to === 1));
    c.tickAndStabilize(12); // 3 is out of touch with 1 (so it grants pre-votes); 2 is not
    c.tickAndStabilize(1);
    expect(c.raft(1).leaseValid()).toBe(true);
    c.drop((m) => m.from === 2 && m.to === 1);
    // The host asks 2 to campaign (e.g. "campaign on start-up"); 2 heard from 1 this tick, and its
    // own vote counts towards the rival quorum exactly like a granted vote would.
    c.get(2).node.campaign();
    c.stabilize();
    expect(c.raft(1).leaseValid()).toBe(true);
    expect(isLeader(c, 2)).toBe(false);
  });
});

describe('review: removed leader hand-over', () => {
  it('the TimeoutNow target campaigns even if it has not yet applied the removal when the TimeoutNow arrives', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const r = c.get(1).node.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 1 });
    if (!r.ok) throw new Error(r.error);
    for (let i = 0; i < 20 && c.raft(1).log.committed < r.lastIndex; i++) c.round();
    expect(c.raft(1).log.committed).toBe(r.lastIndex);
    // From here, 1's messages to 2 arrive together, before 2's host runs its next Ready (any host
    // that steps messages as they arrive and handles Ready in a loop sees this order).
    const held = c.hold((m) => m.from === 1 && m.to === 2);
    for (let i = 0; i < 20 && !held.some((m) => m.type === MessageType.TimeoutNow); i++) c.round();
    expect(c.raft(1).role).toBe(StateRole.Follower); // 1 applied its removal and stepped down
    expect(held.some((m) => m.type === MessageType.TimeoutNow)).toBe(true);
    const batch = held.splice(0);
    c.release(held);
    for (const m of batch) c.get(2).node.step(m);
    c.stabilize(); // no tick: the hand-over should not wait for an election timeout
    expect(c.leader()).toBe(2);
  });
});

describe('review: restart with an explicit applied index', () => {
  /** {1,2,3} grown to {1,2,3,4,5} by conf changes that live in the log (no snapshot since bootstrap). */
  function fiveVoters(): TestCluster {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    for (const id of [4, 5]) {
      c.addNode(id, new MemoryStorage());
      c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: id });
      c.confChange(1, { type: ConfChangeType.AddNode, nodeId: id });
    }
    for (const id of [1, 2, 3, 4, 5]) expect(c.raft(id).confState().voters).toEqual([1, 2, 3, 4, 5]);
    return c;
  }

  /** Restarts node id from its storage, telling the core what the application already applied. */
  function restartWithApplied(c: TestCluster, id: number): void {
    const old = c.get(id);
    const node = new RawNode({ id, storage: old.storage, rng: new SeededRng(77), applied: old.node.status().applied });
    c.nodes.set(id, { ...old, node, readStates: [], snapshots: [] });
  }

  it('keeps the configuration the application had applied', () => {
    const c = fiveVoters();
    restartWithApplied(c, 2);
    // The conf changes in (snapshot, applied] live only in the log: the core must replay them.
    expect(c.raft(2).confState().voters).toEqual([1, 2, 3, 4, 5]);
  });

  it('so a restarted node cannot lead a minority of the grown cluster', () => {
    const c = fiveVoters();
    restartWithApplied(c, 1);
    c.drop((m) => [1, 2].includes(m.from) !== [1, 2].includes(m.to)); // {1,2} | {3,4,5}
    c.tickUntil(() => [3, 4, 5].some((id) => isLeader(c, id)), 300);
    expect(isLeader(c, 1)).toBe(false);
    expect(c.get(1).node.propose(enc('minority')).ok).toBe(false);
    const other = [3, 4, 5].find((id) => isLeader(c, id))!;
    c.propose(other, 'majority');
    expect(c.appliedTexts(3)).toContain('majority');
    expect(c.appliedTexts(2)).not.toContain('majority');
  });
});

describe('review: verified properties (guards)', () => {
  it('a ReadIndex request is never released by acks to a heartbeat that left before it was made', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const acks = c.hold((m) => m.type === MessageType.HeartbeatResp);
    c.get(1).node.readIndex('A');
    c.tick(1); // a regular heartbeat also carries A's round
    c.processReady(c.get(1)); // A's heartbeats leave now
    c.get(1).node.readIndex('B'); // same commit index, after those heartbeats left
    c.stabilize(); // B's own round goes out; its acks are held as well
    expect(new Set(acks.map((m) => m.context)).size).toBe(2); // A's round and B's round
    const first = acks.filter((m) => m.context === acks[0]!.context);
    const rest = acks.filter((m) => !first.includes(m));
    c.release(acks, (m) => first.includes(m));
    c.stabilize();
    expect(c.get(1).readStates.map((s) => s.requestCtx)).toEqual(['A']);
    for (const m of rest) c.get(1).node.step(m);
    c.stabilize();
    expect(c.get(1).readStates.map((s) => s.requestCtx)).toEqual(['A', 'B']);
  });
});
