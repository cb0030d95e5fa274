import { type NodeId } from './types.js';

export interface ReadRequest {
  from: NodeId;
  ctx: string;
}

interface ReadRound {
  id: number;
  index: number;
  requests: ReadRequest[];
  acks: Set<NodeId>;
  broadcast: boolean;
}

/**
 * ReadIndex bookkeeping on the leader. Requests arriving between two Ready cycles share one
 * round: one heartbeat broadcast confirms leadership for all of them. A quorum of acks for a
 * round also confirms every earlier round, since the leader was still leader then.
 */
export class ReadOnly {
  private rounds: ReadRound[] = [];
  private nextRoundId = 1;

  add(req: ReadRequest, commitIndex: number): void {
    const last = this.rounds[this.rounds.length - 1];
    if (last && !last.broadcast && last.index === commitIndex) {
      last.requests.push(req);
      return;
    }
    this.rounds.push({ id: this.nextRoundId++, index: commitIndex, requests: [req], acks: new Set(), broadcast: false });
  }

  /** The round to broadcast now, if one is waiting; it is marked as broadcast. */
  takeUnbroadcast(): { id: number } | undefined {
    const last = this.rounds[this.rounds.length - 1];
    if (!last || last.broadcast) return undefined;
    for (const r of this.rounds) r.broadcast = true;
    return { id: last.id };
  }

  hasUnbroadcast(): boolean {
    const last = this.rounds[this.rounds.length - 1];
    return last !== undefined && !last.broadcast;
  }

  /** The newest round, to piggyback on a regular heartbeat so acks keep flowing after loss. */
  latestRoundId(): number | undefined {
    return this.rounds[this.rounds.length - 1]?.id;
  }

  /** Records an ack for round id; returns the acks so far, or undefined if unknown. */
  recvAck(id: number, from: NodeId): Set<NodeId> | undefined {
    const round = this.rounds.find((r) => r.id === id);
    if (!round) return undefined;
    round.acks.add(from);
    return round.acks;
  }

  /** Releases round id and all earlier rounds. */
  advance(id: number): Array<{ index: number; requests: ReadRequest[] }> {
    const n = this.rounds.findIndex((r) => r.id === id);
    if (n < 0) return [];
    const released = this.rounds.splice(0, n + 1);
    return released.map((r) => ({ index: r.index, requests: r.requests }));
  }

  pending(): number {
    return this.rounds.length;
  }

  reset(): void {
    this.rounds = [];
  }
}
