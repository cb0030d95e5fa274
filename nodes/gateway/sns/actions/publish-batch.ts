import { randomUUID } from 'node:crypto';
import { type PublishEntry } from '../../../../storage/partitions/topic-codec.js';
import { defineAction } from '../../action.js';
import { AwsError, asAwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend, sequenceNumberOf } from '../backend.js';
import { MAX_MESSAGE_BYTES, preparePublish } from '../message.js';
import { messageAttributeMap, topicArn } from '../shapes.js';

const MAX_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

const entryShape = t.struct({
  Id: t.string({ required: true }),
  Message: t.string({ required: true }),
  Subject: t.string(),
  MessageStructure: t.string(),
  MessageAttributes: messageAttributeMap,
  MessageDeduplicationId: t.string(),
  MessageGroupId: t.string(),
});

export const publishBatch = defineAction<SnsBackend>()({
  name: 'PublishBatch',
  input: t.struct({ TopicArn: topicArn, PublishBatchRequestEntries: t.list(entryShape, { wrapped: true }) }),
  output: t.struct({
    Successful: t.list(t.struct({ Id: t.string(), MessageId: t.string(), SequenceNumber: t.string() }), { wrapped: true }),
    Failed: t.list(t.struct({ Id: t.string(), Code: t.string(), Message: t.string(), SenderFault: t.boolean() }), { wrapped: true }),
  }),
  async handler(input, ctx, sns) {
    // An empty list arrives as no member at all in the Query protocol.
    const entries = input.PublishBatchRequestEntries ?? [];
    if (entries.length === 0) throw new AwsError('SnsEmptyBatchRequest', 'The batch request doesn\'t contain any entries.');
    if (entries.length > MAX_ENTRIES) throw new AwsError('SnsTooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
    const ids = new Set<string>();
    for (const e of entries) {
      if (!ENTRY_ID.test(e.Id)) throw new AwsError('SnsInvalidBatchEntryId', 'The Id of a batch entry in a batch request doesn\'t abide by the specification.');
      if (ids.has(e.Id)) throw new AwsError('SnsBatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      ids.add(e.Id);
    }
    const topic = await sns.resolve(input.TopicArn);
    authorize(sns, topic, ctx, 'SNS:Publish');
    const failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
    const ready: { id: string; entry: PublishEntry }[] = [];
    let total = 0;
    for (const e of entries) {
      try {
        const p = preparePublish(topic, e, randomUUID());
        total += p.bytes;
        ready.push({ id: e.Id, entry: p.entry });
      } catch (err) {
        const a = asAwsError(err);
        failed.push({ Id: e.Id, Code: a.spec.queryCode ?? a.code, Message: a.message, SenderFault: a.spec.fault === 'Sender' });
      }
    }
    if (total > MAX_MESSAGE_BYTES) throw new AwsError('SnsBatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
    const outcomes = ready.length === 0 ? [] : await sns.publish(topic, ready.map((r) => r.entry));
    return {
      Successful: ready.map((r, i) => ({ Id: r.id, MessageId: outcomes[i]!.messageId, ...(topic.fifo ? { SequenceNumber: sequenceNumberOf(outcomes[i]!.offset) } : {}) })),
      Failed: failed,
    };
  },
});
