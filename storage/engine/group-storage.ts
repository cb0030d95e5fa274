import {
  type InitialState,
  type Storage,
  CompactedError,
  SnapshotOutOfDateError,
  UnavailableError,
  cloneConfState,
  tailEntries,
  tailTerm,
} from '../raft/storage.js';
import { type ConfState, type Entry, type HardState, type Snapshot, EntryType } from '../raft/types.js';
import {
  type AppliedState,
  type TruncatedState,
  CorruptionError,
  decodeAppliedState,
  decodeEntry,
  decodeHardState,
  decodeSnapshotMetadata,
  decodeTruncatedState,
  encodeAppliedState,
  encodeEntry,
  encodeHardState,
  encodeSnapshotMetadata,
  encodeTruncatedState,
} from './codec.js';
import { type Engine, type KvOp } from './engine.js';
import {
  appliedKey,
  groupEnd,
  groupPrefix,
  hardStateKey,
  logIndexOf,
  logKey,
  logRange,
  snapshotChunkKey,
  snapshotChunkOf,
  snapshotDataRange,
  snapshotMetaKey,
  truncatedKey,
} from './keys.js';

import { restoreOps as restoreOpsFor } from './snapshot-data.js';

export { decodeSnapshotData, encodeSnapshotData, restoreOps, snapshotStateMachine } from './snapshot-data.js';

/** Largest value a snapshot blob chunk is stored in. */
export const SNAPSHOT_CHUNK_BYTES = 1 << 20;

export interface GroupStorageStats {
  /** Log entries held in memory (the log since the last compaction). */
  entries: number;
  /** Payload bytes of those entries. */
  entryBytes: number;
  firstIndex: number;
  lastIndex: number;
  snapshotIndex: number;
  snapshotBytes: number;
}

/** What the host persists from a Ready; a subset of raw-node's Ready. */
export interface PersistableReady {
  hardState?: HardState | undefined;
  entries: Entry[];
  snapshot?: Snapshot | undefined;
}

/**
 * The Raft Storage of one group on a shared Engine. The Raft core reads synchronously, so the
 * log since the last compaction, the hard state and the latest snapshot (with its data) live in
 * memory; the engine is only read by open().
 *
 * Every mutation updates memory at once and returns the KvOps that make it durable. The host
 * gathers the ops of all its groups into one synced engine write per ready-loop cycle (group
 * commit, see GroupCommitter) and calls RawNode.advance() only after that write resolves. Ops
 * must be written in the order they were returned. Between returning ops and their write,
 * memory is ahead of disk; that is safe because the core does not act on persistence of a Ready
 * (send acks, apply) until advance().
 *
 * Log model (same as MemoryStorage): ents[0] is a dummy holding the index and term of the last
 * discarded entry (the snapshot's, or the compaction point), persisted as the TruncatedState.
 */
/** An engine that can also read synchronously (MemoryEngine), for GroupStorage.openSync. */
export interface SyncReader {
  getSync(key: Uint8Array): Uint8Array | undefined;
  scanSync(gte: Uint8Array, lt: Uint8Array): Array<[Uint8Array, Uint8Array]>;
}

interface StoredGroup {
  hs: Uint8Array | undefined;
  meta: Uint8Array | undefined;
  applied: Uint8Array | undefined;
  truncated: Uint8Array | undefined;
  chunks: Iterable<[Uint8Array, Uint8Array]>;
  log: Iterable<[Uint8Array, Uint8Array]>;
}

export class GroupStorage implements Storage {
  private ents: Entry[];
  private entryBytes = 0;

  private constructor(
    readonly groupId: number,
    private hardState: HardState,
    private snap: Snapshot,
    truncated: TruncatedState,
    entries: Entry[],
    private appliedState: AppliedState,
  ) {
    this.ents = [dummy(truncated.index, truncated.term)];
    for (const e of entries) {
      this.ents.push(e);
      this.entryBytes += e.data.byteLength;
    }
  }

  /** Loads an existing group; undefined if the engine holds no group `groupId`. */
  static async open(engine: Engine, groupId: number): Promise<GroupStorage | undefined> {
    const [hs, meta, applied, truncated] = await Promise.all([
      engine.get(hardStateKey(groupId)),
      engine.get(snapshotMetaKey(groupId)),
      engine.get(appliedKey(groupId)),
      engine.get(truncatedKey(groupId)),
    ]);
    const collect = async (range: [Uint8Array, Uint8Array]) => {
      const out: Array<[Uint8Array, Uint8Array]> = [];
      for await (const kv of engine.scan({ gte: range[0], lt: range[1] })) out.push(kv);
      return out;
    };
    const chunks = await collect(snapshotDataRange(groupId));
    const log = await collect(logRange(groupId));
    return GroupStorage.fromStored(groupId, { hs, meta, applied, truncated, chunks, log });
  }

  /** open() over an engine that reads synchronously (the simulator's MemoryEngine). */
  static openSync(engine: SyncReader, groupId: number): GroupStorage | undefined {
    return GroupStorage.fromStored(groupId, {
      hs: engine.getSync(hardStateKey(groupId)),
      meta: engine.getSync(snapshotMetaKey(groupId)),
      applied: engine.getSync(appliedKey(groupId)),
      truncated: engine.getSync(truncatedKey(groupId)),
      chunks: engine.scanSync(...snapshotDataRange(groupId)),
      log: engine.scanSync(...logRange(groupId)),
    });
  }

  /** Checks and decodes a group's stored keys (open and openSync gather them). */
  private static fromStored(groupId: number, s: StoredGroup): GroupStorage | undefined {
    if (s.hs === undefined && s.meta === undefined) return undefined;
    const what = `group ${groupId}`;
    if (s.hs === undefined) throw new CorruptionError(what, 'snapshot metadata without hard state');
    const hardState = decodeHardState(s.hs);
    // An empty() replica persists its hard state (votes) before any snapshot reaches it.
    const { metadata, dataBytes } = s.meta !== undefined ? decodeSnapshotMetadata(s.meta) : { metadata: emptyMetadata(), dataBytes: 0 };

    const chunks: Uint8Array[] = [];
    for (const [k, v] of s.chunks) {
      const n = snapshotChunkOf(groupId, k);
      if (n !== chunks.length) throw new CorruptionError(what, `snapshot chunk ${n} found where ${chunks.length} was expected`);
      chunks.push(v);
    }
    const data = Buffer.concat(chunks);
    if (data.byteLength !== dataBytes) {
      throw new CorruptionError(what, `snapshot data has ${data.byteLength} bytes, metadata says ${dataBytes}`);
    }

    const truncated = s.truncated !== undefined ? decodeTruncatedState(s.truncated) : { index: metadata.index, term: metadata.term };
    const applied = s.applied !== undefined ? decodeAppliedState(s.applied) : { index: 0, confState: { voters: [], learners: [] } };

    const entries: Entry[] = [];
    let expect = truncated.index + 1;
    for (const [k, v] of s.log) {
      const e = decodeEntry(v);
      const keyIndex = logIndexOf(groupId, k);
      if (e.index !== keyIndex) throw new CorruptionError(what, `entry ${e.index} stored under log index ${keyIndex}`);
      if (e.index !== expect) throw new CorruptionError(what, `log entry ${e.index} found where ${expect} was expected`);
      entries.push(e);
      expect++;
    }
    return new GroupStorage(groupId, hardState, { metadata, data }, truncated, entries, applied);
  }

  /**
   * A member of a new group: the initial configuration as a snapshot at index 1, term 1, like
   * `new MemoryStorage({voters, learners})`.
   */
  static bootstrap(groupId: number, voters: number[], learners: number[] = []): { storage: GroupStorage; ops: KvOp[] } {
    const confState = { voters: [...voters], learners: [...learners] };
    return GroupStorage.create(groupId, { term: 1, vote: 0, commit: 1 }, { index: 1, term: 1, confState });
  }

  /**
   * A replica that will receive its state (and configuration) from the leader by snapshot.
   * Nothing to persist yet: until its first Ready the group has no keys, and open() answers
   * undefined for it, which the host treats as empty again.
   */
  static empty(groupId: number): GroupStorage {
    const metadata = emptyMetadata();
    return new GroupStorage(groupId, { term: 0, vote: 0, commit: 0 }, { metadata, data: new Uint8Array(0) }, metadata, [], {
      index: 0,
      confState: { voters: [], learners: [] },
    });
  }

  private static create(
    groupId: number,
    hs: HardState,
    metadata: Snapshot['metadata'],
  ): { storage: GroupStorage; ops: KvOp[] } {
    const snap = { metadata, data: new Uint8Array(0) };
    const applied = { index: metadata.index, confState: cloneConfState(metadata.confState) };
    const storage = new GroupStorage(groupId, hs, snap, metadata, [], applied);
    const ops: KvOp[] = [
      { type: 'put', key: hardStateKey(groupId), value: encodeHardState(hs) },
      ...storage.snapshotOps(snap),
      { type: 'put', key: appliedKey(groupId), value: encodeAppliedState(applied) },
    ];
    return { storage, ops };
  }

  // --- Storage (what the Raft core reads) ---

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: cloneConfState(this.snap.metadata.confState) };
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

  // --- Mutations: each updates memory and returns the ops that persist it ---

  getHardState(): HardState {
    return { ...this.hardState };
  }

  /**
   * Persists what a Ready hands the host: the snapshot (replacing the log it supersedes), then
   * the entries (truncating a conflicting suffix), then the hard state. The host must also
   * install a snapshot into the state machine (restoreSnapshotOps) in the same write.
   */
  persistReady(rd: PersistableReady): KvOp[] {
    const ops: KvOp[] = [];
    if (rd.snapshot) ops.push(...this.applySnapshot(rd.snapshot));
    if (rd.entries.length > 0) ops.push(...this.append(rd.entries));
    if (rd.hardState) {
      this.hardState = { ...rd.hardState };
      ops.push({ type: 'put', key: hardStateKey(this.groupId), value: encodeHardState(this.hardState) });
    }
    return ops;
  }

  /** The state machine's applied index and the configuration in force there. */
  applied(): AppliedState {
    return { index: this.appliedState.index, confState: cloneConfState(this.appliedState.confState) };
  }

  /** Records the applied state; write the ops in the same batch as the applied entries' effects. */
  appliedOps(index: number, confState: ConfState): KvOp[] {
    this.appliedState = { index, confState: cloneConfState(confState) };
    return [{ type: 'put', key: appliedKey(this.groupId), value: encodeAppliedState(this.appliedState) }];
  }

  /** Replaces the state machine with a snapshot's contents and records it as applied. */
  restoreSnapshotOps(snap: Snapshot): KvOp[] {
    return [...restoreOpsFor(this.groupId, snap.data), ...this.appliedOps(snap.metadata.index, snap.metadata.confState)];
  }

  /** Records a snapshot the host took of its state machine at applied index `index`. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): KvOp[] {
    if (index <= this.snap.metadata.index) throw new SnapshotOutOfDateError(index, this.snap.metadata.index);
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    const term = this.term(index);
    this.snap = { metadata: { index, term, confState: cloneConfState(confState) }, data };
    return this.snapshotOps(this.snap);
  }

  /**
   * Like createSnapshot, but persists only the metadata: the data is a copy of the state
   * machine, which is on disk already, so the host rebuilds it after a restart (rebuildSnapshot)
   * instead of writing the state twice. Safe because the state machine on disk is always at an
   * applied index at or past this snapshot's, and the log is never truncated past it.
   */
  createSnapshotMetadataOnly(index: number, confState: ConfState, data: Uint8Array): KvOp[] {
    if (index <= this.snap.metadata.index) throw new SnapshotOutOfDateError(index, this.snap.metadata.index);
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    const term = this.term(index);
    this.snap = { metadata: { index, term, confState: cloneConfState(confState) }, data };
    return this.snapshotOps({ metadata: this.snap.metadata, data: new Uint8Array(0) });
  }

  /**
   * After open: the snapshot's data rebuilt from the state machine as it is now, at applied
   * index `index` (at or past the persisted snapshot's). Only metadata is written.
   */
  rebuildSnapshot(index: number, confState: ConfState, data: Uint8Array): KvOp[] {
    if (index === this.snap.metadata.index) {
      this.snap = { metadata: this.snap.metadata, data };
      return [];
    }
    return this.createSnapshotMetadataOnly(index, confState, data);
  }

  /** Discards entries before `index`; the entry at `index` becomes the dummy (MemoryStorage.compact). */
  compact(index: number): KvOp[] {
    const offset = this.ents[0]!.index;
    if (index <= offset) throw new CompactedError(index, offset + 1);
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    const i = index - offset;
    for (let j = 1; j <= i; j++) this.entryBytes -= this.ents[j]!.data.byteLength;
    const truncated = { index, term: this.ents[i]!.term };
    this.ents = [dummy(truncated.index, truncated.term), ...this.ents.slice(i + 1)];
    return [
      { type: 'put', key: truncatedKey(this.groupId), value: encodeTruncatedState(truncated) },
      { type: 'delRange', start: logKey(this.groupId, 0), end: logKey(this.groupId, index + 1) },
    ];
  }

  /** Removes every key of the group (Raft state and state machine). */
  destroyOps(): KvOp[] {
    return [{ type: 'delRange', start: groupPrefix(this.groupId), end: groupEnd(this.groupId) }];
  }

  stats(): GroupStorageStats {
    return {
      entries: this.ents.length - 1,
      entryBytes: this.entryBytes,
      firstIndex: this.firstIndex(),
      lastIndex: this.lastIndex(),
      snapshotIndex: this.snap.metadata.index,
      snapshotBytes: this.snap.data.byteLength,
    };
  }

  private applySnapshot(snap: Snapshot): KvOp[] {
    const current = this.snap.metadata.index;
    if (snap.metadata.index <= current) throw new SnapshotOutOfDateError(snap.metadata.index, current);
    this.snap = snap;
    this.ents = [dummy(snap.metadata.index, snap.metadata.term)];
    this.entryBytes = 0;
    const [logStart, logEnd] = logRange(this.groupId);
    return [...this.snapshotOps(snap), { type: 'delRange', start: logStart, end: logEnd }];
  }

  /** Appends entries, truncating any conflicting suffix first (MemoryStorage.append). */
  private append(entries: Entry[]): KvOp[] {
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return []; // all already compacted
    if (first > entries[0]!.index) entries = entries.slice(first - entries[0]!.index);
    const offset = entries[0]!.index - this.ents[0]!.index;
    if (offset > this.ents.length) {
      throw new Error(`raft storage: missing log entries: last ${this.lastIndex()}, appending at ${entries[0]!.index}`);
    }
    const oldLast = this.lastIndex();
    if (offset < this.ents.length) {
      for (let j = offset; j < this.ents.length; j++) this.entryBytes -= this.ents[j]!.data.byteLength;
      this.ents = this.ents.slice(0, offset);
    }
    const ops: KvOp[] = [];
    for (const e of entries) {
      this.ents.push(e);
      this.entryBytes += e.data.byteLength;
      ops.push({ type: 'put', key: logKey(this.groupId, e.index), value: encodeEntry(e) });
    }
    if (last < oldLast) {
      ops.push({ type: 'delRange', start: logKey(this.groupId, last + 1), end: logKey(this.groupId, oldLast + 1) });
    }
    return ops;
  }

  /** Metadata, the blob in ≤ SNAPSHOT_CHUNK_BYTES chunks, and the log truncation point. */
  private snapshotOps(snap: Snapshot): KvOp[] {
    const g = this.groupId;
    const [dataStart, dataEnd] = snapshotDataRange(g);
    const ops: KvOp[] = [
      { type: 'put', key: snapshotMetaKey(g), value: encodeSnapshotMetadata(snap.metadata, snap.data.byteLength) },
      { type: 'delRange', start: dataStart, end: dataEnd },
    ];
    for (let off = 0, n = 0; off < snap.data.byteLength; off += SNAPSHOT_CHUNK_BYTES, n++) {
      ops.push({ type: 'put', key: snapshotChunkKey(g, n), value: snap.data.subarray(off, off + SNAPSHOT_CHUNK_BYTES) });
    }
    // Only a snapshot that replaced the log moves the truncation point; createSnapshot keeps it.
    if (this.ents[0]!.index === snap.metadata.index) {
      const t = { index: snap.metadata.index, term: snap.metadata.term };
      ops.push({ type: 'put', key: truncatedKey(g), value: encodeTruncatedState(t) });
    }
    return ops;
  }
}

function emptyMetadata(): Snapshot['metadata'] {
  return { index: 0, term: 0, confState: { voters: [], learners: [] } };
}

function dummy(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(0) };
}
