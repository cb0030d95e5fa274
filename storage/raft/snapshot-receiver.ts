import { type Snapshot, type SnapshotChunk } from './types.js';

export type ChunkOutcome =
  | { kind: 'complete'; snapshot: Snapshot }
  /** Chunk accepted (or a duplicate); `offset` bytes are held. */
  | { kind: 'ack'; offset: number }
  /** Chunk out of order; the sender should resume from `offset`. */
  | { kind: 'resume'; offset: number };

/**
 * Follower-side assembly of a chunked InstallSnapshot. Chunks must arrive in order; a gap or a
 * chunk of an unknown snapshot makes the follower ask the leader to resume where it can.
 * The buffer is volatile: after a crash the transfer starts over.
 */
export class SnapshotReceiver {
  private current: { snapshot: Snapshot['metadata']; total: number; parts: Uint8Array[]; received: number } | null = null;

  receive(chunk: SnapshotChunk): ChunkOutcome {
    const md = chunk.metadata;
    const cur = this.current;
    if (!cur || cur.snapshot.index !== md.index || cur.snapshot.term !== md.term) {
      if (chunk.offset !== 0) return { kind: 'resume', offset: 0 };
      this.current = { snapshot: md, total: chunk.totalBytes, parts: [], received: 0 };
    }
    const c = this.current!;
    if (chunk.offset < c.received) return { kind: 'ack', offset: c.received };
    if (chunk.offset > c.received) return { kind: 'resume', offset: c.received };
    if (chunk.data.byteLength > 0) {
      // Copy: the chunk may be a view into a buffer the transport reuses.
      c.parts.push(chunk.data.slice());
      c.received += chunk.data.byteLength;
    }
    if (c.received < c.total) return { kind: 'ack', offset: c.received };
    const data = new Uint8Array(c.total);
    let at = 0;
    for (const p of c.parts) {
      data.set(p, at);
      at += p.byteLength;
    }
    this.current = null;
    return { kind: 'complete', snapshot: { metadata: md, data } };
  }

  clear(): void {
    this.current = null;
  }
}
