// The event Lambda hands a function for SQS messages (the "aws:sqs" record shape).
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { type Delivered } from '../../gateway/sqs/receive.js';
import { decodeAttributes, encodeReceipt } from '../../gateway/sqs/messages.js';
import { sequenceNumber } from '../../gateway/sqs/send.js';

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
  /** Lets filters view the record as the plain object it is on the wire. */
  [field: string]: unknown;
}

export function sqsRecord(q: QueueRecord, queueArn: string, region: string, d: Delivered): SqsEventRecord {
  const { record, state, partition } = d;
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(state.receiveCount),
    SentTimestamp: String(record.sentTimestamp),
    SenderId: record.senderId,
    ApproximateFirstReceiveTimestamp: String(state.firstReceiveTs),
  };
  if (q.fifo) {
    attributes.SequenceNumber = sequenceNumber(record.seq, partition);
    if (record.groupId !== undefined) attributes.MessageGroupId = record.groupId;
    if (record.dedupId !== undefined) attributes.MessageDeduplicationId = record.dedupId;
  }
  if (record.traceHeader !== undefined) attributes.AWSTraceHeader = record.traceHeader;
  const messageAttributes: SqsEventRecord['messageAttributes'] = {};
  for (const [name, v] of Object.entries(decodeAttributes(record.attributes))) {
    messageAttributes[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: record.id,
    receiptHandle: encodeReceipt({ queueId: q.id, partition, seq: record.seq, receiveCount: state.receiveCount }),
    body: Buffer.from(record.body).toString('utf8'),
    attributes,
    messageAttributes,
    md5OfBody: record.md5OfBody,
    ...(Object.keys(messageAttributes).length > 0 && record.md5OfAttributes ? { md5OfMessageAttributes: record.md5OfAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
