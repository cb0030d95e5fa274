import { describe, expect, it } from 'vitest';
import { type Snapshot } from '../../storage/raft/index.js';
import { Inflights, Progress, ProgressState, ProgressTracker } from '../../storage/raft/progress.js';

const snap = (index: number): Snapshot => ({ metadata: { index, term: 2, confState: { voters: [1], learners: [] } }, data: new Uint8Array() });

describe('Inflights', () => {
  it('is full at maxMessages appends', () => {
    const inf = new Inflights(3, 0);
    inf.add(5, 10);
    inf.add(7, 10);
    expect(inf.full()).toBe(false);
    inf.add(9, 10);
    expect(inf.full()).toBe(true);
    expect(inf.count()).toBe(3);
  });

  it('is full once the bytes in flight reach maxBytes (0 means no byte cap)', () => {
    const inf = new Inflights(100, 50);
    inf.add(1, 30);
    expect(inf.full()).toBe(false);
    inf.add(2, 20);
    expect(inf.full()).toBe(true);
    inf.freeLE(1);
    expect(inf.full()).toBe(false);
    const uncapped = new Inflights(100, 0);
    uncapped.add(1, 10 ** 12);
    expect(uncapped.full()).toBe(false);
  });

  it('freeLE frees every append up to an index, freeFirst the oldest one, reset all', () => {
    const inf = new Inflights(10, 1000);
    for (const i of [3, 5, 8, 12]) inf.add(i, 100);
    inf.freeLE(2);
    expect(inf.count()).toBe(4);
    inf.freeLE(6);
    expect(inf.count()).toBe(2);
    inf.freeFirst();
    expect(inf.count()).toBe(1);
    inf.freeLE(100);
    expect(inf.count()).toBe(0);
    inf.freeFirst(); // empty: no-op
    expect(inf.count()).toBe(0);
    inf.add(20, 999);
    inf.add(21, 1);
    expect(inf.full()).toBe(true);
    inf.reset();
    expect(inf.count()).toBe(0);
    expect(inf.full()).toBe(false);
  });

  it('frees bytes with the appends it frees', () => {
    const inf = new Inflights(10, 100);
    inf.add(1, 60);
    inf.add(2, 40);
    expect(inf.full()).toBe(true);
    inf.freeFirst();
    inf.add(3, 59);
    expect(inf.full()).toBe(false);
    inf.add(4, 1);
    expect(inf.full()).toBe(true);
  });
});

describe('Progress', () => {
  it('probe: one append per interval; replicate: pipelined until the window is full', () => {
    const pr = new Progress(6, false, 2, 0);
    expect(pr.state).toBe(ProgressState.Probe);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(8, 10, 3);
    expect(pr.isPaused()).toBe(true);
    expect(pr.next).toBe(6); // probe does not advance optimistically
    expect(pr.maybeUpdate(8)).toBe(true);
    expect(pr.isPaused()).toBe(false);
    pr.becomeReplicate();
    expect(pr.next).toBe(9);
    pr.sentEntries(10, 10, 2);
    expect(pr.next).toBe(11);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(12, 10, 2);
    expect(pr.isPaused()).toBe(true);
    pr.sentEntries(12, 0, 0); // an empty append uses no slot
    expect(pr.inflights.count()).toBe(2);
  });

  it('maybeUpdate never moves match back', () => {
    const pr = new Progress(5, false, 10, 0);
    expect(pr.maybeUpdate(7)).toBe(true);
    expect(pr.maybeUpdate(6)).toBe(false);
    expect(pr.match).toBe(7);
    expect(pr.next).toBe(8);
  });

  it('maybeDecrTo: in probe, uses the hint but never goes below match + 1; ignores stale rejections', () => {
    const pr = new Progress(11, false, 10, 0);
    pr.match = 3;
    expect(pr.maybeDecrTo(9, 5)).toBe(false); // not the probe we sent (next-1 = 10)
    expect(pr.maybeDecrTo(10, 5)).toBe(true);
    expect(pr.next).toBe(6);
    expect(pr.maybeDecrTo(5, 0)).toBe(true);
    expect(pr.next).toBe(4); // match + 1
    expect(pr.maybeDecrTo(3, 0)).toBe(true);
    expect(pr.next).toBe(4);
  });

  it('maybeDecrTo: in replicate, falls back to match + 1; rejections at or below match are stale', () => {
    const pr = new Progress(5, false, 10, 0);
    pr.maybeUpdate(4);
    pr.becomeReplicate();
    pr.sentEntries(9, 10, 5);
    expect(pr.maybeDecrTo(4, 0)).toBe(false);
    expect(pr.maybeDecrTo(7, 2)).toBe(true);
    expect(pr.next).toBe(5);
  });

  it('snapshot state pauses appends; leaving it resumes after the snapshot', () => {
    const pr = new Progress(2, false, 10, 0);
    pr.becomeSnapshot(snap(20));
    expect(pr.state).toBe(ProgressState.Snapshot);
    expect(pr.isPaused()).toBe(true);
    expect(pr.pendingSnapshot).toBe(20);
    expect(pr.transfer).toMatchObject({ nextOffset: 0, ackedOffset: 0, finalSent: false, idleRounds: 0 });
    pr.becomeProbe();
    expect(pr.next).toBe(21);
    expect(pr.transfer).toBeNull();
    expect(pr.pendingSnapshot).toBe(0);
  });
});

describe('ProgressTracker', () => {
  function tracker(voters: number[], learners: number[] = []): ProgressTracker {
    const t = new ProgressTracker({ maxInflightMessages: 4, maxInflightBytes: 0 });
    t.applyConfState({ voters, learners }, 10);
    return t;
  }

  it('committedIndex is the largest index a majority of voters hold; learners do not count', () => {
    const t = tracker([1, 2, 3, 4, 5], [6]);
    const match = (id: number, m: number) => (t.progress.get(id)!.match = m);
    match(1, 9);
    match(2, 7);
    match(3, 5);
    match(4, 2);
    match(5, 1);
    match(6, 100);
    expect(t.quorum()).toBe(3);
    expect(t.committedIndex()).toBe(5);
    match(4, 8);
    expect(t.committedIndex()).toBe(7);
    expect(tracker([1, 2, 3, 4]).quorum()).toBe(3);
  });

  it('voteResult: won with a quorum of grants, lost once a quorum is impossible', () => {
    const t = tracker([1, 2, 3, 4, 5], [6]);
    t.recordVote(1, true);
    t.recordVote(6, true); // a learner
    t.recordVote(2, true);
    expect(t.voteResult()).toBe('pending');
    t.recordVote(2, false); // only the first answer counts
    t.recordVote(3, true);
    expect(t.voteResult()).toBe('won');
    t.resetVotes();
    t.recordVote(1, true);
    t.recordVote(2, false);
    t.recordVote(3, false);
    expect(t.voteResult()).toBe('pending');
    t.recordVote(4, false);
    expect(t.voteResult()).toBe('lost');
  });

  it('quorumActive counts self plus recently active voters', () => {
    const t = tracker([1, 2, 3]);
    expect(t.quorumActive(1)).toBe(false);
    t.progress.get(3)!.recentActive = true;
    expect(t.quorumActive(1)).toBe(true);
  });

  it('applyConfState keeps existing progress, adds new members at lastIndex + 1, drops removed ones', () => {
    const t = tracker([1, 2, 3]);
    t.progress.get(2)!.match = 7;
    t.applyConfState({ voters: [1, 2], learners: [4] }, 12);
    expect([...t.progress.keys()].sort()).toEqual([1, 2, 4]);
    expect(t.progress.get(2)!.match).toBe(7);
    expect(t.progress.get(4)).toMatchObject({ next: 13, match: 0, isLearner: true });
    t.applyConfState({ voters: [1, 2, 4], learners: [] }, 12);
    expect(t.progress.get(4)!.isLearner).toBe(false);
    expect(t.confState()).toEqual({ voters: [1, 2, 4], learners: [] });
    expect(t.quorum()).toBe(2);
    expect(tracker([1]).quorum()).toBe(1);
  });
});
