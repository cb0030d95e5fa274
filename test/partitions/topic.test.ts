// The `topic` kind (one SNS topic: a stream shard plus FIFO deduplication and fenced, many-at-once
// checkpoints) driven command by command with the leader's timestamps chosen by the test, so the
// five-minute deduplication window and the delivery lease's expiry are exact.
import { describe, expect, it } from 'vitest';
import { type KvOp } from '../../storage/engine/engine.js';
import { type Decoded, decodeResult, encodeCommand, okResult } from '../../storage/partitions/envelope.js';
import { decodeInfoResult, decodeReadResult, decodeTrimResult, encodeLogCommand, encodeLogQuery } from '../../storage/partitions/log.js';
import {
  type ShardState,
  type StreamCommand,
  decodeLeaseResult,
  decodeOffsetResult,
  decodeShardStateResult,
  encodeStreamCommand,
  encodeStreamQuery,
} from '../../storage/partitions/stream.js';
import {
  type CheckpointsCommand,
  type PublishOutcome,
  type TopicCommand,
  DEDUP_WINDOW_MS,
  DELIVERY_LEASE,
  TopicOp,
  TopicStateMachine,
  decodePublishResult,
  decodeTopicCommand,
  encodePublishOutcomes,
  encodeTopicCommand,
} from '../../storage/partitions/topic.js';
import { Harness } from './memory-store.js';

const te = new TextEncoder();
const td = new TextDecoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const opText = (o: KvOp): string =>
  o.type === 'put' ? `put ${hex(o.key)}=${hex(o.value)}` : o.type === 'del' ? `del ${hex(o.key)}` : `delRange ${hex(o.start)}..${hex(o.end)}`;
/** Ops on the topic's own keys, leaving out the exactly-once table's (relative prefix 0x00 0x64). */
const ownOps = (ops: KvOp[]): KvOp[] => ops.filter((o) => o.type === 'delRange' || !(o.key[0] === 0x00 && o.key[1] === 0x64));
/** Keys of the FIFO deduplication entries ('D' + id) in a store dump. */
const dedupKeys = (dump: [string, string][]): string[] =>
  dump.filter(([k]) => k.startsWith('44')).map(([k]) => Buffer.from(k, 'hex').toString('utf8').slice(1));

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

interface Msg {
  id: string;
  dedup?: string;
  group?: string;
  body?: string;
}

class TopicHarness extends Harness<TopicStateMachine> {
  seq = 0;
  constructor() {
    super(new TopicStateMachine());
  }
  send(payload: { op: number; body: Uint8Array }, timestampMs: number): { result: Uint8Array; ops: KvOp[] } {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...payload }));
  }
  run(cmd: TopicCommand | StreamCommand, timestampMs: number): Uint8Array {
    const payload = cmd.type === 'publish' || cmd.type === 'checkpoints' ? encodeTopicCommand(cmd) : encodeStreamCommand(cmd);
    return this.send(payload, timestampMs).result;
  }
  publishRaw(msgs: Msg[], timestampMs: number) {
    const entries = msgs.map((m) => ({ dedupId: m.dedup ?? '', messageId: m.id, key: te.encode(m.group ?? ''), value: te.encode(m.body ?? m.id) }));
    return this.send(encodeTopicCommand({ type: 'publish', entries }), timestampMs);
  }
  publish(msgs: Msg[], timestampMs: number): PublishOutcome[] {
    return unwrap(decodePublishResult(this.publishRaw(msgs, timestampMs).result));
  }
  acquire(owner: string, ttlMs: number, now: number, name = DELIVERY_LEASE) {
    return unwrap(decodeLeaseResult(this.run({ type: 'acquireLease', name, owner, ttlMs, steal: false }, now)));
  }
  checkpoints(c: CheckpointsCommand, now: number) {
    const { result, ops } = this.send(encodeTopicCommand({ type: 'checkpoints', ...c }), now);
    return { result: decodeResult(result), ops: ownOps(ops) };
  }
  async state(): Promise<ShardState> {
    return unwrap(decodeShardStateResult(await this.read(encodeStreamQuery({ type: 'state' }))));
  }
  async positions(): Promise<[string, number, number][]> {
    return (await this.state()).checkpoints.map((c): [string, number, number] => [c.name, c.offset, c.updatedAtMs]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
  async records(fromOffset = 0) {
    const r = unwrap(decodeReadResult(await this.read(encodeLogQuery({ type: 'read', fromOffset, maxRecords: 10_000, maxBytes: 1 << 20 }))));
    return r.records.map((x) => `${x.offset}:${td.decode(x.key)}/${td.decode(x.value)}@${x.timestampMs}`);
  }
}

const fresh = (offset: number, messageId: string): PublishOutcome => ({ offset, messageId, duplicate: false });
const dup = (offset: number, messageId: string): PublishOutcome => ({ offset, messageId, duplicate: true });

describe('topic kind: publish', () => {
  it('appends every message of a standard topic at consecutive offsets', async () => {
    const h = new TopicHarness();
    expect(h.publish([{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }], 1000)).toEqual([fresh(0, 'm1'), fresh(1, 'm2'), fresh(2, 'm3')]);
    // Without deduplication ids, equal messages are all new.
    expect(h.publish([{ id: 'm4', body: 'same' }, { id: 'm4', body: 'same' }], 2000)).toEqual([fresh(3, 'm4'), fresh(4, 'm4')]);
    expect(await h.records()).toEqual(['0:/m1@1000', '1:/m2@1000', '2:/m3@1000', '3:/same@2000', '4:/same@2000']);
    const s = await h.state();
    expect([s.firstOffset, s.nextOffset, s.lastTimestampMs]).toEqual([0, 5, 2000]);
    // The message group is the record key.
    expect(h.publish([{ id: 'g', group: 'grp-1', body: 'x' }], 2500)).toEqual([fresh(5, 'g')]);
    expect(await h.records(5)).toEqual(['5:grp-1/x@2500']);
  });

  it('answers duplicates within five minutes with the original offset and id, and appends nothing', async () => {
    const h = new TopicHarness();
    const t0 = 10_000;
    expect(h.publish([{ id: 'm1', dedup: 'a' }, { id: 'm2', dedup: 'b' }], t0)).toEqual([fresh(0, 'm1'), fresh(1, 'm2')]);
    const before = h.store.dump().filter(([k]) => !k.startsWith('0064'));
    const again = h.publishRaw([{ id: 'm9', dedup: 'b' }, { id: 'm8', dedup: 'a' }], t0 + DEDUP_WINDOW_MS - 1);
    expect(unwrap(decodePublishResult(again.result))).toEqual([dup(1, 'm2'), dup(0, 'm1')]);
    // Nothing written: no record, no new deduplication entry, the window is not extended.
    expect(ownOps(again.ops)).toEqual([]);
    expect(h.store.dump().filter(([k]) => !k.startsWith('0064'))).toEqual(before);
    expect((await h.state()).nextOffset).toBe(2);
    // A new id next to a duplicate takes the next offset.
    expect(h.publish([{ id: 'm3', dedup: 'a' }, { id: 'm4', dedup: 'c' }], t0 + 1000)).toEqual([dup(0, 'm1'), fresh(2, 'm4')]);
    expect(await h.records()).toEqual([`0:/m1@${t0}`, `1:/m2@${t0}`, `2:/m4@${t0 + 1000}`]);
  });

  it('forgets an id once its window has passed, by the publishing command\'s timestamp', async () => {
    const h = new TopicHarness();
    const t0 = 50_000;
    h.publish([{ id: 'm1', dedup: 'a' }], t0);
    h.publish([{ id: 'm2', dedup: 'b' }], t0 + 60_000);
    expect(dedupKeys(h.store.dump())).toEqual(['a', 'b']);
    // Expiry is inclusive: exactly five minutes after the first publish the id is new again.
    const later = h.publishRaw([{ id: 'm3', dedup: 'a' }], t0 + DEDUP_WINDOW_MS);
    expect(unwrap(decodePublishResult(later.result))).toEqual([fresh(2, 'm3')]);
    expect(dedupKeys(h.store.dump())).toEqual(['a', 'b']);
    // Any publish drops every expired entry, whatever ids it carries.
    const sweep = h.publishRaw([{ id: 'm4' }], t0 + 60_000 + DEDUP_WINDOW_MS);
    expect(unwrap(decodePublishResult(sweep.result))).toEqual([fresh(3, 'm4')]);
    expect(sweep.ops.filter((o) => o.type === 'del').map(opText)).toEqual([`del ${hex(te.encode('Db'))}`]);
    expect(dedupKeys(h.store.dump())).toEqual(['a']);
    expect(h.publish([{ id: 'm5', dedup: 'b' }], t0 + 60_000 + DEDUP_WINDOW_MS)).toEqual([fresh(4, 'm5')]);
    // The old entry of 'a' was dropped and the new one started a new window.
    expect(h.publish([{ id: 'm6', dedup: 'a' }], t0 + 2 * DEDUP_WINDOW_MS - 1)).toEqual([dup(2, 'm3')]);
    expect(h.publish([{ id: 'm7', dedup: 'a' }], t0 + 2 * DEDUP_WINDOW_MS)).toEqual([fresh(5, 'm7')]);
  });

  it('deduplicates within one command: later copies answer the first copy', async () => {
    const h = new TopicHarness();
    const out = h.publish(
      [
        { id: 'm1', dedup: 'a' },
        { id: 'm2', dedup: 'b' },
        { id: 'm3', dedup: 'a' },
        { id: 'm4' },
        { id: 'm5', dedup: 'b' },
        { id: 'm6', dedup: 'c' },
      ],
      1000,
    );
    expect(out).toEqual([fresh(0, 'm1'), fresh(1, 'm2'), dup(0, 'm1'), fresh(2, 'm4'), dup(1, 'm2'), fresh(3, 'm6')]);
    expect(await h.records()).toEqual(['0:/m1@1000', '1:/m2@1000', '2:/m4@1000', '3:/m6@1000']);
    expect(dedupKeys(h.store.dump())).toEqual(['a', 'b', 'c']);
    expect(h.publish([{ id: 'x', dedup: 'c' }], 2000)).toEqual([dup(3, 'm6')]);
  });

  it('keeps the offsets it answers equal to the log\'s after a trim', async () => {
    const h = new TopicHarness();
    h.publish([{ id: 'm0' }, { id: 'm1' }, { id: 'm2' }], 1000);
    expect(unwrap(decodeTrimResult(h.send(encodeLogCommand({ type: 'trimTo', offset: 2 }), 1100).result))).toEqual({ firstOffset: 2, removedRecords: 2, removedBytes: 4 });
    expect(h.publish([{ id: 'm3', dedup: 'd' }, { id: 'm4', dedup: 'd' }], 1200)).toEqual([fresh(3, 'm3'), dup(3, 'm3')]);
    expect(await h.records(2)).toEqual(['2:/m2@1000', '3:/m3@1200']);
  });

  it('refuses a publish the log refuses, without remembering its ids', async () => {
    const h = new TopicHarness();
    const big = 'k'.repeat(1025);
    const r = h.publishRaw([{ id: 'm1', dedup: 'a' }, { id: 'm2', dedup: 'b', group: big }], 1000);
    expect(decodeResult(r.result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(dedupKeys(h.store.dump())).toEqual([]);
    expect((await h.state()).nextOffset).toBe(0);
    expect(h.publish([{ id: 'm3', dedup: 'a' }], 1001)).toEqual([fresh(0, 'm3')]);
  });

  it('still serves the log and stream ops and queries', async () => {
    const h = new TopicHarness();
    h.publish([{ id: 'a' }, { id: 'b' }], 1000);
    h.publish([{ id: 'c' }], 2000);
    h.publish([{ id: 'd' }, { id: 'e' }], 3000);
    const offsetAt = async (t: number) => unwrap(decodeOffsetResult(await h.read(encodeStreamQuery({ type: 'offsetAtTime', timestampMs: t }))));
    expect(await Promise.all([0, 1000, 1001, 2000, 2001, 3000, 3001].map(offsetAt))).toEqual([0, 0, 2, 2, 3, 3, 5]);
    // Retention trims through the log's op.
    const trim = h.send(encodeLogCommand({ type: 'trimBefore', cutoffMs: 2000 }), 4000);
    expect(unwrap(decodeTrimResult(trim.result))).toMatchObject({ firstOffset: 2, removedRecords: 2 });
    expect(unwrap(decodeInfoResult(await h.read(encodeLogQuery({ type: 'info' }))))).toMatchObject({ firstOffset: 2, nextOffset: 5, records: 3 });
    // A raw log append is refused, as on any shard.
    const raw = h.send(encodeLogCommand({ type: 'append', records: [{ value: te.encode('x') }] }), 5000);
    expect(decodeResult(raw.result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect((await h.state()).nextOffset).toBe(5);
  });

  it('refuses malformed topic commands without changing anything', async () => {
    const h = new TopicHarness();
    h.publish([{ id: 'a', dedup: 'a' }], 1000);
    const dump = h.store.dump().filter(([k]) => !k.startsWith('0064'));
    const truncated = encodeTopicCommand({ type: 'publish', entries: [{ dedupId: 'x', messageId: 'm', key: new Uint8Array(0), value: te.encode('v') }] });
    const bad = [
      { op: TopicOp.Publish, body: truncated.body.subarray(0, truncated.body.length - 1) },
      { op: TopicOp.Publish, body: new Uint8Array([0xff, 0xff, 0xff, 0xff]) },
      { op: TopicOp.Checkpoints, body: te.encode('not json') },
      { op: TopicOp.Checkpoints, body: te.encode('{"owner":"w","token":1,"positions":[{"name":"s","offset":-1}],"drop":[]}') },
      { op: TopicOp.Checkpoints, body: te.encode('{"owner":"w","positions":[],"drop":[]}') },
      { op: TopicOp.Checkpoints, body: te.encode('{"owner":"w","token":1,"positions":[],"drop":[3]}') },
    ];
    for (const payload of bad) {
      // After the window, so a sweep of expired ids would show if the command got that far.
      const r = h.send(payload, 1000 + DEDUP_WINDOW_MS);
      expect(decodeResult(r.result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
      expect(ownOps(r.ops)).toEqual([]);
    }
    expect(h.store.dump().filter(([k]) => !k.startsWith('0064'))).toEqual(dump);
  });
});

describe('topic kind: checkpoints', () => {
  const prepared = (): TopicHarness => {
    const h = new TopicHarness();
    h.publish([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], 100);
    return h;
  };

  it('moves many checkpoints at once for the delivery lease\'s holder, capped at the end of the log', async () => {
    const h = prepared();
    expect(h.acquire('sched-1', 1000, 0)).toEqual({ name: DELIVERY_LEASE, owner: 'sched-1', token: 1, expiresAtMs: 1000 });
    const r = h.checkpoints({ owner: 'sched-1', token: 1, positions: [{ name: 'sub-a', offset: 2 }, { name: 'sub-b', offset: 0 }, { name: 'sub-c', offset: 99 }], drop: [] }, 200);
    expect(r.result).toEqual({ ok: true, body: new Uint8Array(0) });
    expect(await h.positions()).toEqual([
      ['sub-a', 2, 200],
      ['sub-b', 0, 200],
      ['sub-c', 4, 200],
    ]);
    // Positions may move back (a redrive) and are stamped with the command's time.
    h.checkpoints({ owner: 'sched-1', token: 1, positions: [{ name: 'sub-a', offset: 1 }], drop: [] }, 300);
    expect(await h.positions()).toEqual([
      ['sub-a', 1, 300],
      ['sub-b', 0, 200],
      ['sub-c', 4, 200],
    ]);
  });

  it('refuses a scheduler that does not hold the live delivery lease, moving nothing', async () => {
    const h = prepared();
    const refused = { ok: false, code: 'FailedPrecondition' };
    // No lease at all.
    expect(h.checkpoints({ owner: 'sched-1', token: 1, positions: [{ name: 's', offset: 1 }], drop: [] }, 10).result).toMatchObject(refused);
    // A lease of another name does not fence topic checkpoints.
    h.acquire('sched-1', 1000, 20, 'other');
    expect(h.checkpoints({ owner: 'sched-1', token: 1, positions: [{ name: 's', offset: 1 }], drop: [] }, 30).result).toMatchObject(refused);

    h.acquire('sched-1', 1000, 100);
    expect(h.checkpoints({ owner: 'sched-1', token: 1, positions: [{ name: 's', offset: 1 }, { name: 't', offset: 2 }], drop: [] }, 150).result.ok).toBe(true);
    const held = await h.positions();
    const attempt = (owner: string, token: number, now: number) => h.checkpoints({ owner, token, positions: [{ name: 's', offset: 3 }, { name: 'u', offset: 3 }], drop: ['t'] }, now);
    for (const [owner, token, now] of [
      ['sched-2', 1, 200], // wrong owner
      ['sched-1', 2, 200], // wrong token
      ['sched-1', 0, 200],
    ] as const) {
      const r = attempt(owner, token, now);
      expect(r.result).toEqual({ ok: false, code: 'FailedPrecondition', message: `the delivery lease is no longer held by ${owner}` });
      expect(r.ops).toEqual([]);
    }
    // The holder moves and drops until its lease expires.
    expect(attempt('sched-1', 1, 1099).result.ok).toBe(true);
    const moved = await h.positions();
    expect(moved).toEqual([
      ['s', 3, 1099],
      ['u', 3, 1099],
    ]);
    // Expiry is inclusive: at expiresAtMs the holder is fenced too.
    expect(attempt('sched-1', 1, 1100)).toMatchObject({ result: refused, ops: [] });
    // A new holder gets a new token; the old one no longer moves anything.
    expect(h.acquire('sched-2', 1000, 1200)).toMatchObject({ owner: 'sched-2', token: 2 });
    expect(attempt('sched-1', 1, 1300)).toMatchObject({ result: refused, ops: [] });
    // A released lease fences everyone, its last holder included.
    unwrap(decodeLeaseResult(h.run({ type: 'releaseLease', name: DELIVERY_LEASE, owner: 'sched-2', token: 2 }, 1400)));
    expect(attempt('sched-2', 2, 1500)).toMatchObject({ result: refused, ops: [] });
    expect(attempt('', 2, 1500)).toMatchObject({ result: refused, ops: [] });
    expect(await h.positions()).toEqual(moved);
    expect(held).not.toEqual(moved);
  });

  it('drops the checkpoints of subscriptions that are gone', async () => {
    const h = prepared();
    h.acquire('s1', 10_000, 0);
    h.checkpoints({ owner: 's1', token: 1, positions: [{ name: 'a', offset: 1 }, { name: 'b', offset: 2 }, { name: 'c', offset: 3 }], drop: [] }, 100);
    const r = h.checkpoints({ owner: 's1', token: 1, positions: [{ name: 'c', offset: 4 }], drop: ['a', 'never'] }, 200);
    expect(r.result.ok).toBe(true);
    // Unknown names drop nothing and write nothing.
    expect(r.ops.filter((o) => o.type === 'del').map(opText)).toEqual([`del ${hex(te.encode('Ca'))}`]);
    expect(await h.positions()).toEqual([
      ['b', 2, 100],
      ['c', 4, 200],
    ]);
    // A name both moved and dropped ends up dropped.
    h.checkpoints({ owner: 's1', token: 1, positions: [{ name: 'b', offset: 3 }], drop: ['b'] }, 300);
    expect(await h.positions()).toEqual([['c', 4, 200]]);
    await h.restart(new TopicStateMachine());
    expect(await h.positions()).toEqual([['c', 4, 200]]);
  });
});

describe('topic kind: persistence and determinism', () => {
  it('reloads from its store to the same state, deduplication entries and lease', async () => {
    const h = new TopicHarness();
    const t0 = 100_000;
    h.publish([{ id: 'm1', dedup: 'z' }, { id: 'm2', dedup: 'a', group: 'g' }], t0);
    h.publish([{ id: 'm3', dedup: 'é/ü' }, { id: 'm4' }], t0 + 10_000);
    h.acquire('sched', 60_000, t0 + 10_000);
    h.checkpoints({ owner: 'sched', token: 1, positions: [{ name: 'sub', offset: 3 }], drop: [] }, t0 + 20_000);
    const state = await h.state();
    const records = await h.records();
    const dump = h.store.dump();

    await h.restart(new TopicStateMachine());
    expect(await h.state()).toEqual(state);
    expect(await h.records()).toEqual(records);
    expect(h.store.dump()).toEqual(dump);
    // The reloaded ids are still duplicates, with their offsets and message ids, until they expire.
    expect(h.publish([{ id: 'x1', dedup: 'a' }, { id: 'x2', dedup: 'é/ü' }, { id: 'x3', dedup: 'z' }], t0 + DEDUP_WINDOW_MS - 1)).toEqual([dup(1, 'm2'), dup(2, 'm3'), dup(0, 'm1')]);
    expect(h.publish([{ id: 'x4', dedup: 'a' }, { id: 'x5', dedup: 'é/ü' }], t0 + DEDUP_WINDOW_MS)).toEqual([fresh(4, 'x4'), dup(2, 'm3')]);
    // The lease is the same lease: its holder still moves checkpoints with the same token.
    expect(h.checkpoints({ owner: 'sched', token: 1, positions: [{ name: 'sub', offset: 5 }], drop: [] }, t0 + 30_000).result.ok).toBe(true);
    expect(h.checkpoints({ owner: 'sched', token: 1, positions: [{ name: 'sub', offset: 1 }], drop: [] }, t0 + 70_000).result).toMatchObject({ ok: false, code: 'FailedPrecondition' });
  });

  it('applies the same commands to the same ops on every replica, one of them restarting', async () => {
    const a = new TopicHarness();
    const b = new TopicHarness();
    const t0 = 1_000_000;
    const W = DEDUP_WINDOW_MS;
    const steps: [TopicCommand | StreamCommand, number][] = [];
    const pub = (ids: [string, string][], at: number) =>
      steps.push([{ type: 'publish', entries: ids.map(([dedupId, messageId]) => ({ dedupId, messageId, key: te.encode('g'), value: te.encode(messageId) })) }, at]);
    // Ids arrive out of their key order, so a replica's insertion order differs from its store's.
    pub([['m', 'm1'], ['c', 'm2'], ['x', 'm3']], t0);
    pub([['b', 'm4'], ['m', 'm5'], ['', 'm6']], t0 + 1);
    steps.push([{ type: 'acquireLease', name: DELIVERY_LEASE, owner: 's', ttlMs: 10 * W, steal: false }, t0 + 2]);
    steps.push([{ type: 'checkpoints', owner: 's', token: 1, positions: [{ name: 'q', offset: 2 }, { name: 'p', offset: 1 }], drop: [] }, t0 + 3]);
    pub([['a', 'm7']], t0 + 4);
    // Expires m, c, x and b (not a) in one sweep.
    pub([['z', 'm8'], ['c', 'm9']], t0 + W + 1);
    steps.push([{ type: 'checkpoints', owner: 's', token: 1, positions: [{ name: 'r', offset: 9 }], drop: ['q', 'p'] }, t0 + W + 2]);
    pub([['', 'm10']], t0 + 2 * W + 5);
    for (const [i, [cmd, at]] of steps.entries()) {
      const ra = a.send(cmd.type === 'publish' || cmd.type === 'checkpoints' ? encodeTopicCommand(cmd) : encodeStreamCommand(cmd), at);
      const rb = b.send(cmd.type === 'publish' || cmd.type === 'checkpoints' ? encodeTopicCommand(cmd) : encodeStreamCommand(cmd), at);
      expect(hex(rb.result)).toBe(hex(ra.result));
      expect(rb.ops.map(opText)).toEqual(ra.ops.map(opText));
      expect(decodeResult(ra.result).ok).toBe(true);
      if (i === 4) await b.restart(new TopicStateMachine());
    }
    expect(b.store.dump()).toEqual(a.store.dump());
    expect(await b.state()).toEqual(await a.state());
    expect(dedupKeys(a.store.dump())).toEqual([]);
  });
});

describe('topic codec', () => {
  it('round-trips commands and results, message ids of any length included', () => {
    const cmd: TopicCommand = {
      type: 'publish',
      entries: [
        { dedupId: 'd-1', messageId: '0b7e8d2c-5a40-4c55-9a44-3f5f2c1f8e10', key: te.encode('g'), value: te.encode('{"a":1}') },
        { dedupId: '', messageId: 'm'.repeat(300), key: new Uint8Array(0), value: new Uint8Array(0) },
      ],
    };
    const p = encodeTopicCommand(cmd);
    expect(p.op).toBe(24);
    expect(decodeTopicCommand(p.op, p.body)).toEqual(cmd);
    const cp: TopicCommand = { type: 'checkpoints', owner: 'o', token: 7, positions: [{ name: 'n', offset: 3 }], drop: ['x'] };
    const q = encodeTopicCommand(cp);
    expect(q.op).toBe(25);
    expect(decodeTopicCommand(q.op, q.body)).toEqual(cp);
    expect(() => decodeTopicCommand(26, q.body)).toThrow('unknown topic op 26');
    const outs = [fresh(0, '0b7e8d2c-5a40-4c55-9a44-3f5f2c1f8e10'), dup(2 ** 40, 'x'.repeat(200))];
    expect(decodePublishResult(okResult(encodePublishOutcomes(outs)))).toEqual({ ok: true, value: outs });
  });
});
