import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { decodeAttributes, encodeReceipt, selectAttributes } from '../messages.js';
import { receiveMessages } from '../receive.js';
import { sequenceNumber } from '../send.js';
import { attributeMap, messageAttributeMap, queueUrl } from '../shapes.js';

const SYSTEM = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SequenceNumber', 'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn'];

export const receiveMessage = defineAction<SqsBackend>()({
  name: 'ReceiveMessage',
  input: t.struct({
    QueueUrl: queueUrl,
    AttributeNames: t.list(t.string(), { queryName: 'AttributeName' }),
    MessageSystemAttributeNames: t.list(t.string(), { queryName: 'AttributeName' }),
    MessageAttributeNames: t.list(t.string(), { queryName: 'MessageAttributeName' }),
    MaxNumberOfMessages: t.integer(),
    VisibilityTimeout: t.integer(),
    WaitTimeSeconds: t.integer(),
    ReceiveRequestAttemptId: t.string(),
  }),
  output: t.struct({
    Messages: t.list(
      t.struct({
        MessageId: t.string(),
        ReceiptHandle: t.string(),
        MD5OfBody: t.string(),
        Body: t.string(),
        Attributes: attributeMap,
        MD5OfMessageAttributes: t.string(),
        MessageAttributes: messageAttributeMap,
      }),
      { queryName: 'Message' },
    ),
  }),
  async handler(input, ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (max < 1 || max > 10) throw new AwsError('InvalidParameterValue', `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    const wait = input.WaitTimeSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    if (wait < 0 || wait > 20) throw new AwsError('InvalidParameterValue', `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    const visibility = input.VisibilityTimeout ?? Number(q.attributes.VisibilityTimeout ?? 30);
    if (visibility < 0 || visibility > 43_200) {
      throw new AwsError('InvalidParameterValue', `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`);
    }
    const attemptId = q.fifo ? input.ReceiveRequestAttemptId : undefined;
    if (attemptId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(attemptId)) {
      throw new AwsError('InvalidParameterValue', `Value ${attemptId} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
    }
    const delivered = await receiveMessages(sqs, q, {
      max,
      visibilityTimeoutMs: visibility * 1000,
      waitMs: wait * 1000,
      signal: ctx.signal,
      ...(attemptId !== undefined ? { attemptId } : {}),
    });
    const wanted = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
    const all = wanted.includes('All');
    return {
      Messages: delivered.map(({ partition, state, record }) => {
        const sys: Record<string, string | undefined> = {
          SenderId: record.senderId,
          SentTimestamp: String(record.sentTimestamp),
          ApproximateReceiveCount: String(state.receiveCount),
          ApproximateFirstReceiveTimestamp: String(state.firstReceiveTs),
          SequenceNumber: q.fifo ? sequenceNumber(record.seq, partition) : undefined,
          MessageDeduplicationId: record.dedupId,
          MessageGroupId: record.groupId,
          AWSTraceHeader: record.traceHeader,
          DeadLetterQueueSourceArn: record.deadLetterSource !== undefined ? sqs.arn(ctx.region, record.deadLetterSource) : undefined,
        };
        const attributes: Record<string, string> = {};
        for (const k of SYSTEM) {
          const v = sys[k];
          if (v !== undefined && (all || wanted.includes(k))) attributes[k] = v;
        }
        const messageAttributes = selectAttributes(decodeAttributes(record.attributes), input.MessageAttributeNames);
        return {
          MessageId: record.id,
          ReceiptHandle: encodeReceipt({ queueId: q.id, partition, seq: record.seq, receiveCount: state.receiveCount }),
          MD5OfBody: record.md5OfBody,
          Body: Buffer.from(record.body).toString('utf8'),
          ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
          ...(messageAttributes ? { MD5OfMessageAttributes: record.md5OfAttributes, MessageAttributes: messageAttributes } : {}),
        };
      }),
    };
  },
});
