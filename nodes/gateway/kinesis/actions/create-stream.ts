import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, streamModeDetails, streamName, tagMap } from '../shapes.js';

/** AWS: a new stream keeps records 24 hours. */
const DEFAULT_RETENTION_HOURS = 24;

export const createStream = defineAction<KinesisBackend>()({
  name: 'CreateStream',
  input: t.struct({
    StreamName: { ...streamName, required: true },
    ShardCount: t.integer({ min: 1 }),
    StreamModeDetails: streamModeDetails,
    Tags: tagMap,
    WarmThroughputMiBps: t.integer({ min: 0 }),
    MaxRecordSizeInKiB: t.integer({ min: 1024, max: 10240 }),
  }),
  output: empty,
  async handler(input, ctx, k) {
    // The shape's enum admitted only these two.
    const mode = (input.StreamModeDetails?.StreamMode ?? 'PROVISIONED') as 'PROVISIONED' | 'ON_DEMAND';
    if (mode === 'PROVISIONED' && input.ShardCount === undefined) {
      throw new AwsError('InvalidArgumentException', 'ShardCount is required for a stream in PROVISIONED mode.');
    }
    if (mode === 'ON_DEMAND' && input.ShardCount !== undefined) {
      throw new AwsError('InvalidArgumentException', 'ShardCount is not supported for a stream in ON_DEMAND mode.');
    }
    // Fresh, not cached: a node that registered a moment ago must count, or the shards get fewer replicas for good.
    const up = (await k.placement.refresh()).nodes.filter((n) => n.state === 'up').length;
    await k.meta({
      type: 'createStream',
      name: input.StreamName,
      account: ctx.accountId,
      shardCount: input.ShardCount ?? 0,
      mode,
      retentionHours: DEFAULT_RETENTION_HOURS,
      tags: input.Tags ?? {},
      replicationFactor: Math.max(1, Math.min(3, up)),
      shardLimit: k.opts.shardLimit,
      region: k.opts.region,
    });
    return {};
  },
});
