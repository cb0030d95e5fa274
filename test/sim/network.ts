import { type Message, type NodeId, type SeededRng } from '../../storage/raft/index.js';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  /** Normal one-way delay is uniform in [1, maxDelay] time units. */
  maxDelay: number;
  /** Probability that a message is held much longer (reordering across heartbeats). */
  slowRate: number;
  slowDelay: number;
}

interface InFlight {
  at: number;
  seq: number;
  m: Message;
}

/**
 * The simulated network: every message gets a delivery time drawn from the seed; it may be
 * dropped, duplicated or delayed past later ones. Links can be cut one direction at a time.
 */
export class SimNetwork {
  private inflight: InFlight[] = [];
  private seq = 0;
  private blocked = new Set<string>();
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly rng: SeededRng,
    public faults: NetworkFaults,
  ) {}

  send(now: number, m: Message): void {
    if (this.isBlocked(m.from, m.to) || this.rng.chance(this.faults.dropRate)) {
      this.dropped++;
      return;
    }
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.rng.chance(this.faults.slowRate)
        ? 1 + this.rng.intn(this.faults.slowDelay)
        : 1 + this.rng.intn(this.faults.maxDelay);
      this.inflight.push({ at: now + delay, seq: this.seq++, m });
    }
  }

  /** Messages due by `now`, in delivery order; those crossing a cut link are lost. */
  due(now: number): Message[] {
    if (this.inflight.length === 0) return [];
    const ready: InFlight[] = [];
    const rest: InFlight[] = [];
    for (const f of this.inflight) (f.at <= now ? ready : rest).push(f);
    if (ready.length === 0) return [];
    this.inflight = rest;
    ready.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const out: Message[] = [];
    for (const f of ready) {
      if (this.isBlocked(f.m.from, f.m.to)) this.dropped++;
      else out.push(f.m);
    }
    this.delivered += out.length;
    return out;
  }

  cut(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}>${to}`);
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  healAll(): void {
    this.blocked.clear();
  }

  hasPartition(): boolean {
    return this.blocked.size > 0;
  }
}
