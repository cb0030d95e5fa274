/**
 * The documents SNS delivers: the notification JSON (HTTP/S, SQS, email-json, Firehose bodies), the Lambda event,
 * and the subscription / unsubscribe confirmations.
 *
 * Sources:
 * - https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html (keys; Subject omitted when absent)
 * - https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html
 * - https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html
 * - https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html (event shape; `SigningCertUrl`/`UnsubscribeUrl` casing)
 * - https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html ("Message attributes are sent only when the
 *   message structure is String, not JSON")
 * - FIFO topics: bodies carry `SequenceNumber` after `MessageId` and no signature fields (aws/aws-sdk-net#3000 and
 *   PR #4262, where the SDK stopped requiring them; epsagon/epsagon-node#445); no `MessageGroupId` key.
 */
import { sign, type SignableFields, type SignatureVersion } from './signing.js';

export type { SnsMessageAttribute } from '../../gateway/sns/message.js';
import { type SnsMessageAttribute } from '../../gateway/sns/message.js';

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  timestampMs: number;
  message: string;
  subject?: string;
  /** 'json': `message` is a JSON object with "default" and optional per-protocol keys */
  structure?: 'json';
  attributes: Record<string, SnsMessageAttribute>;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
}

export interface DeliveryContext {
  subscriptionArn: string;
  protocol: string;
  /** gateway base URL, e.g. http://127.0.0.1:4566 */
  baseUrl: string;
  region: string;
}

const API_VERSION = '2010-03-31';

/** The body for a protocol: with structure 'json' the protocol's key or "default", else the message. */
export function messageFor(m: PublishedMessage, protocol: string): string {
  if (m.structure !== 'json') return m.message;
  let parsed: unknown;
  try {
    parsed = JSON.parse(m.message);
  } catch {
    // Publish validates the structure; a stored message that no longer parses is delivered as written rather than lost.
    return m.message;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return m.message;
  const byProtocol = parsed as Record<string, unknown>;
  const own = byProtocol[protocol];
  if (typeof own === 'string') return own;
  const fallback = byProtocol['default'];
  return typeof fallback === 'string' ? fallback : m.message;
}

export function signingCertUrl(baseUrl: string): string {
  return `${baseUrl}/SimpleNotificationService-stratus.pem`;
}

export function unsubscribeUrl(baseUrl: string, subscriptionArn: string): string {
  return `${baseUrl}/?Action=Unsubscribe&Version=${API_VERSION}&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;
}

export function subscribeUrl(baseUrl: string, topicArn: string, token: string): string {
  return (
    `${baseUrl}/?Action=ConfirmSubscription&Version=${API_VERSION}` +
    `&TopicArn=${encodeURIComponent(topicArn)}&Token=${encodeURIComponent(token)}`
  );
}

/** ISO-8601 UTC with milliseconds, as SNS stamps every message ("2012-04-26T20:45:04.751Z"). */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

function hasSubject(m: PublishedMessage): m is PublishedMessage & { subject: string } {
  return m.subject !== undefined && m.subject !== '';
}

function isFifoTopic(topicArn: string): boolean {
  return topicArn.endsWith('.fifo');
}

interface RenderedAttribute {
  Type: string;
  Value: string;
}

function renderAttributes(m: PublishedMessage): Array<[string, RenderedAttribute]> {
  if (m.structure === 'json') return [];
  return Object.entries(m.attributes).map(([name, a]) => [
    name,
    { Type: a.DataType, Value: a.DataType.startsWith('Binary') ? (a.BinaryValue ?? '') : (a.StringValue ?? '') },
  ]);
}

/**
 * Serialises the way SNS does (Jackson's default pretty printer): two-space indent, `"Key" : value`, and each
 * message attribute compact on its own line. Consumers that compare bodies textually, or log them, see AWS's bytes.
 */
function awsPrettyJson(fields: Array<[string, string]>, attributes: Array<[string, RenderedAttribute]>): string {
  const lines = fields.map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  if (attributes.length > 0) {
    const inner = attributes.map(
      ([name, a]) => `    ${JSON.stringify(name)} : {"Type":${JSON.stringify(a.Type)},"Value":${JSON.stringify(a.Value)}}`,
    );
    lines.push(`  "MessageAttributes" : {\n${inner.join(',\n')}\n  }`);
  }
  return `{\n${lines.join(',\n')}\n}`;
}

function notificationSignable(m: PublishedMessage, body: string, timestamp: string): SignableFields {
  const fields: SignableFields = { Type: 'Notification', Message: body, MessageId: m.messageId, Timestamp: timestamp, TopicArn: m.topicArn };
  if (hasSubject(m)) fields.Subject = m.subject;
  return fields;
}

/**
 * The SNS notification JSON. Standard topics: Type, MessageId, TopicArn, [Subject], Message, Timestamp,
 * SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, [MessageAttributes]. FIFO topics: Type, MessageId,
 * SequenceNumber, TopicArn, [Subject], Message, Timestamp, UnsubscribeURL, [MessageAttributes] — unsigned, as AWS sends
 * them.
 */
export function notificationJson(m: PublishedMessage, ctx: DeliveryContext, signatureVersion: SignatureVersion): string {
  const body = messageFor(m, ctx.protocol);
  const timestamp = isoTimestamp(m.timestampMs);
  const fifo = isFifoTopic(m.topicArn);
  const fields: Array<[string, string]> = [
    ['Type', 'Notification'],
    ['MessageId', m.messageId],
  ];
  if (fifo && m.sequenceNumber !== undefined) fields.push(['SequenceNumber', m.sequenceNumber]);
  fields.push(['TopicArn', m.topicArn]);
  if (hasSubject(m)) fields.push(['Subject', m.subject]);
  fields.push(['Message', body], ['Timestamp', timestamp]);
  if (!fifo) {
    fields.push(
      ['SignatureVersion', signatureVersion],
      ['Signature', sign(notificationSignable(m, body, timestamp), signatureVersion)],
      ['SigningCertURL', signingCertUrl(ctx.baseUrl)],
    );
  }
  fields.push(['UnsubscribeURL', unsubscribeUrl(ctx.baseUrl, ctx.subscriptionArn)]);
  return awsPrettyJson(fields, renderAttributes(m));
}

/**
 * The event SNS hands a subscribed Lambda function. Unlike the HTTP body, `Subject` is present as null when absent,
 * `MessageAttributes` is always present, and the URL keys are spelt `SigningCertUrl` / `UnsubscribeUrl`.
 */
export function lambdaEvent(m: PublishedMessage, ctx: DeliveryContext, signatureVersion: SignatureVersion): string {
  const body = messageFor(m, ctx.protocol);
  const timestamp = isoTimestamp(m.timestampMs);
  const attributes: Record<string, RenderedAttribute> = {};
  for (const [name, a] of renderAttributes(m)) attributes[name] = a;
  const event = {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: ctx.subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: m.messageId,
          TopicArn: m.topicArn,
          Subject: hasSubject(m) ? m.subject : null,
          Message: body,
          Timestamp: timestamp,
          SignatureVersion: signatureVersion,
          Signature: sign(notificationSignable(m, body, timestamp), signatureVersion),
          SigningCertUrl: signingCertUrl(ctx.baseUrl),
          UnsubscribeUrl: unsubscribeUrl(ctx.baseUrl, ctx.subscriptionArn),
          MessageAttributes: attributes,
        },
      },
    ],
  };
  return JSON.stringify(event);
}

interface ConfirmationInput {
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  topicArn: string;
  token: string;
  messageId: string;
  timestampMs: number;
  baseUrl: string;
  message: string;
}

// Both confirmation types share AWS's key order and signed field set; only the Type and the Message text differ.
function confirmation(o: ConfirmationInput, signatureVersion: SignatureVersion): string {
  const timestamp = isoTimestamp(o.timestampMs);
  const url = subscribeUrl(o.baseUrl, o.topicArn, o.token);
  const signature = sign(
    { Type: o.type, Message: o.message, MessageId: o.messageId, SubscribeURL: url, Timestamp: timestamp, Token: o.token, TopicArn: o.topicArn },
    signatureVersion,
  );
  return awsPrettyJson(
    [
      ['Type', o.type],
      ['MessageId', o.messageId],
      ['Token', o.token],
      ['TopicArn', o.topicArn],
      ['Message', o.message],
      ['SubscribeURL', url],
      ['Timestamp', timestamp],
      ['SignatureVersion', signatureVersion],
      ['Signature', signature],
      ['SigningCertURL', signingCertUrl(o.baseUrl)],
    ],
    [],
  );
}

/** SubscriptionConfirmation JSON, keys in AWS's order: Type, MessageId, Token, TopicArn, Message, SubscribeURL, Timestamp, SignatureVersion, Signature, SigningCertURL. */
export function confirmationJson(
  o: { topicArn: string; token: string; messageId: string; timestampMs: number; baseUrl: string },
  signatureVersion: SignatureVersion,
): string {
  const message =
    `You have chosen to subscribe to the topic ${o.topicArn}.\n` +
    'To confirm the subscription, visit the SubscribeURL included in this message.';
  return confirmation({ ...o, type: 'SubscriptionConfirmation', message }, signatureVersion);
}

/** UnsubscribeConfirmation JSON (sent to HTTP/S endpoints after Unsubscribe); same keys as the subscription confirmation. */
export function unsubscribeConfirmationJson(
  o: { topicArn: string; subscriptionArn: string; token: string; messageId: string; timestampMs: number; baseUrl: string },
  signatureVersion: SignatureVersion,
): string {
  const message =
    `You have chosen to deactivate subscription ${o.subscriptionArn}.\n` +
    'To cancel this operation and restore the subscription, visit the SubscribeURL included in this message.';
  return confirmation(
    { type: 'UnsubscribeConfirmation', topicArn: o.topicArn, token: o.token, messageId: o.messageId, timestampMs: o.timestampMs, baseUrl: o.baseUrl, message },
    signatureVersion,
  );
}
