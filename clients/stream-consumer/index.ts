// A consumer library for Stratus streams in the spirit of the Kinesis Client Library: workers of
// one application share a stream's shards through leases kept by the server, each shard is
// processed in order by one worker at a time from its last checkpoint, parents before children.
// See README.md.
export { StreamConsumer, type LeaseEvent, type StreamConsumerOptions } from './worker.js';
export { LeaseLostError, type ConsumerRecord, type ProcessContext, type ProcessRecords } from './shard-processor.js';
export {
  StreamApi,
  isStatus,
  type Checkpoint,
  type Lease,
  type PutRecordsEntry,
  type PutRecordsResult,
  type ShardInfo,
  type ShardLeases,
  type StartingPosition,
  type StreamApiOptions,
  type StreamRef,
  type SubscribeEvent,
} from './api.js';
export { plan, type Plan, type ShardView } from './balance.js';
