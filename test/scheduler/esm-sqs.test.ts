// SQS event source mappings end to end on the embedded server: batches reach the function and
// are deleted only after it succeeds, partial batch responses, failures going to the queue's
// dead-letter queue by its redrive policy, filters, FIFO order per message group, and
// disabling/enabling a mapping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, type LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaClient } from '../compat/lambda-suite.js';
import { startEmbedded } from '../compat/targets.js';
import { RECORDER, seen, until } from './esm-fixtures.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

describe('SQS event source mappings', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let dir: string;

  const queue = async (name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '2', ...attributes } }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { url, arn };
  };
  /** A recorder function writing to its own file. */
  const recorder = async (name: string): Promise<string> => {
    const out = join(dir, `${name}.jsonl`);
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: RECORDER }, Timeout: 2, Environment: { Variables: { OUT: out } } }));
    return out;
  };
  const send = async (url: string, bodies: string[], extra: (i: number) => Record<string, string> = () => ({})): Promise<void> => {
    for (let i = 0; i < bodies.length; i += 10) {
      const entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: String(i + j), MessageBody: b, ...extra(i + j) }));
      const r = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      expect(r.Failed ?? []).toEqual([]);
    }
  };
  const depth = async (url: string): Promise<number> => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }))).Attributes!;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-esm-sqs-'));
    t = await startEmbedded();
    lambda = lambdaClient(t.endpoint);
    sqs = t.client();
  });
  afterAll(async () => {
    lambda?.destroy();
    sqs?.destroy();
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands every message to the function once and deletes it after success', async () => {
    const out = await recorder('esm-basic');
    const q = await queue('esm-basic');
    const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-basic', EventSourceArn: q.arn, BatchSize: 10 }));
    expect(m.State).toBe('Creating');
    const bodies = Array.from({ length: 35 }, (_, i) => `m${i}`);
    await send(q.url, bodies);
    const got = await until('all messages', () => (seen(out).length >= 35 ? seen(out) : undefined));
    expect(got.map((s) => s.text).sort()).toEqual([...bodies].sort());
    expect(Math.max(...got.map((s) => s.batch))).toBeLessThanOrEqual(10);
    await until('queue empty', async () => ((await depth(q.url)) === 0 ? true : undefined));
    expect(seen(out)).toHaveLength(35);
    const g = await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
    expect(g.State).toBe('Enabled');
  });

  it('keeps the failed items of a partial batch response, and they reach the DLQ by the redrive policy', async () => {
    const out = await recorder('esm-partial');
    const dlq = await queue('esm-partial-dlq');
    const q = await queue('esm-partial', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-partial', EventSourceArn: q.arn, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] }));
    await send(q.url, ['ok-1', 'partial-1', 'ok-2']);
    const dead = await until('the failed item in the DLQ', async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }));
      return r.Messages?.[0];
    });
    expect(dead.Body).toBe('partial-1');
    const texts = seen(out).map((s) => s.text);
    expect(texts.filter((x) => x === 'ok-1')).toHaveLength(1);
    expect(texts.filter((x) => x === 'ok-2')).toHaveLength(1);
    expect(texts.filter((x) => x === 'partial-1').length).toBe(2);
  });

  it('leaves a whole failed batch to be received again, then dead-lettered', async () => {
    const out = await recorder('esm-fail');
    const dlq = await queue('esm-fail-dlq');
    const q = await queue('esm-fail', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-fail', EventSourceArn: q.arn, BatchSize: 1 }));
    await send(q.url, ['fail-a']);
    const dead = await until('the failing message in the DLQ', async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }))).Messages?.[0]);
    expect(dead.Body).toBe('fail-a');
    expect(seen(out).filter((s) => s.text === 'fail-a')).toHaveLength(2);
  });

  it('deletes the messages no filter matches without invoking the function', async () => {
    const out = await recorder('esm-filter');
    const q = await queue('esm-filter');
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-filter', EventSourceArn: q.arn, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ['keep'] } }) }] } }));
    await send(q.url, [JSON.stringify({ kind: 'keep', n: 1 }), JSON.stringify({ kind: 'drop', n: 2 }), 'not json', JSON.stringify({ kind: 'keep', n: 3 })]);
    await until('queue empty', async () => ((await depth(q.url)) === 0 ? true : undefined));
    expect(seen(out).map((s) => (JSON.parse(s.text) as { n: number }).n).sort()).toEqual([1, 3]);
  });

  it('keeps FIFO order within each message group', async () => {
    const out = await recorder('esm-fifo');
    // A visibility timeout well above a cold start, so no batch comes back while it runs.
    const q = await queue('esm-fifo.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-fifo', EventSourceArn: q.arn, BatchSize: 3 }));
    const bodies = Array.from({ length: 30 }, (_, i) => `g${i % 3}-${Math.floor(i / 3)}`);
    await send(q.url, bodies, (i) => ({ MessageGroupId: `g${i % 3}` }));
    const got = await until('all FIFO messages', () => (seen(out).length >= 30 ? seen(out) : undefined));
    for (const g of ['g0', 'g1', 'g2']) {
      const order = got.filter((s) => s.group === g).map((s) => Number(s.text.split('-')[1]));
      expect(order).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
  });

  it('adds pollers while a backlog lasts, never beyond MaximumConcurrency', async () => {
    await recorder('esm-scale');
    await recorder('esm-capped');
    const q = await queue('esm-scale');
    const capped = await queue('esm-capped');
    await send(q.url, Array.from({ length: 300 }, (_, i) => `slow-${i}`));
    await send(capped.url, Array.from({ length: 100 }, (_, i) => `slow-${i}`));
    const a = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-scale', EventSourceArn: q.arn, BatchSize: 1 }));
    const b = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-capped', EventSourceArn: capped.arn, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } }));
    const esm = t.node.lambda!.mappings!;
    await esm.reconcile();
    const pollers = (uuid: string): number => (esm.runner(uuid) as { concurrency?: number } | undefined)?.concurrency ?? 0;
    expect(pollers(a.UUID!)).toBe(5);
    let cappedMax = 0;
    // One more poller a second while the backlog lasts (AWS: up to 60 a minute).
    await until('scaling beyond the first five pollers', () => {
      cappedMax = Math.max(cappedMax, pollers(b.UUID!));
      return pollers(a.UUID!) >= 7 ? true : undefined;
    });
    expect(cappedMax).toBe(2);
    // Stop both, so the rest of the backlog does not load the next tests.
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: a.UUID }));
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: b.UUID }));
    await esm.reconcile();
    expect(esm.runner(a.UUID!)).toBeUndefined();
  });

  it('stops consuming while disabled and resumes when enabled, losing nothing', async () => {
    const out = await recorder('esm-toggle');
    const q = await queue('esm-toggle');
    const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-toggle', EventSourceArn: q.arn }));
    const off = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: false }));
    expect(off.State).toBe('Disabling');
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State).toBe('Disabled');
    // The scheduler must have stopped the runner before messages arrive (it re-reads the catalog every 2 s).
    const esm = t.node.lambda!.mappings!;
    await esm.reconcile();
    expect(esm.runner(m.UUID!)).toBeUndefined();
    await send(q.url, ['t1', 't2']);
    expect(await depth(q.url)).toBe(2);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: true }));
    const got = await until('messages after enabling', () => (seen(out).length >= 2 ? seen(out) : undefined));
    expect(got.map((s) => s.text).sort()).toEqual(['t1', 't2']);
  });
});
