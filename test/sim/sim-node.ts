import { type GroupStorage } from '../../storage/engine/index.js';
import {
  EntryType,
  type NodeId,
  RawNode,
  type RaftOptions,
  type Ready,
  SeededRng,
  decodeConfChange,
} from '../../storage/raft/index.js';
import { type Raft } from '../../storage/raft/raft.js';
import { KvStore } from './kv.js';
import { type Operation } from './linearizability.js';
import { type SimDisk } from './sim-disk.js';

export interface PendingWrite {
  op: Operation;
  term: number;
}

/** Hooks the simulation gives a node; they observe, they do not steer. */
export interface NodeHooks {
  send(ready: Ready): void;
  applied(node: SimNode, index: number, term: number, data: Uint8Array, type: EntryType): void;
  snapshotInstalled(node: SimNode, index: number): void;
  readServed(node: SimNode, op: Operation, value: string | null): void;
}

/**
 * One simulated server: a durable disk (SimDisk: GroupStorage on a MemoryEngine), and volatile state
 * (the Raft core, the key-value store, pending client requests) that a crash throws away.
 */
export class SimNode {
  raw: RawNode | null = null;
  kv = new KvStore();
  clockAcc = 0;
  restarts = 0;
  /** Removed from the cluster (or never admitted) and shut down for good. */
  retired = false;
  /** Writes proposed through this node, by log index, awaiting apply. */
  pendingWrites = new Map<number, PendingWrite>();
  /** Reads waiting for their ReadState, by request context. */
  pendingReads = new Map<string, Operation>();
  /** Reads that have a read index and wait until it is applied. */
  readsAwaitingApply: Array<{ index: number; op: Operation }> = [];
  /** The state machine as last persisted, when the application persists it on every apply. */
  durableState: Uint8Array | null = null;
  /** A Ready whose disk write is still in progress. */
  held: { rd: Ready; at: number; sent: boolean } | null = null;

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
    /** Clock rate relative to real time; the simulation changes it now and then. */
    public rate: number,
    private readonly makeRaft: ((o: RaftOptions) => Raft) | undefined,
    private readonly raftOptions: Partial<RaftOptions>,
    private readonly seed: number,
    private readonly persistStateMachine: boolean,
  ) {}

  get storage(): GroupStorage {
    return this.disk.storage;
  }

  get alive(): boolean {
    return this.raw !== null;
  }

  start(): void {
    const opts: RaftOptions = {
      ...this.raftOptions,
      id: this.id,
      storage: this.storage,
      rng: new SeededRng(this.seed * 7919 + this.id * 104729 + this.restarts * 15485863),
    };
    // An application that persists its state machine restarts from it and tells the core how
    // far it got; otherwise it restarts from the Raft snapshot and re-applies the log.
    if (this.durableState) {
      this.kv = KvStore.restore(this.durableState);
      opts.applied = this.kv.appliedIndex;
    } else {
      this.kv = KvStore.restore(this.storage.snapshot().data);
    }
    this.raw = new RawNode(this.makeRaft ? this.makeRaft(opts) : opts);
    this.clockAcc = 0;
  }

  /** Loses everything not on disk; returns the ops that were in flight here. */
  crash(): Operation[] {
    const lost: Operation[] = [];
    for (const p of this.pendingWrites.values()) lost.push(p.op);
    for (const op of this.pendingReads.values()) lost.push(op);
    for (const r of this.readsAwaitingApply) lost.push(r.op);
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.readsAwaitingApply = [];
    this.raw = null;
    this.held = null;
    this.restarts++;
    this.disk.crash();
    return lost;
  }

  get raft(): Raft {
    if (!this.raw) throw new Error(`node ${this.id} is down`);
    return this.raw.raft;
  }

  /**
   * The Ready loop: persist, then send, then apply. The disk write completes `persistDelay`
   * time units after the Ready (0 = at once); a crash before then loses it, and nothing of it
   * was sent or applied. With sendBeforePersist (a deliberately broken host used to test the
   * checkers) messages leave before the write completes.
   */
  processReady(now: number, hooks: NodeHooks, sendBeforePersist: boolean, persistDelay: number): void {
    const raw = this.raw;
    if (!raw) return;
    if (!this.held) {
      if (!raw.hasReady()) return;
      const rd = raw.ready();
      if (sendBeforePersist) hooks.send(rd);
      this.held = { rd, at: now + persistDelay, sent: sendBeforePersist };
    }
    if (now < this.held.at) return;
    const { rd, sent } = this.held;
    this.held = null;
    this.persist(rd);
    if (!sent) hooks.send(rd);
    this.apply(rd, hooks);
    raw.advance(rd);
  }

  private persist(rd: Ready): void {
    this.disk.persist(rd);
  }

  private apply(rd: Ready, hooks: NodeHooks): void {
    const raw = this.raw!;
    if (rd.snapshot) {
      this.kv = KvStore.restore(rd.snapshot.data);
      this.kv.appliedIndex = rd.snapshot.metadata.index;
      hooks.snapshotInstalled(this, rd.snapshot.metadata.index);
    }
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) {
        raw.applyConfChange(decodeConfChange(e.data));
        this.kv.apply(e.index, e.term, new Uint8Array(0));
      } else {
        this.kv.apply(e.index, e.term, e.data);
      }
      hooks.applied(this, e.index, e.term, e.data, e.type);
    }
    if (this.persistStateMachine && (rd.snapshot || rd.committedEntries.length > 0)) this.durableState = this.kv.snapshot();
    for (const rs of rd.readStates) {
      const op = this.pendingReads.get(rs.requestCtx);
      if (!op) continue;
      this.pendingReads.delete(rs.requestCtx);
      this.readsAwaitingApply.push({ index: rs.index, op });
    }
    if (this.readsAwaitingApply.length > 0) {
      const waiting: Array<{ index: number; op: Operation }> = [];
      for (const r of this.readsAwaitingApply) {
        if (r.index <= this.kv.appliedIndex) hooks.readServed(this, r.op, this.kv.data.get(r.op.key) ?? null);
        else waiting.push(r);
      }
      this.readsAwaitingApply = waiting;
    }
  }

  /** Takes a snapshot and compacts the log once enough entries were applied since the last. */
  maybeCompact(every: number, keep: number): void {
    if (!this.raw || this.held) return;
    const applied = this.kv.appliedIndex;
    const snapIndex = this.storage.snapshot().metadata.index;
    if (applied - snapIndex < every || applied > this.storage.lastIndex()) return;
    this.disk.snapshotAndCompact(applied, this.raft.confState(), this.kv.snapshot(), applied - keep);
  }
}
