import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type BlobCommand,
  BlobStateMachine,
  MAX_CHUNK_BYTES,
  decodeChunkResult,
  decodeDeleteResult,
  decodeListResult,
  decodePresenceResult,
  decodePutResult,
  encodeBlobCommand,
  encodeBlobQuery,
  sha256,
} from '../../storage/partitions/blob.js';
import { decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import { SeededRng } from '../../storage/raft/rng.js';
import { Harness } from './memory-store.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

class BlobHarness extends Harness<BlobStateMachine> {
  seq = 0;
  constructor(sm = new BlobStateMachine()) {
    super(sm);
  }
  run(cmd: BlobCommand, timestampMs = 1000, clientId = 'test', seq = ++this.seq): { result: Uint8Array; ops: number } {
    const r = this.apply(encodeCommand({ clientId, seq, timestampMs, ...encodeBlobCommand(cmd) }));
    return { result: r.result, ops: r.ops.length };
  }
  put(data: Uint8Array, timestampMs = 1000) {
    return decodePutResult(this.run({ type: 'put', hash: sha256(data), data }, timestampMs).result);
  }
  async get(hash: Uint8Array) {
    return decodeChunkResult(await this.read(encodeBlobQuery({ type: 'get', hash })));
  }
  async stat(hashes: Uint8Array[]) {
    return decodePresenceResult(await this.read(encodeBlobQuery({ type: 'stat', hashes })));
  }
  async list(limit: number, after?: Uint8Array) {
    const r = decodeListResult(await this.read(encodeBlobQuery(after === undefined ? { type: 'list', limit } : { type: 'list', limit, after })));
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }
}

describe('blob kind', () => {
  it('stores chunks by hash and reads them back', async () => {
    const h = new BlobHarness();
    const a = randomBytes(1000);
    const b = randomBytes(MAX_CHUNK_BYTES);
    expect(h.put(a, 1000)).toEqual({ ok: true, value: { created: true, putTimeMs: 1000 } });
    expect(h.put(b, 1100)).toEqual({ ok: true, value: { created: true, putTimeMs: 1100 } });
    const got = await h.get(sha256(a));
    expect(got.ok && hex(got.value)).toBe(hex(a));
    const gotB = await h.get(sha256(b));
    expect(gotB.ok && gotB.value.length).toBe(MAX_CHUNK_BYTES);
    expect(await h.get(sha256(randomBytes(5)))).toMatchObject({ ok: false, code: 'NotFound' });
    expect(h.sm.storedBytes).toBe(1000 + MAX_CHUNK_BYTES);
  });

  it('rejects data that does not match its hash, and oversize chunks', async () => {
    const h = new BlobHarness();
    const data = randomBytes(100);
    const wrong = sha256(randomBytes(100));
    const r = h.run({ type: 'put', hash: wrong, data });
    expect(decodePutResult(r.result)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('does not hash to') });
    expect(await h.get(wrong)).toMatchObject({ ok: false, code: 'NotFound' });
    const big = randomBytes(MAX_CHUNK_BYTES + 1);
    expect(h.put(big)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    // A short body is a malformed command: an answer, never an exception.
    const bad = h.apply(encodeCommand({ clientId: 'x', seq: 1, timestampMs: 0, op: 1, body: new Uint8Array(5) })).result;
    expect(decodeResult(bad)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    const unknown = h.apply(encodeCommand({ clientId: 'x', seq: 2, timestampMs: 0, op: 99, body: new Uint8Array() })).result;
    expect(decodeResult(unknown)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('unknown blob op 99') });
    expect(decodeResult(await h.read(new Uint8Array([1, 42])))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.sm.chunkCount).toBe(0);
  });

  it('puts idempotently, refreshing the put time without rewriting the data', async () => {
    const h = new BlobHarness();
    const data = randomBytes(2000);
    h.put(data, 1000);
    const again = h.run({ type: 'put', hash: sha256(data), data }, 5000);
    expect(decodePutResult(again.result)).toEqual({ ok: true, value: { created: false, putTimeMs: 5000 } });
    // The info entry and the dedup entry: not the chunk again.
    expect(again.ops).toBe(2);
    // An older clock (a new leader behind) never lowers the put time.
    expect(h.put(data, 3000)).toEqual({ ok: true, value: { created: false, putTimeMs: 5000 } });
    expect((await h.list(10)).chunks).toEqual([{ hash: sha256(data), size: 2000, putTimeMs: 5000 }]);
    expect(h.sm.storedBytes).toBe(2000);
  });

  it('stats and touches chunks', async () => {
    const h = new BlobHarness();
    const a = randomBytes(10);
    const b = randomBytes(10);
    h.put(a, 1000);
    expect(await h.stat([sha256(a), sha256(b), sha256(a)])).toEqual({ ok: true, value: [true, false, true] });
    const t = decodePresenceResult(h.run({ type: 'touch', hashes: [sha256(b), sha256(a)] }, 7000).result);
    expect(t).toEqual({ ok: true, value: [false, true] });
    expect((await h.list(10)).chunks).toEqual([{ hash: sha256(a), size: 10, putTimeMs: 7000 }]);
    expect(await h.stat([])).toEqual({ ok: true, value: [] });
  });

  it('lists in hash order, page by page', async () => {
    const h = new BlobHarness();
    const datas = Array.from({ length: 7 }, (_, i) => randomBytes(10 + i));
    datas.forEach((d, i) => h.put(d, 1000 + i));
    const expected = datas.map((d, i) => ({ hash: sha256(d), size: d.length, putTimeMs: 1000 + i })).sort((x, y) => Buffer.compare(x.hash, y.hash));
    const seen = [];
    let after: Uint8Array | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await h.list(3, after);
      seen.push(...r.chunks);
      if (r.next === undefined) break;
      expect(r.chunks).toHaveLength(3);
      after = r.next;
    }
    expect(seen).toEqual(expected);
    // Exactly a page's worth left: no dangling next.
    const r = await h.list(7);
    expect(r.next).toBeUndefined();
    expect((await h.list(6)).next).toEqual(expected[5]?.hash);
    expect(decodeListResult(await h.read(encodeBlobQuery({ type: 'list', limit: 0 })))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(decodeListResult(await h.read(encodeBlobQuery({ type: 'list', limit: 1001 })))).toMatchObject({ ok: false, code: 'InvalidArgument' });
  });

  it('deletes only chunks put before the cut-off', async () => {
    const h = new BlobHarness();
    const old = randomBytes(100);
    const fresh = randomBytes(50);
    const retouched = randomBytes(30);
    h.put(old, 1000);
    h.put(fresh, 5000);
    h.put(retouched, 1000);
    h.run({ type: 'touch', hashes: [sha256(retouched)] }, 6000); // an uploader reuses it
    const missing = sha256(randomBytes(1));
    const r = decodeDeleteResult(h.run({ type: 'delete', hashes: [sha256(old), sha256(fresh), sha256(retouched), missing, sha256(old)], olderThanMs: 5000 }).result);
    expect(r).toEqual({ ok: true, value: { deleted: 1, freedBytes: 100 } });
    expect(await h.stat([sha256(old), sha256(fresh), sha256(retouched)])).toEqual({ ok: true, value: [false, true, true] });
    expect(await h.get(sha256(old))).toMatchObject({ ok: false, code: 'NotFound' });
    expect(h.sm.storedBytes).toBe(80);
    // Deleted for real: it can be put (created) again.
    expect(h.put(old, 9000)).toEqual({ ok: true, value: { created: true, putTimeMs: 9000 } });
    // Only chunk, info and dedup keys remain.
    const prefixes = new Set(h.store.dump().map(([k]) => k.slice(0, 2)));
    expect([...prefixes].sort()).toEqual(['00', '63', '69']);
  });

  it('refuses puts past the group cap', () => {
    const h = new BlobHarness(new BlobStateMachine({ maxGroupBytes: 250 }));
    expect(h.put(randomBytes(200)).ok).toBe(true);
    const full = h.put(randomBytes(51));
    expect(full).toMatchObject({ ok: false, code: 'FailedPrecondition', message: expect.stringContaining('blob group full') });
    expect(h.put(randomBytes(50)).ok).toBe(true);
  });

  it('reloads the same state from the store', async () => {
    const h = new BlobHarness();
    const a = randomBytes(300);
    const b = randomBytes(400);
    h.put(a, 1000);
    h.put(b, 2000);
    h.run({ type: 'delete', hashes: [sha256(a)], olderThanMs: 1500 });
    const before = { list: await h.list(10), stat: await h.stat([sha256(a), sha256(b)]), get: await h.get(sha256(b)) };
    await h.restart(new BlobStateMachine());
    expect({ list: await h.list(10), stat: await h.stat([sha256(a), sha256(b)]), get: await h.get(sha256(b)) }).toEqual(before);
    expect(h.sm.storedBytes).toBe(400);
    // The put times came back too: delete decisions are the same after the restart.
    expect(decodeDeleteResult(h.run({ type: 'delete', hashes: [sha256(b)], olderThanMs: 2000 }).result)).toEqual({ ok: true, value: { deleted: 0, freedBytes: 0 } });
    expect(decodeDeleteResult(h.run({ type: 'delete', hashes: [sha256(b)], olderThanMs: 2001 }).result)).toEqual({ ok: true, value: { deleted: 1, freedBytes: 400 } });
  });

  it('applies a retried command once, across a restart too', async () => {
    const h = new BlobHarness();
    const a = randomBytes(100);
    const first = h.run({ type: 'put', hash: sha256(a), data: a }, 1000, 'client-1', 1);
    h.run({ type: 'delete', hashes: [sha256(a)], olderThanMs: 2000 }, 1500, 'client-2', 1);
    // The put retried (same client and seq): the remembered answer, and the chunk stays deleted.
    const retry = h.run({ type: 'put', hash: sha256(a), data: a }, 3000, 'client-1', 1);
    expect(hex(retry.result)).toBe(hex(first.result));
    expect(retry.ops).toBe(0);
    expect(await h.stat([sha256(a)])).toEqual({ ok: true, value: [false] });
    await h.restart(new BlobStateMachine());
    const again = h.run({ type: 'put', hash: sha256(a), data: a }, 4000, 'client-1', 1);
    expect(hex(again.result)).toBe(hex(first.result));
    expect(await h.stat([sha256(a)])).toEqual({ ok: true, value: [false] });
  });

  it('is deterministic: replicas and restarted replicas produce the same ops and answers', async () => {
    const rng = new SeededRng(7);
    const pool = Array.from({ length: 12 }, (_, i) => new Uint8Array(20 + i).fill(i));
    const a = new BlobHarness(new BlobStateMachine({ maxGroupBytes: 150 }));
    const b = new BlobHarness(new BlobStateMachine({ maxGroupBytes: 150 }));
    for (let step = 0; step < 400; step++) {
      const pick = (): Uint8Array => pool[rng.intn(pool.length)] as Uint8Array;
      const k = rng.intn(10);
      const cmd: BlobCommand =
        k < 5
          ? { type: 'put', hash: sha256(pick()), data: pick() } // mismatched hashes now and then
          : k < 7
            ? { type: 'touch', hashes: [sha256(pick()), sha256(pick())] }
            : { type: 'delete', hashes: [sha256(pick()), sha256(pick()), sha256(pick())], olderThanMs: 1000 + rng.intn(step * 10 + 1) };
      const bytes = encodeCommand({ clientId: `c${rng.intn(3)}`, seq: step + 1, timestampMs: 1000 + step * 10 - rng.intn(40), ...encodeBlobCommand(cmd) });
      const ra = a.apply(bytes);
      const rb = b.apply(bytes);
      expect(hex(rb.result)).toBe(hex(ra.result));
      expect(rb.ops.length).toBe(ra.ops.length);
      if (rng.intn(20) === 0) await b.restart(new BlobStateMachine({ maxGroupBytes: 150 }));
    }
    expect(b.store.dump()).toEqual(a.store.dump());
    expect(await b.list(100)).toEqual(await a.list(100));
    expect(b.sm.storedBytes).toBe(a.sm.storedBytes);
    expect(a.sm.storedBytes).toBeLessThanOrEqual(150);
  });
});
