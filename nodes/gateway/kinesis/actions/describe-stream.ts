import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { shardView, streamStatus, visibleShards } from '../describe.js';
import { encryptionType, enhancedMetrics, shard, shardId, streamModeDetails, streamRef, streamStatus as statusShape, timestamp } from '../shapes.js';

export const describeStream = defineAction<KinesisBackend>()({
  name: 'DescribeStream',
  input: t.struct({ ...streamRef, Limit: t.integer({ min: 1, max: 10000 }), ExclusiveStartShardId: shardId }),
  output: t.struct({
    StreamDescription: t.struct({
      StreamName: t.string(),
      StreamARN: t.string(),
      StreamStatus: statusShape,
      StreamModeDetails: streamModeDetails,
      Shards: t.list(shard),
      HasMoreShards: t.boolean(),
      RetentionPeriodHours: t.integer(),
      StreamCreationTimestamp: timestamp,
      EnhancedMonitoring: enhancedMetrics,
      EncryptionType: encryptionType,
      KeyId: t.string(),
    }),
  }),
  async handler(input, _ctx, k) {
    const s = await k.resolve(input);
    // AWS: DescribeStream returns at most 100 shards by default (and caps Limit at 100 in practice).
    const limit = Math.min(input.Limit ?? 100, 100);
    let shards = visibleShards(s);
    if (input.ExclusiveStartShardId !== undefined) {
      if (!/^shardId-\d{12}$/.test(input.ExclusiveStartShardId) && input.ExclusiveStartShardId.length > 128) throw new AwsError('InvalidArgumentException', 'Invalid ExclusiveStartShardId.');
      shards = shards.filter((sh) => sh.shardId > input.ExclusiveStartShardId!);
    }
    const page = shards.slice(0, limit);
    return {
      StreamDescription: {
        StreamName: s.name,
        StreamARN: k.arn(s.name),
        StreamStatus: streamStatus(s),
        StreamModeDetails: { StreamMode: s.mode },
        Shards: await Promise.all(page.map((sh) => shardView(k, sh))),
        HasMoreShards: shards.length > page.length,
        RetentionPeriodHours: s.retentionHours,
        StreamCreationTimestamp: s.createdAtMs / 1000,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: s.encryption,
        ...(s.keyId === undefined ? {} : { KeyId: s.keyId }),
      },
    };
  },
});
