import { type RaftLog } from './log.js';
import { type ProgressTracker } from './progress.js';
import { ReadOnly, type ReadRequest } from './read-only.js';
import { type Message, MessageType, type NodeId, ReadMode, type ReadState, message } from './types.js';

/** What linearizable reads need from the Raft core (as leader). */
export interface ReadHost {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  term(): number;
  leaseValid(): boolean;
  send(m: Message): void;
  /** Hands a read state to the local application. */
  emit(rs: ReadState): void;
}

/**
 * The leader's read path. A read is answered with the commit index once leadership is
 * confirmed, by a quorum heartbeat round (ReadIndex) or by the lease; a new leader defers reads
 * until an entry of its own term commits, since its commit index may lag until then.
 */
export class LeaderReads {
  private readonly rounds = new ReadOnly();
  private deferred: Array<ReadRequest & { mode: ReadMode }> = [];

  constructor(private readonly host: ReadHost) {}

  request(req: ReadRequest, mode: ReadMode): void {
    const { log, tracker, id } = this.host;
    if (!this.committedInCurrentTerm()) {
      this.deferred.push({ ...req, mode });
      return;
    }
    const alone = tracker.voters.size === 1 && tracker.voters.has(id);
    if (alone || (mode === ReadMode.Lease && this.host.leaseValid())) this.respond(req, log.committed);
    else this.rounds.add(req, log.committed);
  }

  /** The commit index moved: deferred reads may now proceed. */
  onCommit(): void {
    if (this.deferred.length === 0 || !this.committedInCurrentTerm()) return;
    const reads = this.deferred;
    this.deferred = [];
    for (const r of reads) this.request(r, r.mode);
  }

  onHeartbeatAck(context: string, from: NodeId): void {
    if (context === '') return;
    const roundId = Number(context);
    const acks = this.rounds.recvAck(roundId, from);
    if (!acks) return;
    acks.add(this.host.id);
    let granted = 0;
    for (const id of this.host.tracker.voters) if (acks.has(id)) granted++;
    if (granted < this.host.tracker.quorum()) return;
    for (const round of this.rounds.advance(roundId)) {
      for (const req of round.requests) this.respond(req, round.index);
    }
  }

  /** The heartbeat context of a round waiting to be broadcast, if any. */
  takeRound(): string | undefined {
    const round = this.rounds.takeUnbroadcast();
    return round ? String(round.id) : undefined;
  }

  /** The newest round's context, for regular heartbeats, so acks keep flowing after loss. */
  latestContext(): string {
    const id = this.rounds.latestRoundId();
    return id === undefined ? '' : String(id);
  }

  hasUnbroadcast(): boolean {
    return this.rounds.hasUnbroadcast();
  }

  reset(): void {
    this.rounds.reset();
    this.deferred = [];
  }

  private committedInCurrentTerm(): boolean {
    return this.host.log.zeroTermOnOutOfBounds(this.host.log.committed) === this.host.term();
  }

  private respond(req: ReadRequest, index: number): void {
    if (req.from === this.host.id) this.host.emit({ index, requestCtx: req.ctx });
    else this.host.send(message({ type: MessageType.ReadIndexResp, to: req.from, index, context: req.ctx }));
  }
}
