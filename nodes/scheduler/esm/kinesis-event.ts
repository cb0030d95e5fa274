// The event Lambda hands a function for Kinesis records ("aws:kinesis"), and the record of a
// discarded batch that goes to the mapping's on-failure destination.
import { type StreamRecordOut } from '../../gateway/kinesis/reading.js';

export interface KinesisEventRecord {
  kinesis: { kinesisSchemaVersion: '1.0'; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
  [field: string]: unknown;
}

export function kinesisRecord(r: StreamRecordOut, shardId: string, streamArn: string, region: string, accountId: string): KinesisEventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey,
      sequenceNumber: r.SequenceNumber,
      data: Buffer.from(r.Data).toString('base64'),
      approximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    // Stratus has no IAM roles; a fixed role ARN keeps the field's shape.
    invokeIdentityArn: `arn:aws:iam::${accountId}:role/stratus-event-source-mapping`,
    awsRegion: region,
    eventSourceARN: streamArn,
  };
}

export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** AWS's on-failure record for a stream batch: metadata only, the records stay in the stream. */
export function discardedBatchRecord(o: {
  requestId: string;
  functionArn: string;
  condition: DiscardCondition;
  attempts: number;
  functionError?: string | undefined;
  shardId: string;
  streamArn: string;
  records: StreamRecordOut[];
}): string {
  const first = o.records[0]!;
  const last = o.records[o.records.length - 1]!;
  return JSON.stringify({
    requestContext: { requestId: o.requestId, functionArn: o.functionArn, condition: o.condition, approximateInvokeCount: o.attempts },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: o.functionError ?? '' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: {
      shardId: o.shardId,
      startSequenceNumber: first.SequenceNumber,
      endSequenceNumber: last.SequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.ApproximateArrivalTimestamp * 1000).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.ApproximateArrivalTimestamp * 1000).toISOString(),
      batchSize: o.records.length,
      streamArn: o.streamArn,
    },
  });
}
