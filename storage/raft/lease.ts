import { type ProgressTracker } from './progress.js';
import { type NodeId } from './types.js';

/**
 * Ticks a leader may serve lease reads after a quorum acknowledged a heartbeat it sent.
 * A follower that heard from the leader refuses votes for electionTick of its own ticks,
 * which lasts at least (electionTick - 1) / (1 + drift) real tick-periods; the leader's lease
 * of L ticks ends within L / (1 - drift) of the send. So L <= (electionTick - 1)(1 - d)/(1 + d).
 */
export function leaseTicks(electionTick: number, maxClockDrift: number): number {
  return Math.max(0, Math.floor(((electionTick - 1) * (1 - maxClockDrift)) / (1 + maxClockDrift)));
}

/**
 * The leader's lease clock. Heartbeats carry the leader's tick count; followers echo it, and
 * the lease holds while a quorum (the leader included) echoed a tick younger than the lease.
 */
export class LeaderLease {
  /** Ticks since this node became leader; stamped on heartbeats. */
  now = 0;
  /** A TimeoutNow went out this term: another node may win an election at any time. */
  private revoked = false;

  constructor(private readonly length: number) {}

  startTerm(): void {
    this.revoked = false;
  }

  becomeLeader(): void {
    this.now = 0;
  }

  tick(): void {
    this.now++;
  }

  revoke(): void {
    this.revoked = true;
  }

  holds(tracker: ProgressTracker, self: NodeId): boolean {
    if (this.revoked) return false;
    const selfProgress = tracker.progress.get(self);
    const acked = tracker.quorumValue((pr) => (pr === selfProgress ? this.now : pr.leaseTick), Number.NEGATIVE_INFINITY);
    return acked + this.length > this.now;
  }
}
