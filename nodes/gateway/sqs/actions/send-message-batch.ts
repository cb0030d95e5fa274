import { defineAction } from '../../action.js';
import { AwsError, asAwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { type BatchError, byPartition, checkBatch, entryError } from '../batch.js';
import { send } from '../partitions.js';
import { type PreparedSend, prepareSend, sequenceNumber } from '../send.js';
import { failedList, messageAttributeMap, queueUrl, systemAttributeMap } from '../shapes.js';

/** AWS: the bodies and attributes of one batch may total at most 1 MiB. */
const MAX_BATCH_BYTES = 1_048_576;

export const sendMessageBatch = defineAction<SqsBackend>()({
  name: 'SendMessageBatch',
  input: t.struct({
    QueueUrl: queueUrl,
    Entries: t.list(
      t.struct({
        Id: t.string({ required: true }),
        MessageBody: t.string({ required: true }),
        DelaySeconds: t.integer(),
        MessageAttributes: messageAttributeMap,
        MessageSystemAttributes: systemAttributeMap,
        MessageDeduplicationId: t.string(),
        MessageGroupId: t.string(),
      }),
      { queryName: 'SendMessageBatchRequestEntry' },
    ),
  }),
  output: t.struct({
    Successful: t.list(
      t.struct({
        Id: t.string(),
        MessageId: t.string(),
        MD5OfMessageBody: t.string(),
        MD5OfMessageAttributes: t.string(),
        MD5OfMessageSystemAttributes: t.string(),
        SequenceNumber: t.string(),
      }),
      { queryName: 'SendMessageBatchResultEntry' },
    ),
    Failed: failedList,
  }),
  async handler(input, ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const entries = input.Entries ?? [];
    checkBatch(entries, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const e of entries) {
      total += Buffer.byteLength(e.MessageBody);
      for (const [k, v] of Object.entries(e.MessageAttributes ?? {})) {
        total += Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + (v.BinaryValue?.length ?? Buffer.byteLength(v.StringValue ?? ''));
      }
    }
    if (total > MAX_BATCH_BYTES) throw new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
    // Rules about the queue type fail the whole request, as AWS does; content rules fail the entry.
    if (q.fifo) {
      for (const e of entries) {
        if (e.MessageGroupId === undefined) throw new AwsError('InvalidParameterValue', 'The request must contain the parameter MessageGroupId.');
        if (e.MessageDeduplicationId === undefined && q.attributes.ContentBasedDeduplication !== 'true') {
          throw new AwsError('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
      }
    }
    const failed: BatchError[] = [];
    const prepared: { id: string; p: PreparedSend }[] = [];
    for (const e of entries) {
      try {
        prepared.push({ id: e.Id, p: prepareSend(q, e, ctx) });
      } catch (err) {
        failed.push(entryError(e.Id, asAwsError(err)));
      }
    }
    // Standard queues: the whole batch in one proposal to one partition. FIFO: one per partition, order kept.
    const partitionOf = q.fifo ? (x: { p: PreparedSend }) => x.p.partition : () => prepared[0]?.p.partition ?? 0;
    const successful: Record<string, string | undefined>[] = new Array(prepared.length);
    await Promise.all(
      [...byPartition(prepared, partitionOf)].map(async ([partition, idx]) => {
        const res = await send(sqs, q, partition, idx.map((i) => prepared[i]!.p.item));
        res.messages.forEach((sent, k) => {
          const { id, p } = prepared[idx[k]!]!;
          successful[idx[k]!] = {
            Id: id,
            MessageId: sent.id,
            MD5OfMessageBody: p.md5OfBody,
            MD5OfMessageAttributes: p.md5OfAttributes,
            MD5OfMessageSystemAttributes: p.md5OfSystemAttributes,
            SequenceNumber: q.fifo ? sequenceNumber(sent.seq, partition) : undefined,
          };
        });
      }),
    );
    return {
      Successful: successful.filter((s) => s !== undefined).map((s) => ({ Id: s.Id!, ...s })),
      Failed: failed,
    };
  },
});
