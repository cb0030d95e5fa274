import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { checkRecord, putRecords } from '../put.js';
import { encryptionType, hashKey, partitionKey, sequenceNumber, streamRef } from '../shapes.js';

export const putRecord = defineAction<KinesisBackend>()({
  name: 'PutRecord',
  input: t.struct({
    ...streamRef,
    Data: t.blob({ required: true }),
    PartitionKey: { ...partitionKey, required: true },
    ExplicitHashKey: hashKey,
    SequenceNumberForOrdering: sequenceNumber,
    DryRun: t.boolean(),
  }),
  output: t.struct({ ShardId: t.string(), SequenceNumber: t.string(), EncryptionType: encryptionType }),
  async handler(input, _ctx, k) {
    const hash = checkRecord(input, '');
    const s = await k.resolve(input);
    const [r] = await putRecords(k, s, [input], [hash]);
    if (!r || 'ErrorCode' in r) {
      throw new AwsError(r?.ErrorCode === 'ProvisionedThroughputExceededException' ? 'ProvisionedThroughputExceededException' : 'InternalFailureException', r?.ErrorMessage ?? 'Internal service failure.');
    }
    return { ShardId: r.ShardId, SequenceNumber: r.SequenceNumber, EncryptionType: s.encryption };
  },
});
