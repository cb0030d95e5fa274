// Turning one SendMessage (or one batch entry) into a partition's SendItem: every per-message
// rule of SQS is checked here, once, for both the single and the batch action.
import { createHash, randomUUID } from 'node:crypto';
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { type SendItem } from '../../../storage/partitions/queue-codec.js';
import { type RequestContext } from '../action.js';
import { AwsError } from '../errors.js';
import { type AttributeMap, checkBody, checkMessageAttributes, encodeAttributes, md5Hex, md5OfAttributes } from './messages.js';
import { nextPartition, partitionForGroup } from './partitions.js';
import { currentXRayHeader } from '../../telemetry/propagation.js';

export interface SendEntry {
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: AttributeMap;
  MessageSystemAttributes?: AttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface PreparedSend {
  partition: number;
  item: SendItem;
  md5OfBody: string;
  md5OfAttributes: string | undefined;
  md5OfSystemAttributes: string | undefined;
}

/** Group and deduplication ids: 1-128 alphanumeric and punctuation characters (AWS). */
const TOKEN = /^[\x21-\x7e]{1,128}$/;
const notForQueueType = (param: string, value: string): AwsError =>
  new AwsError('InvalidParameterValue', `Value ${value} for parameter ${param} is invalid. Reason: The request include parameter that is not valid for this queue type.`);

export function prepareSend(q: QueueRecord, e: SendEntry, ctx: Pick<RequestContext, 'accessKeyId' | 'accountId'>): PreparedSend {
  checkBody(e.MessageBody);
  const attrs = e.MessageAttributes ?? {};
  let size = Buffer.byteLength(e.MessageBody) + checkMessageAttributes(attrs);
  const sys = e.MessageSystemAttributes ?? {};
  for (const [k, v] of Object.entries(sys)) {
    if (k !== 'AWSTraceHeader') throw new AwsError('InvalidParameterValue', `Message system attribute name '${k}' is invalid.`);
    if (v.DataType !== 'String' || !v.StringValue) throw new AwsError('InvalidParameterValue', `Message system attribute '${k}' must contain a non-empty value of type 'String'.`);
    size += Buffer.byteLength(v.StringValue);
  }
  const max = Number(q.attributes.MaximumMessageSize ?? 262144);
  if (size > max) throw new AwsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);

  let delaySeconds = Number(q.attributes.DelaySeconds ?? 0);
  if (e.DelaySeconds !== undefined) {
    if (q.fifo) throw notForQueueType('DelaySeconds', String(e.DelaySeconds));
    if (e.DelaySeconds < 0 || e.DelaySeconds > 900) {
      throw new AwsError('InvalidParameterValue', `Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    }
    delaySeconds = e.DelaySeconds;
  }

  let dedupId = e.MessageDeduplicationId;
  const groupId = e.MessageGroupId;
  if (groupId !== undefined && !TOKEN.test(groupId)) {
    throw new AwsError('InvalidParameterValue', `Value ${groupId} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  if (q.fifo) {
    if (groupId === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
    if (dedupId === undefined) {
      if (q.attributes.ContentBasedDeduplication !== 'true') {
        throw new AwsError('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      dedupId = createHash('sha256').update(e.MessageBody).digest('hex');
    } else if (!TOKEN.test(dedupId)) {
      throw new AwsError('InvalidParameterValue', `Value ${dedupId} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
    }
  } else if (dedupId !== undefined) {
    throw notForQueueType('MessageDeduplicationId', dedupId);
  }

  const md5OfBody = md5Hex(e.MessageBody);
  const md5Attrs = md5OfAttributes(attrs);
  // As X-Ray's SDK does for a traced sender: the message carries the trace it was sent in.
  const trace = sys.AWSTraceHeader?.StringValue ?? currentXRayHeader(true);
  const item: SendItem = {
    id: randomUUID(),
    body: new Uint8Array(Buffer.from(e.MessageBody, 'utf8')),
    attributes: encodeAttributes(attrs),
    md5OfBody,
    md5OfAttributes: md5Attrs,
    delayMs: delaySeconds * 1000,
    senderId: ctx.accessKeyId ?? ctx.accountId,
    ...(groupId !== undefined ? { groupId } : {}),
    ...(q.fifo && dedupId !== undefined ? { dedupId, dedupScope: q.attributes.DeduplicationScope === 'messageGroup' ? 'messageGroup' : 'queue' } : {}),
    ...(trace !== undefined ? { traceHeader: trace } : {}),
  };
  return {
    partition: q.fifo && groupId !== undefined ? partitionForGroup(q, groupId) : nextPartition(q),
    item,
    md5OfBody,
    md5OfAttributes: md5Attrs === '' ? undefined : md5Attrs,
    md5OfSystemAttributes: Object.keys(sys).length > 0 ? md5OfAttributes(sys) : undefined,
  };
}

/** FIFO sequence numbers: increasing within a partition (so within a message group), 20 digits like AWS's. */
export function sequenceNumber(seq: number, partition: number): string {
  return ((BigInt(seq) << 10n) | BigInt(partition)).toString().padStart(20, '0');
}
