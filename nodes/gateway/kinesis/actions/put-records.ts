import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { checkRecord, putRecords } from '../put.js';
import { encryptionType, hashKey, partitionKey, streamRef } from '../shapes.js';
import { constrained } from '../validation.js';

/** AWS: 500 records and 5 MiB (data and partition keys) per PutRecords request. */
const MAX_RECORDS = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
const entry = t.struct({ Data: t.blob({ required: true }), ExplicitHashKey: hashKey, PartitionKey: { ...partitionKey, required: true } });

export const putRecordsAction = defineAction<KinesisBackend>()({
  name: 'PutRecords',
  input: t.struct({
    ...streamRef,
    Records: { ...constrained(t.list(entry), { minItems: 1, maxItems: MAX_RECORDS }), required: true },
    DryRun: t.boolean(),
  }),
  output: t.struct({
    FailedRecordCount: t.integer(),
    Records: t.list(t.struct({ SequenceNumber: t.string(), ShardId: t.string(), ErrorCode: t.string(), ErrorMessage: t.string() })),
    EncryptionType: encryptionType,
  }),
  async handler(input, _ctx, k) {
    const hashes = input.Records.map((r, i) => checkRecord(r, `records.${i + 1}.member.`));
    const total = input.Records.reduce((sum, r) => sum + r.Data.length + Buffer.byteLength(r.PartitionKey, 'utf8'), 0);
    if (total > MAX_REQUEST_BYTES) throw new AwsError('InvalidArgumentException', `Records size exceeds ${MAX_REQUEST_BYTES / 1024 / 1024} MB limit`);
    const s = await k.resolve(input);
    const out = await putRecords(k, s, input.Records, hashes);
    return { FailedRecordCount: out.filter((r) => 'ErrorCode' in r).length, Records: out, EncryptionType: s.encryption };
  },
});
