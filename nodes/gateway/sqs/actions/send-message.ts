import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { send } from '../partitions.js';
import { prepareSend, sequenceNumber } from '../send.js';
import { messageAttributeMap, queueUrl, systemAttributeMap } from '../shapes.js';

export const sendMessage = defineAction<SqsBackend>()({
  name: 'SendMessage',
  input: t.struct({
    QueueUrl: queueUrl,
    MessageBody: t.string({ required: true }),
    DelaySeconds: t.integer(),
    MessageAttributes: messageAttributeMap,
    MessageSystemAttributes: systemAttributeMap,
    MessageDeduplicationId: t.string(),
    MessageGroupId: t.string(),
  }),
  output: t.struct({
    MD5OfMessageBody: t.string(),
    MD5OfMessageAttributes: t.string(),
    MD5OfMessageSystemAttributes: t.string(),
    MessageId: t.string(),
    SequenceNumber: t.string(),
  }),
  async handler(input, ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const p = prepareSend(q, input, ctx);
    const [sent] = (await send(sqs, q, p.partition, [p.item])).messages;
    if (!sent) throw new Error('send returned no result');
    return {
      MD5OfMessageBody: p.md5OfBody,
      MD5OfMessageAttributes: p.md5OfAttributes,
      MD5OfMessageSystemAttributes: p.md5OfSystemAttributes,
      MessageId: sent.id,
      SequenceNumber: q.fifo ? sequenceNumber(sent.seq, p.partition) : undefined,
    };
  },
});
