import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { encodeIterator } from '../positions.js';
import { startOffset } from '../reading.js';
import { iteratorType, sequenceNumber, shardId, streamRef, timestamp } from '../shapes.js';

export const getShardIterator = defineAction<KinesisBackend>()({
  name: 'GetShardIterator',
  input: t.struct({
    ...streamRef,
    ShardId: { ...shardId, required: true },
    ShardIteratorType: { ...iteratorType, required: true },
    StartingSequenceNumber: sequenceNumber,
    Timestamp: timestamp,
    DryRun: t.boolean(),
  }),
  output: t.struct({ ShardIterator: t.string() }),
  async handler(input, _ctx, k) {
    const s = await k.resolve(input);
    const shard = k.shard(s, input.ShardId);
    const offset = await startOffset(k, s, shard, { type: input.ShardIteratorType, sequenceNumber: input.StartingSequenceNumber, timestamp: input.Timestamp });
    return { ShardIterator: encodeIterator({ streamId: s.id, stream: s.name, ordinal: shard.ordinal, offset, issuedAtMs: Date.now() }) };
  },
});
