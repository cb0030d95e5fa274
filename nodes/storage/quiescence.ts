// Idle groups cost nothing. A replica with nothing to do stops ticking — so a quiet leader
// sends no heartbeats and a quiet follower never times out — and any message, proposal or
// read wakes it. What replaces the per-group heartbeat is one liveness ping per node pair per
// tick: a follower stays quiet only while it hears from its leader's node, and wakes (resumes
// ticking, and so elects a new leader in the usual time) once that node goes silent.
//
// Safety does not depend on ticks (they only drive elections and heartbeats); the host uses
// ReadIndex, not leases, for linearizable reads, so a leader that did not tick while quiet
// cannot serve a stale read from a lease.
import { StateRole } from '../../storage/raft/index.js';
import { type Replica } from './replica.js';

export interface QuiescenceOptions {
  /** Ticks a replica must stay idle before it stops ticking. Default 3. */
  idleTicks?: number;
  /** A node not heard from for this long is presumed down. */
  livenessMs: number;
  enabled?: boolean;
}

export class Quiescence {
  private readonly lastHeard = new Map<number, number>();
  private readonly presumedDown = new Set<number>();
  private readonly idleTicks: number;
  readonly enabled: boolean;

  constructor(private readonly o: QuiescenceOptions) {
    this.idleTicks = o.idleTicks ?? 3;
    this.enabled = o.enabled ?? true;
  }

  heardFrom(node: number, now: number): void {
    this.lastHeard.set(node, now);
    this.presumedDown.delete(node);
  }

  alive(node: number, now: number): boolean {
    const t = this.lastHeard.get(node);
    return t !== undefined && now - t <= this.o.livenessMs;
  }

  /** Nodes that went silent since the last call: their followers must wake. */
  newlyDown(now: number): number[] {
    const out: number[] = [];
    for (const [node, t] of this.lastHeard) {
      if (now - t > this.o.livenessMs && !this.presumedDown.has(node)) {
        this.presumedDown.add(node);
        out.push(node);
      }
    }
    return out;
  }

  /**
   * Called on every tick before the replica ticks: counts idle ticks and quiets the replica
   * once it has been idle long enough. Returns whether it should tick.
   */
  beforeTick(rep: Replica, now: number): boolean {
    if (!this.enabled) return true;
    if (!this.idle(rep, now)) {
      rep.idleTicks = 0;
      return true;
    }
    if (++rep.idleTicks < this.idleTicks) return true;
    rep.quiesced = true;
    return false;
  }

  wake(rep: Replica): void {
    rep.quiesced = false;
    rep.idleTicks = 0;
  }

  /**
   * Idle: nothing pending, everything in the log committed and applied, and — for a leader —
   * every follower holding all of it (the heartbeats of the idle ticks then told them the
   * commit index); for a follower, its leader's node alive.
   */
  private idle(rep: Replica, now: number): boolean {
    const r = rep.raw.raft;
    if (rep.hasPending() || rep.raw.hasReady()) return false;
    const last = r.log.lastIndex();
    if (r.log.committed !== last || rep.appliedIndex !== last) return false;
    if (r.role === StateRole.Leader) {
      if (r.leadTransferee !== 0) return false;
      for (const [id, pr] of r.tracker.progress) if (id !== r.id && pr.match !== last) return false;
      return true;
    }
    return r.role === StateRole.Follower && r.lead !== 0 && this.alive(r.lead, now);
  }
}
