// The native TopicService end to end on the embedded server: the proto as the translation of
// the SNS actions, topics and subscriptions, publishing to a queue subscription (delivered by
// the scheduler), PublishBatch's per-entry results, paging fields, and errors as gRPC statuses
// with the SNS code in metadata.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoName } from '../../nodes/gateway/action-grpc.js';
import { type Shape, type StructShape } from '../../nodes/gateway/shapes.js';
import { encodeToken } from '../../nodes/gateway/sns/paging.js';
import { SNS_ACTIONS } from '../../nodes/gateway/sns/service.js';
import { topicServiceClient } from '../../nodes/gateway/topic-service.js';
import { queuePolicy } from '../compat/sns-fixtures.js';
import { startEmbedded } from '../compat/targets.js';
import { type MessageOut, QueueClient } from '../integration/queue-client.js';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;
type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

interface SubscriptionOut {
  subscriptionArn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  topicArn: string;
}
interface BatchOut {
  successful: { id: string; messageId: string; sequenceNumber?: string }[];
  failed: { id: string; code: string; message: string; senderFault: boolean }[];
}

let target: Embedded | undefined;
let raw: grpc.Client;
let queues: QueueClient;

beforeAll(async () => {
  target = await startEmbedded();
  const Ctor = topicServiceClient();
  raw = new Ctor(target.node.grpcAddress, grpc.credentials.createInsecure());
  queues = new QueueClient(target.node.grpcAddress);
}, 60_000);

afterAll(async () => {
  raw?.close();
  queues?.close();
  await target?.stop();
});

function call<T>(method: string, req: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const f = (raw as unknown as Record<string, Unary | undefined>)[method];
    if (!f) throw new Error(`TopicService has no method ${method}`);
    f.call(raw, req, { deadline: new Date(Date.now() + 30_000) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
  });
}

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

const awsCode = (e: { metadata: grpc.Metadata }): unknown => e.metadata.get('aws-error-code')[0];
const statusOf = (e: grpc.ServiceError): [grpc.status, unknown] => [e.code, awsCode(e)];

/** A queue whose policy lets `topicArn` send to it (AWS requires that even within one account). */
async function topicQueue(name: string, topicArn: string): Promise<{ url: string; arn: string }> {
  const { queueUrl } = await queues.createQueue(name);
  const { attributes } = await queues.call<{ attributes: Record<string, string> }>('getQueueAttributes', { queueUrl, attributeNames: ['QueueArn'] });
  const arn = attributes.QueueArn!;
  await queues.call('setQueueAttributes', { queueUrl, attributes: { Policy: queuePolicy(arn, [topicArn]) } });
  return { url: queueUrl, arn };
}

/** Receives and deletes until `count` messages arrived; long polls, so no fixed sleeps. */
async function drain(url: string, count: number, timeoutMs = 20_000): Promise<MessageOut[]> {
  const out: MessageOut[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const wait = Math.max(1, Math.min(5, Math.ceil((deadline - Date.now()) / 1000)));
    const { messages } = await queues.receiveMessage(url, { maxNumberOfMessages: 10, waitTimeSeconds: wait, messageAttributeNames: ['All'] });
    if (messages.length === 0) continue;
    out.push(...messages);
    await queues.call('deleteMessageBatch', { queueUrl: url, entries: messages.map((m, i) => ({ id: `m${i}`, receiptHandle: m.receiptHandle })) });
  }
  return out;
}

function json(body: string): Record<string, unknown> {
  const v: unknown = JSON.parse(body);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not a JSON object: ${body}`);
  return v as Record<string, unknown>;
}

// --- The proto against the action shapes ---

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  nestedType: (MessageDescriptor & { name?: string; options?: { mapEntry?: boolean } | null })[];
  oneofDecl: { name: string }[];
}

const PACKAGE = protoLoader.loadSync(fileURLToPath(new URL('../../proto/stratus/v1/topics.proto', import.meta.url)), { keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true });

function message(name: string): MessageDescriptor {
  const def = PACKAGE[`stratus.v1.${name}`] as { type?: MessageDescriptor } | undefined;
  if (!def?.type) throw new Error(`stratus.v1.${name} is not defined`);
  return def.type;
}

const SCALAR: Record<string, string> = { string: 'TYPE_STRING', blob: 'TYPE_BYTES', boolean: 'TYPE_BOOL' };

/**
 * Problems of a message as the translation of `shape` (topics.proto's header states the rules):
 * the same fields, of matching types; in requests, every scalar but a required string is
 * `optional`, so that "not given" reaches the action as it does from the HTTP front.
 */
function mismatches(shape: StructShape, msg: MessageDescriptor, path: string, isInput: boolean): string[] {
  const out: string[] = [];
  const fields = new Map(msg.field.map((f) => [f.name, f]));
  const expected = Object.keys(shape.members).map(protoName).sort();
  const actual = [...fields.keys()].sort();
  if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push(`${path}: fields ${actual.join(',')}, members ${expected.join(',')}`);
  const optional = new Set(msg.oneofDecl.map((o) => o.name));
  for (const [member, s] of Object.entries(shape.members)) {
    const f = fields.get(protoName(member));
    if (!f) continue;
    const where = `${path}.${f.name}`;
    const scalar = s.kind !== 'list' && s.kind !== 'map' && s.kind !== 'struct';
    if (isInput && scalar && optional.has(`_${f.name}`) !== !s.required) out.push(`${where}: optional should be ${!s.required}`);
    out.push(...fieldMismatches(s, f, msg, where, isInput));
  }
  return out;
}

function fieldMismatches(s: Shape, f: FieldDescriptor, parent: MessageDescriptor, where: string, isInput: boolean, element = false): string[] {
  const entry = f.type === 'TYPE_MESSAGE' ? parent.nestedType.find((n) => n.name === f.typeName && n.options?.mapEntry) : undefined;
  switch (s.kind) {
    case 'list':
      if (f.label !== 'LABEL_REPEATED' || entry) return [`${where}: not a repeated field`];
      return fieldMismatches(s.member, f, parent, where, isInput, true);
    case 'map': {
      if (!entry) return [`${where}: not a map`];
      return fieldMismatches(s.value, entry.field.find((x) => x.name === 'value')!, entry, `${where}{}`, isInput);
    }
    case 'struct':
      if (f.type !== 'TYPE_MESSAGE' || (f.label === 'LABEL_REPEATED') !== element) return [`${where}: not a message field`];
      return mismatches(s, message(f.typeName), `${where}<${f.typeName}>`, isInput);
    default:
      if (SCALAR[s.kind] !== f.type) return [`${where}: ${f.type} for a ${s.kind}`];
      if ((f.label === 'LABEL_REPEATED') !== element) return [`${where}: repeated is wrong`];
      return [];
  }
}

function typeName(method: grpc.MethodDefinition<object, object>, which: 'requestType' | 'responseType'): string {
  const t = (method as unknown as Record<string, { type?: { name?: string } } | undefined>)[which];
  return t?.type?.name ?? '';
}

describe('TopicService', () => {
  it('has one RPC per SNS action, its messages the action shapes', () => {
    const defs = topicServiceClient().service;
    expect(Object.keys(defs).sort()).toEqual([...SNS_ACTIONS.keys()].sort());
    for (const [method, def] of Object.entries(defs)) {
      const action = SNS_ACTIONS.get(method)!;
      // Names other protos of the package already use get the topic's name in them.
      const base = method === 'TagResource' || method === 'UntagResource' ? method.replace('Resource', 'TopicResource') : method;
      expect(typeName(def, 'requestType'), method).toBe(`${base}Request`);
      expect(typeName(def, 'responseType'), method).toBe(`${base}Response`);
      expect(mismatches(action.input, message(`${base}Request`), `${base}Request`, true), method).toEqual([]);
      expect(mismatches(action.output, message(`${base}Response`), `${base}Response`, false), method).toEqual([]);
    }
  });

  it('manages a topic: attributes, tags, listing with its paging field', async () => {
    const { topicArn } = await call<{ topicArn: string }>('createTopic', { name: 'grpc-topic', attributes: { DisplayName: 'first' }, tags: [{ key: 'team', value: 'core' }] });
    expect(topicArn).toMatch(/^arn:aws:sns:[a-z0-9-]+:\d{12}:grpc-topic$/);
    // Creating it again with the same settings answers the same ARN.
    expect(await call('createTopic', { name: 'grpc-topic', attributes: { DisplayName: 'first' } })).toEqual({ topicArn });

    await call('setTopicAttributes', { topicArn, attributeName: 'DisplayName', attributeValue: 'renamed' });
    const { attributes } = await call<{ attributes: Record<string, string> }>('getTopicAttributes', { topicArn });
    expect(attributes).toMatchObject({ TopicArn: topicArn, DisplayName: 'renamed', SubscriptionsConfirmed: '0' });

    await call('tagResource', { resourceArn: topicArn, tags: [{ key: 'env', value: 'test' }] });
    await call('untagResource', { resourceArn: topicArn, tagKeys: ['team'] });
    expect(await call('listTagsForResource', { resourceArn: topicArn })).toEqual({ tags: [{ key: 'env', value: 'test' }] });

    const { topicArn: other } = await call<{ topicArn: string }>('createTopic', { name: 'grpc-topic-2' });
    const all = await call<{ topics: { topicArn: string }[]; nextToken?: string }>('listTopics', {});
    expect(all.topics.map((x) => x.topicArn)).toEqual(expect.arrayContaining([topicArn, other]));
    // Everything fits one page: no token. One passed in continues after the topic it names.
    expect(all.nextToken).toBeUndefined();
    const after = await call<{ topics: { topicArn: string }[]; nextToken?: string }>('listTopics', { nextToken: encodeToken('grpc-topic') });
    expect(after.topics.map((x) => x.topicArn)).toContain(other);
    expect(after.topics.map((x) => x.topicArn)).not.toContain(topicArn);

    await call('deleteTopic', { topicArn: other });
    // As in SNS, deleting a topic that is gone is not an error.
    await call('deleteTopic', { topicArn: other });
    expect((await call<{ topics: { topicArn: string }[] }>('listTopics', {})).topics.map((x) => x.topicArn)).not.toContain(other);
  });

  it('delivers a message published over gRPC to a subscribed queue', async () => {
    const { topicArn } = await call<{ topicArn: string }>('createTopic', { name: 'grpc-deliver' });
    const q = await topicQueue('grpc-deliver-q', topicArn);
    const { subscriptionArn } = await call<{ subscriptionArn: string }>('subscribe', { topicArn, protocol: 'sqs', endpoint: q.arn });
    expect(subscriptionArn).toMatch(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));

    const { attributes } = await call<{ attributes: Record<string, string> }>('getSubscriptionAttributes', { subscriptionArn });
    expect(attributes).toMatchObject({ Protocol: 'sqs', Endpoint: q.arn, TopicArn: topicArn, PendingConfirmation: 'false' });
    const listed = await call<{ subscriptions: SubscriptionOut[]; nextToken?: string }>('listSubscriptionsByTopic', { topicArn });
    expect(listed.subscriptions).toEqual([expect.objectContaining({ subscriptionArn, protocol: 'sqs', endpoint: q.arn, topicArn })]);
    expect(listed.nextToken).toBeUndefined();
    const everywhere = await call<{ subscriptions: SubscriptionOut[]; nextToken?: string }>('listSubscriptions', {});
    expect(everywhere.subscriptions.map((s) => s.subscriptionArn)).toContain(subscriptionArn);
    expect(everywhere.nextToken).toBeUndefined();

    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const published = await call<{ messageId: string; sequenceNumber?: string }>('publish', {
      topicArn,
      message: 'hello over grpc',
      subject: 'greeting',
      messageAttributes: { color: { dataType: 'String', stringValue: 'blue' }, blob: { dataType: 'Binary', binaryValue: bytes } },
    });
    expect(published.messageId).toMatch(/^[0-9a-f-]{36}$/);
    // Standard topics have no sequence numbers.
    expect(published.sequenceNumber).toBeUndefined();
    const [got] = await drain(q.url, 1);
    const note = json(got!.body);
    expect(note).toMatchObject({ Type: 'Notification', MessageId: published.messageId, TopicArn: topicArn, Subject: 'greeting', Message: 'hello over grpc' });
    // The bytes arrived as sent: the notification carries them in base64.
    expect(note.MessageAttributes).toEqual({ color: { Type: 'String', Value: 'blue' }, blob: { Type: 'Binary', Value: bytes.toString('base64') } });

    await call('setSubscriptionAttributes', { subscriptionArn, attributeName: 'RawMessageDelivery', attributeValue: 'true' });
    expect((await call<{ attributes: Record<string, string> }>('getSubscriptionAttributes', { subscriptionArn })).attributes.RawMessageDelivery).toBe('true');

    await call('unsubscribe', { subscriptionArn });
    expect((await call<{ subscriptions: SubscriptionOut[] }>('listSubscriptionsByTopic', { topicArn })).subscriptions).toEqual([]);
  });

  it('reports PublishBatch results per entry, and delivers the successful ones', async () => {
    const { topicArn } = await call<{ topicArn: string }>('createTopic', { name: 'grpc-batch' });
    const q = await topicQueue('grpc-batch-q', topicArn);
    await call('subscribe', { topicArn, protocol: 'sqs', endpoint: q.arn, attributes: { RawMessageDelivery: 'true' } });

    const out = await call<BatchOut>('publishBatch', {
      topicArn,
      publishBatchRequestEntries: [
        { id: 'ok-1', message: 'first' },
        // An empty subject is given, and refused: proto3 `optional` keeps it apart from none.
        { id: 'bad-subject', message: 'x', subject: '' },
        { id: 'bad-attribute', message: 'y', messageAttributes: { n: { dataType: 'Number', stringValue: 'not a number' } } },
        { id: 'ok-2', message: 'second' },
      ],
    });
    expect(out.successful.map((s) => s.id)).toEqual(['ok-1', 'ok-2']);
    expect(out.successful.every((s) => /^[0-9a-f-]{36}$/.test(s.messageId) && s.sequenceNumber === undefined)).toBe(true);
    expect(out.failed).toEqual([
      { id: 'bad-subject', code: 'InvalidParameter', message: expect.stringContaining('Subject'), senderFault: true },
      { id: 'bad-attribute', code: 'ParameterValueInvalid', message: expect.stringContaining("'n'"), senderFault: true },
    ]);
    const got = await drain(q.url, 2);
    expect(got.map((m) => m.body).sort()).toEqual(['first', 'second']);

    // Whole-batch errors are statuses.
    const empty = await failure(call('publishBatch', { topicArn, publishBatchRequestEntries: [] }));
    expect(statusOf(empty)).toEqual([grpc.status.INVALID_ARGUMENT, 'SnsEmptyBatchRequest']);
    const twice = await failure(call('publishBatch', { topicArn, publishBatchRequestEntries: [{ id: 'a', message: '1' }, { id: 'a', message: '2' }] }));
    expect(statusOf(twice)).toEqual([grpc.status.INVALID_ARGUMENT, 'SnsBatchEntryIdsNotDistinct']);
  });

  it('maps SNS errors to gRPC statuses with the code in metadata', async () => {
    const { topicArn } = await call<{ topicArn: string }>('createTopic', { name: 'grpc-errors' });
    const missingArn = topicArn.replace(/grpc-errors$/, 'no-such-topic');

    const missing = await failure(call('publish', { topicArn: missingArn, message: 'm' }));
    expect(statusOf(missing)).toEqual([grpc.status.NOT_FOUND, 'NotFound']);
    expect(missing.details).toBe('NotFound: Topic does not exist');
    const noSub = await failure(call('getSubscriptionAttributes', { subscriptionArn: `${topicArn}:00000000-0000-0000-0000-000000000000` }));
    expect(statusOf(noSub)).toEqual([grpc.status.NOT_FOUND, 'NotFound']);

    // Shape violations carry SNS's name for them, as the HTTP front answers.
    const noMessage = await failure(call('publish', { topicArn }));
    expect(statusOf(noMessage)).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidParameter']);
    const badName = await failure(call('createTopic', { name: 'not a valid name!' }));
    expect(statusOf(badName)).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidParameter']);
    const both = await failure(call('publish', { topicArn, targetArn: topicArn, message: 'm' }));
    expect(statusOf(both)).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidParameter']);
    const badToken = await failure(call('listTopics', { nextToken: '!!not-a-token!!' }));
    expect(statusOf(badToken)).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidParameter']);
    const badAttribute = await failure(call('publish', { topicArn, message: 'm', messageAttributes: { a: { dataType: 'Bogus', stringValue: 'v' } } }));
    expect(statusOf(badAttribute)).toEqual([grpc.status.INVALID_ARGUMENT, 'SnsInvalidParameterValue']);

    // The topic's Policy is enforced here as on the HTTP front.
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'SNS:Publish', Resource: topicArn }] });
    await call('setTopicAttributes', { topicArn, attributeName: 'Policy', attributeValue: deny });
    const denied = await failure(call('publish', { topicArn, message: 'm' }));
    expect(statusOf(denied)).toEqual([grpc.status.PERMISSION_DENIED, 'AuthorizationError']);

    // Bytes that are no CreateTopicRequest are the service's own error, not grpc-js's INTERNAL.
    const identity = (b: Buffer): Buffer => b;
    const garbage = await failure(
      new Promise((resolve, reject) =>
        raw.makeUnaryRequest('/stratus.v1.TopicService/CreateTopic', identity, identity, Buffer.from([0x0a, 0xff]), { deadline: new Date(Date.now() + 10_000) }, (err, reply) => (err ? reject(err) : resolve(reply))),
      ),
    );
    expect(statusOf(garbage)).toEqual([grpc.status.INVALID_ARGUMENT, 'SerializationException']);
  });
});
