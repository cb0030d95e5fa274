// One replica of one Raft group on this node: the Raft member, its storage, its state machine,
// and the callers waiting on proposals, reads and applied indexes. The node's ready loop
// (ready-loop.ts) drives it; nothing here does I/O on its own.
import { type Engine } from '../../storage/engine/engine.js';
import { type GroupStorage } from '../../storage/engine/index.js';
import { smKey, smRange, smRelative } from '../../storage/engine/keys.js';
import { type PartitionKind, type PartitionStateMachine, type PartitionStore } from '../../storage/partitions/kind.js';
import { type ConfState, RawNode, ReadMode, type Rng, StateRole } from '../../storage/raft/index.js';
import { BusyError, NotLeaderError, OutcomeUnknownError } from './errors.js';
import { trace } from '@opentelemetry/api';
import { Attr, SpanName, failSpan, startSpan } from '../telemetry/index.js';

interface PendingProposal {
  term: number;
  /** performance.now() when it was proposed. */
  at: number;
  resolve: (result: Uint8Array) => void;
  reject: (err: Error) => void;
}

interface PendingRead {
  resolve: () => void;
  reject: (err: Error) => void;
  /** Set once the leader confirmed the read index; the read waits until it is applied. */
  index?: number;
}

export interface ReplicaOptions {
  group: number;
  nodeId: number;
  kind: PartitionKind;
  storage: GroupStorage;
  sm: PartitionStateMachine;
  engine: Engine;
  rng: Rng;
  electionTick: number;
  heartbeatTick: number;
  /** Told how long (ms) each proposal made here took to be committed and applied (metrics). */
  onCommitted?: (ms: number) => void;
}

/** The group's state-machine key space with its prefix stripped: what a partition kind sees. */
export function partitionStore(engine: Engine, group: number): PartitionStore {
  const end = smRange(group)[1];
  return {
    get: (key) => engine.get(smKey(group, key)),
    async *scan(opts) {
      const gte = smKey(group, opts.gte);
      const lt = opts.lt.byteLength === 0 ? end : smKey(group, opts.lt);
      for await (const [k, v] of engine.scan({ gte, lt, limit: opts.limit, reverse: opts.reverse })) {
        yield [smRelative(group, k), v];
      }
    },
  };
}

export class Replica {
  readonly group: number;
  readonly kind: PartitionKind;
  readonly raw: RawNode;
  readonly storage: GroupStorage;
  readonly sm: PartitionStateMachine;
  readonly store: PartitionStore;
  confState: ConfState;
  appliedIndex: number;
  /** Set when the group is being removed from this node: no new work is accepted. */
  closed = false;
  /** Not ticking while idle (quiescence.ts); woken by any message, proposal or read. */
  quiesced = false;
  idleTicks = 0;

  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly appliedWaiters: { after: number; resolve: (applied: number) => void }[] = [];
  private nextReadId = 0;
  private readonly onCommitted: ((ms: number) => void) | undefined;

  constructor(o: ReplicaOptions) {
    this.onCommitted = o.onCommitted;
    this.group = o.group;
    this.kind = o.kind;
    this.storage = o.storage;
    this.sm = o.sm;
    this.store = partitionStore(o.engine, o.group);
    const applied = o.storage.applied();
    this.appliedIndex = applied.index;
    this.confState = applied.confState;
    this.raw = new RawNode({
      id: o.nodeId,
      storage: o.storage,
      rng: o.rng,
      electionTick: o.electionTick,
      heartbeatTick: o.heartbeatTick,
      applied: applied.index,
    });
  }

  /** Proposals or reads wait on this replica. */
  hasPending(): boolean {
    return this.proposals.size > 0 || this.reads.size > 0;
  }

  isLeader(): boolean {
    return this.raw.isLeader();
  }

  leader(): number {
    return this.raw.raft.lead;
  }

  /** Proposes one command; resolves with the state machine's result once it is applied here. */
  propose(command: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    return this.proposeBatch([command], timeoutMs)[0]!;
  }

  /**
   * Proposes commands as one Raft append; one promise per command, each settling when its
   * entry is applied here. Throws NotLeaderError or BusyError when nothing was proposed.
   */
  proposeBatch(commands: Uint8Array[], timeoutMs: number): Promise<Uint8Array>[] {
    if (this.closed) throw new NotLeaderError(this.group, 0);
    const r = this.raw.proposeBatch(commands);
    if (!r.ok) {
      if (r.error === 'NotLeader') throw new NotLeaderError(this.group, r.leaderHint);
      throw new BusyError(this.group, r.detail ?? r.error);
    }
    const out: Promise<Uint8Array>[] = [];
    for (let index = r.firstIndex; index <= r.lastIndex; index++) out.push(this.track(index, r.term, timeoutMs));
    // The proposal's life on the leader, append to apply, in the trace of the request behind it.
    if (trace.getActiveSpan()?.isRecording()) {
      const span = startSpan(SpanName.RaftCommit, { attributes: { [Attr.Group]: this.group, [Attr.RaftIndex]: r.lastIndex, [Attr.RaftTerm]: r.term, [Attr.Commands]: commands.length } });
      Promise.all(out).then(() => span.end(), (err: unknown) => {
        failSpan(span, err);
        span.end();
      });
    }
    return out;
  }

  private track(index: number, term: number, timeoutMs: number): Promise<Uint8Array> {
    const r = { term };
    const at = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.proposals.get(index)?.term !== r.term) return;
        this.proposals.delete(index);
        reject(new OutcomeUnknownError(this.group, `not applied within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      this.proposals.set(index, { term: r.term, at, resolve: done(resolve), reject: done(reject) });
    });
  }

  /** Resolves when a read of the state machine here is linearizable (ReadIndex, then applied). */
  linearizableBarrier(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new NotLeaderError(this.group, 0));
    if (!this.isLeader()) return Promise.reject(new NotLeaderError(this.group, this.leader()));
    const ctx = `r${++this.nextReadId}`;
    const r = this.raw.readIndex(ctx, ReadMode.Safe);
    if (!r.ok) return Promise.reject(new NotLeaderError(this.group, 0));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.reads.delete(ctx)) return;
        reject(new NotLeaderError(this.group, this.leader()));
      }, timeoutMs);
      this.reads.set(ctx, {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
    });
  }

  /** Resolves with the applied index once it exceeds `after`, or after `waitMs` regardless. */
  waitApplied(after: number, waitMs: number): Promise<number> {
    if (this.appliedIndex > after || this.closed) return Promise.resolve(this.appliedIndex);
    return new Promise((resolve) => {
      const w = { after, resolve };
      this.appliedWaiters.push(w);
      setTimeout(() => {
        const i = this.appliedWaiters.indexOf(w);
        if (i >= 0) this.appliedWaiters.splice(i, 1);
        resolve(this.appliedIndex);
      }, waitMs).unref();
    });
  }

  /** The leader confirmed a read index for ctx. */
  readConfirmed(ctx: string, index: number): void {
    const r = this.reads.get(ctx);
    if (!r) return;
    r.index = index;
    this.releaseReads();
  }

  /** Called after the entry at `index` was applied with `result` (a normal command). */
  resolveProposal(index: number, term: number, result: Uint8Array): void {
    const p = this.proposals.get(index);
    if (!p) return;
    this.proposals.delete(index);
    if (p.term === term) {
      this.onCommitted?.(performance.now() - p.at);
      p.resolve(result);
    } else p.reject(new OutcomeUnknownError(this.group, `another leader's entry took index ${index}`));
  }

  /** Everything up to `index` is applied and written: wake readers and watchers. */
  appliedTo(index: number, confState: ConfState): void {
    this.appliedIndex = index;
    this.confState = confState;
    // A proposal at or below the applied index that was not resolved was overwritten.
    for (const [i, p] of this.proposals) {
      if (i <= index) {
        this.proposals.delete(i);
        p.reject(new OutcomeUnknownError(this.group, `entry ${i} was replaced`));
      }
    }
    this.releaseReads();
    for (let i = this.appliedWaiters.length - 1; i >= 0; i--) {
      const w = this.appliedWaiters[i]!;
      if (index > w.after) {
        this.appliedWaiters.splice(i, 1);
        w.resolve(index);
      }
    }
  }

  private releaseReads(): void {
    for (const [ctx, r] of this.reads) {
      if (r.index !== undefined && r.index <= this.appliedIndex) {
        this.reads.delete(ctx);
        r.resolve();
      }
    }
  }

  /**
   * Leadership was lost (or the replica is closing): proposals may still commit under the new
   * leader, but this node can no longer tell, and reads in flight are no longer confirmed.
   */
  failPending(why: string): void {
    for (const [i, p] of this.proposals) {
      this.proposals.delete(i);
      p.reject(new OutcomeUnknownError(this.group, why));
    }
    for (const [ctx, r] of this.reads) {
      this.reads.delete(ctx);
      r.reject(new NotLeaderError(this.group, this.leader()));
    }
  }

  roleName(): string {
    const role = this.raw.raft.role;
    return role === StateRole.Leader ? 'leader' : role === StateRole.Follower ? 'follower' : role === StateRole.Candidate ? 'candidate' : 'precandidate';
  }
}
