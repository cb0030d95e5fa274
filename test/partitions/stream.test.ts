// The `stream` kind (one Kinesis shard) driven command by command with the leader's timestamps
// chosen by the test, so the one-second throughput window, lease expiry and time lookups are
// exact rather than raced against a clock.
import { describe, expect, it } from 'vitest';
import { type Decoded, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import { decodeReadResult, encodeLogCommand, encodeLogQuery } from '../../storage/partitions/log.js';
import {
  type LeaseRecord,
  type ShardState,
  type StreamCommand,
  type ThroughputLimits,
  StreamStateMachine,
  decodeCheckpointResult,
  decodeLeaseResult,
  decodeOffsetResult,
  decodeShardStateResult,
  decodeStreamAppendResult,
  encodeStreamCommand,
  encodeStreamQuery,
} from '../../storage/partitions/stream.js';
import { Harness } from './memory-store.js';

const te = new TextEncoder();
const UNLIMITED: ThroughputLimits = { bytesPerSecond: 0, recordsPerSecond: 0 };

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

class ShardHarness extends Harness<StreamStateMachine> {
  seq = 0;
  constructor() {
    super(new StreamStateMachine());
  }
  run(cmd: StreamCommand, timestampMs: number): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeStreamCommand(cmd) })).result;
  }
  /** Values `key:value`, each record key plus value being `key.length + value.length` bytes. */
  append(values: string[], timestampMs: number, limits: ThroughputLimits = UNLIMITED) {
    const records = values.map((v) => ({ key: te.encode('k'), value: te.encode(v) }));
    return unwrap(decodeStreamAppendResult(this.run({ type: 'append', limits, records }, timestampMs)));
  }
  acquire(name: string, owner: string, ttlMs: number, now: number, steal = false) {
    return decodeLeaseResult(this.run({ type: 'acquireLease', name, owner, ttlMs, steal }, now));
  }
  release(name: string, owner: string, token: number, now: number): LeaseRecord | null {
    return unwrap(decodeResultJson(this.run({ type: 'releaseLease', name, owner, token }, now)));
  }
  checkpoint(name: string, offset: number, now: number, holder?: { owner: string; token: number }) {
    return decodeCheckpointResult(this.run({ type: 'checkpoint', name, offset, ...(holder ?? {}) }, now));
  }
  async state(): Promise<ShardState> {
    return unwrap(decodeShardStateResult(await this.read(encodeStreamQuery({ type: 'state' }))));
  }
  async offsetAt(timestampMs: number): Promise<number> {
    return unwrap(decodeOffsetResult(await this.read(encodeStreamQuery({ type: 'offsetAtTime', timestampMs }))));
  }
  async values(fromOffset = 0) {
    const r = unwrap(decodeReadResult(await this.read(encodeLogQuery({ type: 'read', fromOffset, maxRecords: 10_000, maxBytes: 1 << 20 }))));
    return r.records.map((x) => ({ offset: x.offset, timestampMs: x.timestampMs, value: new TextDecoder().decode(x.value) }));
  }
}

function decodeResultJson(bytes: Uint8Array): Decoded<LeaseRecord | null> {
  const r = decodeResult(bytes);
  return r.ok ? { ok: true, value: JSON.parse(new TextDecoder().decode(r.body)) as LeaseRecord | null } : r;
}

describe('stream kind', () => {
  it('accepts the prefix of an append that fits the records-per-second window', async () => {
    const h = new ShardHarness();
    const five = { bytesPerSecond: 0, recordsPerSecond: 5 };
    expect(h.append(['a', 'b', 'c'], 1000, five)).toEqual({ firstOffset: 0, accepted: 3, timestampMs: 1000 });
    expect(h.append(['d', 'e', 'f'], 1500, five)).toEqual({ firstOffset: 3, accepted: 2, timestampMs: 1500 });
    // Nothing fits: the result names where the next record would go, and nothing is written.
    const before = h.store.dump();
    expect(h.append(['g'], 1999, five)).toEqual({ firstOffset: 5, accepted: 0, timestampMs: 1999 });
    expect(h.store.dump().filter(([k]) => !k.startsWith('0064'))).toEqual(before.filter(([k]) => !k.startsWith('0064')));
    // The window is the second before the command's time: at 2000 the batch of 1000 has left it.
    expect(h.append(['h', 'i', 'j', 'k'], 2000, five)).toEqual({ firstOffset: 5, accepted: 3, timestampMs: 2000 });
    // The window is (t − 1000, t]: the batch of 1500 counts at 2499 and not at 2500.
    expect(h.append(['l', 'm', 'n'], 2499, five)).toMatchObject({ firstOffset: 8, accepted: 0 });
    expect(h.append(['l', 'm', 'n'], 2500, five)).toMatchObject({ firstOffset: 8, accepted: 2 });
    expect((await h.values()).map((r) => `${r.offset}:${r.value}@${r.timestampMs}`)).toEqual([
      '0:a@1000', '1:b@1000', '2:c@1000', '3:d@1500', '4:e@1500', '5:h@2000', '6:i@2000', '7:j@2000', '8:l@2500', '9:m@2500',
    ]);
  });

  it('counts key and data bytes against the bytes-per-second window', () => {
    const h = new ShardHarness();
    const ten = { bytesPerSecond: 10, recordsPerSecond: 0 };
    // Each record is the key 'k' and four bytes of data: two fit in ten bytes, the third does not.
    expect(h.append(['aaaa', 'bbbb', 'cccc'], 1000, ten)).toMatchObject({ accepted: 2 });
    expect(h.append(['d'], 1999, ten)).toMatchObject({ accepted: 0 });
    // A record as large as the whole budget fits an empty window.
    expect(h.append(['123456789'], 2000, ten)).toMatchObject({ firstOffset: 2, accepted: 1 });
    // Both limits apply together; zero turns a limit off.
    const both = { bytesPerSecond: 100, recordsPerSecond: 2 };
    expect(h.append(['x', 'y', 'z'], 5000, both)).toMatchObject({ accepted: 2 });
    expect(h.append(Array.from({ length: 5000 }, () => 'v'), 5000, UNLIMITED)).toMatchObject({ firstOffset: 5, accepted: 5000 });
  });

  it('measures the window from the newest timestamp when a new leader stamps an earlier time', () => {
    const h = new ShardHarness();
    const two = { bytesPerSecond: 0, recordsPerSecond: 2 };
    expect(h.append(['a', 'b'], 3000, two)).toMatchObject({ accepted: 2 });
    // Stamped 2500 by a slower clock: the log keeps time non-decreasing, so the window ends at 3000.
    expect(h.append(['c'], 2500, two)).toMatchObject({ accepted: 0 });
    expect(h.append(['c'], 3999, two)).toMatchObject({ accepted: 0 });
    expect(h.append(['c'], 4000, two)).toEqual({ firstOffset: 2, accepted: 1, timestampMs: 4000 });
  });

  it('takes appends only through the stream op', () => {
    const h = new ShardHarness();
    const raw = h.apply(encodeCommand({ clientId: 'gw', seq: ++h.seq, timestampMs: 1, ...encodeLogCommand({ type: 'append', records: [{ value: te.encode('x') }] }) })).result;
    expect(decodeResult(raw)).toMatchObject({ ok: false, code: 'InvalidArgument' });
  });

  it('refuses appends once closed and answers where it ended, again and again', async () => {
    const h = new ShardHarness();
    h.append(['a', 'b'], 1000);
    expect(unwrap(decodeOffsetResult(h.run({ type: 'close' }, 2000)))).toBe(2);
    expect(decodeStreamAppendResult(h.run({ type: 'append', limits: UNLIMITED, records: [{ value: te.encode('c') }] }, 2001))).toMatchObject({ ok: false, code: 'FailedPrecondition', message: 'the shard is closed' });
    expect(unwrap(decodeOffsetResult(h.run({ type: 'close' }, 3000)))).toBe(2);
    expect(await h.state()).toMatchObject({ closed: true, firstOffset: 0, nextOffset: 2, lastTimestampMs: 1000 });
    // Closed is not read-only: consumers still read and checkpoint the records it holds.
    expect((await h.values()).map((r) => r.value)).toEqual(['a', 'b']);
    expect(unwrap(h.checkpoint('app', 2, 3001))).toMatchObject({ offset: 2 });
  });

  it('hands leases out, renews, expires and steals them, and fences checkpoints by token', async () => {
    const h = new ShardHarness();
    h.append(['a', 'b', 'c'], 100);
    expect(unwrap(h.acquire('app', 'w1', 1000, 0))).toEqual({ name: 'app', owner: 'w1', token: 1, expiresAtMs: 1000 });
    expect(h.acquire('app', 'w2', 1000, 500)).toEqual({ ok: false, code: 'FailedPrecondition', message: 'lease app is held by w1 until 1000' });
    // A renewal keeps the token and moves the expiry.
    expect(unwrap(h.acquire('app', 'w1', 1000, 800))).toEqual({ name: 'app', owner: 'w1', token: 1, expiresAtMs: 1800 });
    expect(unwrap(h.checkpoint('app', 1, 900, { owner: 'w1', token: 1 }))).toEqual({ name: 'app', offset: 1, updatedAtMs: 900 });
    // Expiry is inclusive: at 1800 the lease is free and the next holder gets a new token.
    expect(unwrap(h.acquire('app', 'w2', 1000, 1800))).toEqual({ name: 'app', owner: 'w2', token: 2, expiresAtMs: 2800 });
    expect(h.checkpoint('app', 2, 1850, { owner: 'w1', token: 1 })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    // Stealing takes a live lease; the loser's token no longer moves the position.
    expect(unwrap(h.acquire('app', 'w1', 1000, 1900, true))).toEqual({ name: 'app', owner: 'w1', token: 3, expiresAtMs: 2900 });
    expect(h.checkpoint('app', 3, 1950, { owner: 'w2', token: 2 })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(h.checkpoint('app', 3, 1950, { owner: 'w1', token: 2 })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(unwrap(h.checkpoint('app', 3, 1960, { owner: 'w1', token: 3 }))).toMatchObject({ offset: 3 });
    // Only the holder releases, with its token; a stale release changes nothing.
    expect(h.release('app', 'w2', 2, 2000)).toEqual({ name: 'app', owner: 'w1', token: 3, expiresAtMs: 2900 });
    expect(h.release('app', 'w1', 3, 2000)).toEqual({ name: 'app', owner: '', token: 3, expiresAtMs: 0 });
    expect(h.release('none', 'w1', 1, 2000)).toBeNull();
    expect(unwrap(h.acquire('app', 'w2', 1000, 2001))).toMatchObject({ owner: 'w2', token: 4 });
    // The holder's own expired lease fences it too, until it acquires again.
    expect(h.checkpoint('app', 1, 3001, { owner: 'w2', token: 4 })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(unwrap(h.acquire('app', 'w2', 1000, 3002))).toMatchObject({ token: 5 });
    // Leases of other names are independent.
    expect(unwrap(h.acquire('other', 'w1', 1000, 3002))).toMatchObject({ token: 1 });
    expect((await h.state()).leases.map((l) => [l.name, l.owner, l.token])).toEqual([
      ['app', 'w2', 5],
      ['other', 'w1', 1],
    ]);
  });

  it('keeps one checkpoint per name, anywhere up to the end of the shard', async () => {
    const h = new ShardHarness();
    h.append(['a', 'b', 'c'], 100);
    expect(unwrap(h.checkpoint('x', 2, 200))).toEqual({ name: 'x', offset: 2, updatedAtMs: 200 });
    // Unfenced checkpoints may move back (a re-processing consumer), and reach the end exactly.
    expect(unwrap(h.checkpoint('x', 1, 300))).toMatchObject({ offset: 1 });
    expect(unwrap(h.checkpoint('y', 3, 300))).toMatchObject({ offset: 3 });
    expect(h.checkpoint('y', 4, 400)).toMatchObject({ ok: false, code: 'OutOfRange', message: "checkpoint 4 is beyond the shard's end 3" });
    expect((await h.state()).checkpoints).toEqual([
      { name: 'x', offset: 1, updatedAtMs: 300 },
      { name: 'y', offset: 3, updatedAtMs: 300 },
    ]);
  });

  it('finds the first offset at or after a time', async () => {
    const h = new ShardHarness();
    expect(await h.offsetAt(5)).toBe(0);
    h.append(['a', 'b'], 1000);
    h.append(['c'], 2000);
    h.append(['d', 'e'], 3000);
    const at = await Promise.all([0, 1000, 1001, 2000, 2500, 3000, 3001].map((t) => h.offsetAt(t)));
    expect(at).toEqual([0, 0, 2, 2, 3, 3, 5]);
  });

  it('reloads from its store to the same state, answers and limits', async () => {
    const h = new ShardHarness();
    const five = { bytesPerSecond: 0, recordsPerSecond: 5 };
    h.append(['a', 'b', 'c'], 1000, five);
    h.append(['d', 'e', 'f'], 1400, five);
    unwrap(h.acquire('app', 'w1', 10_000, 1500));
    unwrap(h.checkpoint('app', 2, 1600, { owner: 'w1', token: 1 }));
    unwrap(h.checkpoint('esm', 4, 1600));
    const state = await h.state();
    const values = await h.values();
    const times = await Promise.all([1000, 1001, 1400, 9999].map((t) => h.offsetAt(t)));
    const dump = h.store.dump();

    await h.restart(new StreamStateMachine());
    expect(await h.state()).toEqual(state);
    expect(await h.values()).toEqual(values);
    expect(await Promise.all([1000, 1001, 1400, 9999].map((t) => h.offsetAt(t)))).toEqual(times);
    expect(h.store.dump()).toEqual(dump);
    // The window is rebuilt from the log's index: the reloaded shard is still full until 2000.
    expect(h.append(['g'], 1999, five)).toMatchObject({ accepted: 0 });
    // The lease is the same lease: its holder renews with the same token, others wait.
    expect(unwrap(h.acquire('app', 'w1', 10_000, 2000))).toMatchObject({ token: 1 });
    expect(h.acquire('app', 'w2', 10_000, 2000)).toMatchObject({ ok: false, code: 'FailedPrecondition' });

    unwrap(decodeOffsetResult(h.run({ type: 'close' }, 5000)));
    await h.restart(new StreamStateMachine());
    expect((await h.state()).closed).toBe(true);
    expect(decodeStreamAppendResult(h.run({ type: 'append', limits: UNLIMITED, records: [{ value: te.encode('z') }] }, 6000))).toMatchObject({ ok: false, code: 'FailedPrecondition' });
  });

  it('applies the same commands to the same bytes on every replica', () => {
    const replicas = [new ShardHarness(), new ShardHarness()];
    for (const h of replicas) {
      h.append(['a', 'b', 'c'], 1000, { bytesPerSecond: 0, recordsPerSecond: 2 });
      h.append(['d'], 1200, { bytesPerSecond: 0, recordsPerSecond: 2 });
      h.acquire('app', 'w1', 500, 1300);
      h.checkpoint('app', 1, 1400, { owner: 'w1', token: 1 });
      h.run({ type: 'close' }, 1500);
    }
    expect(replicas[0]!.store.dump()).toEqual(replicas[1]!.store.dump());
  });

  it('refuses malformed stream commands without changing anything', () => {
    const h = new ShardHarness();
    const bad = h.apply(encodeCommand({ clientId: 'gw', seq: ++h.seq, timestampMs: 1, op: 18, body: te.encode('{"name":5}') }));
    expect(decodeResult(bad.result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(bad.ops.filter((o) => o.type === 'put' && !(o.key[0] === 0x00 && o.key[1] === 0x64))).toEqual([]);
  });
});
