// Concurrent publishes to one topic share proposals, each caller gets its own outcomes back, and
// a failed proposal fails exactly the calls it carried.
import { describe, expect, it } from 'vitest';
import { type PublishEntry, type PublishOutcome } from '../../storage/partitions/topic-codec.js';
import { PublishBatcher } from '../../nodes/gateway/sns/publish-batcher.js';

const entry = (id: string, bytes = 10): PublishEntry => ({ dedupId: '', messageId: id, key: new Uint8Array(0), value: new Uint8Array(bytes) });

describe('PublishBatcher', () => {
  it('batches what queues behind a proposal in flight, and answers each caller its own outcomes', async () => {
    const proposals: string[][] = [];
    let release: (() => void) | undefined;
    let offset = 0;
    const b = new PublishBatcher(async (_group, entries) => {
      proposals.push(entries.map((e) => e.messageId));
      if (proposals.length === 1) await new Promise<void>((r) => (release = r));
      return entries.map((e): PublishOutcome => ({ offset: offset++, messageId: e.messageId, duplicate: false }));
    });
    const first = b.publish(1, [entry('a')]);
    const rest = [b.publish(1, [entry('b'), entry('c')]), b.publish(1, [entry('d')]), b.publish(2, [entry('x')])];
    await new Promise((r) => setImmediate(r));
    release!();
    const [a, bc, d, x] = await Promise.all([first, ...rest]);
    expect(proposals).toEqual([['a'], ['x'], ['b', 'c', 'd']]);
    expect(a!.map((o) => o.messageId)).toEqual(['a']);
    expect(bc!.map((o) => o.messageId)).toEqual(['b', 'c']);
    expect(d!.map((o) => o.messageId)).toEqual(['d']);
    expect(x!.map((o) => o.messageId)).toEqual(['x']);
    expect(bc!.map((o) => o.offset)).toEqual([d![0]!.offset - 2, d![0]!.offset - 1]);
  });

  it('keeps proposals within their size and fails only the calls a failed proposal carried', async () => {
    const sizes: number[] = [];
    let calls = 0;
    const b = new PublishBatcher(async (_group, entries) => {
      calls++;
      sizes.push(entries.length);
      if (calls === 2) throw new Error('leader lost');
      await new Promise((r) => setImmediate(r));
      return entries.map((e, i): PublishOutcome => ({ offset: i, messageId: e.messageId, duplicate: false }));
    });
    const big = (n: number, tag: string): PublishEntry[] => Array.from({ length: n }, (_, i) => entry(`${tag}${i}`, 1024 * 1024));
    const p1 = b.publish(7, big(1, 'p'));
    const p2 = b.publish(7, big(1, 'q'));
    const p3 = b.publish(7, big(1, 'r'));
    const p4 = b.publish(7, big(1, 's'));
    const results = await Promise.allSettled([p1, p2, p3, p4]);
    // 1 MiB each, 2 MiB a proposal: p1 alone (nothing queued yet), then q+r (failed), then s.
    expect(sizes).toEqual([1, 2, 1]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  });
});
