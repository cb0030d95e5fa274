import { type ResolvedRaftOptions } from './config.js';
import { type RaftLog } from './log.js';
import { ProgressState, type ProgressTracker } from './progress.js';
import { type Message, MessageType, type NodeId, entrySize, message } from './types.js';

/** What the leader's replication needs from the Raft core it serves. */
export interface ReplicationHost {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  readonly opts: ResolvedRaftOptions;
  send(m: Message): void;
  /** Advances the commit index if a quorum allows; true if it moved. */
  commit(): boolean;
  /** A follower acknowledged entries (leadership transfer waits for its target to catch up). */
  acknowledged(from: NodeId): void;
}

/**
 * The leader side of log replication: appends (probing, then pipelined within the in-flight
 * window), chunked snapshot streaming, heartbeats, and the handling of their responses.
 */
export class Replicator {
  constructor(private readonly host: ReplicationHost) {}

  onAppendResponse(m: Message): void {
    const { log, tracker } = this.host;
    const pr = tracker.progress.get(m.from);
    if (!pr) return;
    if (m.reject) {
      const probe = m.logTerm > 0 ? log.findConflictByTerm(m.rejectHint, m.logTerm).index : m.rejectHint;
      if (pr.maybeDecrTo(m.index, probe)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === ProgressState.Probe) pr.becomeReplicate();
    else if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

    if (this.host.commit()) this.broadcastAppend();
    else if (wasPaused) this.sendAppend(m.from, true);
    this.fillWindow(m.from);
    this.host.acknowledged(m.from);
  }

  /** Heartbeat responses keep stalled followers moving: probes, full windows, snapshots. */
  onHeartbeatResponse(m: Message): void {
    const pr = this.host.tracker.progress.get(m.from);
    if (!pr) return;
    pr.probeSent = false;
    if (m.leaseTick > pr.leaseTick) pr.leaseTick = m.leaseTick;
    if (pr.state === ProgressState.Snapshot) this.resumeStalledSnapshot(m.from);
    else if (pr.match < this.host.log.lastIndex()) {
      // An in-flight window full of lost appends would stall forever: free one slot per beat.
      if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirst();
      this.sendAppend(m.from, true);
    }
  }

  onSnapshotChunkResponse(m: Message): void {
    const pr = this.host.tracker.progress.get(m.from);
    const t = pr?.transfer;
    if (!pr || pr.state !== ProgressState.Snapshot || !t || t.snapshot.metadata.index !== m.index) return;
    t.idleRounds = 0;
    if (m.reject) {
      // Every out-of-order chunk in a window draws the same request: resend only once.
      if (m.rejectHint === t.resumedAt) return;
      t.resumedAt = m.rejectHint;
      t.ackedOffset = m.rejectHint;
      t.nextOffset = m.rejectHint;
      t.finalSent = false;
    } else if (m.rejectHint > t.ackedOffset) {
      t.ackedOffset = m.rejectHint;
      t.resumedAt = -1;
    }
    this.sendSnapshotChunks(m.from);
  }

  private resumeStalledSnapshot(to: NodeId): void {
    const t = this.host.tracker.progress.get(to)?.transfer;
    if (!t) return;
    // Chunks are lost with their messages: after a few silent heartbeat rounds resend from
    // the last byte the follower confirmed.
    if (++t.idleRounds < 3) return;
    t.idleRounds = 0;
    t.nextOffset = t.ackedOffset;
    t.resumedAt = -1;
    t.finalSent = false;
    this.sendSnapshotChunks(to);
  }

  /**
   * Sends the next append to a follower, or starts a snapshot when the entries it needs are
   * compacted. Returns whether entries went out.
   */
  sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const { log, opts, tracker } = this.host;
    const pr = tracker.progress.get(to);
    if (!pr || to === this.host.id || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = log.term(prevIndex);
    const ents = prevTerm === undefined ? undefined : log.entriesFrom(pr.next, opts.maxSizePerMsg);
    if (prevTerm === undefined || ents === undefined) {
      pr.becomeSnapshot(log.snapshot());
      this.sendSnapshotChunks(to);
      return false;
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of ents) bytes += entrySize(e);
    this.host.send(message({ type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: log.committed }));
    pr.sentEntries(ents.length > 0 ? ents[ents.length - 1]!.index : prevIndex, bytes, ents.length);
    return ents.length > 0;
  }

  private fillWindow(to: NodeId): void {
    while (this.sendAppend(to, false)) {
      /* keep sending while the window allows */
    }
  }

  private sendSnapshotChunks(to: NodeId): void {
    const t = this.host.tracker.progress.get(to)?.transfer;
    if (!t) return;
    const { snapshotChunkBytes, snapshotChunkWindow } = this.host.opts;
    const total = t.snapshot.data.byteLength;
    while (!t.finalSent && t.nextOffset - t.ackedOffset < snapshotChunkBytes * snapshotChunkWindow) {
      const end = Math.min(total, t.nextOffset + snapshotChunkBytes);
      const data = t.snapshot.data.subarray(t.nextOffset, end);
      this.host.send(
        message({ type: MessageType.Snap, to, snapshot: { metadata: t.snapshot.metadata, offset: t.nextOffset, totalBytes: total, data } }),
      );
      t.nextOffset = end;
      if (end === total) t.finalSent = true;
    }
  }

  /** Sends every follower what it lacks (and the commit index), filling each window. */
  broadcastAppend(): void {
    for (const id of this.peers()) {
      this.sendAppend(id, true);
      this.fillWindow(id);
    }
  }

  broadcastHeartbeat(context: string, leaseTick: number): void {
    const { log, tracker } = this.host;
    for (const id of this.peers()) {
      const pr = tracker.progress.get(id)!;
      // Never tell a follower to commit past what it is known to hold.
      const commit = Math.min(pr.match, log.committed);
      this.host.send(message({ type: MessageType.Heartbeat, to: id, commit, context, leaseTick }));
    }
  }

  private peers(): NodeId[] {
    return [...this.host.tracker.progress.keys()].filter((id) => id !== this.host.id).sort((a, b) => a - b);
  }
}
