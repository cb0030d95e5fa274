import { describe, expect, it } from 'vitest';
import {
  CompactedError,
  type Entry,
  EntryType,
  MemoryStorage,
  type Snapshot,
  SnapshotOutOfDateError,
  UnavailableError,
  entrySize,
  limitSize,
} from '../../storage/raft/index.js';
import { RaftLog } from '../../storage/raft/log.js';

const e = (index: number, term: number, data = ''): Entry => ({ index, term, type: EntryType.Normal, data: new TextEncoder().encode(data) });
const ents = (from: number, terms: number[]): Entry[] => terms.map((t, i) => e(from + i, t));
const it2 = (xs: Entry[] | undefined) => xs?.map((x) => [x.index, x.term]);

/** Storage with the bootstrap snapshot at 1 (term 1) and entries 2.. of the given terms. */
function storageWith(terms: number[]): MemoryStorage {
  const s = new MemoryStorage({ voters: [1, 2, 3] });
  s.append(ents(2, terms));
  return s;
}

describe('MemoryStorage', () => {
  it('bootstraps the initial voters as a snapshot at index 1, term 1', () => {
    const s = new MemoryStorage({ voters: [1, 2, 3], learners: [4] });
    expect(s.firstIndex()).toBe(2);
    expect(s.lastIndex()).toBe(1);
    expect(s.term(1)).toBe(1);
    expect(s.initialState()).toEqual({ hardState: { term: 1, vote: 0, commit: 1 }, confState: { voters: [1, 2, 3], learners: [4] } });
    expect(s.snapshot().metadata).toEqual({ index: 1, term: 1, confState: { voters: [1, 2, 3], learners: [4] } });
  });

  it('an unbootstrapped storage is empty', () => {
    const s = new MemoryStorage();
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    expect(s.term(0)).toBe(0);
    expect(s.initialState()).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, confState: { voters: [], learners: [] } });
  });

  it('serves entries and terms, with precise errors outside the log', () => {
    const s = storageWith([2, 2, 3]); // 2@2 3@2 4@3
    expect(it2(s.entries(2, 5, Infinity))).toEqual([[2, 2], [3, 2], [4, 3]]);
    expect(it2(s.entries(3, 4, Infinity))).toEqual([[3, 2]]);
    expect(() => s.entries(1, 3, Infinity)).toThrow(CompactedError);
    expect(() => s.entries(1, 3, Infinity)).toThrow('raft storage: index 1 is compacted (first index is 2)');
    expect(() => s.entries(2, 6, Infinity)).toThrow(UnavailableError);
    expect(() => s.entries(2, 6, Infinity)).toThrow('raft storage: index 5 is unavailable (last index is 4)');
    expect(() => s.term(0)).toThrow(CompactedError);
    expect(() => s.term(5)).toThrow('raft storage: index 5 is unavailable (last index is 4)');
  });

  it('entries() honours maxBytes but always returns at least one entry', () => {
    const s = new MemoryStorage({ voters: [1] });
    s.append([e(2, 2, 'aaaaaaaaaa'), e(3, 2, 'bbbbbbbbbb'), e(4, 2, 'cccccccccc')]); // 34 bytes each
    expect(s.entries(2, 5, 0).length).toBe(1);
    expect(s.entries(2, 5, 67).length).toBe(1);
    expect(s.entries(2, 5, 68).length).toBe(2);
    expect(s.entries(2, 5, 102).length).toBe(3);
  });

  it('append truncates a conflicting suffix and replaces it', () => {
    const s = storageWith([2, 2, 2, 2]); // 2..5 @2
    s.append([e(4, 3), e(5, 3), e(6, 3)]);
    expect(it2(s.entries(2, 7, Infinity))).toEqual([[2, 2], [3, 2], [4, 3], [5, 3], [6, 3]]);
    s.append([e(3, 4)]);
    expect(s.lastIndex()).toBe(3);
    expect(it2(s.entries(2, 4, Infinity))).toEqual([[2, 2], [3, 4]]);
  });

  it('append refuses a gap, and skips entries that are already compacted', () => {
    const s = storageWith([2, 2]); // 2,3
    expect(() => s.append([e(5, 2)])).toThrow('raft storage: missing log entries: last 3, appending at 5');
    s.compact(3);
    s.append([e(2, 2), e(3, 2)]); // wholly compacted: no-op
    expect(s.firstIndex()).toBe(4);
    expect(s.lastIndex()).toBe(3);
    s.append([e(3, 2), e(4, 2), e(5, 2)]); // partly compacted
    expect(it2(s.entries(4, 6, Infinity))).toEqual([[4, 2], [5, 2]]);
  });

  it('compact keeps the term of the compaction point and errors outside the log', () => {
    const s = storageWith([2, 2, 3, 3]); // 2..5
    s.compact(4);
    expect(s.firstIndex()).toBe(5);
    expect(s.lastIndex()).toBe(5);
    expect(s.term(4)).toBe(3);
    expect(() => s.term(3)).toThrow(CompactedError);
    expect(() => s.compact(4)).toThrow(CompactedError);
    expect(() => s.compact(3)).toThrow('raft storage: index 3 is compacted (first index is 5)');
    expect(() => s.compact(6)).toThrow(UnavailableError);
    expect(() => s.compact(6)).toThrow('raft storage: index 6 is unavailable (last index is 5)');
    expect(() => s.entries(4, 6, Infinity)).toThrow(CompactedError);
  });

  it('createSnapshot records index, term and configuration; errors for old or future indexes', () => {
    const s = storageWith([2, 2, 3]); // 2..4
    const cs = { voters: [1, 2], learners: [3] };
    const snap = s.createSnapshot(3, cs, new Uint8Array([7]));
    expect(snap.metadata).toEqual({ index: 3, term: 2, confState: { voters: [1, 2], learners: [3] } });
    cs.voters.push(9);
    expect(s.snapshot().metadata.confState.voters).toEqual([1, 2]);
    expect(() => s.createSnapshot(3, cs, new Uint8Array())).toThrow(SnapshotOutOfDateError);
    expect(() => s.createSnapshot(2, cs, new Uint8Array())).toThrow('raft storage: snapshot at 2 is older than the current one at 3');
    expect(() => s.createSnapshot(9, cs, new Uint8Array())).toThrow(UnavailableError);
    // Snapshotting does not compact by itself.
    expect(s.firstIndex()).toBe(2);
  });

  it('applySnapshot replaces the log; an older snapshot is refused', () => {
    const s = storageWith([2, 2]);
    const snap: Snapshot = { metadata: { index: 10, term: 4, confState: { voters: [1], learners: [] } }, data: new Uint8Array([1]) };
    s.applySnapshot(snap);
    expect(s.firstIndex()).toBe(11);
    expect(s.lastIndex()).toBe(10);
    expect(s.term(10)).toBe(4);
    expect(s.initialState().confState.voters).toEqual([1]);
    expect(() => s.applySnapshot({ ...snap, metadata: { ...snap.metadata, index: 10 } })).toThrow(SnapshotOutOfDateError);
  });

  it('limitSize keeps the first entry and stops before exceeding the budget', () => {
    const xs = [e(1, 1, 'x'.repeat(10)), e(2, 1, 'x'.repeat(10)), e(3, 1, 'x'.repeat(10))];
    expect(entrySize(xs[0]!)).toBe(34);
    expect(limitSize(xs, 1).length).toBe(1);
    expect(limitSize(xs, 68).length).toBe(2);
    expect(limitSize(xs, 101).length).toBe(2);
    expect(limitSize(xs, 102)).toBe(xs);
    expect(limitSize([], 0)).toEqual([]);
  });
});

describe('RaftLog', () => {
  it('starts with committed and applied at the storage first index - 1', () => {
    const log = new RaftLog(storageWith([2, 2]), Infinity);
    expect(log.committed).toBe(1);
    expect(log.applied).toBe(1);
    expect(log.firstIndex()).toBe(2);
    expect(log.lastIndex()).toBe(3);
    expect(log.lastTerm()).toBe(2);
  });

  it('unstable entries extend the stable ones until persisted', () => {
    const s = storageWith([2, 2]);
    const log = new RaftLog(s, Infinity);
    log.append(ents(4, [3, 3]));
    expect(log.lastIndex()).toBe(5);
    expect(it2(log.unstableEntries())).toEqual([[4, 3], [5, 3]]);
    expect(it2(log.slice(2, 6, Infinity))).toEqual([[2, 2], [3, 2], [4, 3], [5, 3]]);
    s.append(log.unstableEntries());
    log.stableTo(5, 3);
    expect(log.unstableEntries()).toEqual([]);
    expect(log.term(5)).toBe(3);
  });

  it('stableTo ignores an acknowledgement for entries that were replaced meanwhile', () => {
    const log = new RaftLog(storageWith([]), Infinity);
    log.append(ents(2, [2, 2]));
    log.append([e(3, 3)]); // a newer leader replaced index 3
    log.stableTo(3, 2); // the write of the old index 3 finished
    expect(it2(log.unstableEntries())).toEqual([[2, 2], [3, 3]]);
    log.stableTo(3, 3);
    expect(log.unstableEntries()).toEqual([]);
  });

  it('append truncates conflicting unstable entries and refuses to rewrite committed ones', () => {
    const log = new RaftLog(storageWith([2]), Infinity);
    log.append(ents(3, [2, 2, 2]));
    log.append(ents(4, [3]));
    expect(it2(log.slice(2, log.lastIndex() + 1, Infinity))).toEqual([[2, 2], [3, 2], [4, 3]]);
    log.commitTo(3);
    expect(() => log.append(ents(3, [4]))).toThrow('raft log: appending after 2 is below committed 3');
  });

  it('maybeAppend: appends after a match, truncates conflicts, refuses a mismatch', () => {
    const log = new RaftLog(storageWith([2, 2, 3]), Infinity); // 2@2 3@2 4@3
    expect(log.maybeAppend(4, 2, 4, ents(5, [3]))).toBeUndefined(); // term mismatch at 4
    expect(log.maybeAppend(6, 3, 4, [])).toBeUndefined(); // beyond the log
    expect(log.maybeAppend(4, 3, 4, ents(5, [3, 3]))).toBe(6);
    expect(log.committed).toBe(4);
    // Already present entries: nothing changes, commit is capped at the last new entry.
    expect(log.maybeAppend(2, 2, 100, ents(3, [2]))).toBe(3);
    expect(log.lastIndex()).toBe(6);
    expect(log.committed).toBe(4);
    // A conflict at 5 truncates 5 and 6.
    expect(log.maybeAppend(4, 3, 4, ents(5, [4]))).toBe(5);
    expect(it2(log.slice(2, log.lastIndex() + 1, Infinity))).toEqual([[2, 2], [3, 2], [4, 3], [5, 4]]);
    expect(() => log.maybeAppend(2, 2, 4, ents(3, [9]))).toThrow('raft log: entry 3 conflicts with committed entry (committed 4)');
  });

  it('findConflict returns the first new or conflicting index', () => {
    const log = new RaftLog(storageWith([2, 2, 3]), Infinity);
    expect(log.findConflict([])).toBe(0);
    expect(log.findConflict(ents(2, [2, 2, 3]))).toBe(0);
    expect(log.findConflict(ents(3, [2, 3, 3]))).toBe(5);
    expect(log.findConflict(ents(3, [2, 4]))).toBe(4);
  });

  it('findConflictByTerm returns the last index at or below index whose term is <= term', () => {
    const log = new RaftLog(storageWith([2, 2, 3, 3, 5]), Infinity); // 1@1 2@2 3@2 4@3 5@3 6@5
    expect(log.findConflictByTerm(6, 5)).toEqual({ index: 6, term: 5 });
    expect(log.findConflictByTerm(6, 4)).toEqual({ index: 5, term: 3 });
    expect(log.findConflictByTerm(5, 2)).toEqual({ index: 3, term: 2 });
    expect(log.findConflictByTerm(6, 1)).toEqual({ index: 1, term: 1 });
    expect(log.findConflictByTerm(6, 0)).toEqual({ index: 0, term: 0 });
    expect(log.findConflictByTerm(9, 9)).toEqual({ index: 9, term: 0 }); // beyond the log: unknown
  });

  it('findConflictByTerm stops at the compaction point with an unknown term', () => {
    const s = storageWith([2, 2, 3, 3, 5]);
    s.compact(3);
    const log = new RaftLog(s, Infinity);
    expect(log.findConflictByTerm(6, 2)).toEqual({ index: 3, term: 2 });
    expect(log.findConflictByTerm(6, 1)).toEqual({ index: 2, term: 0 });
  });

  it('isUpToDate compares last term first, then length', () => {
    const log = new RaftLog(storageWith([2, 3]), Infinity); // last (3, 3)
    expect(log.isUpToDate(3, 3)).toBe(true);
    expect(log.isUpToDate(2, 3)).toBe(false);
    expect(log.isUpToDate(1, 4)).toBe(true);
    expect(log.isUpToDate(10, 2)).toBe(false);
  });

  it('commit and apply bounds are enforced', () => {
    const log = new RaftLog(storageWith([2, 2]), Infinity);
    expect(() => log.commitTo(4)).toThrow('raft log: commit 4 is out of range (last index 3)');
    log.commitTo(3);
    log.commitTo(2); // never moves back
    expect(log.committed).toBe(3);
    expect(() => log.appliedTo(4)).toThrow('raft log: applied 4 out of range [1, 3]');
    log.appliedTo(2);
    expect(() => log.appliedTo(1)).toThrow('raft log: applied 1 out of range [2, 3]');
  });

  it('maybeCommit only commits an index whose entry is of the given term', () => {
    const log = new RaftLog(storageWith([2, 2, 3]), Infinity);
    expect(log.maybeCommit(3, 3)).toBe(false);
    expect(log.committed).toBe(1);
    expect(log.maybeCommit(4, 3)).toBe(true);
    expect(log.committed).toBe(4);
    expect(log.maybeCommit(4, 3)).toBe(false);
  });

  it('slice: undefined when compacted, throws beyond the end, splits by size across stable and unstable', () => {
    const s = new MemoryStorage({ voters: [1] });
    s.append([e(2, 2, 'x'.repeat(10)), e(3, 2, 'x'.repeat(10))]);
    s.compact(2);
    const log = new RaftLog(s, Infinity);
    log.append([e(4, 2, 'x'.repeat(10)), e(5, 2, 'x'.repeat(10))]);
    expect(log.slice(2, 4, Infinity)).toBeUndefined();
    expect(() => log.slice(3, 7, Infinity)).toThrow('raft log: slice [3, 7) beyond last index 5');
    expect(it2(log.slice(3, 6, 68))).toEqual([[3, 2], [4, 2]]);
    expect(it2(log.slice(3, 6, 1))).toEqual([[3, 2]]);
    expect(it2(log.slice(4, 6, 34))).toEqual([[4, 2]]);
    expect(log.slice(5, 5, Infinity)).toEqual([]);
    expect(log.term(2)).toBe(2);
    expect(log.term(1)).toBeUndefined();
    expect(log.term(6)).toBeUndefined();
    expect(log.entriesFrom(6, Infinity)).toEqual([]);
    expect(log.entriesFrom(1, Infinity)).toBeUndefined();
  });

  it('committed entries for the application are capped by maxCommittedSizePerReady', () => {
    const s = new MemoryStorage({ voters: [1] });
    s.append([2, 3, 4, 5].map((i) => e(i, 2, 'x'.repeat(10))));
    const log = new RaftLog(s, 70);
    log.commitTo(5);
    expect(it2(log.nextCommittedEntries())).toEqual([[2, 2], [3, 2]]);
    log.appliedTo(3);
    expect(it2(log.nextCommittedEntries())).toEqual([[4, 2], [5, 2]]);
    log.appliedTo(5);
    expect(log.hasNextCommittedEntries()).toBe(false);
    expect(log.nextCommittedEntries()).toEqual([]);
  });

  it('restore installs a pending snapshot that hides committed entries until persisted', () => {
    const log = new RaftLog(storageWith([2, 2]), Infinity);
    const snap: Snapshot = { metadata: { index: 10, term: 5, confState: { voters: [1], learners: [] } }, data: new Uint8Array() };
    log.restore(snap);
    expect(log.hasPendingSnapshot()).toBe(true);
    expect(log.firstIndex()).toBe(11);
    expect(log.lastIndex()).toBe(10);
    expect(log.term(10)).toBe(5);
    expect(log.term(3)).toBeUndefined();
    expect(log.committed).toBe(10);
    expect(log.snapshot()).toBe(snap);
    expect(log.nextCommittedEntries()).toEqual([]);
    log.append(ents(11, [5]));
    expect(log.lastIndex()).toBe(11);
    log.stableSnapTo(10);
    expect(log.hasPendingSnapshot()).toBe(false);
  });
});
