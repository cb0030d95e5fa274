// Dead-letter-queue redrive (message move tasks) through the unmodified AWS SDK v3 client against
// the embedded server: messages go to the DLQ knowing their source, a task moves them back, and
// the task API answers with AWS's errors. Completion is asynchronous, so a few checks poll with
// a bound.
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elements, query, text } from './raw-http.js';
import { type SqsTarget, startEmbedded } from './targets.js';

let seq = 0;
const uniq = (p: string): string => `${p}-${process.pid}-${Date.now() % 100000}-${++seq}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist.";
const NO_DESTINATION = "The resource that you specified for the DestinationArn parameter doesn't exist.";
const RUNNING = 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.';

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('SQS message move tasks on the embedded server', () => {
  let target: SqsTarget;
  let sqs: SQSClient;
  beforeAll(async () => {
    target = await startEmbedded();
    sqs = target.client();
  }, 60_000);
  afterAll(async () => {
    sqs?.destroy();
    await target?.stop();
  }, 30_000);

  const create = async (name: string, Attributes?: Record<string, string>): Promise<string> => (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;
  const arnOf = async (url: string): Promise<string> => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const count = async (url: string): Promise<number> => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };
  const latest = async (sourceArn: string): Promise<ListMessageMoveTasksResultEntry | undefined> => (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }))).Results?.[0];

  /** Distinct messages received from `url` with long polls until `n` arrived or `ms` passed. */
  async function collect(url: string, n: number, ms: number, visibility: number): Promise<Message[]> {
    const seen = new Map<string, Message>();
    const until = Date.now() + ms;
    while (seen.size < n && Date.now() < until) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, VisibilityTimeout: visibility, MessageSystemAttributeNames: ['All'] }));
      for (const m of got.Messages ?? []) seen.set(m.MessageId!, m);
    }
    return [...seen.values()];
  }

  /** A source queue whose `n` messages were received once and so went to its dead-letter queue. */
  async function deadLettered(n: number): Promise<{ src: string; srcArn: string; dlq: string; dlqArn: string; bodies: string[] }> {
    const dlq = await create(uniq('dlq'));
    const dlqArn = await arnOf(dlq);
    const src = await create(uniq('src'), { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    const bodies = Array.from({ length: n }, (_, i) => `message-${i}`);
    for (const b of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: b }));
    // The first receives count 1; the next finds them at maxReceiveCount and dead-letters them.
    for (let i = 0; i < 6 && (await count(src)) > 0; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }));
    expect(await count(src)).toBe(0);
    return { src, srcArn: await arnOf(src), dlq, dlqArn, bodies };
  }

  it('dead-letters messages with their source, and redrives them back to it', async () => {
    const { src, srcArn, dlq, dlqArn, bodies } = await deadLettered(5);
    // Visibility 0: seen here, but left in the DLQ for the task to move.
    const inDlq = await collect(dlq, 5, 15_000, 0);
    expect(inDlq.map((m) => m.Body).sort()).toEqual(bodies);
    for (const m of inDlq) expect(m.Attributes?.DeadLetterQueueSourceArn).toBe(srcArn);
    const byName = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, VisibilityTimeout: 0, MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'] }));
    expect(byName.Messages?.[0]?.Attributes).toEqual({ DeadLetterQueueSourceArn: srcArn });

    const started = Date.now();
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(TaskHandle).toMatch(/^[A-Za-z0-9+/=]+$/);
    const back = await collect(src, 5, 15_000, 60);
    expect(back.map((m) => m.Body).sort()).toEqual(bodies);
    expect(back.every((m) => m.Attributes?.DeadLetterQueueSourceArn === undefined)).toBe(true);

    let task = await latest(dlqArn);
    for (const until = Date.now() + 15_000; task?.Status !== 'COMPLETED' && Date.now() < until; task = await latest(dlqArn)) await sleep(250);
    expect(task).toEqual({
      Status: 'COMPLETED',
      SourceArn: dlqArn,
      ApproximateNumberOfMessagesMoved: 5,
      ApproximateNumberOfMessagesToMove: 5,
      StartedTimestamp: expect.any(Number),
    });
    expect(Math.abs(task!.StartedTimestamp! - started)).toBeLessThan(5_000);
    expect(await count(dlq)).toBe(0);

    // The Query protocol names each result ListMessageMoveTasksResultEntry.
    const xml = await query(target.endpoint, 'ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: '10' });
    expect(xml.status).toBe(200);
    const entries = elements(xml.body, 'ListMessageMoveTasksResultEntry');
    expect(entries).toHaveLength(1);
    expect(text(entries[0]!, 'Status')).toBe('COMPLETED');
    expect(text(entries[0]!, 'ApproximateNumberOfMessagesMoved')).toBe('5');
  }, 60_000);

  it('allows one running task per source, and cancels it', async () => {
    const { dlq, dlqArn } = await deadLettered(5);
    for (const until = Date.now() + 15_000; (await count(dlq)) < 5 && Date.now() < until; ) await sleep(200);
    const dest = await create(uniq('dest'));
    const destArn = await arnOf(dest);
    // One message a second: five take long enough to find the task running.
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 1 }));
    const again = await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn })));
    expect(again).toEqual({ name: 'InvalidParameterValue', message: RUNNING, status: 400 });
    const running = await latest(dlqArn);
    expect(running).toMatchObject({ TaskHandle, Status: 'RUNNING', SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 1, ApproximateNumberOfMessagesToMove: 5 });

    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeLessThan(5);
    const after = await latest(dlqArn);
    expect(after).toMatchObject({ Status: 'CANCELLED', DestinationArn: destArn });
    expect(after?.TaskHandle).toBeUndefined();
    expect(await failure(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })))).toMatchObject({ name: 'ResourceNotFoundException', message: 'Task does not exist.', status: 404 });
    // A batch already under way may still land; the rest stays behind.
    await sleep(1_500);
    expect(await count(dlq)).toBeGreaterThan(0);
    expect(await count(dest)).toBeLessThan(5);

    // Another task may start now; the list shows the newest first.
    const next = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 1 }));
    const both = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }))).Results ?? [];
    expect(both.map((r) => r.Status)).toEqual(['RUNNING', 'CANCELLED']);
    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: next.TaskHandle }));
  }, 60_000);

  it('answers bad requests with AWS errors', async () => {
    const dlq = await create(uniq('dlq'));
    const dlqArn = await arnOf(dlq);
    await create(uniq('src'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
    const plainArn = await arnOf(await create(uniq('plain')));
    const missingArn = dlqArn.replace(/:[^:]+$/, ':no-such-queue');

    const cases: [Promise<unknown>, { name: string; message?: string; status: number }][] = [
      [sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missingArn })), { name: 'ResourceNotFoundException', message: NO_SOURCE, status: 404 }],
      [sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: missingArn })), { name: 'ResourceNotFoundException', message: NO_DESTINATION, status: 404 }],
      [sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plainArn })), { name: 'InvalidParameterValue', message: 'Source queue must be configured as a Dead Letter Queue.', status: 400 }],
      [sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 501 })), { name: 'InvalidParameterValue', status: 400 }],
      [sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missingArn })), { name: 'ResourceNotFoundException', message: NO_SOURCE, status: 404 }],
      [sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 11 })), { name: 'InvalidParameterValue', status: 400 }],
      [sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'garbage' })), { name: 'InvalidParameterValue', message: 'Value for parameter TaskHandle is invalid.', status: 400 }],
      [
        sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: Buffer.from(JSON.stringify({ source: 'no-such-queue', id: 'x' })).toString('base64') })),
        { name: 'ResourceNotFoundException', message: NO_SOURCE, status: 404 },
      ],
      [
        sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: Buffer.from(JSON.stringify({ source: dlqArn.slice(dlqArn.lastIndexOf(':') + 1), id: 'x' })).toString('base64') })),
        { name: 'ResourceNotFoundException', message: 'Task does not exist.', status: 404 },
      ],
    ];
    for (const [p, expected] of cases) expect(await failure(p)).toMatchObject(expected);
    // A DLQ without tasks lists none.
    expect((await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? []).toEqual([]);
  });
});
