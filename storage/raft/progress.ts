import { type ConfState, type NodeId, type Snapshot } from './types.js';

export enum ProgressState {
  /** We do not know the follower's match: send one append per heartbeat and wait. */
  Probe = 0,
  /** Steady state: appends are pipelined, bounded by the in-flight window. */
  Replicate = 1,
  /** The follower needs a snapshot; it is being streamed in chunks. */
  Snapshot = 2,
}

/**
 * The in-flight window of one follower: the last index and byte size of each append that is
 * sent and not yet acknowledged. It caps both the number of messages and their bytes.
 */
export class Inflights {
  private readonly items: Array<{ index: number; bytes: number }> = [];
  private bytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  add(index: number, bytes: number): void {
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Frees every in-flight append up to and including index. */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.items.length && this.items[n]!.index <= index) {
      this.bytes -= this.items[n]!.bytes;
      n++;
    }
    if (n > 0) this.items.splice(0, n);
  }

  /** Frees the oldest in-flight append (used when its acknowledgement was evidently lost). */
  freeFirst(): void {
    const first = this.items[0];
    if (first) this.freeLE(first.index);
  }

  full(): boolean {
    return this.items.length >= this.maxMessages || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  count(): number {
    return this.items.length;
  }

  reset(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}

/** Leader-side state of an InstallSnapshot transfer to one follower. */
export interface SnapshotTransfer {
  snapshot: Snapshot;
  /** Next byte offset to send. */
  nextOffset: number;
  /** Bytes the follower has confirmed holding. */
  ackedOffset: number;
  /** The offset of the last resume request acted on; duplicates of it are ignored. */
  resumedAt: number;
  /** The last chunk went out; nothing more to send unless the follower asks to resume. */
  finalSent: boolean;
  /** Heartbeat rounds without progress; the transfer resumes from ackedOffset after a few. */
  idleRounds: number;
}

export class Progress {
  match = 0;
  next: number;
  state = ProgressState.Probe;
  /** In Probe state: an append was sent this heartbeat interval, wait for its answer. */
  probeSent = false;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** The highest leader tick this follower echoed in a heartbeat response (lease accounting). */
  leaseTick = Number.NEGATIVE_INFINITY;
  pendingSnapshot = 0;
  transfer: SnapshotTransfer | null = null;
  readonly inflights: Inflights;

  constructor(
    next: number,
    public isLearner: boolean,
    maxInflightMessages: number,
    maxInflightBytes: number,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMessages, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.transfer = null;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshot.metadata.index;
    this.transfer = { snapshot, nextOffset: 0, ackedOffset: 0, resumedAt: -1, finalSent: false, idleRounds: 0 };
  }

  /** Records an acknowledgement up to n; returns whether it moved the match forward. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** Optimistically advances next after sending entries up to lastIndex (Replicate state). */
  sentEntries(lastIndex: number, bytes: number, count: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count === 0) return;
      this.next = lastIndex + 1;
      this.inflights.add(lastIndex, bytes);
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }

  /**
   * Handles a rejected append for index `rejected`, resuming at matchHint+1. Returns false if the
   * rejection is stale (an answer to an append we have since superseded).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }
}

export interface TrackerLimits {
  maxInflightMessages: number;
  maxInflightBytes: number;
}

/** Cluster membership and per-member replication progress, as the leader (or anyone) sees it. */
export class ProgressTracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  constructor(private readonly limits: TrackerLimits) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  applyConfState(cs: ConfState, lastIndex: number): void {
    this.voters = new Set(cs.voters);
    this.learners = new Set(cs.learners);
    const next = new Map<NodeId, Progress>();
    for (const id of [...cs.voters, ...cs.learners]) {
      const existing = this.progress.get(id);
      const pr = existing ?? this.newProgress(lastIndex + 1, false);
      pr.isLearner = this.learners.has(id);
      next.set(id, pr);
    }
    this.progress = next;
  }

  newProgress(next: number, isLearner: boolean): Progress {
    return new Progress(next, isLearner, this.limits.maxInflightMessages, this.limits.maxInflightBytes);
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }


  /** The largest index replicated on a quorum of voters. */
  committedIndex(): number {
    return this.quorumValue((pr) => pr.match, 0);
  }

  /** The quorum-th largest value of f over voters (a value held by at least a quorum). */
  quorumValue(f: (pr: Progress) => number, empty: number): number {
    if (this.voters.size === 0) return empty;
    const vals: number[] = [];
    for (const id of this.voters) vals.push(f(this.progress.get(id)!));
    vals.sort((a, b) => b - a);
    return vals[this.quorum() - 1]!;
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  voteResult(): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (rejected > this.voters.size - q) return 'lost';
    return 'pending';
  }

  /** How far a learner trails lastIndex (0 for anyone who is not a learner). */
  learnerLag(id: NodeId, lastIndex: number): number {
    if (!this.learners.has(id)) return 0;
    return lastIndex - (this.progress.get(id)?.match ?? 0);
  }

  /** The voter holding the longest matching log (lowest id on ties). */
  mostCaughtUpVoter(): { id: NodeId; match: number } | undefined {
    let best: { id: NodeId; match: number } | undefined;
    for (const id of [...this.voters].sort((a, b) => a - b)) {
      const match = this.progress.get(id)?.match ?? 0;
      if (!best || match > best.match) best = { id, match };
    }
    return best;
  }

  /** Whether a quorum of voters (counting self) was heard from since the last check. */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === self || this.progress.get(id)?.recentActive) active++;
    }
    return active >= this.quorum();
  }
}
