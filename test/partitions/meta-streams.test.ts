// Kinesis streams in the meta catalog: shard maps through splits, merges and uniform re-scales,
// with lineage and group allocation decided in apply, the account's open-shard limit, and
// deletion giving the shard groups back. Driven through the meta state machine, so the group
// allocator and the catalog's own records are the real ones.
import { describe, expect, it } from 'vitest';
import { type Decoded, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type MetaCommand,
  MetaStateMachine,
  type StreamCatalogCommand,
  type StreamRecord,
  decodeMoveTaskResult,
  decodePlacementResult,
  decodeQueueResult,
  decodeStreamResult,
  encodeMetaCommand,
  encodeMetaQuery,
  parseJson,
} from '../../storage/partitions/meta.js';
import { evenRanges } from '../../storage/partitions/meta-streams.js';
import { Harness } from './memory-store.js';

const HASH_SPACE = 1n << 128n;
const MAX_HASH = HASH_SPACE - 1n;
const WHO = { account: '123456789012' };
const LIMITS = { shardLimit: 20, region: 'eu-west-1' };

type Shape<T> = T extends unknown ? Omit<T, 'type' | 'name' | 'account' | 'shardLimit' | 'region'> : never;

class MetaHarness extends Harness<MetaStateMachine> {
  seq = 0;
  constructor() {
    super(new MetaStateMachine());
    for (const id of [1, 2, 3]) this.run({ type: 'registerNode', id, address: `n${id}:7000` });
  }
  run(cmd: MetaCommand, timestampMs = 5000): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeMetaCommand(cmd) })).result;
  }
  stream(command: StreamCatalogCommand, timestampMs?: number): Decoded<StreamRecord> {
    return decodeStreamResult(this.run({ type: 'stream', command }, timestampMs));
  }
  create(name: string, shardCount: number, more: Partial<Shape<Extract<StreamCatalogCommand, { type: 'createStream' }>>> & { shardLimit?: number } = {}, at = 1000) {
    return this.stream({ type: 'createStream', name, ...WHO, ...LIMITS, shardCount, mode: 'PROVISIONED', retentionHours: 24, tags: {}, replicationFactor: 1, ...more }, at);
  }
  split(name: string, shardId: string, key: bigint | string, at = 2000, shardLimit = LIMITS.shardLimit) {
    return this.stream({ type: 'splitShard', name, ...WHO, ...LIMITS, shardLimit, shardId, newStartingHashKey: key.toString() }, at);
  }
  merge(name: string, shardId: string, adjacentShardId: string, at = 3000) {
    return this.stream({ type: 'mergeShards', name, ...WHO, shardId, adjacentShardId }, at);
  }
  rescale(name: string, target: number, at = 4000, shardLimit = LIMITS.shardLimit) {
    return this.stream({ type: 'updateShardCount', name, ...WHO, ...LIMITS, shardLimit, target }, at);
  }
  async placement() {
    return unwrap(decodePlacementResult(await this.read(encodeMetaQuery({ type: 'getPlacement' }))));
  }
}

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

const id = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;
const open = (s: StreamRecord) => s.shards.filter((sh) => sh.closedAtMs === undefined);
const ranges = (shards: StreamRecord['shards']) => shards.map((sh) => [sh.startingHashKey, sh.endingHashKey]);
const asStrings = (rs: [bigint, bigint][]) => rs.map(([a, b]) => [a.toString(), b.toString()]);

describe('meta kind: stream catalog', () => {
  it('creates streams with even ranges and one shard group per shard', async () => {
    const h = new MetaHarness();
    const s = unwrap(h.create('orders', 3));
    expect(s).toMatchObject({ name: 'orders', mode: 'PROVISIONED', retentionHours: 24, nextOrdinal: 3, encryption: 'NONE', consumers: [], createdAtMs: 1000 });
    expect(s.shards.map((sh) => [sh.shardId, sh.ordinal, sh.parents, sh.createdAtMs])).toEqual([
      [id(0), 0, [], 1000],
      [id(1), 1, [], 1000],
      [id(2), 2, [], 1000],
    ]);
    expect(ranges(s.shards)).toEqual(asStrings(evenRanges(3)));
    // The ranges tile the whole key space with no gap.
    expect(evenRanges(7)[0]![0]).toBe(0n);
    expect(evenRanges(7)[6]![1]).toBe(MAX_HASH);
    evenRanges(7).forEach(([a], i, all) => i > 0 && expect(a).toBe(all[i - 1]![1] + 1n));
    const groups = (await h.placement()).groups.filter((g) => g.kind === 'stream');
    expect(groups.map((g) => [g.id, g.stream, g.partition])).toEqual(s.shards.map((sh) => [sh.groupId, 'orders', sh.ordinal]));

    expect(unwrap(h.create('elastic', 0, { mode: 'ON_DEMAND' })).shards).toHaveLength(4);
    expect(h.create('orders', 1)).toEqual({ ok: false, code: 'AlreadyExists', message: 'Stream orders under account 123456789012 already exists.' });
    expect(h.create('bad name', 1)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.create('none', 0)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.create('wide', 1, { replicationFactor: 4 })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(h.create('tagged', 1, { tags })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect((await h.placement()).streams.map((x) => x.name)).toEqual(['elastic', 'orders']);
  });

  it('splits a shard strictly inside its range, closing the parent', () => {
    const h = new MetaHarness();
    const s = unwrap(h.create('s', 2));
    const [start, end] = [BigInt(s.shards[0]!.startingHashKey), BigInt(s.shards[0]!.endingHashKey)];
    // AWS: more than one above the start and below the end, so each child has two keys or more.
    for (const bad of [start, start + 1n, end, end + 1n]) {
      expect(h.split('s', id(0), bad)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('is not both greater than one plus') as unknown });
    }
    expect(h.split('s', id(0), 'x1')).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.split('s', id(7), start + 5n)).toEqual({ ok: false, code: 'NotFound', message: `Could not find shard ${id(7)} in stream s under account 123456789012.` });
    const after = unwrap(h.split('s', id(0), start + 2n, 2500));
    expect(after.shards.map((sh) => [sh.shardId, sh.startingHashKey, sh.endingHashKey, sh.parents, sh.createdAtMs, sh.closedAtMs])).toEqual([
      [id(0), start.toString(), end.toString(), [], 1000, 2500],
      [id(1), s.shards[1]!.startingHashKey, s.shards[1]!.endingHashKey, [], 1000, undefined],
      [id(2), start.toString(), (start + 1n).toString(), [id(0)], 2500, undefined],
      [id(3), (start + 2n).toString(), end.toString(), [id(0)], 2500, undefined],
    ]);
    expect(after.nextOrdinal).toBe(4);
    expect(unwrap(h.split('s', id(3), end - 1n)).shards.slice(4).map((sh) => [sh.startingHashKey, sh.endingHashKey])).toEqual([
      [(start + 2n).toString(), (end - 2n).toString()],
      [(end - 1n).toString(), end.toString()],
    ]);
    expect(h.split('s', id(0), start + 5n)).toEqual({
      ok: false,
      code: 'InvalidArgument',
      message: `Shard ${id(0)} in stream s under account 123456789012 has already been merged or split, and thus is not eligible for merging or splitting.`,
    });
  });

  it('merges adjacent open shards in either order', () => {
    const h = new MetaHarness();
    unwrap(h.create('m', 4));
    expect(h.merge('m', id(0), id(2))).toEqual({
      ok: false,
      code: 'InvalidArgument',
      message: `Shards ${id(0)} and ${id(2)} in stream m under account 123456789012 are not an adjacent pair of shards eligible for merging`,
    });
    expect(h.merge('m', id(0), id(9))).toMatchObject({ ok: false, code: 'NotFound' });
    // The command's order names the parents; the range is the union whichever comes first.
    const merged = unwrap(h.merge('m', id(2), id(1), 3100));
    const q = evenRanges(4);
    expect(merged.shards[4]).toMatchObject({ shardId: id(4), parents: [id(2), id(1)], startingHashKey: q[1]![0].toString(), endingHashKey: q[2]![1].toString(), createdAtMs: 3100 });
    expect(merged.shards.filter((sh) => sh.closedAtMs === 3100).map((sh) => sh.shardId)).toEqual([id(1), id(2)]);
    expect(h.merge('m', id(1), id(0))).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('has already been merged or split') as unknown });
    expect(ranges(open(unwrap(h.merge('m', id(4), id(3)))))).toEqual([
      [q[0]![0].toString(), q[0]![1].toString()],
      [q[1]![0].toString(), q[3]![1].toString()],
    ]);
  });

  it('re-scales to uniform ranges between half and double, recording every overlapping parent', () => {
    const h = new MetaHarness();
    unwrap(h.create('r', 5));
    // Fifths into thirds: the middle third overlaps three fifths, all of them its parents.
    const thirds = unwrap(h.rescale('r', 3));
    expect(ranges(open(thirds))).toEqual(asStrings(evenRanges(3)));
    expect(open(thirds).map((sh) => [sh.shardId, sh.parents])).toEqual([
      [id(5), [id(0), id(1)]],
      [id(6), [id(1), id(2), id(3)]],
      [id(7), [id(3), id(4)]],
    ]);
    expect(thirds.shards.slice(0, 5).every((sh) => sh.closedAtMs === 4000)).toBe(true);
    expect(h.rescale('r', 7)).toEqual({
      ok: false,
      code: 'OutOfRange',
      message: 'UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 3 Target shard count: 7',
    });
    expect(h.rescale('r', 1)).toEqual({
      ok: false,
      code: 'OutOfRange',
      message: 'UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 3 Target shard count: 1',
    });
    // The same count changes nothing, not even the catalog's version.
    const same = h.apply(encodeCommand({ clientId: 'gw', seq: ++h.seq, timestampMs: 4100, ...encodeMetaCommand({ type: 'stream', command: { type: 'updateShardCount', name: 'r', ...WHO, ...LIMITS, target: 3 } }) }));
    expect(unwrap(decodeStreamResult(same.result))).toEqual(thirds);
    expect(same.ops.filter((o) => o.type === 'delRange' || !(o.key[0] === 0x00 && o.key[1] === 0x64))).toEqual([]);
    const six = unwrap(h.rescale('r', 6, 4200));
    expect(open(six).map((sh) => sh.parents)).toEqual([[id(5)], [id(5)], [id(6)], [id(6)], [id(7)], [id(7)]]);
    expect(six.nextOrdinal).toBe(14);
  });

  it('holds the account to its limit of open shards, whatever adds them', async () => {
    const h = new MetaHarness();
    unwrap(h.create('a', 6, { shardLimit: 10 }));
    expect(h.create('b', 5, { shardLimit: 10 })).toEqual({
      ok: false,
      code: 'OutOfRange',
      message:
        'This request would exceed the shard limit for the account 123456789012 in eu-west-1. Current shard count for the account: 6. Limit: 10. Number of additional shards that would have resulted from this request: 5. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.',
    });
    unwrap(h.create('od', 0, { mode: 'ON_DEMAND', shardLimit: 10 }));
    expect(h.split('a', id(0), 100n, 2000, 10)).toMatchObject({ ok: false, code: 'OutOfRange', message: expect.stringContaining('Current shard count for the account: 10. Limit: 10. Number of additional shards that would have resulted from this request: 1.') as unknown });
    expect(h.rescale('a', 7, 4000, 10)).toMatchObject({ ok: false, code: 'OutOfRange' });
    // Shrinking needs no room; closed shards do not count.
    unwrap(h.rescale('a', 3, 4000, 10));
    unwrap(h.split('a', id(6), 100n, 5000, 10));
    unwrap(h.create('c', 2, { shardLimit: 10 }));
    expect(h.create('d', 1, { shardLimit: 10 })).toMatchObject({ ok: false, code: 'OutOfRange' });
    // Deletion frees the stream's open shards, and the count survives a reload.
    unwrap(h.stream({ type: 'deleteStream', name: 'od', ...WHO, enforceConsumerDeletion: false }));
    await h.restart(new MetaStateMachine());
    unwrap(h.create('d', 4, { shardLimit: 10 }));
    expect(h.create('e', 1, { shardLimit: 10 })).toMatchObject({ ok: false, code: 'OutOfRange', message: expect.stringContaining('Current shard count for the account: 10.') as unknown });
    const total = (await h.placement()).streams.reduce((n, s) => n + open(s).length, 0);
    expect(total).toBe(10);
  });

  it('deletes a stream with its shard groups, once its consumers are gone or forced', async () => {
    const h = new MetaHarness();
    unwrap(h.create('keep', 1));
    const s = unwrap(h.create('gone', 2));
    const split = unwrap(h.split('gone', id(0), BigInt(s.shards[0]!.startingHashKey) + 10n));
    unwrap(h.stream({ type: 'registerConsumer', name: 'gone', ...WHO, consumerName: 'c' }));
    expect(h.stream({ type: 'deleteStream', name: 'gone', ...WHO, enforceConsumerDeletion: false })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    unwrap(h.stream({ type: 'deleteStream', name: 'gone', ...WHO, enforceConsumerDeletion: true }));
    const p = await h.placement();
    expect(p.streams.map((x) => x.name)).toEqual(['keep']);
    const groupIds = new Set(p.groups.map((g) => g.id));
    // Every group the stream ever had, closed shards' included, is given back.
    for (const sh of split.shards) expect(groupIds.has(sh.groupId)).toBe(false);
    expect(p.groups.filter((g) => g.kind === 'stream').map((g) => g.stream)).toEqual(['keep']);
    expect(h.stream({ type: 'deleteStream', name: 'gone', ...WHO, enforceConsumerDeletion: false })).toMatchObject({ ok: false, code: 'NotFound' });
    // A new stream of the same name is a new incarnation with fresh groups.
    const again = unwrap(h.create('gone', 1, {}, 9000));
    expect(again.id).toBeGreaterThan(s.id);
    expect(split.shards.some((sh) => sh.groupId === again.shards[0]!.groupId)).toBe(false);
  });

  it('keeps retention, tags, encryption and consumers within AWS limits', () => {
    const h = new MetaHarness();
    unwrap(h.create('x', 1, { tags: { a: '1' } }));
    const retention = (hours: number, direction: 'increase' | 'decrease') => h.stream({ type: 'setRetention', name: 'x', ...WHO, hours, direction });
    expect(unwrap(retention(48, 'increase')).retentionHours).toBe(48);
    expect(retention(30, 'increase')).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('Use DecreaseRetentionPeriod API.') as unknown });
    expect(retention(72, 'decrease')).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('Use IncreaseRetentionPeriod API.') as unknown });
    expect(retention(23, 'decrease')).toMatchObject({ ok: false, message: 'Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.' });
    expect(retention(8761, 'increase')).toMatchObject({ ok: false, message: 'Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.' });

    const tags = (n: number, from = 0) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${from + i}`, 'v']));
    unwrap(h.stream({ type: 'tagStream', name: 'x', ...WHO, tags: tags(49) }));
    expect(h.stream({ type: 'tagStream', name: 'x', ...WHO, tags: tags(1, 100) })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    // Replacing values of existing keys is always possible.
    expect(unwrap(h.stream({ type: 'tagStream', name: 'x', ...WHO, tags: { a: '2', t0: 'w' } })).tags).toMatchObject({ a: '2', t0: 'w' });
    expect(Object.keys(unwrap(h.stream({ type: 'untagStream', name: 'x', ...WHO, keys: ['a', 'nope'] })).tags)).toHaveLength(49);

    expect(unwrap(h.stream({ type: 'setEncryption', name: 'x', ...WHO, encryption: 'KMS', keyId: 'alias/k' }))).toMatchObject({ encryption: 'KMS', keyId: 'alias/k' });
    expect(unwrap(h.stream({ type: 'setEncryption', name: 'x', ...WHO, encryption: 'NONE' })).keyId).toBeUndefined();

    for (let i = 0; i < 20; i++) unwrap(h.stream({ type: 'registerConsumer', name: 'x', ...WHO, consumerName: `c${i}` }, 6000 + i));
    expect(h.stream({ type: 'registerConsumer', name: 'x', ...WHO, consumerName: 'c0' })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(h.stream({ type: 'registerConsumer', name: 'x', ...WHO, consumerName: 'c20' })).toMatchObject({ ok: false, code: 'OutOfRange' });
    unwrap(h.stream({ type: 'deregisterConsumer', name: 'x', ...WHO, consumerName: 'c3' }));
    expect(h.stream({ type: 'deregisterConsumer', name: 'x', ...WHO, consumerName: 'c3' })).toMatchObject({ ok: false, code: 'NotFound' });
    expect(unwrap(h.stream({ type: 'registerConsumer', name: 'x', ...WHO, consumerName: 'c3' }, 7000)).consumers.find((c) => c.name === 'c3')).toEqual({ name: 'c3', createdAtMs: 7000 });
    expect(h.stream({ type: 'setMode', name: 'nope', ...WHO, mode: 'ON_DEMAND', shardLimit: 10 })).toMatchObject({ ok: false, code: 'NotFound' });
  });

  it('reloads next to the other catalogs of the meta group', async () => {
    const h = new MetaHarness();
    // A queue with a message move task: the catalogs share the meta group's key space.
    unwrap(decodeQueueResult(h.run({ type: 'createQueue', name: 'dlq', attributes: {}, requested: {}, tags: {}, partitions: 1, replicationFactor: 1 }), parseJson));
    unwrap(decodeMoveTaskResult(h.run({ type: 'startMoveTask', handle: 'h1', source: 'dlq', maxPerSecond: 5, toMove: 1 })));
    unwrap(h.create('durable', 2, { tags: { t: 'v' } }));
    unwrap(h.split('durable', id(1), HASH_SPACE - 100n));
    unwrap(h.stream({ type: 'registerConsumer', name: 'durable', ...WHO, consumerName: 'c' }));
    const before = await h.placement();
    const dump = h.store.dump();
    await h.restart(new MetaStateMachine());
    expect(await h.placement()).toEqual(before);
    expect(h.store.dump()).toEqual(dump);
    expect((await h.placement()).queues.map((q) => q.name)).toEqual(['dlq']);
    // Apply goes on from the same state: the next shard takes the next ordinal.
    expect(unwrap(h.split('durable', id(0), 1000n)).shards.slice(-2).map((sh) => sh.shardId)).toEqual([id(4), id(5)]);
  });
});
