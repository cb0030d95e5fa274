// A published message: Publish's checks (AWS's limits and messages), the form it takes in the
// topic's log, and reading it back. The log record's offset and timestamp complete it: the
// scheduler derives the notification's Timestamp and a FIFO message's SequenceNumber from them.
import { createHash } from 'node:crypto';
import { type PublishEntry } from '../../../storage/partitions/topic-codec.js';
import { type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';

/** AWS: 256 KiB for the message and its attributes together. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT = 100;
const MAX_ID = 128;
const ID_PATTERN = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/;

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
}

/** A message as the topic's log holds it (JSON). */
export interface StoredMessage {
  id: string;
  message: string;
  subject?: string;
  structure?: 'json';
  attributes: Record<string, SnsMessageAttribute>;
  groupId?: string;
  dedupId?: string;
}

export interface PublishInput {
  Message: string;
  Subject?: string | undefined;
  MessageStructure?: string | undefined;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string | undefined; BinaryValue?: Uint8Array | undefined }> | undefined;
  MessageGroupId?: string | undefined;
  MessageDeduplicationId?: string | undefined;
}

const invalid = (reason: string): AwsError => new AwsError('InvalidParameter', `Invalid parameter: ${reason}`);
const invalidValue = (reason: string): AwsError => new AwsError('SnsInvalidParameterValue', reason);

/** Checks a Publish (or batch entry) against the topic and gives the log entry and its size. */
export function preparePublish(topic: TopicRecord, input: PublishInput, messageId: string): { entry: PublishEntry; bytes: number } {
  if (input.Message === '') throw invalid('Empty message');
  if (input.Subject !== undefined) {
    // AWS: ASCII text up to 100 characters, no line breaks or control characters, not empty.
    if (input.Subject === '' || input.Subject.length > MAX_SUBJECT || !/^[\x20-\x7e]+$/.test(input.Subject)) throw invalid('Subject');
  }
  let structure: 'json' | undefined;
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== 'json') throw invalid('MessageStructure');
    structure = 'json';
    let body: unknown;
    try {
      body = JSON.parse(input.Message) as unknown;
    } catch {
      throw invalid('Message Structure - JSON message body failed to parse');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('Message Structure - JSON message body failed to parse');
    if (typeof (body as Record<string, unknown>).default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
  }
  const attributes: Record<string, SnsMessageAttribute> = {};
  let bytes = Buffer.byteLength(input.Message);
  for (const [name, a] of Object.entries(input.MessageAttributes ?? {})) {
    const checked = checkAttribute(name, a);
    attributes[name] = checked;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(checked.DataType) + Buffer.byteLength(checked.StringValue ?? '') + (a.BinaryValue?.length ?? 0);
  }
  if (bytes > MAX_MESSAGE_BYTES) throw invalid('Message too long');
  const { groupId, dedupId } = fifoIds(topic, input);
  const stored: StoredMessage = {
    id: messageId,
    message: input.Message,
    ...(input.Subject !== undefined ? { subject: input.Subject } : {}),
    ...(structure ? { structure } : {}),
    attributes,
    ...(groupId !== undefined ? { groupId } : {}),
    ...(dedupId !== undefined ? { dedupId } : {}),
  };
  return {
    entry: { dedupId: topic.fifo ? dedupId! : '', messageId, key: Buffer.from(groupId ?? ''), value: Buffer.from(JSON.stringify(stored)) },
    bytes,
  };
}

function fifoIds(topic: TopicRecord, input: PublishInput): { groupId?: string; dedupId?: string } {
  const { MessageGroupId: groupId, MessageDeduplicationId: dedupId } = input;
  if (groupId !== undefined && (groupId.length > MAX_ID || !ID_PATTERN.test(groupId))) throw invalid('MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
  if (dedupId !== undefined && (dedupId.length > MAX_ID || !ID_PATTERN.test(dedupId))) throw invalid('MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
  if (!topic.fifo) {
    if (dedupId !== undefined) throw invalid('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    // Standard topics pass a message group on to SQS (fair queues).
    return groupId === undefined ? {} : { groupId };
  }
  if (groupId === undefined) throw invalid('The MessageGroupId parameter is required for FIFO topics');
  if (dedupId !== undefined) return { groupId, dedupId };
  if (topic.attributes.ContentBasedDeduplication !== 'true') {
    throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  }
  // AWS: content-based deduplication hashes the message body (SHA-256).
  return { groupId, dedupId: createHash('sha256').update(input.Message).digest('hex') };
}

function checkAttribute(name: string, a: { DataType: string; StringValue?: string | undefined; BinaryValue?: Uint8Array | undefined }): SnsMessageAttribute {
  if (!ATTRIBUTE_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
    throw invalidValue(`The message attribute name '${name}' is invalid. Message attribute names can contain only alphanumeric characters, hyphens, underscores and periods, and must not start or end with a period or contain consecutive periods, or start with AWS. or Amazon.`);
  }
  const type = a.DataType;
  if (!ATTRIBUTE_TYPE.test(type) && !/^String\.Array$/.test(type)) {
    throw invalidValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  if (type.startsWith('Binary')) {
    if (a.BinaryValue === undefined || a.BinaryValue.length === 0) throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    return { DataType: type, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') };
  }
  const v = a.StringValue;
  if (v === undefined || v === '') throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
  if (type.startsWith('Number') && !isSnsNumber(v)) {
    throw invalidValue(`An invalid or out-of-range value '${v}' was supplied for the message attribute '${name}' of type '${type}'.`);
  }
  if (type === 'String.Array' && !isFlatArray(v)) {
    throw invalidValue(`The message attribute '${name}' with type 'String.Array' has an invalid value '${v}'. It must be a valid JSON array of strings, numbers, booleans or null.`);
  }
  return { DataType: type, StringValue: v };
}

/** AWS: up to 38 digits of precision, between -10^128 and +10^126. */
function isSnsNumber(v: string): boolean {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return false;
  const n = Number(v);
  const digits = v.replace(/[eE].*$/, '').replace(/[^0-9]/g, '').replace(/^0+/, '');
  return Number.isFinite(n) && digits.length <= 38 && n >= -1e128 && n <= 1e126;
}

function isFlatArray(v: string): boolean {
  try {
    const a = JSON.parse(v) as unknown;
    return Array.isArray(a) && a.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
  } catch {
    return false;
  }
}

export function decodeStored(value: Uint8Array): StoredMessage {
  return JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')) as StoredMessage;
}
