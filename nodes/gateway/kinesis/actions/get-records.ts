import { shardIdOf } from '../../../../storage/partitions/meta-streams.js';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { decodeIterator, encodeIterator } from '../positions.js';
import { readShard } from '../reading.js';
import { childShard, record, streamArn } from '../shapes.js';

export const getRecords = defineAction<KinesisBackend>()({
  name: 'GetRecords',
  input: t.struct({ ShardIterator: t.string({ min: 1, max: 512, required: true }), Limit: t.integer({ min: 1, max: 10000 }), StreamARN: streamArn, StreamId: t.string(), DryRun: t.boolean() }),
  output: t.struct({ Records: t.list(record), NextShardIterator: t.string(), MillisBehindLatest: t.integer(), ChildShards: t.list(childShard) }),
  async handler(input, _ctx, k) {
    const now = Date.now();
    const it = decodeIterator(input.ShardIterator, now);
    const s = await k.find(it.stream);
    if (!s || s.id !== it.streamId) throw k.notFound(it.stream);
    if (input.StreamARN !== undefined && k.nameOf({ StreamARN: input.StreamARN }) !== s.name) {
      throw new AwsError('InvalidArgumentException', 'StreamARN does not match the stream of the ShardIterator.');
    }
    const shard = s.shards.find((sh) => sh.ordinal === it.ordinal);
    if (!shard) throw new AwsError('ResourceNotFoundException', `Shard ${shardIdOf(it.ordinal)} in stream ${s.name} under account ${k.opts.accountId} does not exist`);
    if (!k.reads.admit(shard.groupId, now)) {
      throw new AwsError('ProvisionedThroughputExceededException', `Rate exceeded for shard ${shard.shardId} in stream ${s.name} under account ${k.opts.accountId}.`);
    }
    const batch = await readShard(k, s, shard, it.offset, input.Limit ?? 10000, now);
    k.reads.record(shard.groupId, batch.bytes, now);
    return {
      Records: batch.records,
      ...(batch.children === undefined ? { NextShardIterator: encodeIterator({ ...it, offset: batch.nextOffset, issuedAtMs: now }) } : { ChildShards: batch.children }),
      MillisBehindLatest: batch.millisBehindLatest,
    };
  },
});
