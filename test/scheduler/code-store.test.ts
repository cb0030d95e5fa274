import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodeStore, CodeStoreError, CorruptCodeError, groupOf } from '../../nodes/scheduler/code-store.js';
import { BlobStateMachine, decodeListResult, decodePresenceResult, encodeBlobQuery } from '../../storage/partitions/blob.js';
import { decodeResult, encodeResult } from '../../storage/partitions/envelope.js';
import { FakeBlobCluster } from './fake-blob-io.js';

const MiB = 1024 * 1024;

function setup(groupIds = [10, 11, 12]): { cluster: FakeBlobCluster; store: CodeStore } {
  const cluster = new FakeBlobCluster(groupIds);
  return { cluster, store: new CodeStore(cluster, async () => groupIds) };
}

describe('CodeStore', () => {
  it('round-trips a multi-chunk package spread over the groups by hash', async () => {
    const { cluster, store } = setup();
    const zip = randomBytes(2.5 * MiB);
    const ref = await store.put(zip);
    expect(ref.size).toBe(zip.length);
    expect(ref.chunks.map((c) => c.size)).toEqual([MiB, MiB, MiB / 2]);
    expect(cluster.puts).toBe(3);
    // Each chunk lives in the group its hash names, and nowhere else.
    for (const c of ref.chunks) {
      const home = groupOf(Buffer.from(c.hash, 'hex'), [10, 11, 12]);
      for (const [g, h] of cluster.groups) {
        const has = decodePresenceResult(await h.read(encodeBlobQuery({ type: 'stat', hashes: [Buffer.from(c.hash, 'hex')] })));
        expect(has).toEqual({ ok: true, value: [g === home] });
      }
    }
    const back = await store.get(ref);
    expect(Buffer.from(back).equals(zip)).toBe(true);
  });

  it('sends only the chunks the store does not hold', async () => {
    const { cluster, store } = setup();
    const shared = randomBytes(2 * MiB);
    const first = await store.put(shared);
    expect(cluster.puts).toBe(2);
    // The same package again: touched, nothing sent.
    cluster.puts = 0;
    expect(await store.put(shared)).toEqual(first);
    expect(cluster.puts).toBe(0);
    expect(cluster.touches).toBeGreaterThan(0);
    // A package sharing its first two MiB: only the new tail goes over.
    const extended = Buffer.concat([shared, randomBytes(100)]);
    const ref = await store.put(extended);
    expect(cluster.puts).toBe(1);
    expect(ref.chunks.slice(0, 2)).toEqual(first.chunks);
    expect(Buffer.from(await store.get(ref)).equals(extended)).toBe(true);
    // Repeated chunks inside one package are sent once.
    cluster.puts = 0;
    const zeros = new Uint8Array(3 * MiB);
    const zref = await store.put(zeros);
    expect(cluster.puts).toBe(1);
    expect(new Set(zref.chunks.map((c) => c.hash)).size).toBe(1);
    expect((await store.get(zref)).length).toBe(3 * MiB);
  });

  it('refreshes the put time of chunks it reuses, so a GC cut-off before the upload spares them', async () => {
    const { cluster, store } = setup([1]);
    const zip = randomBytes(1000);
    await store.put(zip);
    const h = cluster.groups.get(1)!;
    const putTime = async (): Promise<number> => {
      const r = decodeListResult(await h.read(encodeBlobQuery({ type: 'list', limit: 10 })));
      if (!r.ok || r.value.chunks.length !== 1) throw new Error('expected one chunk');
      return r.value.chunks[0]!.putTimeMs;
    };
    const before = await putTime();
    await new Promise((r) => setTimeout(r, 5));
    await store.put(zip);
    expect(await putTime()).toBeGreaterThan(before);
  });

  it('detects corruption of a chunk and of the whole', async () => {
    const { cluster, store } = setup();
    const zip = randomBytes(1.5 * MiB);
    const ref = await store.put(zip);
    // A store answering wrong bytes for a chunk.
    cluster.tamper = (_g, answer) => {
      const r = decodeResult(answer);
      if (!r.ok) return answer;
      const body = r.body.slice();
      body[7] = (body[7] as number) ^ 1;
      return encodeResult({ ok: true, body });
    };
    await expect(store.get(ref)).rejects.toBeInstanceOf(CorruptCodeError);
    cluster.tamper = undefined;
    // A reference whose whole hash does not match its chunks.
    await expect(store.get({ ...ref, sha256: 'a'.repeat(64) })).rejects.toThrow(/does not match its hash/);
    // Chunk sizes that do not add up, a malformed hash: refused before any read.
    cluster.reads = 0;
    await expect(store.get({ ...ref, size: ref.size + 1 })).rejects.toThrow(CodeStoreError);
    await expect(store.get({ ...ref, chunks: [{ hash: 'zz', size: 1 }] })).rejects.toThrow(CodeStoreError);
    expect(cluster.reads).toBe(0);
    // A chunk that is not stored.
    const missing = { sha256: ref.sha256, size: 10, chunks: [{ hash: 'b'.repeat(64), size: 10 }] };
    await expect(store.get(missing)).rejects.toMatchObject({ name: 'CodeStoreError', code: 'NotFound' });
    expect(Buffer.from(await store.get(ref)).equals(zip)).toBe(true);
  });

  it('keeps at most four transfers in flight', async () => {
    const { cluster } = setup();
    let inFlight = 0;
    let peak = 0;
    const propose = cluster.propose.bind(cluster);
    cluster.propose = async (g, p) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 2));
        return await propose(g, p);
      } finally {
        inFlight--;
      }
    };
    const small = new CodeStore(cluster, async () => [10, 11, 12], { chunkBytes: 64 * 1024 });
    const many = await small.put(randomBytes(20 * 64 * 1024));
    expect(many.chunks).toHaveLength(20);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('surfaces a full group as an error with its code', async () => {
    const cluster = new FakeBlobCluster([1]);
    const h = cluster.groups.get(1)!;
    // A tiny group: swap in a capped state machine.
    h.sm = new BlobStateMachine({ maxGroupBytes: 1000 });
    const store = new CodeStore(cluster, async () => [1]);
    await expect(store.put(randomBytes(2000))).rejects.toMatchObject({ code: 'FailedPrecondition' });
  });
});
