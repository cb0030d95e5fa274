// Delivering a subscription's messages to its endpoint: a Stratus queue, a Stratus function
// (its async-invoke queue, so the function's own retry settings apply) or an HTTP/S URL (the
// delivery policy's retries). An outcome is 'delivered', 'failed' (a client-side error, or an
// HTTP endpoint that exhausted its retries: the message goes to the subscription's dead-letter
// queue, or is dropped as AWS drops it), or 'retry' (our side could not take it right now: the
// caller keeps the position and tries again, so nothing acknowledged is lost).
import { randomUUID } from 'node:crypto';
import { type QueueRecord, type SubscriptionRecord, type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { asFunctionDoc } from '../../gateway/lambda/model.js';
import { policyDocument, policyKey, statementsOf } from '../../gateway/lambda/policy.js';
import { type ResourcePolicy, parseResourcePolicy } from '../../gateway/resource-policy.js';
import { type AttributeMap } from '../../gateway/sqs/messages.js';
import { nextPartition, send } from '../../gateway/sqs/partitions.js';
import { type SendItem } from '../../../storage/partitions/queue-codec.js';
import { prepareSend } from '../../gateway/sqs/send.js';
import { type AsyncQueue } from '../async-events.js';
import { AwsError } from '../../gateway/errors.js';
import { MAX_SEND_BATCH } from '../../../storage/partitions/queue-codec.js';
import { effectivePolicy, retryDelaysMs } from './delivery-policy.js';
import { deliverWithRetries, snsHeaders } from './http-delivery.js';
import { type DeliveryContext, type PublishedMessage, lambdaEvent, messageFor, notificationJson } from './notification.js';

export type Outcome = { kind: 'delivered' } | { kind: 'failed'; code: string; reason: string } | { kind: 'retry'; reason: string };

export interface TargetDeps {
  lambda: LambdaBackend;
  asyncQueue: AsyncQueue;
  /** Gateway URL for the links in notifications (UnsubscribeURL, SigningCertURL). */
  baseUrl: () => string;
  region: string;
  accountId: string;
  signal: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const SNS_SERVICE = 'sns.amazonaws.com';
const HTTP_CONCURRENCY = 16;
const CHUNK_BYTES = 1024 * 1024;
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[^:]+:\d{12}:(.+)$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;

export function contextOf(d: TargetDeps, topic: TopicRecord, sub: SubscriptionRecord, topicArn: string): DeliveryContext {
  return { subscriptionArn: `${topicArn}:${sub.id}`, protocol: sub.protocol, baseUrl: d.baseUrl(), region: d.region };
}

const signatureOf = (topic: TopicRecord): '1' | '2' => (topic.attributes.SignatureVersion === '2' ? '2' : '1');

/** What SQS receives: the raw message with its attributes, or the notification JSON. */
function sqsBody(topic: TopicRecord, sub: SubscriptionRecord, m: PublishedMessage, ctx: DeliveryContext): { body: string; attributes: AttributeMap } {
  if (sub.attributes.RawMessageDelivery !== 'true') return { body: notificationJson(m, ctx, signatureOf(topic)), attributes: {} };
  const attributes: AttributeMap = {};
  for (const [k, a] of Object.entries(m.attributes)) {
    attributes[k] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: new Uint8Array(Buffer.from(a.BinaryValue, 'base64')) } : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  }
  return { body: messageFor(m, 'sqs'), attributes };
}

/** Compiled policies by their text: every delivery checks one, and compiling is not free. */
const compiledPolicies = new Map<string, ResourcePolicy>();
function compiledPolicy(doc: string): ResourcePolicy {
  let p = compiledPolicies.get(doc);
  if (!p) {
    p = parseResourcePolicy(doc);
    if (compiledPolicies.size >= 1000) compiledPolicies.clear();
    compiledPolicies.set(doc, p);
  }
  return p;
}

/** Whether the queue's policy lets this topic send to it (AWS: required even within one account). */
export function queueAllows(q: QueueRecord, queueArn: string, topicArn: string, accountId: string): boolean {
  const doc = q.attributes.Policy;
  if (doc === undefined || doc === '') return false;
  try {
    return (
      compiledPolicy(doc).evaluate({
        principal: { kind: 'service', service: SNS_SERVICE },
        action: 'sqs:SendMessage',
        resource: queueArn,
        context: { 'aws:SourceArn': topicArn, 'aws:SourceAccount': accountId },
      }) === 'allow'
    );
  } catch {
    return false;
  }
}

/** Sends messages to an SQS queue, one proposal per partition; FIFO keeps the topic's group and deduplication ids. */
export async function deliverToQueue(d: TargetDeps, queueArn: string, topicArn: string, items: { body: string; attributes: AttributeMap; m: PublishedMessage }[], checkPolicy: boolean): Promise<Outcome> {
  const name = SQS_ARN.exec(queueArn)?.[1];
  let q: QueueRecord | undefined;
  try {
    q = name === undefined ? undefined : await d.lambda.sqs.byArn(queueArn);
  } catch (err) {
    return { kind: 'retry', reason: errorText(err) };
  }
  if (!q) return { kind: 'failed', code: 'NonExistentQueue', reason: `queue ${queueArn} does not exist` };
  if (checkPolicy && !queueAllows(q, queueArn, topicArn, d.accountId)) {
    return { kind: 'failed', code: 'AccessDenied', reason: `the policy of ${queueArn} does not allow ${topicArn} to send to it` };
  }
  // A standard queue takes the whole delivery in one partition (any will do), so a backlog costs
  // one proposal per chunk instead of one per partition; a FIFO queue's messages go to their
  // group's partition, in order.
  const spread = q.fifo ? undefined : nextPartition(q);
  const byPartition = new Map<number, SendItem[]>();
  try {
    for (const it of items) {
      const p = prepareSend(
        q,
        {
          MessageBody: it.body,
          ...(Object.keys(it.attributes).length > 0 ? { MessageAttributes: it.attributes } : {}),
          ...(q.fifo && it.m.groupId !== undefined ? { MessageGroupId: it.m.groupId } : {}),
          ...(q.fifo && it.m.dedupId !== undefined ? { MessageDeduplicationId: it.m.dedupId } : {}),
        },
        { accessKeyId: undefined, accountId: d.accountId },
      );
      const partition = spread ?? p.partition;
      let list = byPartition.get(partition);
      if (!list) byPartition.set(partition, (list = []));
      list.push(p.item);
    }
  } catch (err) {
    // SQS refused the message itself (too many attributes, a FIFO queue without a group).
    return { kind: 'failed', code: 'InvalidMessage', reason: errorText(err) };
  }
  try {
    await Promise.all(
      [...byPartition].map(async ([partition, list]) => {
        const chunks = chunked(list);
        // A FIFO queue's chunks go one after the other so each message group keeps the topic's order.
        if (q.fifo) for (const c of chunks) await send(d.lambda.sqs, q, partition, c);
        else await Promise.all(chunks.map((c) => send(d.lambda.sqs, q, partition, c)));
      }),
    );
  } catch (err) {
    // The queue refusing the message is final; anything else (an election, a timeout) is ours to retry.
    if (err instanceof AwsError && err.spec.fault === 'Sender') return { kind: 'failed', code: err.code, reason: err.message };
    return { kind: 'retry', reason: errorText(err) };
  }
  return { kind: 'delivered' };
}

/** Delivers a batch of one subscription's messages; one outcome per message. */
export async function deliver(d: TargetDeps, topic: TopicRecord, topicArn: string, sub: SubscriptionRecord, messages: PublishedMessage[]): Promise<Outcome[]> {
  const ctx = contextOf(d, topic, sub, topicArn);
  switch (sub.protocol) {
    case 'sqs': {
      const items = messages.map((m) => ({ ...sqsBody(topic, sub, m, ctx), m }));
      const o = await deliverToQueue(d, sub.endpoint, topicArn, items, true);
      return messages.map(() => o);
    }
    case 'lambda':
      return Promise.all(messages.map((m) => invokeFunction(d, topic, topicArn, sub, m, ctx)));
    default: {
      // Bounded, so one subscription's backlog does not open hundreds of connections to one endpoint.
      const out: Outcome[] = [];
      for (let i = 0; i < messages.length; i += HTTP_CONCURRENCY) {
        out.push(...(await Promise.all(messages.slice(i, i + HTTP_CONCURRENCY).map((m) => postHttp(d, topic, topicArn, sub, m, ctx)))));
      }
      return out;
    }
  }
}

async function invokeFunction(d: TargetDeps, topic: TopicRecord, topicArn: string, sub: SubscriptionRecord, m: PublishedMessage, ctx: DeliveryContext): Promise<Outcome> {
  const match = LAMBDA_ARN.exec(sub.endpoint);
  if (!match) return { kind: 'failed', code: 'InvalidEndpoint', reason: `${sub.endpoint} is not a function ARN` };
  const [, name, qualifier] = match;
  try {
    const f = await d.lambda.catalog.get('function', name!, asFunctionDoc);
    if (!f) return { kind: 'failed', code: 'ResourceNotFound', reason: `function ${name!} does not exist` };
    // AWS: the function's resource-based policy must let SNS invoke it for this topic (AddPermission).
    const statements = statementsOf(f.doc, policyKey(qualifier));
    const decision =
      statements.length === 0
        ? 'none'
        : compiledPolicy(JSON.stringify(policyDocument(statements))).evaluate({
            principal: { kind: 'service', service: SNS_SERVICE },
            action: 'lambda:InvokeFunction',
            resource: sub.endpoint,
            context: { 'aws:SourceArn': topicArn, 'aws:SourceAccount': d.accountId },
          });
    if (decision !== 'allow') return { kind: 'failed', code: 'AccessDenied', reason: `the policy of ${sub.endpoint} does not allow ${topicArn} to invoke it` };
    await d.asyncQueue.put({ functionName: name!, qualifier, requestId: randomUUID(), enqueuedMs: Date.now(), attempts: 0, payload: lambdaEvent(m, ctx, signatureOf(topic)) });
    return { kind: 'delivered' };
  } catch (err) {
    return { kind: 'retry', reason: errorText(err) };
  }
}

async function postHttp(d: TargetDeps, topic: TopicRecord, topicArn: string, sub: SubscriptionRecord, m: PublishedMessage, ctx: DeliveryContext): Promise<Outcome> {
  const policy = effectivePolicy(topic.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
  const raw = sub.attributes.RawMessageDelivery === 'true';
  const body = raw ? messageFor(m, sub.protocol) : notificationJson(m, ctx, signatureOf(topic));
  const headers = snsHeaders({ type: 'Notification', messageId: m.messageId, topicArn, subscriptionArn: ctx.subscriptionArn, raw, contentType: policy.headerContentType });
  const r = await deliverWithRetries({ url: sub.endpoint, headers, body }, retryDelaysMs(policy), { signal: d.signal, ...(d.sleep ? { sleep: d.sleep } : {}) });
  if (r.delivered) return { kind: 'delivered' };
  if (r.aborted) return { kind: 'retry', reason: 'stopping' };
  return { kind: 'failed', code: 'EndpointUnavailable', reason: r.last.error ?? `HTTP ${r.last.status ?? '?'}` };
}

/** A message the endpoint never took goes to the subscription's dead-letter queue, as SNS sends it there. */
export async function toDeadLetterQueue(d: TargetDeps, topic: TopicRecord, topicArn: string, sub: SubscriptionRecord, m: PublishedMessage, why: { code: string; reason: string }): Promise<Outcome | undefined> {
  const policy = sub.attributes.RedrivePolicy;
  if (!policy) return undefined;
  const arn = (JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn;
  const ctx = contextOf(d, topic, sub, topicArn);
  const raw = sub.protocol === 'sqs' || sub.protocol === 'http' || sub.protocol === 'https' ? sub.attributes.RawMessageDelivery === 'true' : false;
  const { body, attributes } = raw ? sqsBody(topic, sub, m, ctx) : { body: notificationJson(m, ctx, signatureOf(topic)), attributes: {} as AttributeMap };
  const withError: AttributeMap = {
    ...attributes,
    ErrorCode: { DataType: 'String', StringValue: why.code },
    ErrorMessage: { DataType: 'String', StringValue: why.reason.slice(0, 1000) || 'undeliverable' },
  };
  return deliverToQueue(d, arn, topicArn, [{ body, attributes: withError, m }], true);
}

/** Send commands of at most MAX_SEND_BATCH messages and about 1 MiB each (one Raft entry). */
function chunked(items: SendItem[]): SendItem[][] {
  const out: SendItem[][] = [];
  let cur: SendItem[] = [];
  let bytes = 0;
  for (const it of items) {
    const size = it.body.length + it.attributes.length;
    if (cur.length > 0 && (cur.length >= MAX_SEND_BATCH || bytes + size > CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
