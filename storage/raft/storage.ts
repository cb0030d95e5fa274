import {
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
  EntryType,
  emptyHardState,
  entrySize,
} from './types.js';

/** The requested index is older than the storage's first index: it was compacted away. */
export class CompactedError extends Error {
  constructor(index: number, firstIndex: number) {
    super(`raft storage: index ${index} is compacted (first index is ${firstIndex})`);
    this.name = 'CompactedError';
  }
}

/** The requested index is beyond the storage's last index. */
export class UnavailableError extends Error {
  constructor(index: number, lastIndex: number) {
    super(`raft storage: index ${index} is unavailable (last index is ${lastIndex})`);
    this.name = 'UnavailableError';
  }
}

/** The snapshot being asked for is older than what storage holds. */
export class SnapshotOutOfDateError extends Error {
  constructor(index: number, current: number) {
    super(`raft storage: snapshot at ${index} is older than the current one at ${current}`);
    this.name = 'SnapshotOutOfDateError';
  }
}

export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * What the Raft core reads. The core never writes to it: the application persists what each
 * Ready hands it (entries, hard state, snapshot) and only then calls advance().
 */
export interface Storage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at least one if any exist, then as many as fit in maxBytes. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at index i, for i in [firstIndex()-1, lastIndex()]. */
  term(i: number): number;
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot. */
  snapshot(): Snapshot;
}

/** Keeps entries while their total stays within maxBytes, always keeping the first one. */
export function limitSize(ents: Entry[], maxBytes: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]!);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]!);
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/**
 * Storage.entries over a log tail whose first element is a dummy recording the index and term
 * of the last compacted entry (MemoryStorage, and the storage tier's GroupStorage).
 */
export function tailEntries(ents: Entry[], lo: number, hi: number, maxBytes: number): Entry[] {
  const offset = ents[0]!.index;
  const last = offset + ents.length - 1;
  if (lo <= offset) throw new CompactedError(lo, offset + 1);
  if (hi > last + 1) throw new UnavailableError(hi - 1, last);
  return limitSize(ents.slice(lo - offset, hi - offset), maxBytes);
}

/** Storage.term over a log tail with a leading dummy (see tailEntries). */
export function tailTerm(ents: Entry[], i: number): number {
  const offset = ents[0]!.index;
  if (i < offset) throw new CompactedError(i, offset + 1);
  if (i - offset >= ents.length) throw new UnavailableError(i, offset + ents.length - 1);
  return ents[i - offset]!.term;
}

/**
 * In-memory Storage, for tests and the simulator. Its dummy first entry records the
 * snapshot's index and term so term(firstIndex-1) answers like a real log.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState();
  private snap: Snapshot;
  private ents: Entry[];

  /**
   * A storage for a member of a new cluster is bootstrapped with the initial voters as a
   * snapshot at index 1, term 1; a node that joins later starts empty and receives the
   * configuration from the leader (by snapshot).
   */
  constructor(bootstrap?: { voters: number[]; learners?: number[] }) {
    if (bootstrap) {
      const confState = { voters: [...bootstrap.voters], learners: [...(bootstrap.learners ?? [])] };
      this.snap = { metadata: { index: 1, term: 1, confState }, data: new Uint8Array(0) };
      this.hardState = { term: 1, vote: 0, commit: 1 };
    } else {
      this.snap = { metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
    }
    this.ents = [dummy(this.snap.metadata.index, this.snap.metadata.term)];
  }

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: cloneConfState(this.snap.metadata.confState) };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  getHardState(): HardState {
    return { ...this.hardState };
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return tailEntries(this.ents, lo, hi, maxBytes);
  }

  term(i: number): number {
    return tailTerm(this.ents, i);
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1;
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces everything with a snapshot received from the leader. */
  applySnapshot(snap: Snapshot): void {
    if (snap.metadata.index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(snap.metadata.index, this.snap.metadata.index);
    }
    this.snap = snap;
    this.ents = [dummy(snap.metadata.index, snap.metadata.term)];
  }

  /** Records a snapshot the application took of its state machine at applied index i. */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.metadata.index) throw new SnapshotOutOfDateError(i, this.snap.metadata.index);
    if (i > this.lastIndex()) throw new UnavailableError(i, this.lastIndex());
    const term = this.term(i);
    this.snap = { metadata: { index: i, term, confState: cloneConfState(confState) }, data };
    return this.snap;
  }

  /** Discards entries before compactIndex; the entry at compactIndex becomes the dummy. */
  compact(compactIndex: number): void {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    if (compactIndex > this.lastIndex()) throw new UnavailableError(compactIndex, this.lastIndex());
    const i = compactIndex - offset;
    this.ents = [dummy(compactIndex, this.ents[i]!.term), ...this.ents.slice(i + 1)];
  }

  /** Appends entries, truncating any conflicting suffix first. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return; // all already compacted
    if (first > entries[0]!.index) entries = entries.slice(first - entries[0]!.index);
    const offset = entries[0]!.index - this.ents[0]!.index;
    if (offset > this.ents.length) {
      throw new Error(`raft storage: missing log entries: last ${this.lastIndex()}, appending at ${entries[0]!.index}`);
    }
    if (offset === this.ents.length) {
      for (const e of entries) this.ents.push(e);
    } else {
      this.ents = this.ents.slice(0, offset).concat(entries);
    }
  }
}

function dummy(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(0) };
}

export function cloneConfState(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
