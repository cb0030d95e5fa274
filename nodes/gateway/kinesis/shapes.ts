// Shapes shared by the Kinesis actions, with the constraints of Kinesis's API model (patterns and
// list sizes ride along through `constrained`; validation.ts checks them as AWS's front does).
import { t } from '../shapes.js';
import { constrained } from './validation.js';

const NAME_PATTERN = '[a-zA-Z0-9_.-]+';
export const streamName = constrained(t.string({ min: 1, max: 128 }), { pattern: NAME_PATTERN });
export const streamArn = constrained(t.string({ min: 1, max: 2048 }), { pattern: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+' });
export const shardId = constrained(t.string({ min: 1, max: 128 }), { pattern: NAME_PATTERN });
export const sequenceNumber = constrained(t.string(), { pattern: '0|([1-9]\\d{0,128})' });
export const hashKey = constrained(t.string(), { pattern: '0|([1-9]\\d{0,38})' });
export const timestamp = t.double({ timestamp: true });
export const consumerName = constrained(t.string({ min: 1, max: 128 }), { pattern: NAME_PATTERN });
export const consumerArn = constrained(t.string({ min: 1, max: 2048 }), { pattern: '^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+$' });
export const nextToken = t.string({ min: 1, max: 1048576 });
export const partitionKey = t.string({ min: 1, max: 256 });
export const tagKey = t.string({ min: 1, max: 128 });
export const tagValue = t.string({ min: 0, max: 256 });
/** AWS: up to 200 entries a call (50 a stream, which the catalog enforces). */
export const tagMap = constrained(t.map(tagValue, { keyName: 'key', valueName: 'value' }), { minItems: 1, maxItems: 200, keyMin: 1, keyMax: 128 });
export const tagKeyList = constrained(t.list(tagKey), { minItems: 1, maxItems: 50 });
export const keyId = t.string({ min: 1, max: 2048 });
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
