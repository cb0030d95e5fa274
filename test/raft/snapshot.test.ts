import { describe, expect, it } from 'vitest';
import {
  ConfChangeType,
  MemoryStorage,
  type Message,
  MessageType,
  type Snapshot,
  type SnapshotChunk,
} from '../../storage/raft/index.js';
import { ProgressState } from '../../storage/raft/progress.js';
import { SnapshotReceiver } from '../../storage/raft/snapshot-receiver.js';
import { TestCluster, enc } from './cluster.js';

const CHUNK = 16;
const STATE_BYTES = 100; // 7 chunks of at most 16 bytes

function stateBytes(tag: string): Uint8Array {
  const out = new Uint8Array(STATE_BYTES);
  for (let i = 0; i < STATE_BYTES; i++) out[i] = (i * 7 + tag.length) & 0xff;
  out.set(enc(tag).subarray(0, 20));
  return out;
}

/** The leader snapshots its applied state and compacts its log there, as the application would. */
function compactLeader(c: TestCluster, id: number, tag = 'snap'): Snapshot {
  const tn = c.get(id);
  const r = tn.node.raft;
  const applied = r.log.applied;
  const snap = tn.storage.createSnapshot(applied, r.confState(), stateBytes(tag));
  tn.storage.compact(applied);
  return snap;
}

const snapsTo = (to: number) => (m: Message) => m.type === MessageType.Snap && m.to === to;

describe('snapshots: log compaction on the leader', () => {
  it('the application compacts the log; the leader keeps working', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    for (const t of ['a', 'b', 'c']) c.propose(1, t);
    const snap = compactLeader(c, 1);
    expect(snap.metadata).toMatchObject({ index: 5, term: c.raft(1).term, confState: { voters: [1, 2, 3], learners: [] } });
    const log = c.raft(1).log;
    expect(log.firstIndex()).toBe(6);
    expect(log.term(5)).toBe(c.raft(1).term);
    expect(log.term(4)).toBeUndefined();
    expect(log.slice(3, 6, Infinity)).toBeUndefined();
    c.propose(1, 'd');
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id)).toEqual(['a', 'b', 'c', 'd']);
    // Followers that are up to date never need the snapshot.
    expect(c.sentWhere((m) => m.type === MessageType.Snap).length).toBe(0);
  });
});

describe('snapshots: chunked InstallSnapshot', () => {
  function withNewMember(opts: { window?: number } = {}) {
    const c = new TestCluster([1, 2, 3], { raft: { snapshotChunkBytes: CHUNK, snapshotChunkWindow: opts.window ?? 4 } });
    c.elect(1);
    for (const t of ['a', 'b', 'c']) c.propose(1, t);
    const snap = compactLeader(c, 1);
    c.addNode(4, new MemoryStorage());
    return { c, snap };
  }

  it('a new member receives the compacted state as several chunks and then continues with appends', () => {
    const { c, snap } = withNewMember();
    c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: 4 });
    const chunks = c.sentWhere(snapsTo(4));
    expect(chunks.length).toBe(Math.ceil(STATE_BYTES / CHUNK));
    for (const m of chunks) {
      expect(m.snapshot!.data.byteLength).toBeLessThanOrEqual(CHUNK);
      expect(m.snapshot!.metadata.index).toBe(snap.metadata.index);
    }
    expect(chunks.map((m) => m.snapshot!.offset)).toEqual([0, 16, 32, 48, 64, 80, 96]);
    expect(c.sentWhere((m) => m.type === MessageType.SnapResp && m.from === 4).length).toBeGreaterThan(0);

    const n4 = c.get(4);
    expect(n4.snapshots.length).toBe(1);
    expect(n4.snapshots[0]!.data).toEqual(snap.data);
    expect(n4.snapshots[0]!.metadata.index).toBe(snap.metadata.index);
    expect(n4.storage.firstIndex()).toBe(snap.metadata.index + 1);
    expect(c.raft(4).log.lastIndex()).toBe(c.raft(1).log.lastIndex());
    expect(c.raft(4).confState()).toEqual({ voters: [1, 2, 3], learners: [4] });

    const mark = c.sent.length;
    c.propose(1, 'after-snapshot');
    expect(c.appliedTexts(4)).toEqual(['after-snapshot']);
    expect(c.sent.slice(mark).filter(snapsTo(4)).length).toBe(0);
    expect(c.sent.slice(mark).filter((m) => m.type === MessageType.App && m.to === 4 && m.entries.length > 0).length).toBe(1);
    expect(c.raft(1).tracker.progress.get(4)!.state).toBe(ProgressState.Replicate);
  });

  it('at most snapshotChunkWindow chunks are sent ahead of the acknowledgements', () => {
    const { c, snap } = withNewMember({ window: 3 });
    const held = c.hold((m) => m.type === MessageType.SnapResp);
    c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: 4 });
    expect(c.sentWhere(snapsTo(4)).length).toBe(3);
    expect(held.length).toBe(3);
    c.release(held);
    c.stabilize();
    expect(c.sentWhere(snapsTo(4)).length).toBe(7);
    expect(c.get(4).snapshots[0]!.data).toEqual(snap.data);
  });

  it('a lost middle chunk is recovered: the follower asks to resume at the gap', () => {
    const { c, snap } = withNewMember();
    let dropped = false;
    const f = c.drop((m) => {
      if (!dropped && m.type === MessageType.Snap && m.snapshot!.offset === 32) return (dropped = true);
      return false;
    });
    c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: 4 });
    c.removeFilter(f);
    c.stabilize();
    expect(dropped).toBe(true);
    const resumes = c.sentWhere((m) => m.type === MessageType.SnapResp && m.from === 4 && m.reject);
    expect(resumes.length).toBeGreaterThan(0);
    expect(resumes[0]!.rejectHint).toBe(32);
    expect(c.get(4).snapshots.length).toBe(1);
    expect(c.get(4).snapshots[0]!.data).toEqual(snap.data);
    c.propose(1, 'next');
    expect(c.appliedTexts(4)).toEqual(['next']);
  });

  it('a lost final chunk is resent after three silent heartbeat rounds', () => {
    const { c, snap } = withNewMember();
    let dropped = false;
    c.drop((m) => {
      if (!dropped && m.type === MessageType.Snap && m.snapshot!.offset === 96) return (dropped = true);
      return false;
    });
    c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: 4 });
    c.heal();
    expect(dropped).toBe(true);
    expect(c.get(4).snapshots.length).toBe(0);
    expect(c.raft(1).tracker.progress.get(4)!.state).toBe(ProgressState.Snapshot);
    const sentBefore = c.sentWhere(snapsTo(4)).length;
    c.tickNodeAndStabilize(1, 2);
    expect(c.sentWhere(snapsTo(4)).length).toBe(sentBefore);
    expect(c.get(4).snapshots.length).toBe(0);
    c.tickNodeAndStabilize(1, 1);
    expect(c.sentWhere(snapsTo(4)).length).toBe(sentBefore + 1);
    expect(c.get(4).snapshots.length).toBe(1);
    expect(c.get(4).snapshots[0]!.data).toEqual(snap.data);
    c.propose(1, 'next');
    expect(c.appliedTexts(4)).toEqual(['next']);
  });

  it('if the acknowledgement of the completed snapshot is lost, a resumed chunk recovers it', () => {
    const { c, snap } = withNewMember();
    let dropped = false;
    c.drop((m) => {
      if (!dropped && m.type === MessageType.AppResp && m.from === 4 && !m.reject) return (dropped = true);
      return false;
    });
    c.confChange(1, { type: ConfChangeType.AddLearner, nodeId: 4 });
    c.heal();
    expect(dropped).toBe(true);
    expect(c.get(4).snapshots.length).toBe(1);
    expect(c.raft(1).tracker.progress.get(4)!.state).toBe(ProgressState.Snapshot);
    c.tickNodeAndStabilize(1, 3);
    expect(c.raft(1).tracker.progress.get(4)!.state).toBe(ProgressState.Replicate);
    expect(c.get(4).snapshots.length).toBe(1); // not installed twice
    expect(c.get(4).snapshots[0]!.data).toEqual(snap.data);
    c.propose(1, 'next');
    expect(c.appliedTexts(4)).toEqual(['next']);
  });

  it('a lagging follower whose entries were compacted away catches up by snapshot', () => {
    const c = new TestCluster([1, 2, 3], { raft: { snapshotChunkBytes: CHUNK } });
    c.elect(1);
    c.propose(1, 'early');
    c.isolate(3);
    for (let i = 0; i < 10; i++) c.propose(1, `missed-${i}`);
    const snap = compactLeader(c, 1, 'lagging');
    c.heal();
    c.tickNodeAndStabilize(1, 3);
    const n3 = c.get(3);
    expect(c.sentWhere(snapsTo(3)).length).toBe(7);
    expect(n3.snapshots.map((s) => s.metadata.index)).toEqual([snap.metadata.index]);
    expect(n3.snapshots[0]!.data).toEqual(snap.data);
    expect(c.raft(3).log.committed).toBe(c.raft(1).log.committed);
    expect(c.raft(3).log.lastIndex()).toBe(c.raft(1).log.lastIndex());
    const mark = c.sent.length;
    c.propose(1, 'later');
    expect(c.appliedTexts(3)).toEqual(['early', 'later']);
    expect(c.sent.slice(mark).filter(snapsTo(3)).length).toBe(0);
  });
});

describe('SnapshotReceiver', () => {
  const md = { index: 10, term: 3, confState: { voters: [1], learners: [] } };
  const chunk = (offset: number, data: number[], total = 6, meta = md): SnapshotChunk => ({
    metadata: meta,
    offset,
    totalBytes: total,
    data: new Uint8Array(data),
  });

  it('assembles in-order chunks', () => {
    const r = new SnapshotReceiver();
    expect(r.receive(chunk(0, [1, 2]))).toEqual({ kind: 'ack', offset: 2 });
    expect(r.receive(chunk(2, [3, 4]))).toEqual({ kind: 'ack', offset: 4 });
    const done = r.receive(chunk(4, [5, 6]));
    expect(done.kind).toBe('complete');
    if (done.kind === 'complete') {
      expect([...done.snapshot.data]).toEqual([1, 2, 3, 4, 5, 6]);
      expect(done.snapshot.metadata).toEqual(md);
    }
  });

  it('asks to resume at the gap, acknowledges duplicates, restarts for a new snapshot', () => {
    const r = new SnapshotReceiver();
    expect(r.receive(chunk(2, [3, 4]))).toEqual({ kind: 'resume', offset: 0 });
    expect(r.receive(chunk(0, [1, 2]))).toEqual({ kind: 'ack', offset: 2 });
    expect(r.receive(chunk(4, [5, 6]))).toEqual({ kind: 'resume', offset: 2 });
    expect(r.receive(chunk(0, [1, 2]))).toEqual({ kind: 'ack', offset: 2 });
    const other = { ...md, index: 11 };
    expect(r.receive(chunk(2, [9, 9], 4, other))).toEqual({ kind: 'resume', offset: 0 });
    expect(r.receive(chunk(0, [8, 8], 4, other))).toEqual({ kind: 'ack', offset: 2 });
    const done = r.receive(chunk(2, [9, 9], 4, other));
    expect(done.kind === 'complete' && [...done.snapshot.data]).toEqual([8, 8, 9, 9]);
  });

  it('copies chunk data (the transport may reuse its buffer)', () => {
    const r = new SnapshotReceiver();
    const buf = new Uint8Array([1, 2]);
    r.receive({ metadata: md, offset: 0, totalBytes: 4, data: buf });
    buf[0] = 99;
    const done = r.receive({ metadata: md, offset: 2, totalBytes: 4, data: new Uint8Array([3, 4]) });
    expect(done.kind === 'complete' && [...done.snapshot.data]).toEqual([1, 2, 3, 4]);
  });

  it('an empty snapshot completes with one empty chunk', () => {
    const r = new SnapshotReceiver();
    const done = r.receive(chunk(0, [], 0));
    expect(done.kind).toBe('complete');
  });
});
