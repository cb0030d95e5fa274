import { describe, expect, it } from 'vitest';
import { MessageType, ReadMode, StateRole, leaseTicks } from '../../storage/raft/index.js';
import { TestCluster } from './cluster.js';

/** A leader (1) whose lease was just confirmed by a heartbeat round at its tick 1. */
function leased(raft: Record<string, unknown> = {}): TestCluster {
  const c = new TestCluster([1, 2, 3], { raft });
  c.elect(1);
  c.propose(1, 'a');
  c.tickNodeAndStabilize(1);
  return c;
}

/** Issues a lease read on node 1 and handles exactly one Ready; returns that Ready's heartbeats. */
function leaseRead(c: TestCluster, ctx: string) {
  const mark = c.sent.length;
  expect(c.get(1).node.readIndex(ctx, ReadMode.Lease)).toEqual({ ok: true });
  c.processReady(c.get(1));
  return c.sent.slice(mark).filter((m) => m.type === MessageType.Heartbeat);
}

describe('leaseTicks', () => {
  it('sizes the lease below the followers vote-refusal window, allowing for drift', () => {
    expect(leaseTicks(10, 0.05)).toBe(8);
    expect(leaseTicks(10, 0)).toBe(9);
    expect(leaseTicks(20, 0.1)).toBe(15);
    expect(leaseTicks(2, 0.5)).toBe(0);
    expect(leaseTicks(1, 0)).toBe(0);
  });
});

describe('lease reads', () => {
  it('no lease before a heartbeat round of the term was acknowledged', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    expect(c.raft(1).leaseValid()).toBe(false);
    expect(c.get(1).node.status().leaseValid).toBe(false);
  });

  it('answered immediately while the lease holds, without a heartbeat round', () => {
    const c = leased();
    expect(c.raft(1).leaseValid()).toBe(true);
    expect(c.get(1).node.status().leaseValid).toBe(true);
    const hbs = leaseRead(c, 'fast');
    expect(hbs).toEqual([]);
    expect(c.get(1).readStates).toEqual([{ index: c.raft(1).log.committed, requestCtx: 'fast' }]);
  });

  it('a follower lease read forwarded to a leased leader needs no heartbeat round', () => {
    const c = leased();
    const mark = c.sent.length;
    c.get(2).node.readIndex('via-follower', ReadMode.Lease);
    c.stabilize();
    expect(c.sent.slice(mark).filter((m) => m.type === MessageType.Heartbeat)).toEqual([]);
    expect(c.get(2).readStates).toEqual([{ index: c.raft(1).log.committed, requestCtx: 'via-follower' }]);
  });

  it('expires leaseTicks ticks after the last acknowledged heartbeat; reads then take a heartbeat round', () => {
    const c = leased();
    c.drop((m) => m.type === MessageType.HeartbeatResp);
    c.tickNodeAndStabilize(1, 7);
    expect(c.raft(1).role).toBe(StateRole.Leader);
    expect(c.raft(1).leaseValid()).toBe(true);
    c.tickNodeAndStabilize(1, 1);
    expect(c.raft(1).role).toBe(StateRole.Leader);
    expect(c.raft(1).leaseValid()).toBe(false);

    const hbs = leaseRead(c, 'slow');
    expect(hbs.length).toBe(2);
    expect(hbs.every((m) => m.context !== '')).toBe(true);
    expect(c.get(1).readStates).toEqual([]);
    c.stabilize();
    expect(c.get(1).readStates).toEqual([]);
    c.heal();
    c.tickNodeAndStabilize(1);
    expect(c.get(1).readStates.map((s) => s.requestCtx)).toEqual(['slow']);
    expect(c.raft(1).leaseValid()).toBe(true);
  });

  it('is renewed by each acknowledged heartbeat', () => {
    const c = leased();
    c.tickNodeAndStabilize(1, 50);
    expect(c.raft(1).leaseValid()).toBe(true);
    expect(leaseRead(c, 'still-fast')).toEqual([]);
  });

  it('not while a leadership transfer is under way, nor after a TimeoutNow went out this term', () => {
    const c = leased();
    c.isolate(3);
    c.propose(1, 'b'); // 3 now lags
    c.tickNodeAndStabilize(1);
    expect(c.raft(1).leaseValid()).toBe(true);
    expect(c.get(1).node.transferLeadership(3).ok).toBe(true);
    expect(c.raft(1).leaseValid()).toBe(false);
    expect(leaseRead(c, 'during-transfer').length).toBe(2);
    expect(c.get(1).readStates).toEqual([]);
    c.stabilize();
    expect(c.get(1).readStates.map((s) => s.requestCtx)).toEqual(['during-transfer']);

    // A transfer whose TimeoutNow is lost: the target could still campaign with it later.
    const c2 = leased();
    c2.dropTypes(MessageType.TimeoutNow);
    expect(c2.get(1).node.transferLeadership(2).ok).toBe(true);
    c2.stabilize();
    expect(c2.sentWhere((m) => m.type === MessageType.TimeoutNow).length).toBe(1);
    c2.tickNodeAndStabilize(1, 12); // the transfer is abandoned after an election timeout
    expect(c2.raft(1).role).toBe(StateRole.Leader);
    expect(c2.raft(1).leadTransferee).toBe(0);
    expect(c2.raft(1).leaseValid()).toBe(false);
    expect(leaseRead(c2, 'after-timeout-now').length).toBe(2);
  });

  it('never with checkQuorum off: lease reads fall back to a heartbeat round', () => {
    const c = leased({ checkQuorum: false });
    expect(c.raft(1).leaseValid()).toBe(false);
    const hbs = leaseRead(c, 'no-lease');
    expect(hbs.length).toBe(2);
    expect(c.get(1).readStates).toEqual([]);
    c.stabilize();
    expect(c.get(1).readStates.map((s) => s.requestCtx)).toEqual(['no-lease']);
  });

  it('a new leader does not serve lease reads before an entry of its term commits', () => {
    const c = leased();
    const acks = c.hold((m) => m.type === MessageType.AppResp && m.to === 2);
    c.raft(1).transferLeadership(2);
    c.stabilize();
    expect(c.raft(2).role).toBe(StateRole.Leader);
    c.get(2).node.readIndex('new-leader', ReadMode.Lease);
    c.processReady(c.get(2));
    expect(c.get(2).readStates).toEqual([]);
    c.release(acks);
    c.stabilize();
    expect(c.get(2).readStates.map((s) => s.requestCtx)).toEqual(['new-leader']);
    expect(c.get(2).readStates[0]!.index).toBe(c.raft(2).log.committed);
  });

  it('while the lease holds no rival can be elected, even by a node whose own lease expired', () => {
    // The safety argument of the lease: the followers that acknowledged the heartbeat refuse
    // votes for longer than the leader serves lease reads.
    const c = leased();
    const cut3 = c.isolate(3);
    c.tickAndStabilize(30); // 3 lost contact long ago and keeps pre-voting
    c.removeFilter(cut3);
    c.drop((m) => (m.from === 1 && m.to === 3) || (m.from === 3 && m.to === 1)); // 3 can reach only 2
    c.tickNodeAndStabilize(1); // a fresh lease, acknowledged by 2
    expect(c.raft(1).leaseValid()).toBe(true);
    c.isolate(1); // the leader is cut off right after
    let leasedTicks = 0;
    let preVotesDuringLease = 0;
    for (let t = 0; t < 100; t++) {
      const mark = c.sent.length;
      if (c.raft(1).leaseValid()) c.get(3).node.campaign(); // 3 campaigns as hard as it can
      c.tickAll();
      c.stabilize();
      const rival = c.raft(2).role === StateRole.Leader || c.raft(3).role === StateRole.Leader;
      if (c.raft(1).leaseValid()) {
        leasedTicks++;
        expect(rival).toBe(false);
        preVotesDuringLease += c.sent.slice(mark).filter((m) => m.type === MessageType.PreVote && m.to === 2).length;
      } else if (rival) {
        break;
      }
    }
    expect(leasedTicks).toBe(7);
    expect(preVotesDuringLease).toBeGreaterThan(0);
    expect(c.raft(2).role === StateRole.Leader || c.raft(3).role === StateRole.Leader).toBe(true);
  });
});
