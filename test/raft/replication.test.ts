import { describe, expect, it } from 'vitest';
import { type Entry, type Message, MessageType, StateRole, entrySize } from '../../storage/raft/index.js';
import { type Raft } from '../../storage/raft/raft.js';
import { TestCluster, enc } from './cluster.js';

function logOf(r: Raft): Array<[number, number, string]> {
  const dec = new TextDecoder();
  const ents = r.log.slice(r.log.firstIndex(), r.log.lastIndex() + 1, Number.MAX_SAFE_INTEGER) ?? [];
  return ents.map((e: Entry) => [e.index, e.term, dec.decode(e.data)]);
}

const isApp = (from: number, to: number) => (m: Message) => m.type === MessageType.App && m.from === from && m.to === to;
const withEntries = (f: (m: Message) => boolean) => (m: Message) => f(m) && m.entries.length > 0;

describe('log replication: log matching', () => {
  it('a follower divergent uncommitted suffix is overwritten by the new leader', () => {
    const c = new TestCluster([1, 2, 3], { raft: { checkQuorum: false } });
    c.elect(1);
    c.propose(1, 'a');
    c.isolate(1);
    for (const t of ['x1', 'x2', 'x3']) expect(c.get(1).node.propose(enc(t)).ok).toBe(true);
    c.stabilize();
    expect(c.raft(1).log.lastIndex()).toBe(6);
    expect(c.raft(1).log.committed).toBe(3);

    c.elect(2);
    expect(c.raft(2).role).toBe(StateRole.Leader);
    c.propose(2, 'y');
    c.heal();
    c.tickNodeAndStabilize(2, 2);
    expect(c.raft(1).role).toBe(StateRole.Follower);
    expect(c.raft(1).lead).toBe(2);
    expect(logOf(c.raft(1))).toEqual(logOf(c.raft(2)));
    expect(logOf(c.raft(3))).toEqual(logOf(c.raft(2)));
    expect(logOf(c.raft(1)).map((e) => e[2])).not.toContain('x1');
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id)).toEqual(['a', 'y']);
  });

  it('an append whose previous entry does not match is rejected with a hint, and nothing is appended', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    const f = c.raft(2);
    const last = f.log.lastIndex();
    f.step({
      type: MessageType.App, from: 1, to: 2, term: f.term, logTerm: f.term + 5, index: last, commit: 0, reject: false, rejectHint: 0,
      context: '', readMode: 0, leaseTick: 0, force: false, snapshot: null,
      entries: [{ index: last + 1, term: f.term, type: 0, data: enc('z') }],
    });
    const resp = f.msgs.find((m) => m.type === MessageType.AppResp)!;
    expect(resp).toMatchObject({ reject: true, index: last, rejectHint: last, logTerm: f.term });
    expect(f.log.lastIndex()).toBe(last);
  });
});

describe('log replication: fast backtracking of nextIndex', () => {
  it('a long divergent suffix is skipped a term at a time, not an entry at a time', () => {
    const c = new TestCluster([1, 2, 3], { raft: { checkQuorum: false } });
    c.elect(1); // term 2
    c.propose(1, 'a'); // index 3, committed everywhere
    // Node 1, cut off, appends 50 entries of term 2 that nobody else gets.
    c.isolate(1);
    for (let i = 0; i < 50; i++) c.get(1).node.propose(enc(`stale-${i}`));
    c.stabilize();
    // Nodes 2 and 3 move on: 60 entries of term 3.
    c.elect(2);
    expect(c.raft(2).term).toBe(3);
    for (let i = 0; i < 60; i++) c.get(2).node.propose(enc(`new-${i}`));
    c.stabilize();
    // A new leader (term 4) that starts with nextIndex = its last index + 1 for node 1.
    expect(c.raft(2).transferLeadership(3).ok).toBe(true);
    c.stabilize();
    expect(c.raft(3).role).toBe(StateRole.Leader);
    expect(c.raft(3).term).toBe(4);
    expect(c.raft(1).log.lastIndex()).toBe(53);
    expect(c.raft(3).log.lastIndex()).toBe(65);

    const mark = c.sent.length;
    c.heal();
    c.tickNodeAndStabilize(3, 3);
    const rejects = c.sent.slice(mark).filter((m) => m.type === MessageType.AppResp && m.from === 1 && m.reject);
    // Naive decrement would need ~60 rejections; one per divergent term is the bound.
    expect(rejects.length).toBeGreaterThanOrEqual(1);
    expect(rejects.length).toBeLessThanOrEqual(2);
    expect(logOf(c.raft(1))).toEqual(logOf(c.raft(3)));
    const texts = c.appliedTexts(1);
    expect(texts.filter((t) => t.startsWith('stale'))).toEqual([]);
    expect(texts.filter((t) => t.startsWith('new')).length).toBe(60);
  });
});

describe('log replication: pipelining and flow control', () => {
  it('with maxInflightMsgs=2 and a silent follower the leader sends at most 2 appends; an ack frees the window', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxInflightMsgs: 2 } });
    c.elect(1);
    const held = c.hold((m) => m.type === MessageType.AppResp && m.from === 3);
    const mark = c.sent.length;
    for (let i = 0; i < 5; i++) c.propose(1, `p${i}`);
    const appsTo3 = c.sent.slice(mark).filter(withEntries(isApp(1, 3)));
    expect(appsTo3.length).toBe(2);
    expect(appsTo3.flatMap((m) => m.entries.map((e) => new TextDecoder().decode(e.data)))).toEqual(['p0', 'p1']);
    // Pipelined: the second append went out before the first was acknowledged.
    expect(held.map((m) => m.index)).toContain(3);
    expect(held.map((m) => m.index)).toContain(4);
    // Node 2 alone completes the quorum.
    expect(c.appliedTexts(1)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(c.raft(3).log.lastIndex()).toBe(4); // only p0 (3) and p1 (4)

    const mark2 = c.sent.length;
    const first = held[0]!;
    c.release(held, (m) => m === first); // the second ack is lost
    c.stabilize();
    const after = c.sent.slice(mark2).filter(withEntries(isApp(1, 3)));
    expect(after.length).toBe(1);
    expect(after[0]!.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(['p2', 'p3', 'p4']);
    expect(c.appliedTexts(3)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('maxInflightBytes caps the bytes in flight to a silent follower', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxInflightBytes: 100, maxSizePerMsg: 100 } });
    c.elect(1);
    c.hold((m) => m.type === MessageType.AppResp && m.from === 3);
    const mark = c.sent.length;
    // 40-byte payloads are 64 bytes each: after two appends (128 bytes) the window is full.
    for (let i = 0; i < 5; i++) c.propose(1, `${i}`.padEnd(40, '.'));
    expect(c.sent.slice(mark).filter(withEntries(isApp(1, 3))).length).toBe(2);
    expect(c.sent.slice(mark).filter(withEntries(isApp(1, 2))).length).toBe(5);
  });

  it('a window full of lost appends is recovered through heartbeats', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxInflightMsgs: 2 } });
    c.elect(1);
    const lost = c.drop((m) => m.type === MessageType.App && m.to === 3);
    for (let i = 0; i < 4; i++) c.propose(1, `l${i}`);
    c.removeFilter(lost);
    c.tickNodeAndStabilize(1, 3);
    expect(c.appliedTexts(3)).toEqual(['l0', 'l1', 'l2', 'l3']);
  });

  it('a healthy follower receives pipelined appends without waiting for each ack', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxInflightMsgs: 4 } });
    c.elect(1);
    const held = c.hold((m) => m.type === MessageType.AppResp);
    const mark = c.sent.length;
    for (let i = 0; i < 6; i++) {
      c.get(1).node.propose(enc(`q${i}`));
      c.processReady(c.get(1));
    }
    expect(c.sent.slice(mark).filter(withEntries(isApp(1, 2))).length).toBe(4);
    c.release(held);
    c.stabilize();
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
  });
});

describe('log replication: batching', () => {
  it('many proposals before one Ready go out as one append per follower', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const mark = c.sent.length;
    const results = [];
    for (let i = 0; i < 10; i++) results.push(c.get(1).node.propose(enc(`b${i}`)));
    // Nothing is sent before the Ready.
    expect(c.raft(1).msgs).toEqual([]);
    expect(results.map((r) => (r.ok ? r.firstIndex : -1))).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    c.stabilize();
    for (const to of [2, 3]) {
      const apps = c.sent.slice(mark).filter(withEntries(isApp(1, to)));
      expect(apps.length).toBe(1);
      expect(apps[0]!.entries.length).toBe(10);
    }
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id).length).toBe(10);
  });

  it('proposeBatch appends all commands as one contiguous batch', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const mark = c.sent.length;
    const r = c.get(1).node.proposeBatch(['u', 'v', 'w'].map(enc));
    expect(r).toEqual({ ok: true, firstIndex: 3, lastIndex: 5, term: c.raft(1).term });
    c.stabilize();
    expect(c.sent.slice(mark).filter(withEntries(isApp(1, 2))).length).toBe(1);
    expect(c.appliedTexts(3)).toEqual(['u', 'v', 'w']);
    expect(() => c.get(1).node.proposeBatch([])).toThrow(RangeError);
  });
});

describe('log replication: maxSizePerMsg', () => {
  it('splits a large backlog into appends of at most maxSizePerMsg bytes', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxSizePerMsg: 100 } });
    c.elect(1);
    const mark = c.sent.length;
    // 10-byte payloads: 34 bytes each with the header estimate, so two fit in 100 bytes.
    for (let i = 0; i < 6; i++) c.get(1).node.propose(enc(`entry-000${i}`));
    c.stabilize();
    const apps = c.sent.slice(mark).filter(withEntries(isApp(1, 2)));
    expect(apps.map((m) => m.entries.length)).toEqual([2, 2, 2]);
    for (const m of apps) expect(m.entries.reduce((n, e) => n + entrySize(e), 0)).toBeLessThanOrEqual(100);
    expect(c.appliedTexts(2).length).toBe(6);
  });

  it('an entry larger than maxSizePerMsg still goes out, alone', () => {
    const c = new TestCluster([1, 2, 3], { raft: { maxSizePerMsg: 100 } });
    c.elect(1);
    const mark = c.sent.length;
    const big = 'x'.repeat(300);
    c.get(1).node.propose(enc(big));
    c.get(1).node.propose(enc('small'));
    c.stabilize();
    const apps = c.sent.slice(mark).filter(withEntries(isApp(1, 2)));
    expect(apps.map((m) => m.entries.length)).toEqual([1, 1]);
    expect(c.appliedTexts(2)).toEqual([big, 'small']);
  });
});
