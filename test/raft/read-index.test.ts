import { describe, expect, it } from 'vitest';
import { type Message, MessageType, ReadMode, StateRole } from '../../storage/raft/index.js';
import { ReadOnly } from '../../storage/raft/read-only.js';
import { TestCluster } from './cluster.js';

const heartbeatsWithCtx = (msgs: Message[]) => msgs.filter((m) => m.type === MessageType.Heartbeat && m.context !== '');

describe('ReadIndex on the leader', () => {
  it('returns a ReadState only after a quorum acknowledged a heartbeat round', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const committed = c.raft(1).log.committed;
    const held = c.hold((m) => m.type === MessageType.HeartbeatResp);
    const mark = c.sent.length;
    expect(c.get(1).node.readIndex('r1')).toEqual({ ok: true });
    c.stabilize();
    expect(heartbeatsWithCtx(c.sent.slice(mark)).map((m) => m.to)).toEqual([2, 3]);
    expect(c.get(1).readStates).toEqual([]);
    expect(held.length).toBe(2);
    // One follower plus the leader is a quorum of three.
    const from2 = held.find((m) => m.from === 2)!;
    c.release(held, (m) => m === from2);
    c.stabilize();
    expect(c.get(1).readStates).toEqual([{ index: committed, requestCtx: 'r1' }]);
  });

  it('a single-voter leader answers at once', () => {
    const c = new TestCluster([1]);
    c.elect(1);
    c.propose(1, 'a');
    c.get(1).node.readIndex('solo');
    c.stabilize();
    expect(c.get(1).readStates).toEqual([{ index: c.raft(1).log.committed, requestCtx: 'solo' }]);
    expect(c.sentWhere((m) => m.type === MessageType.Heartbeat)).toEqual([]);
  });

  it('several reads before one Ready share one heartbeat round', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const mark = c.sent.length;
    for (const ctx of ['a', 'b', 'c']) c.get(1).node.readIndex(ctx);
    c.stabilize();
    expect(c.sent.slice(mark).filter((m) => m.type === MessageType.Heartbeat).length).toBe(2);
    const idx = c.raft(1).log.committed;
    expect(c.get(1).readStates).toEqual(['a', 'b', 'c'].map((requestCtx) => ({ index: idx, requestCtx })));
  });

  it('reads in different Ready cycles get separate rounds; a later round confirms earlier ones', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const held = c.hold((m) => m.type === MessageType.HeartbeatResp);
    c.get(1).node.readIndex('first');
    c.stabilize();
    c.propose(1, 'w'); // commit moves on between the two reads
    c.get(1).node.readIndex('second');
    c.stabilize();
    const rounds = new Set(held.map((m) => m.context));
    expect(rounds.size).toBe(2);
    const latest = held[held.length - 1]!.context;
    c.release(held, (m) => m.context === latest);
    c.stabilize();
    const states = c.get(1).readStates;
    expect(states.map((s) => s.requestCtx)).toEqual(['first', 'second']);
    expect(states[0]!.index).toBeLessThan(states[1]!.index);
  });

  it('a new leader defers reads until an entry of its own term commits', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    // 2 wins a new term but its first entry does not commit yet.
    const acks = c.hold((m) => m.type === MessageType.AppResp && m.to === 2);
    c.raft(1).transferLeadership(2);
    c.stabilize();
    expect(c.raft(2).role).toBe(StateRole.Leader);
    const term = c.raft(2).term;
    expect(c.raft(2).log.term(c.raft(2).log.committed)).not.toBe(term);
    const mark = c.sent.length;
    c.get(2).node.readIndex('early');
    c.tickNodeAndStabilize(2, 2);
    expect(c.get(2).readStates).toEqual([]);
    expect(c.sent.slice(mark).filter((m) => m.type === MessageType.Heartbeat && m.context !== '')).toEqual([]);

    c.release(acks);
    c.stabilize();
    const firstOwn = c.raft(2).log.committed;
    expect(c.raft(2).log.term(firstOwn)).toBe(term);
    expect(c.get(2).readStates).toEqual([{ index: firstOwn, requestCtx: 'early' }]);
  });

  it('a leader cut off from the quorum never answers a read', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(1);
    c.get(1).node.readIndex('lost');
    for (let i = 0; i < 30; i++) c.tickNodeAndStabilize(1);
    expect(c.raft(1).role).not.toBe(StateRole.Leader);
    c.heal();
    c.tickAndStabilize(40);
    expect(c.get(1).readStates).toEqual([]);
    expect(c.sentWhere((m) => m.type === MessageType.ReadIndexResp)).toEqual([]);
  });

  it('a read on a node that is not leader and knows no leader fails with NoLeader', () => {
    const c = new TestCluster([1, 2, 3]);
    expect(c.get(2).node.readIndex('x')).toEqual({ ok: false, error: 'NoLeader' });
  });
});

describe('ReadIndex on a follower', () => {
  it('is forwarded to the leader and answered with ReadIndexResp after the leader heartbeat round', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const mark = c.sent.length;
    expect(c.get(2).node.readIndex('f1')).toEqual({ ok: true });
    c.stabilize();
    const after = c.sent.slice(mark);
    const fwd = after.findIndex((m) => m.type === MessageType.ReadIndex && m.from === 2 && m.to === 1 && m.context === 'f1');
    const hb = after.findIndex((m) => m.type === MessageType.Heartbeat && m.context !== '');
    const resp = after.findIndex((m) => m.type === MessageType.ReadIndexResp && m.to === 2);
    expect(fwd).toBeGreaterThanOrEqual(0);
    expect(hb).toBeGreaterThan(fwd);
    expect(resp).toBeGreaterThan(hb);
    expect(c.get(2).readStates).toEqual([{ index: c.raft(1).log.committed, requestCtx: 'f1' }]);
    expect(c.get(1).readStates).toEqual([]);
  });

  it('is not answered while the leader cannot reach a quorum', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.drop((m) => m.type === MessageType.HeartbeatResp);
    c.get(2).node.readIndex('f2');
    c.stabilize();
    c.tickNodeAndStabilize(1, 3);
    expect(c.get(2).readStates).toEqual([]);
  });
});

describe('ReadOnly bookkeeping', () => {
  it('batches requests at the same commit index until broadcast; acks release rounds in order', () => {
    const ro = new ReadOnly();
    ro.add({ from: 1, ctx: 'a' }, 5);
    ro.add({ from: 2, ctx: 'b' }, 5);
    expect(ro.pending()).toBe(1);
    ro.add({ from: 1, ctx: 'c' }, 6);
    expect(ro.pending()).toBe(2);
    const r = ro.takeUnbroadcast()!;
    expect(ro.hasUnbroadcast()).toBe(false);
    ro.add({ from: 1, ctx: 'd' }, 6); // after a broadcast: a new round
    expect(ro.pending()).toBe(3);
    expect(ro.recvAck(999, 2)).toBeUndefined();
    expect([...ro.recvAck(r.id, 2)!]).toEqual([2]);
    const released = ro.advance(r.id);
    expect(released.map((x) => [x.index, x.requests.map((q) => q.ctx)])).toEqual([
      [5, ['a', 'b']],
      [6, ['c']],
    ]);
    expect(ro.pending()).toBe(1);
  });
});
