import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type KvOp } from '../../storage/engine/engine.js';
import { type CommandPayload, type Decoded, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import { type ApplyContext } from '../../storage/partitions/kind.js';
import {
  MAX_MESSAGE_BYTES,
  MAX_SEND_BATCH,
  EXPIRE_BATCH,
  type QueueCommand,
  type ReceiptRef,
  type SendItem,
  type VisibilityChange,
  QueueStateMachine,
  decodeAckDeadResult,
  decodeChangeVisibilityResult,
  decodeDeadResult,
  decodeDeleteResult,
  decodeExpireResult,
  decodeGetResult,
  decodePurgeResult,
  decodeReceiveResult,
  decodeSendResult,
  decodeStatsResult,
  encodeQueueCommand,
  encodeQueueQuery,
} from '../../storage/partitions/queue.js';
import { SeededRng } from '../../storage/raft/rng.js';
import { Harness } from './memory-store.js';

const T0 = 1_700_000_000_000;
const RETENTION = 345_600_000;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function ok<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

function item(body: string, extra: Partial<SendItem> = {}): SendItem {
  return { id: `id-${body}`, body: new TextEncoder().encode(body), attributes: new Uint8Array([1, 2, 3]), md5OfBody: md5(body), md5OfAttributes: '', delayMs: 0, senderId: 'AIDTEST', ...extra };
}

interface ReceiveOpts {
  max?: number;
  vis?: number;
  maxReceiveCount?: number;
  retentionMs?: number;
  attemptId?: string;
}

class QueueHarness extends Harness<QueueStateMachine> {
  seq = 0;
  constructor(readonly fifo = false) {
    super(new QueueStateMachine());
  }
  runFull(cmd: QueueCommand, now: number): { result: Uint8Array; ops: KvOp[] } {
    return this.apply(encodeCommand({ clientId: 'test', seq: ++this.seq, timestampMs: now, ...encodeQueueCommand(cmd) }));
  }
  run(cmd: QueueCommand, now: number): Uint8Array {
    return this.runFull(cmd, now).result;
  }
  send(now: number, ...items: SendItem[]) {
    return ok(decodeSendResult(this.run({ type: 'send', fifo: this.fifo, messages: items }, now))).messages;
  }
  receive(now: number, o: ReceiveOpts = {}) {
    const cmd: QueueCommand = {
      type: 'receive',
      fifo: this.fifo,
      max: o.max ?? 10,
      visibilityTimeoutMs: o.vis ?? 30_000,
      maxReceiveCount: o.maxReceiveCount ?? 0,
      retentionMs: o.retentionMs ?? RETENTION,
    };
    if (o.attemptId !== undefined) cmd.attemptId = o.attemptId;
    return ok(decodeReceiveResult(this.run(cmd, now)));
  }
  seqs(now: number, o: ReceiveOpts = {}): number[] {
    return this.receive(now, o).messages.map((m) => m.seq);
  }
  del(now: number, ...entries: ReceiptRef[]) {
    return ok(decodeDeleteResult(this.run({ type: 'delete', entries }, now))).outcomes;
  }
  cv(now: number, ...entries: VisibilityChange[]) {
    return ok(decodeChangeVisibilityResult(this.run({ type: 'changeVisibility', entries }, now))).outcomes;
  }
  async stats(now: number, retentionMs = RETENTION) {
    return ok(decodeStatsResult(await this.read(encodeQueueQuery({ type: 'stats', now, retentionMs, fifo: this.fifo }))));
  }
  async bodies(seqs: number[]): Promise<string[]> {
    return ok(decodeGetResult(await this.read(encodeQueueQuery({ type: 'get', seqs })))).map((m) => text(m.body));
  }
  async dead(max = 100) {
    return ok(decodeDeadResult(await this.read(encodeQueueQuery({ type: 'dead', max }))));
  }
  /** The store's keys with the given one-letter prefix. */
  keys(prefix: string): string[] {
    const p = Buffer.from(prefix).toString('hex');
    return this.store.dump().map(([k]) => k).filter((k) => k.startsWith(p));
  }
}

describe('queue kind: standard', () => {
  it('assigns dense seqs that survive a reload, with the same answers', async () => {
    const h = new QueueHarness();
    expect(h.send(T0, item('a'), item('b'), item('c')).map((m) => [m.seq, m.id, m.duplicate])).toEqual([
      [1, 'id-a', false],
      [2, 'id-b', false],
      [3, 'id-c', false],
    ]);
    expect(h.send(T0 + 1, item('d', { delayMs: 60_000 }), item('e')).map((m) => m.seq)).toEqual([4, 5]);
    expect(h.seqs(T0 + 2, { max: 2 })).toEqual([1, 2]);
    expect(h.del(T0 + 3, { seq: 1, receiveCount: 1 })).toEqual(['deleted']);
    const got = ok(decodeGetResult(await h.read(encodeQueueQuery({ type: 'get', seqs: [2, 1, 4] }))));
    expect(got).toEqual([
      { seq: 2, id: 'id-b', body: new TextEncoder().encode('b'), attributes: new Uint8Array([1, 2, 3]), md5OfBody: md5('b'), md5OfAttributes: '', sentTimestamp: T0, senderId: 'AIDTEST' },
      expect.objectContaining({ seq: 4, sentTimestamp: T0 + 1 }),
    ]);
    const before = { stats: await h.stats(T0 + 10), got, dump: h.store.dump() };
    await h.restart(new QueueStateMachine());
    expect({ stats: await h.stats(T0 + 10), got: ok(decodeGetResult(await h.read(encodeQueueQuery({ type: 'get', seqs: [2, 1, 4] })))), dump: h.store.dump() }).toEqual(before);
    expect(h.send(T0 + 20, item('f')).map((m) => m.seq)).toEqual([6]);
    expect(h.seqs(T0 + 21)).toEqual([3, 5, 6]);
    expect(h.seqs(T0 + 30_002)).toEqual([2]); // its visibility timed out
    expect(h.seqs(T0 + 60_001)).toEqual([3, 4, 5, 6]); // seq 4's delay is over
  });

  it('hides received messages, redelivers them with a higher receive count, and checks receipts', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a'), item('b'), item('c'));
    const first = h.receive(T0 + 5, { max: 2 });
    expect(first).toEqual({
      deadLettered: 0,
      messages: [
        { seq: 1, receiveCount: 1, firstReceiveTs: T0 + 5, sentTimestamp: T0 },
        { seq: 2, receiveCount: 1, firstReceiveTs: T0 + 5, sentTimestamp: T0 },
      ],
    });
    expect(h.seqs(T0 + 6)).toEqual([3]);
    expect(h.seqs(T0 + 7)).toEqual([]);
    const again = h.receive(T0 + 30_005);
    expect(again.messages.map((m) => [m.seq, m.receiveCount, m.firstReceiveTs])).toEqual([
      [1, 2, T0 + 5],
      [2, 2, T0 + 5],
    ]);
    expect(h.del(T0 + 30_006, { seq: 1, receiveCount: 1 }, { seq: 1, receiveCount: 2 }, { seq: 1, receiveCount: 2 }, { seq: 2, receiveCount: 7 }, { seq: 99, receiveCount: 1 })).toEqual([
      'stale',
      'deleted',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(await h.bodies([1, 2, 3])).toEqual(['b', 'c']);
    // A receipt stays good after its visibility timed out, until the message is received again.
    expect(h.del(T0 + 90_000, { seq: 3, receiveCount: 1 })).toEqual(['deleted']);
    expect(h.keys('m')).toHaveLength(1);
    expect(h.keys('s')).toHaveLength(1);
  });

  it('changes visibility: ok, 0, notInflight, invalid and the 12-hour cap', () => {
    const h = new QueueHarness();
    h.send(T0, item('a'));
    expect(h.seqs(T0, { vis: 10_000 })).toEqual([1]);
    expect(h.cv(T0 + 1000, { seq: 1, receiveCount: 1, visibilityTimeoutMs: 60_000 })).toEqual(['ok']);
    expect(h.seqs(T0 + 20_000)).toEqual([]);
    expect(h.cv(T0 + 20_000, { seq: 1, receiveCount: 2, visibilityTimeoutMs: 1 }, { seq: 9, receiveCount: 1, visibilityTimeoutMs: 1 })).toEqual(['invalid', 'invalid']);
    expect(h.cv(T0 + 20_000, { seq: 1, receiveCount: 1, visibilityTimeoutMs: 0 })).toEqual(['ok']);
    expect(h.receive(T0 + 20_000).messages.map((m) => [m.seq, m.receiveCount])).toEqual([[1, 2]]);
    const cap = 43_200_000;
    // lastReceiveTs is T0 + 20_000: visibility may reach exactly 12 h after it, not beyond.
    expect(h.cv(T0 + 20_000, { seq: 1, receiveCount: 2, visibilityTimeoutMs: cap })).toEqual(['ok']);
    expect(h.cv(T0 + 21_000, { seq: 1, receiveCount: 2, visibilityTimeoutMs: cap })).toEqual(['tooLong']);
    expect(h.cv(T0 + 21_000, { seq: 1, receiveCount: 2, visibilityTimeoutMs: cap - 1000 })).toEqual(['ok']);
    expect(h.cv(T0 + 20_000 + cap, { seq: 1, receiveCount: 2, visibilityTimeoutMs: 5 })).toEqual(['notInflight']);
    // A receive with visibility 0 leaves the message visible: it is not returned twice at once.
    expect(h.receive(T0 + cap * 2, { vis: 0 }).messages.map((m) => [m.seq, m.receiveCount])).toEqual([[1, 3]]);
    expect(h.receive(T0 + cap * 2, { vis: 0 }).messages.map((m) => [m.seq, m.receiveCount])).toEqual([[1, 4]]);
  });

  it('delays messages and reports when the next one becomes visible', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a', { delayMs: 5000 }), item('b', { delayMs: 900_000 }));
    expect(h.seqs(T0 + 4999)).toEqual([]);
    expect(await h.stats(T0 + 4999)).toMatchObject({ visible: 0, delayed: 2, inFlight: 0, nextVisibleAt: T0 + 5000 });
    expect(await h.stats(T0 + 5000)).toMatchObject({ visible: 1, delayed: 1, nextVisibleAt: T0 + 900_000 });
    expect(h.seqs(T0 + 5000)).toEqual([1]);
  });

  it('expires messages past retention on receive and by the expire command', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a'));
    h.send(T0 + 30_000, item('b'), item('c', { sentTimestamp: T0 - 500_000 }));
    expect(await h.stats(T0 + 60_000, 60_000)).toMatchObject({ expired: 2, oldestSentTimestamp: T0 - 500_000 });
    expect(h.seqs(T0 + 60_000, { retentionMs: 60_000, max: 1 })).toEqual([2]);
    expect(await h.bodies([1, 2, 3])).toEqual(['b', 'c']); // 1 was met and removed; 3 was not met
    expect(decodeExpireResult(h.run({ type: 'expire', retentionMs: 60_000 }, T0 + 60_000))).toEqual({ ok: true, value: { expired: 1, more: false } });
    expect(await h.bodies([3])).toEqual([]);
    expect(decodeExpireResult(h.run({ type: 'expire', retentionMs: 60_000 }, T0 + 90_000))).toEqual({ ok: true, value: { expired: 1, more: false } });
    expect(await h.stats(T0 + 90_000, 60_000)).toEqual({ visible: 0, inFlight: 0, delayed: 0, dead: 0, expired: 0, nextVisibleAt: 0, oldestSentTimestamp: 0 });
  });

  it('bounds the work of one receive and one expire command', async () => {
    const h = new QueueHarness();
    for (let i = 0; i < 101; i++) h.send(T0, ...Array.from({ length: 10 }, (_, k) => item(`old-${i}-${k}`)));
    h.send(T0 + 60_000, item('fresh'));
    // 1010 expired messages come first: one receive removes RECEIVE_SKIP_BUDGET (1000) of them.
    expect(h.seqs(T0 + 60_000, { retentionMs: 60_000 })).toEqual([]);
    expect(await h.stats(T0 + 60_000, 60_000)).toMatchObject({ visible: 11, expired: 10 });
    expect(h.seqs(T0 + 60_000, { retentionMs: 60_000 })).toEqual([1011]);
    expect(h.keys('m')).toHaveLength(1);
    expect(EXPIRE_BATCH).toBe(10_000);
  });

  it('expires at most EXPIRE_BATCH messages per command and says when there are more', () => {
    const sm = new QueueStateMachine();
    let n = 0;
    const run = (cmd: QueueCommand, now: number): Uint8Array =>
      sm.apply(encodeCommand({ clientId: 'c', seq: ++n, timestampMs: now, ...encodeQueueCommand(cmd) }), { index: n, ops: [] });
    const batch = Array.from({ length: 10 }, (_, k) => item(`m${k}`));
    for (let i = 0; i < EXPIRE_BATCH / 10 + 1; i++) run({ type: 'send', fifo: false, messages: batch }, T0);
    expect(decodeExpireResult(run({ type: 'expire', retentionMs: 60_000 }, T0 + 60_000))).toEqual({ ok: true, value: { expired: EXPIRE_BATCH, more: true } });
    expect(decodeExpireResult(run({ type: 'expire', retentionMs: 60_000 }, T0 + 60_000))).toEqual({ ok: true, value: { expired: 10, more: false } });
  });

  it('purges every message present, dead ones too, but not later sends', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a'), item('b'), item('c'));
    h.receive(T0, { max: 1, vis: 0 });
    h.receive(T0 + 1, { max: 1, maxReceiveCount: 1 }); // seq 1 is dead-lettered, seq 2 returned
    expect(await h.stats(T0 + 1)).toMatchObject({ visible: 1, inFlight: 1, dead: 1 });
    expect(decodePurgeResult(h.run({ type: 'purge' }, T0 + 2))).toEqual({ ok: true, value: { purged: 3 } });
    expect(await h.stats(T0 + 2)).toEqual({ visible: 0, inFlight: 0, delayed: 0, dead: 0, expired: 0, nextVisibleAt: 0, oldestSentTimestamp: 0 });
    expect(h.keys('m').concat(h.keys('s'))).toEqual([]);
    expect(h.del(T0 + 3, { seq: 2, receiveCount: 1 })).toEqual(['unknown']);
    expect(h.send(T0 + 3, item('d')).map((m) => m.seq)).toEqual([4]);
    expect(h.seqs(T0 + 3)).toEqual([4]);
    expect(decodePurgeResult(h.run({ type: 'purge' }, T0 + 4))).toEqual({ ok: true, value: { purged: 1 } });
  });

  it('dead-letters messages that reached maxReceiveCount; dead and ackDead', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a'), item('b'), item('c'));
    h.receive(T0, { max: 2, vis: 1000 });
    h.receive(T0 + 1000, { max: 2, vis: 1000 });
    // seqs 1 and 2 were received twice: with maxReceiveCount 2 they go dead instead.
    const r = h.receive(T0 + 2000, { maxReceiveCount: 2 });
    expect(r.deadLettered).toBe(2);
    expect(r.messages.map((m) => m.seq)).toEqual([3]);
    expect(await h.stats(T0 + 2000)).toMatchObject({ visible: 0, inFlight: 1, dead: 2 });
    const dead = await h.dead();
    expect(dead.map((d) => [d.seq, d.receiveCount, text(d.body), d.id])).toEqual([
      [1, 2, 'a', 'id-a'],
      [2, 2, 'b', 'id-b'],
    ]);
    expect(h.del(T0 + 2001, { seq: 1, receiveCount: 2 })).toEqual(['unknown']);
    expect(h.cv(T0 + 2001, { seq: 1, receiveCount: 2, visibilityTimeoutMs: 0 })).toEqual(['invalid']);
    expect(h.seqs(T0 + 40_000)).toEqual([3]); // dead messages are never received again
    await h.restart(new QueueStateMachine());
    expect((await h.dead(1)).map((d) => d.seq)).toEqual([1]);
    expect(decodeAckDeadResult(h.run({ type: 'ackDead', seqs: [1, 3, 99, 1] }, T0 + 40_001))).toEqual({ ok: true, value: { removed: 1 } });
    expect((await h.dead()).map((d) => d.seq)).toEqual([2]);
    expect(await h.bodies([1, 2, 3])).toEqual(['b', 'c']);
  });

  it('counts visible, in-flight, delayed, dead and expired messages as of the query time', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a'), item('b'), item('c'), item('d'), item('e', { delayMs: 10_000 }));
    h.receive(T0, { max: 2, vis: 30_000 }); // 1, 2 in flight until T0 + 30 s
    h.cv(T0, { seq: 2, receiveCount: 1, visibilityTimeoutMs: 20_000 });
    expect(await h.stats(T0)).toEqual({ visible: 2, inFlight: 2, delayed: 1, dead: 0, expired: 0, nextVisibleAt: T0 + 10_000, oldestSentTimestamp: T0 });
    // A reader ahead of the last apply counts what will have become visible by then.
    expect(await h.stats(T0 + 20_000)).toMatchObject({ visible: 4, inFlight: 1, delayed: 0, nextVisibleAt: T0 + 30_000 });
    expect(await h.stats(T0 + 30_000, 60_000)).toMatchObject({ visible: 5, inFlight: 0, nextVisibleAt: 0, expired: 0 });
    expect(await h.stats(T0 + 60_000, 60_000)).toMatchObject({ visible: 5, expired: 5 });
    // A reader behind the partition clock is answered as of the clock.
    h.receive(T0 + 25_000, { max: 1 });
    expect(await h.stats(T0)).toMatchObject({ visible: 3, inFlight: 2 });
  });
});

describe('queue kind: FIFO', () => {
  const g = (body: string, groupId: string, extra: Partial<SendItem> = {}): SendItem => item(body, { groupId, ...extra });

  it('orders groups by their oldest message and returns consecutive messages of a group', () => {
    const h = new QueueHarness(true);
    h.send(T0, g('a1', 'A'), g('b1', 'B'), g('a2', 'A'), g('c1', 'C'), g('b2', 'B'));
    expect(h.seqs(T0, { max: 3 })).toEqual([1, 3, 2]);
    // A and B are locked while messages of theirs are in flight, even B's available b2.
    expect(h.seqs(T0 + 1)).toEqual([4]);
    expect(h.seqs(T0 + 2)).toEqual([]);
    expect(h.del(T0 + 3, { seq: 1, receiveCount: 1 })).toEqual(['deleted']);
    expect(h.seqs(T0 + 4)).toEqual([]); // a2 still in flight
    expect(h.del(T0 + 5, { seq: 2, receiveCount: 1 })).toEqual(['deleted']);
    expect(h.seqs(T0 + 6)).toEqual([5]);
  });

  it('redelivers a group in order after its visibility times out, and unlocks on visibility 0', async () => {
    const h = new QueueHarness(true);
    h.send(T0, g('a1', 'A'), g('a2', 'A'), g('a3', 'A'), g('b1', 'B'));
    expect(h.seqs(T0, { max: 1 })).toEqual([1]);
    expect(await h.stats(T0)).toMatchObject({ visible: 1, inFlight: 1 }); // B's message only
    expect(await h.stats(T0 + 30_000)).toMatchObject({ visible: 4, inFlight: 0 });
    expect(h.receive(T0 + 30_000, { max: 2 }).messages.map((m) => [m.seq, m.receiveCount])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(h.cv(T0 + 30_001, { seq: 1, receiveCount: 2, visibilityTimeoutMs: 0 })).toEqual(['ok']);
    expect(h.seqs(T0 + 30_001)).toEqual([4]); // seq 2 still in flight: A stays locked
    expect(h.cv(T0 + 30_002, { seq: 2, receiveCount: 1, visibilityTimeoutMs: 0 })).toEqual(['ok']);
    expect(h.seqs(T0 + 30_002)).toEqual([1, 2, 3]);
  });

  it('dead-letters a group head and moves on to the next message of the group', async () => {
    const h = new QueueHarness(true);
    h.send(T0, g('a1', 'A'), g('a2', 'A'));
    h.receive(T0, { max: 1, vis: 1000 });
    const r = h.receive(T0 + 1000, { maxReceiveCount: 1 });
    expect([r.deadLettered, r.messages.map((m) => m.seq)]).toEqual([1, [2]]);
    expect((await h.dead()).map((d) => [d.seq, d.groupId])).toEqual([[1, 'A']]);
  });

  it('deduplicates within five minutes, per queue or per message group', async () => {
    const h = new QueueHarness(true);
    expect(h.send(T0, g('x', 'A', { dedupId: 'd1' }), g('x-again', 'B', { dedupId: 'd1' }))).toEqual([
      { seq: 1, id: 'id-x', duplicate: false },
      { seq: 1, id: 'id-x', duplicate: true },
    ]);
    const scoped = { dedupScope: 'messageGroup' as const };
    expect(h.send(T0 + 1000, g('y', 'A', { dedupId: 'd2', ...scoped }), g('y2', 'B', { dedupId: 'd2', ...scoped }))).toEqual([
      { seq: 2, id: 'id-y', duplicate: false },
      { seq: 3, id: 'id-y2', duplicate: false },
    ]);
    // Deleting the original does not end its deduplication interval.
    expect(h.seqs(T0 + 2000, { max: 1 })).toEqual([1]);
    expect(h.del(T0 + 2000, { seq: 1, receiveCount: 1 })).toEqual(['deleted']);
    await h.restart(new QueueStateMachine());
    expect(h.send(T0 + 299_999, g('z', 'C', { dedupId: 'd1' }), g('y3', 'A', { dedupId: 'd2', ...scoped }))).toEqual([
      { seq: 1, id: 'id-x', duplicate: true },
      { seq: 2, id: 'id-y', duplicate: true },
    ]);
    expect(h.send(T0 + 300_000, g('z', 'C', { dedupId: 'd1' }))).toEqual([{ seq: 4, id: 'id-z', duplicate: false }]);
    expect(h.keys('d')).toHaveLength(3);
    // Expired entries are forgotten by later applies.
    h.send(T0 + 700_000, g('w', 'C'));
    expect(h.keys('d')).toHaveLength(0);
    // Standard queues never deduplicate.
    const s = new QueueHarness(false);
    expect(s.send(T0, item('a', { dedupId: 'd' }), item('b', { dedupId: 'd' })).map((m) => m.duplicate)).toEqual([false, false]);
  });

  it('replays a receive attempt while its messages are still in flight', async () => {
    const h = new QueueHarness(true);
    h.send(T0, g('a1', 'A'), g('a2', 'A'), g('a3', 'A'));
    const first = h.receive(T0, { max: 2, vis: 10_000, attemptId: 'att' });
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
    await h.restart(new QueueStateMachine());
    const { result, ops } = h.runFull({ type: 'receive', fifo: true, max: 2, visibilityTimeoutMs: 10_000, maxReceiveCount: 0, retentionMs: RETENTION, attemptId: 'att' }, T0 + 5000);
    expect(ok(decodeReceiveResult(result))).toEqual(first);
    // Only the clock and the dedup table's entry are written: no message changed.
    expect(ops.map((o) => (o.type === 'put' ? hex(o.key).slice(0, 2) : o.type))).toEqual(['71', '00']);
    expect(h.seqs(T0 + 5000)).toEqual([]);
    // Once they are visible again the attempt is a fresh receive.
    expect(h.receive(T0 + 10_000, { attemptId: 'att' }).messages.map((m) => [m.seq, m.receiveCount])).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
    ]);
    expect(h.del(T0 + 10_001, { seq: 3, receiveCount: 1 })).toEqual(['deleted']);
    expect(h.receive(T0 + 10_002, { attemptId: 'att' }).messages).toEqual([]);
    expect(h.keys('a')).toHaveLength(0);
  });
});

describe('queue kind: validation and determinism', () => {
  it('answers InvalidArgument for malformed commands without changing anything', async () => {
    const h = new QueueHarness(true);
    h.send(T0, item('a', { groupId: 'G' }));
    const bad: QueueCommand[] = [
      { type: 'send', fifo: true, messages: [] },
      { type: 'send', fifo: true, messages: Array.from({ length: MAX_SEND_BATCH + 1 }, (_, i) => item(`m${i}`, { groupId: 'G' })) },
      { type: 'send', fifo: true, messages: [item('a')] },
      { type: 'send', fifo: true, messages: [item('a', { groupId: 'has space' })] },
      { type: 'send', fifo: true, messages: [item('a', { groupId: 'G', md5OfBody: 'nope' })] },
      { type: 'send', fifo: true, messages: [item('a', { groupId: 'G', delayMs: 900_001 })] },
      { type: 'send', fifo: true, messages: [item('a', { groupId: 'G', dedupId: 'x'.repeat(129) })] },
      { type: 'send', fifo: true, messages: [{ ...item('a', { groupId: 'G' }), body: new Uint8Array(MAX_MESSAGE_BYTES + 1) }] },
      { type: 'receive', fifo: true, max: 0, visibilityTimeoutMs: 0, maxReceiveCount: 0, retentionMs: RETENTION },
      { type: 'receive', fifo: true, max: 11, visibilityTimeoutMs: 0, maxReceiveCount: 0, retentionMs: RETENTION },
      { type: 'receive', fifo: true, max: 1, visibilityTimeoutMs: 43_200_001, maxReceiveCount: 0, retentionMs: RETENTION },
      { type: 'receive', fifo: true, max: 1, visibilityTimeoutMs: 0, maxReceiveCount: 1001, retentionMs: RETENTION },
      { type: 'receive', fifo: true, max: 1, visibilityTimeoutMs: 0, maxReceiveCount: 0, retentionMs: 59_999 },
      { type: 'receive', fifo: false, max: 1, visibilityTimeoutMs: 0, maxReceiveCount: 0, retentionMs: RETENTION, attemptId: 'a' },
      { type: 'delete', entries: [] },
      { type: 'delete', entries: [{ seq: 1, receiveCount: 0 }] },
      { type: 'changeVisibility', entries: [{ seq: 1, receiveCount: 1, visibilityTimeoutMs: 43_200_001 }] },
      { type: 'expire', retentionMs: 1_209_600_001 },
      { type: 'ackDead', seqs: [] },
      { type: 'ackDead', seqs: [0] },
    ];
    const dumpWithoutDedup = (): [string, string][] => h.store.dump().filter(([k]) => !k.startsWith('00'));
    const before = dumpWithoutDedup();
    const garbage = [
      encodeCommand({ clientId: 'x', seq: 1, timestampMs: T0 + 9, op: 1, body: new Uint8Array([1, 0, 0, 0, 99]) }),
      encodeCommand({ clientId: 'x', seq: 2, timestampMs: T0 + 9, op: 77, body: new Uint8Array() }),
      encodeCommand({ clientId: 'x', seq: 3, timestampMs: T0 + 9, op: 5, body: new Uint8Array([0]) }),
      new Uint8Array([9, 9]),
    ];
    for (const cmd of bad) {
      const { result, ops } = h.runFull(cmd, T0 + 1_000_000);
      expect(decodeResult(result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
      expect(ops.every((o) => o.type === 'put' && hex(o.key).startsWith('00'))).toBe(true);
    }
    for (const cmd of garbage) expect(decodeResult(h.apply(cmd).result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    // A standard-queue command on a FIFO partition is refused.
    expect(decodeResult(h.run({ type: 'send', fifo: false, messages: [item('b')] }, T0 + 10))).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(dumpWithoutDedup()).toEqual(before);
    // The clock did not move: the message's 30 s visibility still counts from T0.
    expect(h.seqs(T0 + 1)).toEqual([1]);
    expect(await h.stats(0)).toMatchObject({ nextVisibleAt: T0 + 30_001 });
    for (const q of [
      encodeQueueQuery({ type: 'get', seqs: [] }),
      encodeQueueQuery({ type: 'get', seqs: Array.from({ length: 11 }, (_, i) => i + 1) }),
      encodeQueueQuery({ type: 'dead', max: 0 }),
      encodeQueueQuery({ type: 'stats', now: 0, retentionMs: 1, fifo: true }),
      new Uint8Array([1, 99]),
    ]) {
      expect(decodeResult(await h.read(q))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    }
  });

  for (const fifo of [false, true]) {
    it(`${fifo ? 'FIFO' : 'standard'}: the same commands give byte-identical results and ops, across reloads`, async () => {
      for (const seed of [1, 2, 3]) {
        const rng = new SeededRng(seed * 7 + (fifo ? 1 : 0));
        const a = new QueueHarness(fifo);
        const b = new QueueHarness(fifo);
        let now = T0;
        let sent = 0;
        const outcomes = new Set<string>();
        const receipts: ReceiptRef[] = [];
        for (let step = 0; step < 700; step++) {
          now += rng.intn(4000) - 300; // now and then the leader's clock is behind
          const cmd = randomCommand(rng, fifo, sent, step, receipts);
          if (cmd.type === 'send') sent += cmd.messages.length;
          const ra = a.runFull(cmd, now);
          const rb = b.runFull(cmd, now);
          expect(hex(rb.result)).toBe(hex(ra.result));
          expect(rb.ops.map(opText)).toEqual(ra.ops.map(opText));
          const res = decodeResult(ra.result);
          outcomes.add(res.ok ? cmd.type : res.code);
          if (res.ok && cmd.type === 'send' && ok(decodeSendResult(ra.result)).messages.some((m) => m.duplicate)) outcomes.add('duplicate');
          if (res.ok && cmd.type === 'receive') {
            const r = ok(decodeReceiveResult(ra.result));
            if (r.deadLettered > 0) outcomes.add('deadLettered');
            receipts.push(...r.messages.map((m) => ({ seq: m.seq, receiveCount: m.receiveCount })));
            receipts.splice(0, receipts.length - 30);
          }
          if (res.ok && cmd.type === 'delete' && ok(decodeDeleteResult(ra.result)).outcomes.includes('deleted')) outcomes.add('deleted');
          if (res.ok && cmd.type === 'changeVisibility' && ok(decodeChangeVisibilityResult(ra.result)).outcomes.includes('ok')) outcomes.add('visibilityChanged');
          if (rng.intn(20) === 0) await b.restart(new QueueStateMachine());
        }
        expect(b.store.dump()).toEqual(a.store.dump());
        for (const q of [{ now, retentionMs: 60_000 }, { now: now + 100_000, retentionMs: RETENTION }]) {
          expect(await b.stats(q.now, q.retentionMs)).toEqual(await a.stats(q.now, q.retentionMs));
        }
        expect(await b.dead()).toEqual(await a.dead());
        const expected = ['send', 'receive', 'deleted', 'visibilityChanged', 'deadLettered', 'ackDead', 'purge', 'expire', 'InvalidArgument'];
        for (const o of fifo ? [...expected, 'duplicate'] : expected) expect(outcomes).toContain(o);
      }
    });
  }

  it('runs a 200k-message standard queue through receive and delete', async () => {
    const sm = new QueueStateMachine();
    let index = 0;
    let seq = 0;
    const apply = (payload: CommandPayload, now: number): Uint8Array => {
      const ctx: ApplyContext = { index: ++index, ops: [] };
      return sm.apply(encodeCommand({ clientId: 'bench', seq: ++seq, timestampMs: now, ...payload }), ctx);
    };
    const N = 200_000;
    const body = item('x'.repeat(100));
    const send = encodeQueueCommand({ type: 'send', fifo: false, messages: Array.from({ length: 10 }, () => body) });
    const receive = encodeQueueCommand({ type: 'receive', fifo: false, max: 10, visibilityTimeoutMs: 30_000, maxReceiveCount: 0, retentionMs: RETENTION });
    for (let i = 0; i < N; i += 10) apply(send, T0 + Math.floor(i / 1000));
    let deleted = 0;
    for (let now = T0 + 1000; ; now++) {
      const r = ok(decodeReceiveResult(apply(receive, now)));
      if (r.messages.length === 0) break;
      const entries = r.messages.map((m) => ({ seq: m.seq, receiveCount: m.receiveCount }));
      const outcomes = ok(decodeDeleteResult(apply(encodeQueueCommand({ type: 'delete', entries }), now)));
      deleted += outcomes.outcomes.filter((o) => o === 'deleted').length;
    }
    expect(deleted).toBe(N);
    const stats = ok(decodeStatsResult(await sm.read(encodeQueueQuery({ type: 'stats', now: T0 + 10_000_000, retentionMs: RETENTION, fifo: false }), new Harness(sm).store)));
    expect(stats).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, oldestSentTimestamp: 0 });
  });
});

function opText(o: KvOp): string {
  return o.type === 'put' ? `put ${hex(o.key)}=${hex(o.value)}` : o.type === 'del' ? `del ${hex(o.key)}` : `delRange ${hex(o.start)}..${hex(o.end)}`;
}

/** Receipts are mostly recent real ones (from `receipts`), sometimes made up. */
function randomCommand(rng: SeededRng, fifo: boolean, sent: number, step: number, receipts: ReceiptRef[]): QueueCommand {
  const pick = rng.intn(100);
  const seq = (): number => 1 + rng.intn(sent + 2);
  const receipt = (): ReceiptRef => {
    const real = receipts[rng.intn(receipts.length + 1)];
    return real !== undefined && rng.intn(4) > 0 ? real : { seq: seq(), receiveCount: 1 + rng.intn(3) };
  };
  if (pick < 35) {
    const n = pick === 0 ? MAX_SEND_BATCH - 1 + rng.intn(3) : 1 + rng.intn(4); // above MAX_SEND_BATCH is invalid
    const messages = Array.from({ length: n }, (_, i) => {
      const extra: Partial<SendItem> = { delayMs: rng.intn(3) === 0 ? rng.intn(20_000) : 0 };
      if (fifo) {
        extra.groupId = `g${rng.intn(5)}`;
        if (rng.intn(2) === 0) extra.dedupId = `d${rng.intn(8)}`;
        if (rng.intn(3) === 0) extra.dedupScope = 'messageGroup';
      }
      if (rng.intn(10) === 0) extra.sentTimestamp = T0 - rng.intn(200_000);
      if (rng.intn(8) === 0) extra.deadLetterSource = `src-${rng.intn(3)}`;
      return item(`s${step}-${i}`, extra);
    });
    return { type: 'send', fifo, messages };
  }
  if (pick < 60) {
    const cmd: QueueCommand = {
      type: 'receive',
      fifo,
      max: 1 + rng.intn(10),
      visibilityTimeoutMs: rng.intn(4) === 0 ? 0 : rng.intn(30_000),
      maxReceiveCount: rng.intn(3) === 0 ? 1 + rng.intn(3) : 0,
      retentionMs: rng.intn(4) === 0 ? 60_000 : RETENTION,
    };
    if (fifo && rng.intn(2) === 0) cmd.attemptId = `att${rng.intn(3)}`;
    return cmd;
  }
  if (pick < 78) return { type: 'delete', entries: Array.from({ length: 1 + rng.intn(4) }, receipt) };
  if (pick < 88) {
    const entries = Array.from({ length: 1 + rng.intn(3) }, () => ({ ...receipt(), visibilityTimeoutMs: rng.intn(3) === 0 ? 0 : rng.intn(60_000) }));
    return { type: 'changeVisibility', entries };
  }
  if (pick < 93) return { type: 'ackDead', seqs: Array.from({ length: rng.intn(4) }, seq) }; // [] is invalid
  if (pick < 97) return { type: 'expire', retentionMs: 60_000 };
  return { type: 'purge' };
}
