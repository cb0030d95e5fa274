import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
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
    // AWS's checks of the request itself (kinesalite recorded the wording); startOffset, which the
    // event source mappings share, takes positions as they come.
    if (input.StartingSequenceNumber !== undefined && (input.ShardIteratorType === 'TRIM_HORIZON' || input.ShardIteratorType === 'LATEST')) {
      throw new AwsError(
        'InvalidArgumentException',
        `Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${input.ShardIteratorType} and also a StartingSequenceNumber.`,
      );
    }
    const now = Date.now();
    if (input.ShardIteratorType === 'AT_TIMESTAMP' && input.Timestamp !== undefined && Math.round(input.Timestamp * 1000) > now) {
      const ms = Math.round(input.Timestamp * 1000);
      throw new AwsError('InvalidArgumentException', `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${ms}, currentTimestampInMillis: ${now}`);
    }
    const offset = await startOffset(k, s, shard, { type: input.ShardIteratorType, sequenceNumber: input.StartingSequenceNumber, timestamp: input.Timestamp });
    return { ShardIterator: encodeIterator({ streamId: s.id, stream: s.name, ordinal: shard.ordinal, offset, issuedAtMs: now }) };
  },
});
