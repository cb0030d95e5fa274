// Publishes to one topic that arrive while a proposal to it is in flight wait, and go together
// in the next proposal: one Raft commit (and fsync) for many concurrent Publish calls. Nothing
// waits on a timer: an idle topic proposes at once, a busy one batches what queued meanwhile.
// Each caller still gets an answer only once its own messages are committed.
import { type PublishEntry, type PublishOutcome } from '../../../storage/partitions/topic-codec.js';

/** A proposal's limits: entries and bytes of messages (one Raft entry, well under gRPC's 4 MiB). */
const MAX_ENTRIES = 256;
const MAX_BYTES = 2 * 1024 * 1024;

interface Waiting {
  entries: PublishEntry[];
  bytes: number;
  resolve: (out: PublishOutcome[]) => void;
  reject: (err: unknown) => void;
}

export class PublishBatcher {
  private readonly queues = new Map<number, { busy: boolean; waiting: Waiting[] }>();

  constructor(private readonly propose: (group: number, entries: PublishEntry[]) => Promise<PublishOutcome[]>) {}

  publish(group: number, entries: PublishEntry[]): Promise<PublishOutcome[]> {
    return new Promise((resolve, reject) => {
      let q = this.queues.get(group);
      if (!q) this.queues.set(group, (q = { busy: false, waiting: [] }));
      const bytes = entries.reduce((n, e) => n + e.value.length + e.key.length, 0);
      q.waiting.push({ entries, bytes, resolve, reject });
      if (!q.busy) void this.drain(group, q);
    });
  }

  private async drain(group: number, q: { busy: boolean; waiting: Waiting[] }): Promise<void> {
    q.busy = true;
    while (q.waiting.length > 0) {
      const batch: Waiting[] = [];
      let entries = 0;
      let bytes = 0;
      // Whole calls only (a PublishBatch stays in one proposal); always at least one.
      while (q.waiting.length > 0) {
        const next = q.waiting[0]!;
        if (batch.length > 0 && (entries + next.entries.length > MAX_ENTRIES || bytes + next.bytes > MAX_BYTES)) break;
        batch.push(q.waiting.shift()!);
        entries += next.entries.length;
        bytes += next.bytes;
      }
      try {
        const out = await this.propose(group, batch.flatMap((w) => w.entries));
        let at = 0;
        for (const w of batch) {
          w.resolve(out.slice(at, at + w.entries.length));
          at += w.entries.length;
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    q.busy = false;
    this.queues.delete(group);
  }
}
