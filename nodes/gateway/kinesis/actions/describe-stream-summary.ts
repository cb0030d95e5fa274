import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { streamStatus } from '../describe.js';
import { encryptionType, enhancedMetrics, streamModeDetails, streamRef, streamStatus as statusShape, timestamp } from '../shapes.js';

export const describeStreamSummary = defineAction<KinesisBackend>()({
  name: 'DescribeStreamSummary',
  input: t.struct(streamRef),
  output: t.struct({
    StreamDescriptionSummary: t.struct({
      StreamName: t.string(),
      StreamARN: t.string(),
      StreamStatus: statusShape,
      StreamModeDetails: streamModeDetails,
      RetentionPeriodHours: t.integer(),
      StreamCreationTimestamp: timestamp,
      EnhancedMonitoring: enhancedMetrics,
      EncryptionType: encryptionType,
      KeyId: t.string(),
      OpenShardCount: t.integer(),
      ConsumerCount: t.integer(),
    }),
  }),
  async handler(input, _ctx, k) {
    const s = await k.resolve(input);
    return {
      StreamDescriptionSummary: {
        StreamName: s.name,
        StreamARN: k.arn(s.name),
        StreamStatus: streamStatus(s),
        StreamModeDetails: { StreamMode: s.mode },
        RetentionPeriodHours: s.retentionHours,
        StreamCreationTimestamp: s.createdAtMs / 1000,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: s.encryption,
        ...(s.keyId === undefined ? {} : { KeyId: s.keyId }),
        OpenShardCount: s.shards.filter((sh) => sh.closedAtMs === undefined).length,
        ConsumerCount: s.consumers.length,
      },
    };
  },
});
