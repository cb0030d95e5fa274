import { type RaftLog } from './log.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import { type Message, MessageType, type Snapshot, message } from './types.js';

/** What the follower side of replication needs from the Raft core. */
export interface FollowerHost {
  readonly log: RaftLog;
  send(m: Message): void;
  /** Installs a complete snapshot; false if it holds nothing the log lacks. */
  restore(s: Snapshot): boolean;
}

/** The follower side of replication: appends, heartbeats and snapshot chunks from the leader. */
export class FollowerReplication {
  private readonly snapshots = new SnapshotReceiver();

  constructor(private readonly host: FollowerHost) {}

  onAppend(m: Message): void {
    const { log } = this.host;
    if (m.index < log.committed) {
      this.host.send(message({ type: MessageType.AppResp, to: m.from, index: log.committed }));
      return;
    }
    const lastNew = log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.host.send(message({ type: MessageType.AppResp, to: m.from, index: lastNew }));
      return;
    }
    // Point the leader at the last entry that can possibly match, with its term, so it can
    // skip every entry of a divergent term in one round trip.
    const hint = log.findConflictByTerm(Math.min(m.index, log.lastIndex()), m.logTerm);
    this.host.send(
      message({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }),
    );
  }

  onHeartbeat(m: Message): void {
    // The leader sends min(our match, its commit), so this never passes what we hold.
    this.host.log.commitTo(m.commit);
    this.host.send(message({ type: MessageType.HeartbeatResp, to: m.from, context: m.context, leaseTick: m.leaseTick }));
  }

  onSnapshotChunk(m: Message): void {
    const { log } = this.host;
    const chunk = m.snapshot;
    if (!chunk) return;
    if (chunk.metadata.index <= log.committed) {
      // We already have everything the snapshot holds: let the leader resume appends.
      this.host.send(message({ type: MessageType.AppResp, to: m.from, index: log.committed }));
      return;
    }
    const r = this.snapshots.receive(chunk);
    if (r.kind === 'complete') {
      const index = this.host.restore(r.snapshot) ? log.lastIndex() : log.committed;
      this.host.send(message({ type: MessageType.AppResp, to: m.from, index }));
      return;
    }
    const resume = r.kind === 'resume';
    this.host.send(message({ type: MessageType.SnapResp, to: m.from, index: chunk.metadata.index, reject: resume, rejectHint: r.offset }));
  }

  /** Drops a partly received snapshot (a new term means a new leader and a new transfer). */
  reset(): void {
    this.snapshots.clear();
  }
}
