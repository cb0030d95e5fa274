import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type LogCommand,
  LogStateMachine,
  decodeAppendResult,
  decodeInfoResult,
  decodeReadResult,
  decodeSetRetentionResult,
  decodeTrimResult,
  encodeLogCommand,
  encodeLogQuery,
} from '../../storage/partitions/log.js';
import { Harness } from './memory-store.js';

const te = new TextEncoder();
const b = (s: string): Uint8Array => te.encode(s);

class LogHarness extends Harness<LogStateMachine> {
  seq = 0;
  constructor() {
    super(new LogStateMachine());
  }
  run(cmd: LogCommand, timestampMs = 1000): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'test', seq: ++this.seq, timestampMs, ...encodeLogCommand(cmd) })).result;
  }
  append(values: string[], timestampMs = 1000): { firstOffset: number; lastOffset: number } {
    const r = decodeAppendResult(this.run({ type: 'append', records: values.map((v) => ({ key: b(`k-${v}`), value: b(v) })) }, timestampMs));
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }
  async readValues(fromOffset: number, maxRecords = 100, maxBytes = 1 << 20) {
    const r = decodeReadResult(await this.read(encodeLogQuery({ type: 'read', fromOffset, maxRecords, maxBytes })));
    if (!r.ok) return r;
    return { ...r.value, values: r.value.records.map((x) => new TextDecoder().decode(x.value)) };
  }
  async info() {
    const r = decodeInfoResult(await this.read(encodeLogQuery({ type: 'info' })));
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }
}

describe('log kind', () => {
  it('assigns dense offsets across batches', async () => {
    const h = new LogHarness();
    expect(h.append(['a', 'b', 'c'])).toEqual({ firstOffset: 0, lastOffset: 2 });
    expect(h.append(['d'])).toEqual({ firstOffset: 3, lastOffset: 3 });
    expect(h.append(['e', 'f'])).toEqual({ firstOffset: 4, lastOffset: 5 });
    const r = await h.readValues(0);
    expect(r).toMatchObject({ nextOffset: 6, firstOffset: 0, highWatermark: 6 });
    expect('values' in r && r.values).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect('records' in r && r.records.map((x) => x.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect('records' in r && new TextDecoder().decode(r.records[3]?.key)).toBe('k-d');
    expect(await h.info()).toEqual({
      firstOffset: 0,
      nextOffset: 6,
      records: 6,
      bytes: 6 * 4,
      retentionMs: 0,
      firstTimestampMs: 1000,
      lastTimestampMs: 1000,
    });
  });

  it('reads from the middle with maxRecords and maxBytes', async () => {
    const h = new LogHarness();
    h.append(['a', 'b', 'c', 'd', 'e']);
    h.append(['f', 'g']);
    expect(await h.readValues(2, 3)).toMatchObject({ values: ['c', 'd', 'e'], nextOffset: 5 });
    // Each record is 4 bytes (key 'k-x' + value 'x'): 9 bytes fit two.
    expect(await h.readValues(4, 100, 9)).toMatchObject({ values: ['e', 'f'], nextOffset: 6 });
    // A budget smaller than one record still returns one so consumers make progress.
    expect(await h.readValues(6, 100, 1)).toMatchObject({ values: ['g'], nextOffset: 7 });
    expect(await h.readValues(7)).toMatchObject({ values: [], nextOffset: 7, highWatermark: 7 });
    expect(await h.readValues(8)).toMatchObject({ ok: false, code: 'OutOfRange' });
    expect(await h.readValues(0, 0)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(await h.readValues(0, 10_001)).toMatchObject({ ok: false, code: 'InvalidArgument' });
  });

  it('trims to an offset, including inside a batch', async () => {
    const h = new LogHarness();
    h.append(['a', 'b', 'c']);
    h.append(['d', 'e', 'f']);
    const t = decodeTrimResult(h.run({ type: 'trimTo', offset: 4 }));
    expect(t).toEqual({ ok: true, value: { firstOffset: 4, removedRecords: 4, removedBytes: 16 } });
    expect(await h.readValues(3)).toEqual({ ok: false, code: 'OutOfRange', message: 'offset 3 is below the first retained offset 4' });
    expect(await h.readValues(4)).toMatchObject({ values: ['e', 'f'], firstOffset: 4 });
    expect(await h.info()).toMatchObject({ firstOffset: 4, nextOffset: 6, records: 2, bytes: 8 });
    // Trimming below the first offset is a no-op; beyond the end is OutOfRange.
    expect(decodeTrimResult(h.run({ type: 'trimTo', offset: 2 }))).toEqual({ ok: true, value: { firstOffset: 4, removedRecords: 0, removedBytes: 0 } });
    expect(decodeTrimResult(h.run({ type: 'trimTo', offset: 7 }))).toMatchObject({ ok: false, code: 'OutOfRange' });
    // Offsets are never reused after trimming everything.
    h.run({ type: 'trimTo', offset: 6 });
    expect(await h.info()).toMatchObject({ firstOffset: 6, nextOffset: 6, records: 0, bytes: 0, firstTimestampMs: null });
    expect(h.append(['g'])).toEqual({ firstOffset: 6, lastOffset: 6 });
    // Only the retained records, their index entry, meta and dedup entries remain in the store.
    const keys = h.store.dump().map(([k]) => Buffer.from(k, 'hex').subarray(0, 1).toString('latin1'));
    expect(keys.filter((k) => k === 'r')).toHaveLength(1);
    expect(keys.filter((k) => k === 'b')).toHaveLength(1);
  });

  it('trims by retention cutoff, with timestamps clamped non-decreasing', async () => {
    const h = new LogHarness();
    h.append(['a', 'b'], 1000);
    h.append(['c'], 2000);
    h.append(['d'], 1500); // a new leader with a slower clock: stamped 2000
    h.append(['e', 'f'], 3000);
    const r = await h.readValues(0);
    expect('records' in r && r.records.map((x) => x.timestampMs)).toEqual([1000, 1000, 2000, 2000, 3000, 3000]);
    expect(decodeSetRetentionResult(h.run({ type: 'setRetention', retentionMs: 500 }))).toEqual({ ok: true, value: { retentionMs: 500 } });
    expect(decodeTrimResult(h.run({ type: 'trimBefore', cutoffMs: 999 }))).toMatchObject({ ok: true, value: { firstOffset: 0, removedRecords: 0 } });
    expect(decodeTrimResult(h.run({ type: 'trimBefore', cutoffMs: 2500 }))).toMatchObject({ ok: true, value: { firstOffset: 4, removedRecords: 4 } });
    expect(await h.info()).toMatchObject({ firstOffset: 4, records: 2, retentionMs: 500, firstTimestampMs: 3000, lastTimestampMs: 3000 });
    expect(decodeTrimResult(h.run({ type: 'trimBefore', cutoffMs: 10_000 }))).toMatchObject({ ok: true, value: { firstOffset: 6, removedRecords: 2 } });
  });

  it('reloads from the store with the same offsets and answers', async () => {
    const h = new LogHarness();
    h.append(['a', 'b', 'c'], 1000);
    h.append(['d', 'e'], 2000);
    h.run({ type: 'trimTo', offset: 1 });
    h.run({ type: 'setRetention', retentionMs: 60_000 });
    const before = { info: await h.info(), read: await h.readValues(0), read2: await h.readValues(1) };
    await h.restart(new LogStateMachine());
    expect({ info: await h.info(), read: await h.readValues(0), read2: await h.readValues(1) }).toEqual(before);
    expect(h.append(['f'], 1500)).toEqual({ firstOffset: 5, lastOffset: 5 });
    expect(decodeTrimResult(h.run({ type: 'trimBefore', cutoffMs: 1500 }))).toMatchObject({ ok: true, value: { firstOffset: 3, removedBytes: 8 } });
    expect(await h.info()).toMatchObject({ firstOffset: 3, nextOffset: 6, records: 3, bytes: 12, lastTimestampMs: 2000 });
  });

  it('answers InvalidArgument for limit violations without applying anything', async () => {
    const h = new LogHarness();
    const tooMany = Array.from({ length: 10_001 }, () => ({ value: b('x') }));
    const big = new Uint8Array(1024 * 1024 + 1);
    const cases: LogCommand[] = [
      { type: 'append', records: [] },
      { type: 'append', records: tooMany },
      { type: 'append', records: [{ value: b('ok') }, { value: big }] },
      { type: 'append', records: [{ key: new Uint8Array(257), value: b('x') }] },
    ];
    for (const c of cases) {
      const r = decodeAppendResult(h.run(c));
      expect(r).toMatchObject({ ok: false, code: 'InvalidArgument' });
    }
    // Exactly at the limits is fine; an empty key is fine.
    expect(decodeAppendResult(h.run({ type: 'append', records: [{ key: new Uint8Array(256), value: new Uint8Array(1024 * 1024) }, { value: b('') }] })))
      .toEqual({ ok: true, value: { firstOffset: 0, lastOffset: 1 } });
    // Malformed bodies and envelopes are InvalidArgument results, never exceptions.
    const bad = h.apply(encodeCommand({ clientId: 'x', seq: 1, timestampMs: 0, op: 1, body: new Uint8Array([0, 0, 0, 5]) })).result;
    expect(decodeAppendResult(bad)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(decodeAppendResult(h.apply(new Uint8Array([9, 9])).result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(decodeAppendResult(h.apply(encodeCommand({ clientId: 'x', seq: 2, timestampMs: 0, op: 77, body: new Uint8Array() })).result))
      .toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('unknown log op 77') });
    expect(decodeInfoResult(await h.read(new Uint8Array([1, 99])))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect((await h.info()).nextOffset).toBe(2);
  });
});
