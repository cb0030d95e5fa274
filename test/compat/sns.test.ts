// The AWS SDK v3 SNS client (Query protocol, XML answers) against the embedded server: every
// operation Stratus implements and its error cases, with AWS's codes and, where they are on
// record, its messages. Delivery itself is covered in sns-delivery.test.ts.
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  type SNSClient,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snsClient } from './sns-fixtures.js';
import { type SqsTarget, startEmbedded } from './targets.js';

const ACCOUNT = '000000000000';
const arnOf = (name: string): string => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
const queueArn = (name: string): string => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('SNS API (SDK v3, Query protocol)', () => {
  let target: SqsTarget;
  let sns: SNSClient;
  beforeAll(async () => {
    target = await startEmbedded();
    sns = snsClient(target.endpoint);
  }, 30_000);
  afterAll(async () => {
    sns?.destroy();
    // A hundred topics each hand back their delivery lease: seconds on a busy CI machine.
    await target?.stop();
  }, 30_000);

  it('creates topics idempotently and refuses a different configuration of an existing one', async () => {
    const a = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' }, Tags: [{ Key: 'team', Value: 'a' }] }));
    expect(a.TopicArn).toBe(arnOf('orders'));
    const again = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }));
    expect(again.TopicArn).toBe(a.TopicArn);
    const attrs = await failure(sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } })));
    expect(attrs).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(attrs.message).toBe('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
    const tags = await failure(sns.send(new CreateTopicCommand({ Name: 'orders', Tags: [{ Key: 'team', Value: 'b' }] })));
    expect(tags.message).toBe('Invalid parameter: Tags Reason: Topic already exists with different tags');
  });

  it('validates topic names and the FIFO suffix', async () => {
    expect(await failure(sns.send(new CreateTopicCommand({ Name: 'bad name' })))).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Topic Name' });
    expect(await failure(sns.send(new CreateTopicCommand({ Name: 'x'.repeat(257) })))).toMatchObject({ name: 'InvalidParameterException' });
    const suffix = await failure(sns.send(new CreateTopicCommand({ Name: 'plain.fifo' })));
    expect(suffix.message).toBe('Invalid parameter: Fifo Topic names must end with .fifo and Standard Topic cannot end with .fifo');
    const noSuffix = await failure(sns.send(new CreateTopicCommand({ Name: 'nofifo', Attributes: { FifoTopic: 'true' } })));
    expect(noSuffix.name).toBe('InvalidParameterException');
    const fifo = await sns.send(new CreateTopicCommand({ Name: 'events.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
    const got = (await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes!;
    expect(got.FifoTopic).toBe('true');
    expect(got.ContentBasedDeduplication).toBe('true');
    const cbdOnStandard = await failure(sns.send(new CreateTopicCommand({ Name: 'std2', Attributes: { ContentBasedDeduplication: 'true' } })));
    expect(cbdOnStandard.name).toBe('InvalidParameterException');
  });

  it('lists topics 100 to a page', async () => {
    for (let i = 0; i < 105; i++) await sns.send(new CreateTopicCommand({ Name: `page-${String(i).padStart(3, '0')}` }));
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    const all = [...first.Topics!, ...second.Topics!].map((t) => t.TopicArn);
    expect(new Set(all).size).toBe(all.length);
    for (let i = 0; i < 105; i++) expect(all).toContain(arnOf(`page-${String(i).padStart(3, '0')}`));
    expect(second.NextToken).toBeUndefined();
    expect(await failure(sns.send(new ListTopicsCommand({ NextToken: 'not-a-token' })))).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('gets and sets topic attributes with AWS defaults and checks', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'attrs' }))).TopicArn!;
    const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(a).toMatchObject({ TopicArn: arn, Owner: ACCOUNT, SubscriptionsConfirmed: '0', SubscriptionsPending: '0', SubscriptionsDeleted: '0', DisplayName: '' });
    expect(JSON.parse(a.Policy!)).toMatchObject({ Id: '__default_policy_ID' });
    expect(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Shown' }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    const b = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(b.DisplayName).toBe('Shown');
    expect(b.SignatureVersion).toBe('2');
    expect(await failure(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Bogus', AttributeValue: 'x' })))).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: AttributeName' });
    expect((await failure(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'SignatureVersion', AttributeValue: '3' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DeliveryPolicy', AttributeValue: '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":0,"maxDelayTarget":1,"numRetries":1}}}' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: '{"Statement":[{"Effect":"Maybe"}]}' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'FifoTopic', AttributeValue: 'true' })))).name).toBe('InvalidParameterException');
  });

  it('answers NotFound for a missing topic and InvalidParameter for a malformed ARN', async () => {
    expect(await failure(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('nope') })))).toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist', status: 404 });
    expect(await failure(sns.send(new PublishCommand({ TopicArn: arnOf('nope'), Message: 'x' })))).toMatchObject({ name: 'NotFoundException' });
    expect(await failure(sns.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' })))).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: TopicArn' });
    // AWS: deleting a topic that does not exist succeeds.
    await sns.send(new DeleteTopicCommand({ TopicArn: arnOf('nope') }));
  });

  it('tags, untags and lists tags with the 50-tag limit', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'tagged' }))).TopicArn!;
    await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await failure(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: many })))).toMatchObject({ name: 'TagLimitExceededException' });
    expect(await failure(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'aws:x', Value: 'v' }] })))).toMatchObject({ name: 'InvalidParameterException' });
    expect(await failure(sns.send(new ListTagsForResourceCommand({ ResourceArn: arnOf('missing') })))).toMatchObject({ name: 'NotFoundException' });
  });

  it('subscribes queues, functions and URLs; refuses what Stratus cannot deliver', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'subs' }))).TopicArn!;
    const q = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('somewhere'), Attributes: { RawMessageDelivery: 'true' } }));
    expect(q.SubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    // The same protocol and endpoint again: the same subscription; different attributes: refused.
    expect((await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('somewhere'), Attributes: { RawMessageDelivery: 'true' } }))).SubscriptionArn).toBe(q.SubscriptionArn);
    const diff = await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('somewhere'), Attributes: { RawMessageDelivery: 'false' } })));
    expect(diff.message).toBe('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
    const fn = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` }));
    expect(fn.SubscriptionArn).toMatch(/:[0-9a-f-]{36}$/);
    // An http endpoint must confirm first (the confirmation POST goes nowhere here).
    const http = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook' }));
    expect(http.SubscriptionArn).toBe('pending confirmation');
    const httpArn = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook2', ReturnSubscriptionArn: true }));
    expect(httpArn.SubscriptionArn).toMatch(/:[0-9a-f-]{36}$/);
    for (const p of ['email', 'sms', 'application']) {
      const f = await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: p, Endpoint: 'x@example.com' })));
      expect(f.name).toBe('InvalidParameterException');
      expect(f.message).toContain(`does not deliver to ${p}`);
    }
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'carrier-pigeon', Endpoint: 'x' })))).message).toBe('Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon');
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'not-an-arn' })))).message).toBe('Invalid parameter: SQS endpoint ARN');
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: 'nope' })))).message).toBe('Invalid parameter: Lambda endpoint ARN');
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'http://x' })))).message).toBe('Invalid parameter: Endpoint must match the specified protocol');
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:g`, Attributes: { RawMessageDelivery: 'true' } })))).message).toBe(
      'Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
    );
  });

  it('accepts only FIFO queues on a FIFO topic', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'only.fifo', Attributes: { FifoTopic: 'true' } }))).TopicArn!;
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('standard') })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` })))).name).toBe('InvalidParameterException');
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('q.fifo') }));
    const std = (await sns.send(new CreateTopicCommand({ Name: 'std-for-fifo' }))).TopicArn!;
    expect((await failure(sns.send(new SubscribeCommand({ TopicArn: std, Protocol: 'sqs', Endpoint: queueArn('q.fifo') })))).name).toBe('InvalidParameterException');
  });

  it('lists subscriptions overall and by topic, with paging; gets and sets their attributes; unsubscribes', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'listing' }))).TopicArn!;
    const subs: string[] = [];
    for (let i = 0; i < 102; i++) subs.push((await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn(`l${i}`) }))).SubscriptionArn!);
    const p1 = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    expect(p1.Subscriptions).toHaveLength(100);
    const p2 = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: p1.NextToken }));
    expect(p2.Subscriptions).toHaveLength(2);
    expect(new Set([...p1.Subscriptions!, ...p2.Subscriptions!].map((s) => s.SubscriptionArn))).toEqual(new Set(subs));
    expect(p1.Subscriptions![0]).toMatchObject({ Owner: ACCOUNT, Protocol: 'sqs', TopicArn: arn });
    const all = await sns.send(new ListSubscriptionsCommand({}));
    expect(all.Subscriptions!.length).toBe(100);
    expect(all.NextToken).toBeDefined();

    const sub = subs[0]!;
    const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }))).Attributes!;
    expect(a).toMatchObject({ SubscriptionArn: sub, TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('l0'), Owner: ACCOUNT, RawMessageDelivery: 'false', PendingConfirmation: 'false' });
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicy', AttributeValue: '{"kind":["a"]}' }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'RedrivePolicy', AttributeValue: JSON.stringify({ deadLetterTargetArn: queueArn('dlq') }) }));
    const b = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }))).Attributes!;
    expect(b).toMatchObject({ RawMessageDelivery: 'true', FilterPolicy: '{"kind":["a"]}', FilterPolicyScope: 'MessageAttributes' });
    expect(JSON.parse(b.RedrivePolicy!)).toEqual({ deadLetterTargetArn: queueArn('dlq') });
    expect((await failure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'RawMessageDelivery', AttributeValue: 'yes' })))).message).toBe(
      'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.',
    );
    expect((await failure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicy', AttributeValue: '{"a":"b"}' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicyScope', AttributeValue: 'Elsewhere' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'DeliveryPolicy', AttributeValue: '{}' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'Nope', AttributeValue: 'x' })))).message).toBe('Invalid parameter: AttributeName');

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub }));
    expect(await failure(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub })))).toMatchObject({ name: 'NotFoundException', message: 'Subscription does not exist' });
    expect(await failure(sns.send(new UnsubscribeCommand({ SubscriptionArn: sub })))).toMatchObject({ name: 'NotFoundException' });
    expect((await failure(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'garbage' })))).name).toBe('InvalidParameterException');
    // Deleting the topic removes its subscriptions.
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    expect(await failure(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subs[1]! })))).toMatchObject({ name: 'NotFoundException' });
  });

  it('enforces the filter policy limits with AWS messages', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'limits' }))).TopicArn!;
    const six = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, ['x']]));
    const keys = await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('fp'), Attributes: { FilterPolicy: JSON.stringify(six) } })));
    expect(keys.name).toBe('InvalidParameterException');
    expect(keys.message).toContain('Filter policy can not have more than 5 keys');
    const big = { a: Array.from({ length: 13 }, (_, i) => `v${i}`), b: Array.from({ length: 12 }, (_, i) => `w${i}`) };
    const complex = await failure(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('fp'), Attributes: { FilterPolicy: JSON.stringify(big) } })));
    expect(complex.message).toContain('Filter policy is too complex');
  });

  it('confirms a subscription by token only', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'confirm' }))).TopicArn!;
    expect(await failure(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'not-a-token' })))).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid token' });
  });

  it('checks Publish input as AWS does', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'pub' }))).TopicArn!;
    const ok = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'hi', Subject: 'Hello' }));
    expect(ok.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.SequenceNumber).toBeUndefined();
    expect((await sns.send(new PublishCommand({ TargetArn: arn, Message: 'via target' }))).MessageId).toBeDefined();
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: '' })))).message).toBe('Invalid parameter: Empty message');
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x'.repeat(262_145) })))).message).toBe('Invalid parameter: Message too long');
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', Subject: 'a\nb' })))).message).toBe('Invalid parameter: Subject');
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'not json', MessageStructure: 'json' })))).message).toBe('Invalid parameter: Message Structure - JSON message body failed to parse');
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: '{"sqs":"x"}', MessageStructure: 'json' })))).message).toBe('Invalid parameter: Message Structure - No default entry in JSON message body');
    const badType = await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { a: { DataType: 'Weird', StringValue: '1' } } })));
    expect(badType).toMatchObject({ name: 'InvalidParameterValueException', message: "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String." });
    const empty = await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { a: { DataType: 'String', StringValue: '' } } })));
    expect(empty.message).toBe("The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'.");
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })))).name).toBe('InvalidParameterValueException');
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageDeduplicationId: 'd' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'x' })))).name).toBe('InvalidParameterException');
    expect((await failure(sns.send(new PublishCommand({ Message: 'x' })))).name).toBe('InvalidParameterException');
  });

  it('publishes to FIFO topics with groups, deduplication and sequence numbers', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'pub.fifo', Attributes: { FifoTopic: 'true' } }))).TopicArn!;
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageDeduplicationId: 'd' })))).message).toBe('Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    expect((await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageGroupId: 'g' })))).message).toBe(
      'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
    const a = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    const b = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }));
    const dup = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    expect(a.SequenceNumber).toMatch(/^\d{20}$/);
    expect(BigInt(b.SequenceNumber!)).toBeGreaterThan(BigInt(a.SequenceNumber!));
    // A repeated deduplication id within 5 minutes is accepted but not published again.
    expect(dup.MessageId).toBe(a.MessageId);
    expect(dup.SequenceNumber).toBe(a.SequenceNumber);
  });

  it('publishes batches with per-entry results and AWS batch errors', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'batch' }))).TopicArn!;
    const r = await sns.send(
      new PublishBatchCommand({
        TopicArn: arn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'one' },
          { Id: 'b', Message: '' },
          { Id: 'c', Message: 'three', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
        ],
      }),
    );
    expect(r.Successful!.map((s) => s.Id).sort()).toEqual(['a', 'c']);
    expect(r.Failed).toEqual([{ Id: 'b', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
    expect(await failure(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [] })))).toMatchObject({ name: 'EmptyBatchRequestException' });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'x' }));
    expect(await failure(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: eleven })))).toMatchObject({ name: 'TooManyEntriesInBatchRequestException' });
    expect(await failure(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: 'x', Message: 'a' }, { Id: 'x', Message: 'b' }] })))).toMatchObject({ name: 'BatchEntryIdsNotDistinctException' });
    expect(await failure(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: 'bad id!', Message: 'a' }] })))).toMatchObject({ name: 'InvalidBatchEntryIdException' });
    const big = Array.from({ length: 2 }, (_, i) => ({ Id: `b${i}`, Message: 'x'.repeat(200_000) }));
    expect(await failure(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: big })))).toMatchObject({ name: 'BatchRequestTooLongException' });
  });

  it('enforces an explicit Deny in the topic policy', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'denied' }))).TopicArn!;
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'SNS:Publish', Resource: arn }] };
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
    const f = await failure(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    expect(f).toMatchObject({ name: 'AuthorizationErrorException', status: 403 });
    // Other actions the policy does not deny still work.
    await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
  });
});
