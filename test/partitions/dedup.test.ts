import { describe, expect, it } from 'vitest';
import { DedupTable } from '../../storage/partitions/dedup.js';
import { encodeCommand } from '../../storage/partitions/envelope.js';
import {
  LogStateMachine,
  decodeAppendResult,
  decodeInfoResult,
  encodeLogCommand,
  encodeLogQuery,
} from '../../storage/partitions/log.js';
import { Harness } from './memory-store.js';

const te = new TextEncoder();

function append(clientId: string, seq: number, value = `${clientId}/${seq}`, timestampMs = 1000): Uint8Array {
  return encodeCommand({ clientId, seq, timestampMs, ...encodeLogCommand({ type: 'append', records: [{ value: te.encode(value) }] }) });
}

async function nextOffset(h: Harness<LogStateMachine>): Promise<number> {
  const r = decodeInfoResult(await h.read(encodeLogQuery({ type: 'info' })));
  if (!r.ok) throw new Error(r.message);
  return r.value.nextOffset;
}

function dedupKeys(h: Harness<LogStateMachine>): number {
  return h.store.dump().filter(([k]) => k.startsWith('0064')).length;
}

describe('dedup', () => {
  it('applies a retried (client, seq) once and returns the identical result', async () => {
    const h = new Harness(new LogStateMachine());
    const first = h.apply(append('c', 1));
    h.apply(append('other', 1));
    // The retry reaches a new leader with another timestamp: same answer, nothing written.
    const retry = h.apply(append('c', 1, 'c/1', 5000));
    expect(retry.result).toEqual(first.result);
    expect(retry.ops).toEqual([]);
    expect(decodeAppendResult(retry.result)).toEqual({ ok: true, value: { firstOffset: 0, lastOffset: 0 } });
    expect(await nextOffset(h)).toBe(2);
  });

  it('handles many in-flight seqs applied out of order', async () => {
    const h = new Harness(new LogStateMachine());
    const order = [5, 1, 9, 3, 2, 8, 7, 4, 6, 10];
    const results = new Map<number, Uint8Array>();
    for (const s of order) results.set(s, h.apply(append('c', s)).result);
    // Every seq applied exactly once, in arrival order; retries in another order return the same.
    expect(await nextOffset(h)).toBe(10);
    for (const s of [...order].reverse()) expect(h.apply(append('c', s)).result).toEqual(results.get(s));
    expect(await nextOffset(h)).toBe(10);
    expect(decodeAppendResult(results.get(9) as Uint8Array)).toMatchObject({ ok: true, value: { firstOffset: 2 } });
  });

  it('rejects seqs that fell out of the window and forgets their results', async () => {
    const h = new Harness(new LogStateMachine({ dedup: { window: 4 } }));
    h.apply(append('c', 1));
    h.apply(append('c', 3)); // 2 is still in flight
    h.apply(append('c', 5)); // window is now (1, 5]: seq 1 forgotten, 2 can still apply
    expect(decodeAppendResult(h.apply(append('c', 1)).result)).toMatchObject({ ok: false, code: 'SequenceTooOld' });
    expect(decodeAppendResult(h.apply(append('c', 2)).result)).toMatchObject({ ok: true, value: { firstOffset: 3 } });
    h.apply(append('c', 100)); // a jump past the whole window
    for (const s of [2, 3, 5, 96]) {
      const r = h.apply(append('c', s));
      expect(decodeAppendResult(r.result)).toMatchObject({ ok: false, code: 'SequenceTooOld' });
      expect(r.ops).toEqual([]);
    }
    expect(decodeAppendResult(h.apply(append('c', 97)).result)).toMatchObject({ ok: true });
    expect(await nextOffset(h)).toBe(6);
    expect(dedupKeys(h)).toBe(3); // 97, 100 and the floor
  });

  it('keeps the table within the window with a long sequential stream', () => {
    const h = new Harness(new LogStateMachine({ dedup: { window: 16 } }));
    for (let s = 1; s <= 200; s++) h.apply(append('c', s));
    expect(dedupKeys(h)).toBe(17); // 16 results and the floor
  });

  it('keeps an unanswered seq as long as the client reports it unacknowledged', async () => {
    const h = new Harness(new LogStateMachine({ dedup: { window: 4 } }));
    const tracked = (seq: number, lowestUnacked: number) => {
      const p = encodeLogCommand({ type: 'append', records: [{ value: new TextEncoder().encode(`t/${seq}`) }] });
      return encodeCommand({ clientId: 't', seq, lowestUnacked, timestampMs: 1000, op: p.op, body: p.body });
    };
    const first = h.apply(tracked(1, 1)).result;
    // Seq 1's answer is lost; 500 later requests are answered meanwhile, far past the window.
    for (let s = 2; s <= 500; s++) h.apply(tracked(s, 1));
    expect(h.apply(tracked(1, 1)).result).toEqual(first); // the retry is recognised
    await h.restart(new LogStateMachine({ dedup: { window: 4 } }));
    expect(h.apply(tracked(1, 1)).result).toEqual(first);
    // Once the client acknowledges everything below 400, those results go and stay refused.
    h.apply(tracked(501, 400));
    expect(dedupKeys(h)).toBe(102 + 1); // seqs 400..501 and the floor
    await h.restart(new LogStateMachine({ dedup: { window: 4 } }));
    const stale = h.apply(tracked(1, 1));
    expect(decodeAppendResult(stale.result)).toMatchObject({ ok: false, code: 'SequenceTooOld' });
    expect(stale.ops).toEqual([]);
    expect(await nextOffset(h)).toBe(501);
  });

  it('evicts the least recently applied client beyond maxClients', async () => {
    const h = new Harness(new LogStateMachine({ dedup: { maxClients: 3 } }));
    h.apply(append('a', 1));
    h.apply(append('b', 1));
    h.apply(append('c', 1));
    h.apply(append('a', 2)); // a is now the most recent; b the least
    h.apply(append('b', 1)); // a duplicate does not refresh b
    h.apply(append('d', 1)); // evicts b
    expect(dedupKeys(h)).toBe(4); // a/1, a/2, c/1, d/1
    // b was forgotten: its retry is applied again (the documented cost of the bound).
    const before = await nextOffset(h);
    h.apply(append('b', 1));
    expect(await nextOffset(h)).toBe(before + 1); // and c was evicted for it
    expect(h.apply(append('a', 1)).ops).toEqual([]);
    const table = new DedupTable({ maxClients: 3 });
    await table.load(h.store);
    expect(table.clientIds()).toEqual(['a', 'd', 'b']);
  });

  it('survives a reload', async () => {
    const h = new Harness(new LogStateMachine({ dedup: { window: 8, maxClients: 2 } }));
    h.apply(append('a', 1));
    h.apply(append('b', 1));
    const results: Uint8Array[] = [];
    for (let s = 2; s <= 12; s++) results[s] = h.apply(append('a', s)).result;
    await h.restart(new LogStateMachine({ dedup: { window: 8, maxClients: 2 } }));
    expect(decodeAppendResult(h.apply(append('a', 1)).result)).toMatchObject({ code: 'SequenceTooOld' });
    expect(h.apply(append('a', 10)).result).toEqual(results[10]);
    expect(decodeAppendResult(results[10] as Uint8Array)).toMatchObject({ ok: true, value: { firstOffset: 10 } });
    expect(h.apply(append('b', 1)).ops).toEqual([]);
    // Recency was rebuilt: b is the least recent, so a new client evicts b, not a.
    h.apply(append('c', 1));
    expect(h.apply(append('a', 12)).ops).toEqual([]);
    expect(h.apply(append('b', 1)).ops.length).toBeGreaterThan(0);
  });
});
