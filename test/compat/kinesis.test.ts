// The AWS SDK v3 Kinesis client against the embedded server: every operation Stratus implements,
// with AWS's error codes and, where AWS's wording is on record (kinesalite and moto copied it from
// the service), its messages. Shard lineage through splits, merges and re-scaling, and sequence
// numbers across a restart of the node.
//
// The main block turns the per-shard throughput limits off so that reading a shard several
// times in a second is not throttled; the limits have a block of their own, as does the account's
// shard limit. Everything runs over HTTP/1.1 except one test that keeps the SDK's default HTTP/2.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type _Record as KinesisRecord,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  type Shard,
  SplitShardCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeToken } from '../../nodes/gateway/kinesis/paging.js';
import { decodeIterator, encodeIterator } from '../../nodes/gateway/kinesis/positions.js';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { ROOT, startEmbedded } from './targets.js';
import { signedSend } from './raw-http.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const HASH_SPACE = 1n << 128n;
const MAX_HASH = HASH_SPACE - 1n;
const MiB = 1024 * 1024;

function kinesis(endpoint: string, http2 = false): KinesisClient {
  // HTTP/2 is the SDK's default for Kinesis; everything but one test pins HTTP/1.1.
  return new KinesisClient({ endpoint, region: REGION, credentials: ROOT, maxAttempts: 1, ...(http2 ? {} : { requestHandler: new NodeHttpHandler() }) });
}

/** The error an SDK call rejects with: its name (AWS's code) and message. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** Kinesis routes a record by the MD5 of its partition key, read as a 128-bit unsigned integer. */
const md5Hash = (key: string): bigint => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);

const isOpen = (s: Shard): boolean => s.SequenceNumberRange?.EndingSequenceNumber === undefined;
const holds = (s: Shard, h: bigint): boolean => BigInt(s.HashKeyRange!.StartingHashKey!) <= h && h <= BigInt(s.HashKeyRange!.EndingHashKey!);
const openShardFor = (shards: Shard[], h: bigint): string => {
  const hit = shards.filter((s) => isOpen(s) && holds(s, h));
  expect(hit).toHaveLength(1);
  return hit[0]!.ShardId!;
};
const text = (r: KinesisRecord): string => Buffer.from(r.Data!).toString('utf8');
const seq = (s: string | undefined): bigint => BigInt(s!);
const range = (start: bigint, end: bigint) => ({ StartingHashKey: start.toString(), EndingHashKey: end.toString() });
const shardId = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;
/** The evenly split ranges AWS gives a new stream and a uniform re-scale (the last ends at 2^128 − 1). */
const even = (n: number): { StartingHashKey: string; EndingHashKey: string }[] =>
  Array.from({ length: n }, (_, i) => range((HASH_SPACE * BigInt(i)) / BigInt(n), (HASH_SPACE * BigInt(i + 1)) / BigInt(n) - 1n));

describe('Kinesis on the embedded server', () => {
  let target: Awaited<ReturnType<typeof startEmbedded>>;
  let k: KinesisClient;
  beforeAll(async () => {
    target = await startEmbedded(['--account-id', ACCOUNT, '--kinesis-limits', 'off']);
    k = kinesis(target.endpoint);
  }, 60_000);
  afterAll(async () => {
    k?.destroy();
    await target?.stop();
  }, 30_000);

  const create = (StreamName: string, ShardCount: number): Promise<unknown> => k.send(new CreateStreamCommand({ StreamName, ShardCount }));
  const shardsOf = async (StreamName: string): Promise<Shard[]> => (await k.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
  const arnOf = (name: string): string => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
  const iterator = async (input: GetShardIteratorCommandInput): Promise<string> => (await k.send(new GetShardIteratorCommand(input))).ShardIterator!;
  /** Every record from a position to the shard's tip (or end), following NextShardIterator. */
  const readAll = async (StreamName: string, ShardId: string, from: Partial<GetShardIteratorCommandInput> = {}): Promise<{ records: KinesisRecord[]; last: GetRecordsCommandOutput }> => {
    let it: string | undefined = await iterator({ StreamName, ShardId, ShardIteratorType: 'TRIM_HORIZON', ...from });
    const records: KinesisRecord[] = [];
    for (;;) {
      const out: GetRecordsCommandOutput = await k.send(new GetRecordsCommand({ ShardIterator: it }));
      records.push(...(out.Records ?? []));
      it = out.NextShardIterator;
      if (it === undefined || (out.Records ?? []).length === 0) return { records, last: out };
    }
  };

  it('creates a provisioned stream with evenly split hash key ranges', async () => {
    await create('orders', 3);
    const summary = (await k.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }))).StreamDescriptionSummary!;
    expect(summary).toMatchObject({
      StreamName: 'orders',
      StreamARN: arnOf('orders'),
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 24,
      EncryptionType: 'NONE',
      OpenShardCount: 3,
      ConsumerCount: 0,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    });
    expect(summary.KeyId).toBeUndefined();
    expect(Math.abs(summary.StreamCreationTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);

    const d = (await k.send(new DescribeStreamCommand({ StreamName: 'orders' }))).StreamDescription!;
    expect(d).toMatchObject({ StreamName: 'orders', StreamARN: arnOf('orders'), StreamStatus: 'ACTIVE', HasMoreShards: false, RetentionPeriodHours: 24, EncryptionType: 'NONE' });
    expect(d.Shards!.map((s) => s.ShardId)).toEqual([shardId(0), shardId(1), shardId(2)]);
    expect(d.Shards!.map((s) => s.HashKeyRange)).toEqual(even(3));
    for (const s of d.Shards!) {
      expect(s.ParentShardId).toBeUndefined();
      expect(s.SequenceNumberRange!.StartingSequenceNumber).toMatch(/^\d+$/);
      expect(s.SequenceNumberRange!.EndingSequenceNumber).toBeUndefined();
    }
    // The ARN addresses the stream as well as the name; both together must agree.
    expect((await k.send(new DescribeStreamSummaryCommand({ StreamARN: arnOf('orders') }))).StreamDescriptionSummary!.StreamName).toBe('orders');
    expect((await failure(k.send(new DescribeStreamSummaryCommand({ StreamName: 'other', StreamARN: arnOf('orders') })))).name).toBe('InvalidArgumentException');
  });

  it('refuses a duplicate name, invalid names and shard counts', async () => {
    await create('dupe', 1);
    expect(await failure(create('dupe', 2))).toMatchObject({ name: 'ResourceInUseException', message: `Stream dupe under account ${ACCOUNT} already exists.`, status: 400 });
    expect(await failure(create('bad name!', 1))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    });
    const long = 'a'.repeat(129);
    expect(await failure(create(long, 1))).toMatchObject({
      name: 'ValidationException',
      message: `1 validation error detected: Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    });
    expect(await failure(create('zero', 0))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    // Every violated constraint is listed in one answer.
    expect(await failure(create('', 0))).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^3 validation errors detected: /) as unknown });
    expect((await failure(k.send(new CreateStreamCommand({ StreamName: 'no-count' })))).name).toBe('InvalidArgumentException');
    expect((await failure(k.send(new DescribeStreamCommand({ StreamName: 'no-count' }))))).toMatchObject({ name: 'ResourceNotFoundException', message: `Stream no-count under account ${ACCOUNT} not found.` });
  });

  it('creates an on-demand stream with four shards and switches capacity modes', async () => {
    await k.send(new CreateStreamCommand({ StreamName: 'elastic', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    const summary = (await k.send(new DescribeStreamSummaryCommand({ StreamName: 'elastic' }))).StreamDescriptionSummary!;
    expect(summary).toMatchObject({ StreamModeDetails: { StreamMode: 'ON_DEMAND' }, OpenShardCount: 4 });
    expect((await shardsOf('elastic')).map((s) => s.HashKeyRange)).toEqual(even(4));
    expect((await failure(k.send(new CreateStreamCommand({ StreamName: 'elastic-2', ShardCount: 2, StreamModeDetails: { StreamMode: 'ON_DEMAND' } })))).name).toBe('InvalidArgumentException');
    // AWS re-scales on-demand streams itself: UpdateShardCount is for provisioned ones.
    expect(await failure(k.send(new UpdateShardCountCommand({ StreamName: 'elastic', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })))).toMatchObject({
      name: 'ValidationException',
      message: `Request is invalid. Stream elastic under account ${ACCOUNT} is in On-Demand mode.`,
    });
    await k.send(new UpdateStreamModeCommand({ StreamARN: arnOf('elastic'), StreamModeDetails: { StreamMode: 'PROVISIONED' } }));
    expect((await k.send(new DescribeStreamSummaryCommand({ StreamName: 'elastic' }))).StreamDescriptionSummary!.StreamModeDetails).toEqual({ StreamMode: 'PROVISIONED' });
    expect((await k.send(new UpdateShardCountCommand({ StreamName: 'elastic', TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' }))).TargetShardCount).toBe(8);
    await k.send(new UpdateStreamModeCommand({ StreamARN: arnOf('elastic'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    expect((await k.send(new DescribeStreamCommand({ StreamName: 'elastic' }))).StreamDescription!.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect((await failure(k.send(new UpdateStreamModeCommand({ StreamARN: arnOf('nowhere'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } })))).name).toBe('ResourceNotFoundException');
  });

  it('pages DescribeStream with Limit and ExclusiveStartShardId', async () => {
    await create('paged', 5);
    const page = async (Limit: number, ExclusiveStartShardId?: string) => (await k.send(new DescribeStreamCommand({ StreamName: 'paged', Limit, ExclusiveStartShardId }))).StreamDescription!;
    const p1 = await page(2);
    expect(p1.Shards!.map((s) => s.ShardId)).toEqual([shardId(0), shardId(1)]);
    expect(p1.HasMoreShards).toBe(true);
    const p2 = await page(2, shardId(1));
    expect(p2.Shards!.map((s) => s.ShardId)).toEqual([shardId(2), shardId(3)]);
    expect(p2.HasMoreShards).toBe(true);
    const p3 = await page(2, shardId(3));
    expect(p3.Shards!.map((s) => s.ShardId)).toEqual([shardId(4)]);
    expect(p3.HasMoreShards).toBe(false);
    expect((await page(100)).Shards).toHaveLength(5);
    expect((await failure(page(0))).name).toBe('ValidationException');
  });

  it('pages ListStreams with Limit, ExclusiveStartStreamName and NextToken', async () => {
    for (const n of ['lst-a', 'lst-b', 'lst-c']) await create(n, 1);
    const all = (await k.send(new ListStreamsCommand({}))).StreamNames!;
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining(['lst-a', 'lst-b', 'lst-c']));
    // One name a page, following NextToken, lists the same names in the same order.
    const paged: string[] = [];
    let next: string | undefined;
    do {
      const out = await k.send(new ListStreamsCommand({ Limit: 1, ...(next === undefined ? {} : { NextToken: next }) }));
      expect(out.StreamNames).toHaveLength(1);
      expect(out.StreamSummaries!.map((s) => s.StreamName)).toEqual(out.StreamNames);
      expect(out.HasMoreStreams).toBe(out.NextToken !== undefined);
      paged.push(...out.StreamNames!);
      next = out.NextToken;
    } while (next !== undefined);
    expect(paged).toEqual(all);
    const after = await k.send(new ListStreamsCommand({ ExclusiveStartStreamName: 'lst-a', Limit: 2 }));
    expect(after.StreamNames).toEqual(['lst-b', 'lst-c']);
    expect(after.HasMoreStreams).toBe(all.indexOf('lst-c') < all.length - 1);
    expect(after.StreamSummaries![0]).toMatchObject({ StreamName: 'lst-b', StreamARN: arnOf('lst-b'), StreamStatus: 'ACTIVE', StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    expect(after.StreamSummaries![0]!.StreamCreationTimestamp).toBeInstanceOf(Date);
    expect((await failure(k.send(new ListStreamsCommand({ NextToken: 'not-a-token' })))).name).toBe('InvalidArgumentException');
    expect((await failure(k.send(new ListStreamsCommand({ NextToken: encodeToken('streams', 'lst-a', Date.now() - 301_000) })))).name).toBe('ExpiredNextTokenException');
    expect((await failure(k.send(new ListStreamsCommand({ Limit: 0 })))).name).toBe('ValidationException');
  });

  it('routes PutRecord by the MD5 of the partition key, or by ExplicitHashKey', async () => {
    await create('routing', 4);
    const shards = await shardsOf('routing');
    const placed = new Map<string, string[]>();
    for (let i = 0; i < 40; i++) {
      const key = `customer-${i}`;
      const r = await k.send(new PutRecordCommand({ StreamName: 'routing', PartitionKey: key, Data: Buffer.from(key) }));
      expect(r.ShardId).toBe(openShardFor(shards, md5Hash(key)));
      expect(r.EncryptionType).toBe('NONE');
      placed.set(r.ShardId!, [...(placed.get(r.ShardId!) ?? []), key]);
    }
    expect(placed.size).toBe(4);
    // Each shard holds exactly the keys routed to it, in the order they were written.
    for (const s of shards) expect((await readAll('routing', s.ShardId!)).records.map(text)).toEqual(placed.get(s.ShardId!));
    // ExplicitHashKey overrides the partition key's hash: both ends of every range land in it.
    for (const s of shards) {
      for (const h of [s.HashKeyRange!.StartingHashKey!, s.HashKeyRange!.EndingHashKey!]) {
        expect((await k.send(new PutRecordCommand({ StreamName: 'routing', PartitionKey: 'customer-0', ExplicitHashKey: h, Data: Buffer.from('x') }))).ShardId).toBe(s.ShardId);
      }
    }
    expect(await failure(k.send(new PutRecordCommand({ StreamName: 'routing', PartitionKey: 'p', ExplicitHashKey: HASH_SPACE.toString(), Data: Buffer.from('x') })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${HASH_SPACE}`,
    });
    expect(await failure(k.send(new PutRecordCommand({ StreamName: 'routing', PartitionKey: 'p', ExplicitHashKey: 'abc', Data: Buffer.from('x') })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'abc' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
    });
    // StreamARN addresses the stream too.
    expect((await k.send(new PutRecordCommand({ StreamARN: arnOf('routing'), PartitionKey: 'customer-1', Data: Buffer.from('x') }))).ShardId).toBe(openShardFor(shards, md5Hash('customer-1')));
    expect(await failure(k.send(new PutRecordCommand({ StreamName: 'nowhere', PartitionKey: 'p', Data: Buffer.from('x') })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Stream nowhere under account ${ACCOUNT} not found.`,
    });
  });

  it('takes records up to 1 MiB of data and partition key, and refuses larger ones', async () => {
    await create('sizes', 1);
    // Data plus partition key up to exactly 1 MiB is accepted and read back whole.
    const big = Buffer.alloc(MiB - 1, 7);
    const ok = await k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: 'k', Data: big }));
    const [back] = (await readAll('sizes', ok.ShardId!)).records;
    expect(Buffer.from(back!.Data!).equals(big)).toBe(true);
    expect(await failure(k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: 'k', Data: Buffer.alloc(MiB + 1) })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: 'kk', Data: Buffer.alloc(MiB - 1) })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
    });
    expect(await failure(k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: '', Data: Buffer.from('x') })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    expect((await failure(k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: 'p'.repeat(257), Data: Buffer.from('x') })))).name).toBe('ValidationException');
    // Lengths count characters (code points): 256 four-byte ones are a valid key of 1 KiB.
    expect((await k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: '😀'.repeat(256), Data: Buffer.from('x') }))).ShardId).toBe(shardId(0));
    expect((await failure(k.send(new PutRecordCommand({ StreamName: 'sizes', PartitionKey: '😀'.repeat(257), Data: Buffer.from('x') })))).name).toBe('ValidationException');
  });

  it('puts up to 500 records in one PutRecords call, in order within each shard', async () => {
    await create('batch', 2);
    const shards = await shardsOf('batch');
    const records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `key-${i % 37}`, Data: Buffer.from(`record-${i}`) }));
    const out = await k.send(new PutRecordsCommand({ StreamName: 'batch', Records: records }));
    expect(out.FailedRecordCount).toBe(0);
    expect(out.EncryptionType).toBe('NONE');
    expect(out.Records).toHaveLength(500);
    out.Records!.forEach((r, i) => {
      expect(r.ShardId).toBe(openShardFor(shards, md5Hash(records[i]!.PartitionKey)));
      expect(r.ErrorCode).toBeUndefined();
    });
    for (const s of shards) {
      const mine = out.Records!.map((r, i) => ({ r, i })).filter(({ r }) => r.ShardId === s.ShardId);
      // Sequence numbers grow in request order within a shard, and reads return that order.
      const seqs = mine.map(({ r }) => seq(r.SequenceNumber));
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(seqs).size).toBe(seqs.length);
      const read = (await readAll('batch', s.ShardId!)).records;
      expect(read.map(text)).toEqual(mine.map(({ i }) => `record-${i}`));
      expect(read.map((r) => r.SequenceNumber)).toEqual(mine.map(({ r }) => r.SequenceNumber));
      expect(read.map((r) => r.PartitionKey)).toEqual(mine.map(({ i }) => records[i]!.PartitionKey));
    }
    const many = Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('x') }));
    expect(await failure(k.send(new PutRecordsCommand({ StreamName: 'batch', Records: many })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
    });
    expect(await failure(k.send(new PutRecordsCommand({ StreamName: 'batch', Records: [] })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    const oversized = [{ PartitionKey: 'a', Data: Buffer.from('x') }, { PartitionKey: 'b', Data: Buffer.alloc(MiB) }];
    expect(await failure(k.send(new PutRecordsCommand({ StreamName: 'batch', Records: oversized })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
    });
    // 5 MiB exactly is the most one request carries.
    const five = Array.from({ length: 5 }, (_, i) => ({ PartitionKey: String(i), Data: Buffer.alloc(MiB - 1) }));
    expect(await failure(k.send(new PutRecordsCommand({ StreamName: 'batch', Records: [...five, { PartitionKey: 'x', Data: Buffer.from('y') }] })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Records size exceeds 5 MB limit',
    });
    expect((await k.send(new PutRecordsCommand({ StreamName: 'batch', Records: five }))).FailedRecordCount).toBe(0);
  });

  it('numbers records with increasing sequence numbers within a shard', async () => {
    await create('numbering', 2);
    const seqs: bigint[] = [];
    let shard: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await k.send(new PutRecordCommand({ StreamName: 'numbering', PartitionKey: 'same', Data: Buffer.from(String(i)), SequenceNumberForOrdering: seqs.length > 0 ? seqs[seqs.length - 1]!.toString() : undefined }));
      shard ??= r.ShardId;
      expect(r.ShardId).toBe(shard);
      seqs.push(seq(r.SequenceNumber));
    }
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
    const described = (await shardsOf('numbering')).find((s) => s.ShardId === shard)!;
    expect(seq(described.SequenceNumberRange!.StartingSequenceNumber) <= seqs[0]!).toBe(true);
  });

  it('positions iterators at TRIM_HORIZON, LATEST, sequence numbers and timestamps', async () => {
    await create('positions', 2);
    const [s0, s1] = await shardsOf('positions');
    const put = async (i: number) => k.send(new PutRecordCommand({ StreamName: 'positions', PartitionKey: `p${i}`, ExplicitHashKey: '0', Data: Buffer.from(`r${i}`) }));
    const written = [];
    for (let i = 0; i < 5; i++) written.push(await put(i));
    const other = await k.send(new PutRecordCommand({ StreamName: 'positions', PartitionKey: 'x', ExplicitHashKey: s1!.HashKeyRange!.StartingHashKey, Data: Buffer.from('other') }));
    const all = (await readAll('positions', s0!.ShardId!)).records;
    expect(all.map(text)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(all.map((r) => r.SequenceNumber)).toEqual(written.map((w) => w.SequenceNumber));
    const from = async (input: Partial<GetShardIteratorCommandInput>) => (await readAll('positions', s0!.ShardId!, input)).records.map(text);

    expect(await from({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: written[2]!.SequenceNumber })).toEqual(['r2', 'r3', 'r4']);
    expect(await from({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: written[2]!.SequenceNumber })).toEqual(['r3', 'r4']);
    expect(await from({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: written[4]!.SequenceNumber })).toEqual([]);
    // AT_TIMESTAMP starts at the first record that arrived at or after the time.
    const arrivals = all.map((r) => r.ApproximateArrivalTimestamp!.getTime());
    // A time after the last record must not be in the future, which GetShardIterator refuses.
    while (Date.now() <= arrivals[4]! + 1) await new Promise((r) => setImmediate(r));
    for (const ts of [arrivals[2]!, arrivals[0]! - 1, arrivals[4]! + 1]) {
      expect(await from({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(ts) })).toEqual(all.filter((_, i) => arrivals[i]! >= ts).map(text));
    }

    // LATEST reads only what is written after the iterator was taken.
    const latest = await iterator({ StreamName: 'positions', ShardId: s0!.ShardId!, ShardIteratorType: 'LATEST' });
    const empty = await k.send(new GetRecordsCommand({ ShardIterator: latest }));
    expect(empty.Records).toEqual([]);
    await put(5);
    expect((await k.send(new GetRecordsCommand({ ShardIterator: latest }))).Records!.map(text)).toEqual(['r5']);

    const gsi = (input: Partial<GetShardIteratorCommandInput>) => k.send(new GetShardIteratorCommand({ StreamName: 'positions', ShardId: s0!.ShardId!, ShardIteratorType: 'TRIM_HORIZON', ...input }));
    expect(await failure(gsi({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: other.SequenceNumber }))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `Invalid StartingSequenceNumber. It encodes ${shardId(1)}, while it was used in a call to a shard with ${shardId(0)}`,
    });
    expect(await failure(gsi({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '123' }))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `StartingSequenceNumber 123 used in GetShardIterator on shard ${shardId(0)} in stream positions under account ${ACCOUNT} is invalid.`,
    });
    expect(await failure(gsi({ ShardIteratorType: 'AT_SEQUENCE_NUMBER' }))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.',
    });
    expect(await failure(gsi({ ShardIteratorType: 'TRIM_HORIZON', StartingSequenceNumber: written[0]!.SequenceNumber }))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified TRIM_HORIZON and also a StartingSequenceNumber.',
    });
    expect(await failure(gsi({ ShardIteratorType: 'AT_TIMESTAMP' }))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
    });
    const future = Date.now() + 3_600_000;
    expect(await failure(gsi({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(future) }))).toMatchObject({
      name: 'InvalidArgumentException',
      message: expect.stringMatching(new RegExp(`^The timestampInMillis parameter cannot be greater than the currentTimestampInMillis\\. timestampInMillis: ${future}, currentTimestampInMillis: \\d+$`)) as unknown,
    });
    expect(await failure(gsi({ ShardId: shardId(9) }))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Shard ${shardId(9)} in stream positions under account ${ACCOUNT} does not exist`,
    });
    expect((await failure(gsi({ ShardIteratorType: 'NEWEST' as 'LATEST' }))).name).toBe('ValidationException');
    expect((await failure(k.send(new GetShardIteratorCommand({ StreamName: 'nowhere', ShardId: shardId(0), ShardIteratorType: 'LATEST' })))).name).toBe('ResourceNotFoundException');
  });

  it('reads with GetRecords: Limit, chained iterators, MillisBehindLatest, bad and expired iterators', async () => {
    await create('reads', 1);
    for (let i = 0; i < 5; i++) await k.send(new PutRecordCommand({ StreamName: 'reads', PartitionKey: 'k', Data: Buffer.from(`m${i}`) }));
    let it = await iterator({ StreamName: 'reads', ShardId: shardId(0), ShardIteratorType: 'TRIM_HORIZON' });
    const pages: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const out = await k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
      pages.push(out.Records!.map(text));
      expect(out.NextShardIterator).toBeDefined();
      expect(out.ChildShards).toBeUndefined();
      // Behind the tip until the last record is returned; at the tip it is 0.
      if (i >= 2) expect(out.MillisBehindLatest).toBe(0);
      else expect(out.MillisBehindLatest).toBeGreaterThanOrEqual(0);
      for (const r of out.Records!) {
        expect(r.PartitionKey).toBe('k');
        expect(r.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
        expect(r.EncryptionType).toBeUndefined();
      }
      it = out.NextShardIterator!;
    }
    expect(pages).toEqual([['m0', 'm1'], ['m2', 'm3'], ['m4'], []]);
    // The iterator at the tip picks up what is written next.
    await k.send(new PutRecordCommand({ StreamName: 'reads', PartitionKey: 'k', Data: Buffer.from('m5') }));
    expect((await k.send(new GetRecordsCommand({ ShardIterator: it }))).Records!.map(text)).toEqual(['m5']);

    expect((await failure(k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 0 })))).name).toBe('ValidationException');
    expect(await failure(k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_001 })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
    });
    // An iterator is opaque and sealed: any change to it is refused.
    const raw = Buffer.from(it, 'base64').toString('utf8');
    const tampered = Buffer.from(raw.replace(/^1\|(\d+)\|(\d+)\|(\d+)\|/, (_m, a: string, b: string, c: string) => `1|${a}|${b}|${Number(c) + 1}|`)).toString('base64');
    expect(tampered).not.toBe(it);
    expect(await failure(k.send(new GetRecordsCommand({ ShardIterator: tampered })))).toMatchObject({ name: 'InvalidArgumentException', message: 'Invalid ShardIterator.' });
    expect(await failure(k.send(new GetRecordsCommand({ ShardIterator: 'bm90IGFuIGl0ZXJhdG9y' })))).toMatchObject({ name: 'InvalidArgumentException', message: 'Invalid ShardIterator.' });
    // Iterators expire five minutes after they were issued.
    const issued = Date.now() - 300_001;
    const expired = encodeIterator({ ...decodeIterator(it, Date.now()), issuedAtMs: issued });
    const e = await failure(k.send(new GetRecordsCommand({ ShardIterator: expired })));
    expect(e.name).toBe('ExpiredIteratorException');
    const utc = (ms: number): string => {
      const [, day, date, month, year, time] = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(new Date(ms).toUTCString())!;
      return `${day} ${month} ${date} ${time} UTC ${year}`;
    };
    expect(e.message).toMatch(new RegExp(`^Iterator expired\\. The iterator was created at time ${utc(issued)} while right now it is \\w{3} \\w{3} \\d{2} [\\d:]{8} UTC \\d{4} which is further in the future than the tolerated delay of 300000 milliseconds\\.$`));
    // An iterator of a stream that was deleted (or deleted and re-created) names nothing.
    await k.send(new DeleteStreamCommand({ StreamName: 'reads' }));
    expect((await failure(k.send(new GetRecordsCommand({ ShardIterator: it })))).name).toBe('ResourceNotFoundException');
    await create('reads', 1);
    expect((await failure(k.send(new GetRecordsCommand({ ShardIterator: it })))).name).toBe('ResourceNotFoundException');
  });

  it('lists shards with every ShardFilter type and pages with MaxResults and NextToken', async () => {
    await create('filters', 2);
    const created = (await k.send(new DescribeStreamSummaryCommand({ StreamName: 'filters' }))).StreamDescriptionSummary!.StreamCreationTimestamp!.getTime();
    // The split must be stamped after the creation for AT_TIMESTAMP to tell the two apart.
    while (Date.now() <= created) await new Promise((r) => setImmediate(r));
    await k.send(new SplitShardCommand({ StreamName: 'filters', ShardToSplit: shardId(0), NewStartingHashKey: (1n << 126n).toString() }));
    const splitDone = Date.now();
    while (Date.now() <= splitDone) await new Promise((r) => setImmediate(r));
    const list = async (input: Partial<ListShardsCommandInput>) => (await k.send(new ListShardsCommand({ StreamName: 'filters', ...input }))).Shards!.map((s) => s.ShardId);
    const ids = (...n: number[]) => n.map(shardId);
    expect(await list({})).toEqual(ids(0, 1, 2, 3));
    expect(await list({ ShardFilter: { Type: 'FROM_TRIM_HORIZON' } })).toEqual(ids(0, 1, 2, 3));
    expect(await list({ ShardFilter: { Type: 'AT_TRIM_HORIZON' } })).toEqual(ids(0, 1));
    expect(await list({ ShardFilter: { Type: 'AT_LATEST' } })).toEqual(ids(1, 2, 3));
    expect(await list({ ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: shardId(1) } })).toEqual(ids(2, 3));
    expect(await list({ ExclusiveStartShardId: shardId(2) })).toEqual(ids(3));
    expect(await list({ ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(created) } })).toEqual(ids(0, 1));
    expect(await list({ ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(splitDone + 1) } })).toEqual(ids(1, 2, 3));
    expect(await list({ ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(created) } })).toEqual(ids(0, 1, 2, 3));
    expect(await list({ ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(splitDone + 1) } })).toEqual(ids(1, 2, 3));
    expect((await failure(list({ ShardFilter: { Type: 'AFTER_SHARD_ID' } }))).name).toBe('InvalidArgumentException');
    expect((await failure(list({ ShardFilter: { Type: 'AT_TIMESTAMP' } }))).name).toBe('InvalidArgumentException');
    expect((await failure(list({ ShardFilter: { Type: 'SOMETIME' as 'AT_LATEST' } }))).name).toBe('ValidationException');

    // Paging: one shard a page; the token carries the stream and the filter.
    const paged: string[] = [];
    let out = await k.send(new ListShardsCommand({ StreamName: 'filters', MaxResults: 1, ShardFilter: { Type: 'AT_LATEST' } }));
    paged.push(...out.Shards!.map((s) => s.ShardId!));
    while (out.NextToken !== undefined) {
      const token: string = out.NextToken;
      out = await k.send(new ListShardsCommand({ NextToken: token, MaxResults: 1 }));
      paged.push(...out.Shards!.map((s) => s.ShardId!));
    }
    expect(paged).toEqual(ids(1, 2, 3));
    const first = await k.send(new ListShardsCommand({ StreamName: 'filters', MaxResults: 2 }));
    expect(first.Shards!.map((s) => s.ShardId)).toEqual(ids(0, 1));
    expect(await failure(k.send(new ListShardsCommand({ StreamName: 'filters', NextToken: first.NextToken })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'NextToken and StreamName cannot be provided together.',
    });
    expect((await failure(k.send(new ListShardsCommand({ NextToken: 'garbage' })))).name).toBe('InvalidArgumentException');
    const stale = encodeToken('shards', JSON.stringify({ s: 'filters', a: shardId(0) }), Date.now() - 301_000);
    expect((await failure(k.send(new ListShardsCommand({ NextToken: stale })))).name).toBe('ExpiredNextTokenException');
    expect((await failure(k.send(new ListShardsCommand({})))).name).toBe('InvalidArgumentException');
    expect((await failure(k.send(new ListShardsCommand({ StreamName: 'filters', MaxResults: 0 })))).name).toBe('ValidationException');
  });

  it('splits and merges shards with lineage, closing the parents', async () => {
    await create('lineage', 2);
    const [p0, p1] = await shardsOf('lineage');
    const quarter = 1n << 126n;
    const half = 1n << 127n;
    const put = (key: string, h: bigint) => k.send(new PutRecordCommand({ StreamName: 'lineage', PartitionKey: key, ExplicitHashKey: h.toString(), Data: Buffer.from(key) }));
    const before = [await put('before-0', 1n), await put('before-1', quarter + 5n), await put('before-2', 7n)];
    expect(before.map((r) => r.ShardId)).toEqual([p0!.ShardId, p0!.ShardId, p0!.ShardId]);
    await put('other', half);

    await k.send(new SplitShardCommand({ StreamName: 'lineage', ShardToSplit: shardId(0), NewStartingHashKey: quarter.toString() }));
    let shards = (await k.send(new DescribeStreamCommand({ StreamName: 'lineage' }))).StreamDescription!.Shards!;
    expect(shards.map((s) => s.ShardId)).toEqual([shardId(0), shardId(1), shardId(2), shardId(3)]);
    // The parent is closed at its last record; the children split its range at the new key.
    expect(shards[0]!.SequenceNumberRange!.EndingSequenceNumber).toBe(before[2]!.SequenceNumber);
    expect(shards[0]!.HashKeyRange).toEqual(p0!.HashKeyRange);
    expect(isOpen(shards[1]!)).toBe(true);
    expect(shards[2]).toMatchObject({ ParentShardId: shardId(0), HashKeyRange: range(0n, quarter - 1n) });
    expect(shards[3]).toMatchObject({ ParentShardId: shardId(0), HashKeyRange: range(quarter, half - 1n) });
    for (const c of [shards[2]!, shards[3]!]) {
      expect(c.AdjacentParentShardId).toBeUndefined();
      expect(isOpen(c)).toBe(true);
      expect(seq(c.SequenceNumberRange!.StartingSequenceNumber) > seq(before[2]!.SequenceNumber)).toBe(true);
    }
    expect((await k.send(new DescribeStreamSummaryCommand({ StreamName: 'lineage' }))).StreamDescriptionSummary!.OpenShardCount).toBe(3);

    // Writes now land in the children, by explicit hash and by the MD5 of the key alike.
    expect((await put('after-low', 1n)).ShardId).toBe(shardId(2));
    expect((await put('after-high', quarter)).ShardId).toBe(shardId(3));
    for (let i = 0; i < 20; i++) {
      const key = `after-${i}`;
      const r = await k.send(new PutRecordCommand({ StreamName: 'lineage', PartitionKey: key, Data: Buffer.from(key) }));
      expect(r.ShardId).toBe(openShardFor(shards, md5Hash(key)));
      expect(r.ShardId).not.toBe(shardId(0));
    }

    // The parent still serves what it took before the split, then hands over to its children.
    let it = await iterator({ StreamName: 'lineage', ShardId: shardId(0), ShardIteratorType: 'TRIM_HORIZON' });
    const first = await k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
    expect(first.Records!.map(text)).toEqual(['before-0', 'before-1']);
    expect(first.ChildShards).toBeUndefined();
    it = first.NextShardIterator!;
    const end = await k.send(new GetRecordsCommand({ ShardIterator: it }));
    expect(end.Records!.map(text)).toEqual(['before-2']);
    expect(end.NextShardIterator).toBeUndefined();
    expect(end.ChildShards).toEqual([
      { ShardId: shardId(2), ParentShards: [shardId(0)], HashKeyRange: range(0n, quarter - 1n) },
      { ShardId: shardId(3), ParentShards: [shardId(0)], HashKeyRange: range(quarter, half - 1n) },
    ]);
    const atEnd = await k.send(new GetRecordsCommand({ ShardIterator: await iterator({ StreamName: 'lineage', ShardId: shardId(0), ShardIteratorType: 'LATEST' }) }));
    expect(atEnd.Records).toEqual([]);
    expect(atEnd.NextShardIterator).toBeUndefined();
    expect(atEnd.ChildShards!.map((c) => c.ShardId)).toEqual([shardId(2), shardId(3)]);

    const split = (ShardToSplit: string, NewStartingHashKey: string) => k.send(new SplitShardCommand({ StreamName: 'lineage', ShardToSplit, NewStartingHashKey }));
    const closedMessage = (id: string) => `Shard ${id} in stream lineage under account ${ACCOUNT} has already been merged or split, and thus is not eligible for merging or splitting.`;
    expect(await failure(split(shardId(0), '5'))).toMatchObject({ name: 'InvalidArgumentException', message: closedMessage(shardId(0)) });
    const tooLow = (half + 1n).toString();
    expect(await failure(split(shardId(1), tooLow))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `NewStartingHashKey ${tooLow} used in SplitShard() on shard ${shardId(1)} in stream lineage under account ${ACCOUNT} is not both greater than one plus the shard's StartingHashKey ${half} and less than the shard's EndingHashKey ${MAX_HASH}.`,
    });
    expect((await failure(split(shardId(1), MAX_HASH.toString()))).name).toBe('InvalidArgumentException');
    expect(await failure(split(shardId(99), half.toString()))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Could not find shard ${shardId(99)} in stream lineage under account ${ACCOUNT}.`,
    });
    expect(await failure(split(shardId(1), 'abc'))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'abc' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
    });

    const merge = (ShardToMerge: string, AdjacentShardToMerge: string) => k.send(new MergeShardsCommand({ StreamName: 'lineage', ShardToMerge, AdjacentShardToMerge }));
    expect(await failure(merge(shardId(2), shardId(1)))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `Shards ${shardId(2)} and ${shardId(1)} in stream lineage under account ${ACCOUNT} are not an adjacent pair of shards eligible for merging`,
    });
    expect(await failure(merge(shardId(0), shardId(1)))).toMatchObject({ name: 'InvalidArgumentException', message: closedMessage(shardId(0)) });
    expect(await failure(merge(shardId(3), shardId(42)))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Could not find shard ${shardId(42)} in stream lineage under account ${ACCOUNT}.`,
    });

    const lastOf2 = (await readAll('lineage', shardId(2))).records.at(-1)!;
    const lastOf3 = (await readAll('lineage', shardId(3))).records.at(-1)!;
    await merge(shardId(2), shardId(3));
    shards = await shardsOf('lineage');
    expect(shards.map((s) => s.ShardId)).toEqual([shardId(0), shardId(1), shardId(2), shardId(3), shardId(4)]);
    expect(shards[2]!.SequenceNumberRange!.EndingSequenceNumber).toBe(lastOf2.SequenceNumber);
    expect(shards[3]!.SequenceNumberRange!.EndingSequenceNumber).toBe(lastOf3.SequenceNumber);
    expect(shards[4]).toMatchObject({ ShardId: shardId(4), ParentShardId: shardId(2), AdjacentParentShardId: shardId(3), HashKeyRange: range(0n, half - 1n) });
    expect(isOpen(shards[4]!)).toBe(true);
    expect((await put('merged', quarter)).ShardId).toBe(shardId(4));
    const tail = await readAll('lineage', shardId(3), { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: lastOf3.SequenceNumber });
    expect(tail.records).toEqual([expect.objectContaining({ SequenceNumber: lastOf3.SequenceNumber })]);
    expect(tail.last.ChildShards).toEqual([{ ShardId: shardId(4), ParentShards: [shardId(2), shardId(3)], HashKeyRange: range(0n, half - 1n) }]);
    expect((await readAll('lineage', shardId(4))).records.map(text)).toEqual(['merged']);
    expect(await failure(merge(shardId(2), shardId(4)))).toMatchObject({ name: 'InvalidArgumentException', message: closedMessage(shardId(2)) });
  });

  it('re-scales uniformly with UpdateShardCount, up to double and down to half', async () => {
    await create('rescale', 2);
    const up = await k.send(new UpdateShardCountCommand({ StreamName: 'rescale', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    expect(up).toMatchObject({ StreamName: 'rescale', StreamARN: arnOf('rescale'), CurrentShardCount: 2, TargetShardCount: 4 });
    let shards = await shardsOf('rescale');
    expect(shards.filter(isOpen).map((s) => s.HashKeyRange)).toEqual(even(4));
    expect(shards.filter((s) => !isOpen(s)).map((s) => s.ShardId)).toEqual([shardId(0), shardId(1)]);
    expect(shards.slice(2).map((s) => [s.ShardId, s.ParentShardId, s.AdjacentParentShardId])).toEqual([
      [shardId(2), shardId(0), undefined],
      [shardId(3), shardId(0), undefined],
      [shardId(4), shardId(1), undefined],
      [shardId(5), shardId(1), undefined],
    ]);

    const down = await k.send(new UpdateShardCountCommand({ StreamName: 'rescale', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
    expect(down).toMatchObject({ CurrentShardCount: 4, TargetShardCount: 2 });
    shards = await shardsOf('rescale');
    expect(shards.filter(isOpen).map((s) => [s.ShardId, s.ParentShardId, s.AdjacentParentShardId, s.HashKeyRange])).toEqual([
      [shardId(6), shardId(2), shardId(3), even(2)[0]],
      [shardId(7), shardId(4), shardId(5), even(2)[1]],
    ]);

    const update = (TargetShardCount: number) => k.send(new UpdateShardCountCommand({ StreamName: 'rescale', TargetShardCount, ScalingType: 'UNIFORM_SCALING' }));
    expect(await failure(update(5))).toMatchObject({
      name: 'LimitExceededException',
      message: 'UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 2 Target shard count: 5',
    });
    // A count that is not a multiple: the middle shard straddles both parents.
    await update(3);
    shards = (await shardsOf('rescale')).filter(isOpen);
    expect(shards.map((s) => [s.ShardId, s.ParentShardId, s.AdjacentParentShardId, s.HashKeyRange])).toEqual([
      [shardId(8), shardId(6), undefined, even(3)[0]],
      [shardId(9), shardId(6), shardId(7), even(3)[1]],
      [shardId(10), shardId(7), undefined, even(3)[2]],
    ]);
    expect(await failure(update(1))).toMatchObject({
      name: 'LimitExceededException',
      message: 'UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 3 Target shard count: 1',
    });
    expect(await update(3)).toMatchObject({ CurrentShardCount: 3, TargetShardCount: 3 });
    expect((await shardsOf('rescale')).length).toBe(11);
    expect((await failure(update(0))).name).toBe('ValidationException');
    expect((await failure(k.send(new UpdateShardCountCommand({ StreamName: 'rescale', TargetShardCount: 3, ScalingType: 'SIDEWAYS' as 'UNIFORM_SCALING' })))).name).toBe('ValidationException');
    // Records still flow: each open shard takes the hashes of its range.
    for (const s of shards) {
      const r = await k.send(new PutRecordCommand({ StreamName: 'rescale', PartitionKey: 'x', ExplicitHashKey: s.HashKeyRange!.EndingHashKey, Data: Buffer.from(s.ShardId!) }));
      expect(r.ShardId).toBe(s.ShardId);
    }
  });

  it('increases and decreases the retention period within 24 hours and 365 days', async () => {
    await create('retention', 1);
    const hours = async () => (await k.send(new DescribeStreamSummaryCommand({ StreamName: 'retention' }))).StreamDescriptionSummary!.RetentionPeriodHours;
    const inc = (RetentionPeriodHours: number) => k.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'retention', RetentionPeriodHours }));
    const dec = (RetentionPeriodHours: number) => k.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'retention', RetentionPeriodHours }));
    await inc(48);
    expect(await hours()).toBe(48);
    expect(await failure(inc(30))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Requested retention period (30 hours) for stream retention can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.',
    });
    expect(await failure(dec(72))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Requested retention period (72 hours) for stream retention can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.',
    });
    expect(await failure(inc(8761))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.',
    });
    expect(await failure(dec(23))).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.',
    });
    await inc(8760);
    expect((await k.send(new DescribeStreamCommand({ StreamName: 'retention' }))).StreamDescription!.RetentionPeriodHours).toBe(8760);
    await dec(24);
    expect(await hours()).toBe(24);
    expect((await failure(k.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'nowhere', RetentionPeriodHours: 48 })))).name).toBe('ResourceNotFoundException');
  });

  it('adds, lists with paging and removes tags, up to 50 a stream', async () => {
    await k.send(new CreateStreamCommand({ StreamName: 'tagged', ShardCount: 1, Tags: { team: 'data' } }));
    const tags = async (Limit?: number, ExclusiveStartTagKey?: string) => k.send(new ListTagsForStreamCommand({ StreamName: 'tagged', Limit, ExclusiveStartTagKey }));
    expect((await tags()).Tags).toEqual([{ Key: 'team', Value: 'data' }]);
    await k.send(new AddTagsToStreamCommand({ StreamName: 'tagged', Tags: { env: 'test', owner: 'me', team: 'streams' } }));
    const first = await tags(2);
    expect(first).toMatchObject({ Tags: [{ Key: 'env', Value: 'test' }, { Key: 'owner', Value: 'me' }], HasMoreTags: true });
    const second = await tags(2, 'owner');
    expect(second).toMatchObject({ Tags: [{ Key: 'team', Value: 'streams' }], HasMoreTags: false });
    await k.send(new RemoveTagsFromStreamCommand({ StreamName: 'tagged', TagKeys: ['owner', 'absent'] }));
    expect((await tags()).Tags!.map((t) => t.Key)).toEqual(['env', 'team']);

    // Up to 50 tags a stream, in as many calls as it takes; the 51st is refused whole.
    const batch = (from: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(from + i).padStart(2, '0')}`, `v${from + i}`]));
    await k.send(new AddTagsToStreamCommand({ StreamName: 'tagged', Tags: batch(0, 30) }));
    await k.send(new AddTagsToStreamCommand({ StreamName: 'tagged', Tags: batch(30, 18) }));
    expect((await tags(50)).Tags).toHaveLength(50);
    expect(await failure(k.send(new AddTagsToStreamCommand({ StreamName: 'tagged', Tags: batch(48, 1) })))).toMatchObject({
      name: 'InvalidArgumentException',
      message: `Failed to add tags to stream tagged under account ${ACCOUNT} because a given stream cannot have more than 50 tags associated with it.`,
    });
    // Overwriting an existing key adds nothing.
    await k.send(new AddTagsToStreamCommand({ StreamName: 'tagged', Tags: { k00: 'changed' } }));
    const all = (await tags(50)).Tags!;
    expect(all).toHaveLength(50);
    expect(all.find((t) => t.Key === 'k00')!.Value).toBe('changed');
    expect((await failure(k.send(new CreateStreamCommand({ StreamName: 'overtagged', ShardCount: 1, Tags: batch(0, 51) })))).name).toBe('InvalidArgumentException');
    expect((await failure(k.send(new AddTagsToStreamCommand({ StreamName: 'tagged', Tags: {} })))).name).toBe('ValidationException');
    expect((await failure(k.send(new RemoveTagsFromStreamCommand({ StreamName: 'tagged', TagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) })))).name).toBe('ValidationException');
    expect((await failure(tags(51))).name).toBe('ValidationException');
    expect((await failure(k.send(new ListTagsForStreamCommand({ StreamName: 'nowhere' })))).name).toBe('ResourceNotFoundException');
  });

  it('starts and stops stream encryption, reported on the stream and its records', async () => {
    await create('secret', 1);
    await k.send(new StartStreamEncryptionCommand({ StreamName: 'secret', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    expect((await k.send(new DescribeStreamSummaryCommand({ StreamName: 'secret' }))).StreamDescriptionSummary).toMatchObject({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect((await k.send(new DescribeStreamCommand({ StreamName: 'secret' }))).StreamDescription).toMatchObject({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect((await k.send(new PutRecordCommand({ StreamName: 'secret', PartitionKey: 'k', Data: Buffer.from('s') }))).EncryptionType).toBe('KMS');
    expect((await k.send(new PutRecordsCommand({ StreamName: 'secret', Records: [{ PartitionKey: 'k', Data: Buffer.from('t') }] }))).EncryptionType).toBe('KMS');
    expect((await readAll('secret', shardId(0))).records.map((r) => r.EncryptionType)).toEqual(['KMS', 'KMS']);
    await k.send(new StopStreamEncryptionCommand({ StreamName: 'secret', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    const summary = (await k.send(new DescribeStreamSummaryCommand({ StreamName: 'secret' }))).StreamDescriptionSummary!;
    expect(summary.EncryptionType).toBe('NONE');
    expect(summary.KeyId).toBeUndefined();
    expect((await k.send(new PutRecordCommand({ StreamName: 'secret', PartitionKey: 'k', Data: Buffer.from('u') }))).EncryptionType).toBe('NONE');
    expect((await failure(k.send(new StartStreamEncryptionCommand({ StreamName: 'secret', EncryptionType: 'KMS', KeyId: '' })))).name).toBe('ValidationException');
    expect((await failure(k.send(new StartStreamEncryptionCommand({ StreamName: 'nowhere', EncryptionType: 'KMS', KeyId: 'k' })))).name).toBe('ResourceNotFoundException');
  });

  it('registers, describes, lists and deregisters stream consumers', async () => {
    await create('fanout', 1);
    const StreamARN = arnOf('fanout');
    const reg = (ConsumerName: string) => k.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName }));
    const c1 = (await reg('app-1')).Consumer!;
    expect(c1).toMatchObject({ ConsumerName: 'app-1', ConsumerStatus: 'CREATING' });
    expect(c1.ConsumerARN).toBe(`${StreamARN}/consumer/app-1:${Math.floor(c1.ConsumerCreationTimestamp!.getTime() / 1000)}`);
    const c2 = (await reg('app-2')).Consumer!;
    expect((await failure(reg('app-1'))).name).toBe('ResourceInUseException');
    expect((await failure(reg('bad name'))).name).toBe('ValidationException');

    const byArn = (await k.send(new DescribeStreamConsumerCommand({ ConsumerARN: c1.ConsumerARN }))).ConsumerDescription!;
    expect(byArn).toMatchObject({ ConsumerName: 'app-1', ConsumerARN: c1.ConsumerARN, ConsumerStatus: 'ACTIVE', StreamARN });
    expect((await k.send(new DescribeStreamConsumerCommand({ StreamARN, ConsumerName: 'app-2' }))).ConsumerDescription!.ConsumerARN).toBe(c2.ConsumerARN);
    expect((await failure(k.send(new DescribeStreamConsumerCommand({ StreamARN, ConsumerName: 'app-3' })))).name).toBe('ResourceNotFoundException');
    expect((await k.send(new DescribeStreamSummaryCommand({ StreamName: 'fanout' }))).StreamDescriptionSummary!.ConsumerCount).toBe(2);

    const page1 = await k.send(new ListStreamConsumersCommand({ StreamARN, MaxResults: 1 }));
    expect(page1.Consumers!.map((c) => c.ConsumerName)).toEqual(['app-1']);
    const page2 = await k.send(new ListStreamConsumersCommand({ StreamARN, NextToken: page1.NextToken }));
    expect(page2.Consumers!.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([['app-2', 'ACTIVE']]);
    expect(page2.NextToken).toBeUndefined();

    // A stream with consumers is deleted only when the caller says so.
    expect((await failure(k.send(new DeleteStreamCommand({ StreamName: 'fanout' })))).name).toBe('ResourceInUseException');
    await k.send(new DeregisterStreamConsumerCommand({ ConsumerARN: c1.ConsumerARN }));
    await k.send(new DeregisterStreamConsumerCommand({ StreamARN, ConsumerName: 'app-2' }));
    expect((await k.send(new ListStreamConsumersCommand({ StreamARN }))).Consumers).toEqual([]);
    expect((await failure(k.send(new DeregisterStreamConsumerCommand({ ConsumerARN: c1.ConsumerARN })))).name).toBe('ResourceNotFoundException');
    expect((await failure(k.send(new DescribeStreamConsumerCommand({ ConsumerARN: c1.ConsumerARN })))).name).toBe('ResourceNotFoundException');

    // AWS: 20 consumers a stream.
    for (let i = 0; i < 20; i++) await reg(`worker-${i}`);
    expect((await failure(reg('worker-20'))).name).toBe('LimitExceededException');
    expect((await failure(k.send(new DeleteStreamCommand({ StreamName: 'fanout', EnforceConsumerDeletion: false })))).name).toBe('ResourceInUseException');
    await k.send(new DeleteStreamCommand({ StreamName: 'fanout', EnforceConsumerDeletion: true }));
    expect((await failure(k.send(new ListStreamConsumersCommand({ StreamARN })))).name).toBe('ResourceNotFoundException');
  });

  it('deletes streams by name or ARN', async () => {
    await create('doomed', 2);
    await k.send(new DeleteStreamCommand({ StreamARN: arnOf('doomed') }));
    expect(await failure(k.send(new DescribeStreamCommand({ StreamName: 'doomed' })))).toMatchObject({ name: 'ResourceNotFoundException', message: `Stream doomed under account ${ACCOUNT} not found.` });
    expect((await k.send(new ListStreamsCommand({}))).StreamNames).not.toContain('doomed');
    expect((await failure(k.send(new DeleteStreamCommand({ StreamName: 'doomed' })))).name).toBe('ResourceNotFoundException');
    // The name is free again, for a new stream with fresh shards.
    await create('doomed', 1);
    expect((await shardsOf('doomed')).map((s) => s.ShardId)).toEqual([shardId(0)]);
  });
});

describe('Kinesis requests below the SDK', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  beforeAll(async () => {
    t = await startEmbedded();
  });
  afterAll(async () => t?.stop());

  it('answers a value of the wrong JSON type with SerializationException', async () => {
    const r = await signedSend(
      t.endpoint,
      { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.CreateStream' }, body: JSON.stringify({ StreamName: 'typed', ShardCount: 'two' }) },
      { service: 'kinesis' },
    );
    expect(r.status).toBe(400);
    expect((JSON.parse(r.body) as { __type: string }).__type).toMatch(/SerializationException$/);
  });
});

describe('Kinesis account and throughput limits', () => {
  let target: Awaited<ReturnType<typeof startEmbedded>>;
  let k: KinesisClient;
  beforeAll(async () => {
    target = await startEmbedded(['--account-id', ACCOUNT, '--kinesis-shard-limit', '10']);
    k = kinesis(target.endpoint);
  }, 60_000);
  afterAll(async () => {
    k?.destroy();
    await target?.stop();
  }, 30_000);

  const limits = async () => {
    const { $metadata: _m, ...rest } = await k.send(new DescribeLimitsCommand({}));
    return rest;
  };
  const overLimit = (current: number, extra: number): string =>
    `This request would exceed the shard limit for the account ${ACCOUNT} in ${REGION}. Current shard count for the account: ${current}. Limit: 10. Number of additional shards that would have resulted from this request: ${extra}. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.`;

  it('refuses shards beyond the account limit and releases them on deletion', async () => {
    expect(await limits()).toEqual({ ShardLimit: 10, OpenShardCount: 0, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
    await k.send(new CreateStreamCommand({ StreamName: 'big', ShardCount: 6 }));
    expect(await failure(k.send(new CreateStreamCommand({ StreamName: 'over', ShardCount: 5 })))).toMatchObject({ name: 'LimitExceededException', message: overLimit(6, 5) });
    await k.send(new CreateStreamCommand({ StreamName: 'elastic', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    expect(await limits()).toEqual({ ShardLimit: 10, OpenShardCount: 10, OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50 });
    expect(await failure(k.send(new SplitShardCommand({ StreamName: 'big', ShardToSplit: shardId(0), NewStartingHashKey: '100' })))).toMatchObject({ name: 'LimitExceededException', message: overLimit(10, 1) });
    expect(await failure(k.send(new UpdateShardCountCommand({ StreamName: 'big', TargetShardCount: 7, ScalingType: 'UNIFORM_SCALING' })))).toMatchObject({ name: 'LimitExceededException', message: overLimit(10, 1) });
    // A merge frees one open shard, which a split may take again; closed shards do not count.
    await k.send(new MergeShardsCommand({ StreamName: 'big', ShardToMerge: shardId(0), AdjacentShardToMerge: shardId(1) }));
    expect((await limits()).OpenShardCount).toBe(9);
    const middle = (BigInt(even(6)[2]!.StartingHashKey) + BigInt(even(6)[2]!.EndingHashKey)) / 2n;
    await k.send(new SplitShardCommand({ StreamName: 'big', ShardToSplit: shardId(2), NewStartingHashKey: middle.toString() }));
    expect((await limits()).OpenShardCount).toBe(10);
    await k.send(new DeleteStreamCommand({ StreamName: 'elastic' }));
    expect(await limits()).toMatchObject({ OpenShardCount: 6, OnDemandStreamCount: 0 });
    await k.send(new CreateStreamCommand({ StreamName: 'again', ShardCount: 4 }));
    expect((await limits()).OpenShardCount).toBe(10);
    await k.send(new DeleteStreamCommand({ StreamName: 'again' }));
    await k.send(new DeleteStreamCommand({ StreamName: 'big' }));
    expect((await limits()).OpenShardCount).toBe(0);
  });

  it('throttles GetRecords beyond five calls a second on a shard', async () => {
    await k.send(new CreateStreamCommand({ StreamName: 'hot-reads', ShardCount: 1 }));
    await k.send(new PutRecordCommand({ StreamName: 'hot-reads', PartitionKey: 'k', Data: Buffer.from('x') }));
    const it = (await k.send(new GetShardIteratorCommand({ StreamName: 'hot-reads', ShardId: shardId(0), ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    const start = Date.now();
    const calls = await Promise.allSettled(Array.from({ length: 6 }, () => k.send(new GetRecordsCommand({ ShardIterator: it }))));
    // The limit is per second: the six calls must all have been made within one.
    expect(Date.now() - start).toBeLessThan(1000);
    expect(calls.filter((c) => c.status === 'fulfilled')).toHaveLength(5);
    const refused = calls.filter((c): c is PromiseRejectedResult => c.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ name: 'ProvisionedThroughputExceededException', message: `Rate exceeded for shard ${shardId(0)} in stream hot-reads under account ${ACCOUNT}.` });
  });

  it('throttles writes beyond 1,000 records a second on a shard, record by record', async () => {
    await k.send(new CreateStreamCommand({ StreamName: 'hot-writes', ShardCount: 1 }));
    const records = (n: number) => Array.from({ length: n }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from('x') }));
    const start = Date.now();
    expect((await k.send(new PutRecordsCommand({ StreamName: 'hot-writes', Records: records(500) }))).FailedRecordCount).toBe(0);
    expect((await k.send(new PutRecordsCommand({ StreamName: 'hot-writes', Records: records(499) }))).FailedRecordCount).toBe(0);
    const third = await k.send(new PutRecordsCommand({ StreamName: 'hot-writes', Records: records(3) }));
    const single = await failure(k.send(new PutRecordCommand({ StreamName: 'hot-writes', PartitionKey: 'k', Data: Buffer.from('x') })));
    // The limit is per second: every write must have been made within one.
    expect(Date.now() - start).toBeLessThan(1000);
    expect(third.FailedRecordCount).toBe(2);
    expect(third.Records!.map((r) => r.ErrorCode ?? 'ok')).toEqual(['ok', 'ProvisionedThroughputExceededException', 'ProvisionedThroughputExceededException']);
    expect(third.Records![1]!.ErrorMessage).toBe(`Rate exceeded for shard ${shardId(0)} in stream hot-writes under account ${ACCOUNT}.`);
    expect(third.Records![1]!.SequenceNumber).toBeUndefined();
    expect(single.name).toBe('ProvisionedThroughputExceededException');
  });
});

describe('Kinesis across a restart of the node', () => {
  let target: Awaited<ReturnType<typeof startEmbedded>> | undefined;
  let node: RunningNode | undefined;
  afterAll(async () => {
    await node?.stop();
    if (target) rmSync(target.dir, { recursive: true, force: true });
  }, 30_000);

  it('keeps the stream, its records and its sequence numbers', async () => {
    target = await startEmbedded(['--account-id', ACCOUNT, '--kinesis-limits', 'off']);
    node = target.node;
    let k = kinesis(target.endpoint);
    await k.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 2 }));
    const put = async (i: number) => k.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'same', Data: Buffer.from(`d${i}`) }));
    const before = [await put(0), await put(1), await put(2)];
    const shards = (await k.send(new DescribeStreamCommand({ StreamName: 'durable' }))).StreamDescription!.Shards;
    const it = (await k.send(new GetShardIteratorCommand({ StreamName: 'durable', ShardId: before[0]!.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    k.destroy();

    // A new node on the same data directory and port, as a process restart would start it.
    const port = target.node.grpcAddress.split(':').pop()!;
    await node.stop();
    node = undefined;
    const o = parseNodeOptions(['--data', target.dir, '--grpc-port', port, '--http-port', '0', '--tick-ms', '20', '--account-id', ACCOUNT, '--kinesis-limits', 'off'], {});
    node = await runNode({ ...o, role: 'all', id: 1, peers: new Map([[1, o.advertise]]) }, () => undefined);
    k = kinesis(`http://${node.httpAddress!}`);
    try {
      expect((await k.send(new DescribeStreamCommand({ StreamName: 'durable' }))).StreamDescription!.Shards).toEqual(shards);
      const after = [await put(3), await put(4)];
      const seqs = [...before, ...after].map((r) => seq(r.SequenceNumber));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
      expect(after.map((r) => r.ShardId)).toEqual([before[0]!.ShardId, before[0]!.ShardId]);
      // An iterator issued before the restart still reads, from where it pointed.
      const out = await k.send(new GetRecordsCommand({ ShardIterator: it }));
      expect(out.Records!.map(text)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
      expect(out.Records!.map((r) => r.SequenceNumber)).toEqual([...before, ...after].map((r) => r.SequenceNumber));
    } finally {
      k.destroy();
    }
  }, 60_000);
});

describe('Kinesis over the SDK default transport (HTTP/2)', () => {
  let target: Awaited<ReturnType<typeof startEmbedded>>;
  let k: KinesisClient;
  beforeAll(async () => {
    target = await startEmbedded(['--account-id', ACCOUNT]);
    k = kinesis(target.endpoint, true);
  }, 60_000);
  afterAll(async () => {
    k?.destroy();
    await target?.stop();
  }, 30_000);

  it('creates a stream, puts and gets records', async () => {
    expect((k.config.requestHandler as object).constructor.name).toBe('NodeHttp2Handler');
    await k.send(new CreateStreamCommand({ StreamName: 'h2', ShardCount: 1 }));
    const put = await k.send(new PutRecordCommand({ StreamName: 'h2', PartitionKey: 'k', Data: Buffer.from('over h2') }));
    expect(put.ShardId).toBe(shardId(0));
    const it = (await k.send(new GetShardIteratorCommand({ StreamName: 'h2', ShardId: shardId(0), ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    const out = await k.send(new GetRecordsCommand({ ShardIterator: it }));
    expect(out.Records!.map(text)).toEqual(['over h2']);
    expect(out.Records![0]!.SequenceNumber).toBe(put.SequenceNumber);
  });
});
