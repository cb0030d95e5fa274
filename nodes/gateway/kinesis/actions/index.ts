// Every Kinesis action, one file each (related small ones share a file), each checking its input
// against the API model's constraints as AWS's front does (validation.ts).
import { type AnyAction } from '../../action.js';
import { type KinesisBackend } from '../backend.js';
import { withModelChecks } from '../validation.js';
import { deregisterStreamConsumer, describeStreamConsumer, listStreamConsumers, registerStreamConsumer } from './consumers.js';
import { createStream } from './create-stream.js';
import { deleteStream } from './delete-stream.js';
import { describeStream } from './describe-stream.js';
import { describeStreamSummary } from './describe-stream-summary.js';
import { startStreamEncryption, stopStreamEncryption } from './encryption.js';
import { getRecords } from './get-records.js';
import { getShardIterator } from './get-shard-iterator.js';
import { listShards } from './list-shards.js';
import { listStreams } from './list-streams.js';
import { describeLimits, updateStreamMode } from './misc.js';
import { putRecord } from './put-record.js';
import { putRecordsAction } from './put-records.js';
import { mergeShards, splitShard, updateShardCount } from './resharding.js';
import { decreaseStreamRetentionPeriod, increaseStreamRetentionPeriod } from './retention.js';
import { subscribeToShard } from './subscribe-to-shard.js';
import { addTagsToStream, listTagsForStream, removeTagsFromStream } from './tags.js';

export const KINESIS_ACTIONS: AnyAction<KinesisBackend>[] = [
  createStream,
  deleteStream,
  describeStream,
  describeStreamSummary,
  listStreams,
  listShards,
  putRecord,
  putRecordsAction,
  getShardIterator,
  getRecords,
  increaseStreamRetentionPeriod,
  decreaseStreamRetentionPeriod,
  addTagsToStream,
  listTagsForStream,
  removeTagsFromStream,
  splitShard,
  mergeShards,
  updateShardCount,
  startStreamEncryption,
  stopStreamEncryption,
  registerStreamConsumer,
  describeStreamConsumer,
  listStreamConsumers,
  deregisterStreamConsumer,
  describeLimits,
  updateStreamMode,
  subscribeToShard,
].map(withModelChecks);
