// The SQS compatibility suite: the unmodified AWS SDK v3 client against Stratus, checking
// behaviour and AWS's error codes. `full` runs everything; the cluster run takes a subset.
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget } from './targets.js';

let seq = 0;
const uniq = (p: string): string => `${p}-${process.pid}-${Date.now() % 100000}-${++seq}`;

/** The error an SDK call rejects with: its name (AWS's code) and message. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

export function sqsSuite(label: string, start: () => Promise<SqsTarget>, full: boolean): void {
  describe(label, () => {
    let target: SqsTarget;
    let sqs: SQSClient;
    beforeAll(async () => {
      target = await start();
      sqs = target.client();
    }, 60_000);
    afterAll(async () => {
      sqs?.destroy();
      await target?.stop();
    }, 30_000);

    const create = async (name: string, Attributes?: Record<string, string>): Promise<string> =>
      (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;

    it('creates, finds, lists, tags and deletes queues', async () => {
      const name = uniq('q');
      const url = await create(name, { VisibilityTimeout: '45' });
      expect(url).toBe(`${target.endpoint}/000000000000/${name}`);
      // Idempotent for identical attributes, QueueAlreadyExists otherwise.
      expect(await create(name, { VisibilityTimeout: '45' })).toBe(url);
      const clash = await failure(create(name, { VisibilityTimeout: '46' }));
      expect(clash.name).toBe('QueueNameExists');
      expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
      const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
      expect(listed.QueueUrls).toEqual([url]);
      await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'core', env: 'test' } }));
      await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
      expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'core' });
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      expect((await failure(sqs.send(new GetQueueUrlCommand({ QueueName: name })))).name).toBe('QueueDoesNotExist');
      expect((await failure(create(name))).name).toBe('QueueDeletedRecently');
    });

    it('pages through ListQueues', async () => {
      const prefix = uniq('page');
      for (let i = 0; i < 5; i++) await create(`${prefix}-${i}`);
      const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 3 }));
      expect(first.QueueUrls).toHaveLength(3);
      expect(first.NextToken).toBeDefined();
      const second = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 3, NextToken: first.NextToken }));
      expect(second.QueueUrls).toHaveLength(2);
      expect(second.NextToken).toBeUndefined();
      expect(new Set([...first.QueueUrls!, ...second.QueueUrls!]).size).toBe(5);
    });

    it('gets and sets attributes, counting messages', async () => {
      const url = await create(uniq('attrs'));
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '0', MessageRetentionPeriod: '120' } }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'c', DelaySeconds: 60 }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
      expect(a.ApproximateNumberOfMessages).toBe('1');
      expect(a.ApproximateNumberOfMessagesNotVisible).toBe('1');
      expect(a.ApproximateNumberOfMessagesDelayed).toBe('1');
      expect(a.MessageRetentionPeriod).toBe('120');
      expect(a.VisibilityTimeout).toBe('30');
      expect(a.QueueArn).toMatch(/^arn:aws:sqs:us-east-1:000000000000:attrs-/);
      const bad = await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } })));
      expect(bad.name).toBe('InvalidAttributeValue');
      const unknown = await failure(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as 'All'] })));
      expect(unknown.name).toBe('InvalidAttributeName');
    });

    it('sends, receives with attributes, and deletes', async () => {
      const url = await create(uniq('msgs'));
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'hello ✓',
          MessageAttributes: { color: { DataType: 'String', StringValue: 'blue' }, n: { DataType: 'Number', StringValue: '42' }, raw: { DataType: 'Binary', BinaryValue: Uint8Array.of(1, 2, 3) } },
        }),
      );
      expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }));
      expect(got.Messages).toHaveLength(1);
      const m = got.Messages![0]!;
      expect(m.Body).toBe('hello ✓');
      expect(m.MessageId).toBe(sent.MessageId);
      expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
      expect(m.MessageAttributes?.color?.StringValue).toBe('blue');
      expect(Array.from(m.MessageAttributes?.raw?.BinaryValue ?? [])).toEqual([1, 2, 3]);
      expect(m.Attributes?.ApproximateReceiveCount).toBe('1');
      expect(Number(m.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
      expect(empty.Messages ?? []).toHaveLength(0);
    });

    it('makes a message visible again after its visibility timeout, with a higher receive count', async () => {
      const url = await create(uniq('vis'), { VisibilityTimeout: '1' });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
      const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }))).Messages![0]!;
      // Long polling returns as soon as the message becomes visible again.
      const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages![0]!;
      expect(second.MessageId).toBe(first.MessageId);
      expect(second.Attributes?.ApproximateReceiveCount).toBe('2');
      // The first receipt no longer deletes it (AWS: success, but the message stays).
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 }));
      const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }))).Messages![0]!;
      expect(third.MessageId).toBe(first.MessageId);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
      const gone = await failure(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 5 })));
      expect(gone.name).toBe('InvalidParameterValue');
    });

    it('long polling returns as soon as a message arrives', async () => {
      const url = await create(uniq('poll'));
      const started = Date.now();
      const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
      setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' })), 200);
      const got = await pending;
      expect(got.Messages?.[0]?.Body).toBe('wake');
      // Well before the 10 s the poll was allowed to wait (the wake-up is what is asserted).
      expect(Date.now() - started).toBeLessThan(8_000);
    });

    it('sends and deletes in batches, with per-entry failures', async () => {
      const url = await create(uniq('batch'));
      const r = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', MessageBody: 'one' },
            { Id: 'b', MessageBody: 'two' },
            { Id: 'bad', MessageBody: 'nul\u0000' },
          ],
        }),
      );
      expect(r.Successful?.map((s) => s.Id).sort()).toEqual(['a', 'b']);
      expect(r.Failed?.[0]).toMatchObject({ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true });
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      expect(got.Messages?.map((m) => m.Body).sort()).toEqual(['one', 'two']);
      const del = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: [...got.Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })), { Id: 'x', ReceiptHandle: 'garbage' }],
        }),
      );
      expect(del.Successful).toHaveLength(2);
      expect(del.Failed?.[0]).toMatchObject({ Id: 'x', Code: 'ReceiptHandleIsInvalid' });
      const vis = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: [{ Id: 'v', ReceiptHandle: 'garbage', VisibilityTimeout: 1 }] }));
      expect(vis.Failed?.[0]?.Code).toBe('ReceiptHandleIsInvalid');
      const tooMany = await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })) })));
      expect(tooMany.name).toBe('TooManyEntriesInBatchRequest');
      const dup = await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'same', MessageBody: 'x' }, { Id: 'same', MessageBody: 'y' }] })));
      expect(dup.name).toBe('BatchEntryIdsNotDistinct');
      const empty = await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
      expect(empty.name).toBe('EmptyBatchRequest');
      const badId = await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'no spaces', MessageBody: 'x' }] })));
      expect(badId.name).toBe('InvalidBatchEntryId');
    });

    it('keeps FIFO order per group, locks a group while in flight, and deduplicates', async () => {
      const url = await create(uniq('order') + '.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
      for (const [g, b] of [['A', 'a1'], ['B', 'b1'], ['A', 'a2'], ['B', 'b2'], ['A', 'a3']]) {
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b!, MessageGroupId: g! }));
      }
      // Same body again within 5 minutes: content-based deduplication drops it.
      const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a1', MessageGroupId: 'A' }));
      const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2, MessageSystemAttributeNames: ['All'] }));
      expect(first.Messages?.map((m) => m.Body)).toEqual(['a1', 'a2']);
      expect(first.Messages?.[0]?.MessageId).toBe(dup.MessageId);
      expect(first.Messages?.[0]?.Attributes?.MessageGroupId).toBe('A');
      // Group A is in flight: only B's messages come next.
      const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      expect(second.Messages?.map((m) => m.Body)).toEqual(['b1', 'b2']);
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? []).toHaveLength(0);
      for (const m of first.Messages!) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      expect(third.Messages?.map((m) => m.Body)).toEqual(['a3']);
    });

    it('rejects FIFO sends that break the FIFO rules', async () => {
      const url = await create(uniq('rules') + '.fifo', { FifoQueue: 'true' });
      expect((await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })))).name).toBe('MissingParameter');
      expect((await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })))).name).toBe('InvalidParameterValue');
      expect((await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })))).name).toBe(
        'InvalidParameterValue',
      );
      const ok = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
      expect(ok.SequenceNumber).toMatch(/^\d{20}$/);
      const std = await create(uniq('std'));
      expect((await failure(sqs.send(new SendMessageCommand({ QueueUrl: std, MessageBody: 'x', MessageDeduplicationId: 'd' })))).name).toBe('InvalidParameterValue');
    });

    if (!full) return;

    it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
      const dlq = await create(uniq('dlq'));
      const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      const src = await create(uniq('src'), { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
      await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
      for (let i = 0; i < 2; i++) expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 1 }))).Messages).toHaveLength(1);
      // The third receive finds it over the limit: it leaves for the dead-letter queue.
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 0 }))).Messages ?? []).toHaveLength(0);
      const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 10 }));
      expect(moved.Messages?.[0]?.Body).toBe('poison');
      const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
      expect(sources.queueUrls).toEqual([src]);
      const mismatch = await failure(create(uniq('f') + '.fifo', { FifoQueue: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) }));
      expect(mismatch.name).toBe('InvalidParameterValue');
    });

    it('purges once a minute', async () => {
      const url = await create(uniq('purge'));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toHaveLength(0);
      const again = await failure(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
      expect(again.name).toBe('PurgeQueueInProgress');
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages?.[0]?.Body).toBe('after');
    });

    it('answers bad input with AWS error codes', async () => {
      const url = await create(uniq('bad'), { MaximumMessageSize: '1024' });
      const cases: [Promise<unknown>, string][] = [
        [sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })), 'InvalidParameterValue'],
        [sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0001 char' })), 'InvalidMessageContents'],
        [sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })), 'MissingParameter'],
        [sqs.send(new SendMessageCommand({ QueueUrl: `${target.endpoint}/000000000000/nope`, MessageBody: 'x' })), 'QueueDoesNotExist'],
        [sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })), 'InvalidParameterValue'],
        [sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })), 'InvalidParameterValue'],
        [sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })), 'ReceiptHandleIsInvalid'],
        [sqs.send(new CreateQueueCommand({ QueueName: 'bad name!' })), 'InvalidParameterValue'],
        [sqs.send(new CreateQueueCommand({ QueueName: uniq('x'), Attributes: { DelaySeconds: '901' } })), 'InvalidAttributeValue'],
        [sqs.send(new CreateQueueCommand({ QueueName: uniq('x'), Attributes: { FifoQueue: 'true' } })), 'InvalidAttributeName'],
        [
          sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }])) })),
          'InvalidParameterValue',
        ],
        [sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { e: { DataType: 'String', StringValue: '' } } })), 'InvalidParameterValue'],
      ];
      for (const [p, code] of cases) expect((await failure(p)).name).toBe(code);
    });

    it('refuses unsigned, badly signed and unknown-key requests', async () => {
      const wrongSecret = target.client({ secretAccessKey: 'not-the-secret-0000000000000000000000000' });
      const unknownKey = target.client({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00' });
      try {
        expect((await failure(wrongSecret.send(new ListQueuesCommand({})))).name).toBe('SignatureDoesNotMatch');
        expect((await failure(unknownKey.send(new ListQueuesCommand({})))).name).toBe('InvalidClientTokenId');
      } finally {
        wrongSecret.destroy();
        unknownKey.destroy();
      }
      const res = await fetch(`${target.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
}
