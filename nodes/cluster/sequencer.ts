// Sequence numbers for exactly-once proposals from one long-lived client (a gateway, a node's
// membership loop). Each command also carries the lowest seq still waiting for its answer, so
// the state machines forget answered results and remember unanswered ones however long a
// retry takes (storage/partitions/dedup.ts).
import { randomUUID } from 'node:crypto';
import { type CommandPayload, encodeCommand } from '../../storage/partitions/envelope.js';

export class Sequencer {
  private next = 1;
  /** Insertion order is seq order, so the first element is the lowest unanswered seq. */
  private readonly outstanding = new Set<number>();

  constructor(readonly clientId: string = `c-${randomUUID()}`) {}

  /** An enveloped command with a new seq; call done(seq) once its answer has been received. */
  command(p: CommandPayload): { seq: number; bytes: Uint8Array } {
    const seq = this.next++;
    this.outstanding.add(seq);
    const lowestUnacked = this.outstanding.values().next().value ?? seq;
    return { seq, bytes: encodeCommand({ clientId: this.clientId, seq, lowestUnacked, timestampMs: Date.now(), op: p.op, body: p.body }) };
  }

  done(seq: number): void {
    this.outstanding.delete(seq);
  }

  /** Runs a proposal with a fresh seq and marks it answered when it settles. */
  async propose<T>(p: CommandPayload, send: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    const { seq, bytes } = this.command(p);
    try {
      return await send(bytes);
    } finally {
      // A failed send is answered too: its caller gives up on it and will not retry this seq.
      this.done(seq);
    }
  }
}
