// Shapes shared by the Kinesis actions, with the constraints of Kinesis's API model.
import { t } from '../shapes.js';

export const streamName = t.string({ min: 1, max: 128 });
export const streamArn = t.string({ min: 1, max: 2048 });
export const shardId = t.string({ min: 1, max: 128 });
export const sequenceNumber = t.string();
export const hashKey = t.string();
export const timestamp = t.double({ timestamp: true });
export const consumerName = t.string({ min: 1, max: 128 });
export const consumerArn = t.string({ min: 1, max: 2048 });
export const nextToken = t.string({ min: 1, max: 1048576 });
export const tagKey = t.string({ min: 1, max: 128 });
export const tagValue = t.string({ min: 0, max: 256 });
export const tagMap = t.map(tagValue, { keyName: 'key', valueName: 'value' });
export const encryptionType = t.string({ enum: ['NONE', 'KMS'] });
export const streamMode = t.string({ enum: ['PROVISIONED', 'ON_DEMAND'] });
export const streamModeDetails = t.struct({ StreamMode: { ...streamMode, required: true } });
export const streamStatus = t.string({ enum: ['CREATING', 'DELETING', 'ACTIVE', 'UPDATING'] });
export const iteratorType = t.string({ enum: ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] });

/** Members every stream-addressed input has: a name or an ARN (and StreamId, which is ignored). */
export const streamRef = {
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: t.string({ min: 1, max: 24 }),
};

export const hashKeyRange = t.struct({ StartingHashKey: hashKey, EndingHashKey: hashKey });
export const shard = t.struct({
  ShardId: shardId,
  ParentShardId: shardId,
  AdjacentParentShardId: shardId,
  HashKeyRange: hashKeyRange,
  SequenceNumberRange: t.struct({ StartingSequenceNumber: sequenceNumber, EndingSequenceNumber: sequenceNumber }),
});
export const childShard = t.struct({ ShardId: shardId, ParentShards: t.list(shardId), HashKeyRange: hashKeyRange });
export const record = t.struct({
  SequenceNumber: sequenceNumber,
  ApproximateArrivalTimestamp: timestamp,
  Data: t.blob(),
  PartitionKey: t.string(),
  EncryptionType: encryptionType,
});
export const enhancedMetrics = t.list(t.struct({ ShardLevelMetrics: t.list(t.string()) }));
export const consumer = t.struct({
  ConsumerName: consumerName,
  ConsumerARN: consumerArn,
  ConsumerStatus: t.string(),
  ConsumerCreationTimestamp: timestamp,
});
export const empty = t.struct({});
