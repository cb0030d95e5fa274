// Kinesis event source mappings end to end on the embedded server: in-order batches per shard,
// checkpoints, retries with bisection and an on-failure destination, partial batch responses,
// filters, parallelization per partition key, resharding (parents before children), and
// disabling/enabling without losing the position.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, GetEventSourceMappingCommand, type LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaClient } from '../compat/lambda-suite.js';
import { ROOT, startEmbedded } from '../compat/targets.js';
import { Metric } from '../../nodes/telemetry/metric-names.js';
import { RECORDER, type Seen, seen, until } from './esm-fixtures.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

describe('Kinesis event source mappings', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let kinesis: KinesisClient;
  let dir: string;

  const recorder = async (name: string): Promise<string> => {
    const out = join(dir, `${name}.jsonl`);
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: RECORDER }, Timeout: 5, Environment: { Variables: { OUT: out } } }));
    return out;
  };
  const put = async (stream: string, records: { key: string; text: string }[]): Promise<void> => {
    const r = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records.map((x) => ({ PartitionKey: x.key, Data: Buffer.from(x.text) })) }));
    expect(r.FailedRecordCount).toBe(0);
  };
  /** First deliveries of each text, in the order the function saw them. */
  const firsts = (s: Seen[]): Seen[] => {
    const done = new Set<string>();
    return s.filter((x) => (done.has(x.text) ? false : (done.add(x.text), true)));
  };
  const perKeyInOrder = (s: Seen[], keys: string[], n: number): void => {
    for (const k of keys) {
      const order = firsts(s)
        .filter((x) => x.key === k)
        .map((x) => Number(x.text.split('-')[1]));
      expect(order, `order of key ${k}`).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-esm-kinesis-'));
    t = await startEmbedded(['--kinesis-limits', 'off']);
    lambda = lambdaClient(t.endpoint);
    sqs = t.client();
    kinesis = new KinesisClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
  });
  afterAll(async () => {
    lambda?.destroy();
    sqs?.destroy();
    kinesis?.destroy();
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('processes every record once, in order per shard, and reports OK', async () => {
    const out = await recorder('kin-basic');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-basic', ShardCount: 2 }));
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const records = Array.from({ length: 60 }, (_, i) => ({ key: keys[i % 5]!, text: `${keys[i % 5]}-${Math.floor(i / 5)}` }));
    await put('kin-basic', records);
    const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'kin-basic', EventSourceArn: ARN('kin-basic'), StartingPosition: 'TRIM_HORIZON', BatchSize: 7 }));
    const got = await until('all records', () => (seen(out).length >= 60 ? seen(out) : undefined));
    expect(got).toHaveLength(60);
    expect(Math.max(...got.map((s) => s.batch))).toBeLessThanOrEqual(7);
    perKeyInOrder(got, keys, 12);
    for (const shard of new Set(got.map((s) => s.shard))) {
      const seqs = got.filter((s) => s.shard === shard).map((s) => BigInt(s.id));
      expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));
    }
    await until('LastProcessingResult OK', async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).LastProcessingResult === 'OK' ? true : undefined));
    // IteratorAge: the age of the last record of each batch handed to the function.
    const age = t.node.metrics.histogram(Metric.IteratorAge).get({ function: 'kin-basic' });
    expect(age?.count).toBeGreaterThan(0);
  });

  it('starts at LATEST by default position and keeps it across disable and enable', async () => {
    const out = await recorder('kin-latest');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-latest', ShardCount: 1 }));
    await put('kin-latest', [{ key: 'k', text: 'old-0' }]);
    const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'kin-latest', EventSourceArn: ARN('kin-latest'), StartingPosition: 'LATEST' }));
    const esm = t.node.lambda!.mappings!;
    await esm.reconcile();
    // The worker fixes LATEST with a checkpoint in the shard when it starts: records after it are its.
    const k = t.node.kinesis!;
    await until('the starting checkpoint', async () => {
      const s = await k.find('kin-latest');
      const st = await k.state(s!.shards[0]!);
      return st.checkpoints.some((c) => c.name === `esm:${m.UUID!}`) ? true : undefined;
    });
    await put('kin-latest', [{ key: 'k', text: 'new-0' }]);
    await until('the new record', () => (seen(out).some((s) => s.text === 'new-0') ? true : undefined));
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: false }));
    await esm.reconcile();
    await put('kin-latest', [{ key: 'k', text: 'new-1' }, { key: 'k', text: 'new-2' }]);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: true }));
    await until('records written while disabled', () => (seen(out).some((s) => s.text === 'new-2') ? true : undefined));
    const texts = seen(out).map((s) => s.text);
    expect(texts).not.toContain('old-0');
    expect(texts).toEqual(['new-0', 'new-1', 'new-2']);
  });

  it('bisects a failing batch, discards the poison record to the on-failure queue after its retries, and goes on', async () => {
    const out = await recorder('kin-fail');
    const dest = (await sqs.send(new CreateQueueCommand({ QueueName: 'kin-fail-dest' }))).QueueUrl!;
    const destArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dest, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-fail', ShardCount: 1 }));
    await put('kin-fail', [{ key: 'k', text: 'ok-0' }, { key: 'k', text: 'ok-1' }, { key: 'k', text: 'fail-2' }, { key: 'k', text: 'ok-3' }]);
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'kin-fail',
        EventSourceArn: ARN('kin-fail'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 4,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: destArn } },
      }),
    );
    const msg = await until('the discarded batch record', async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dest, WaitTimeSeconds: 1 }))).Messages?.[0]);
    const rec = JSON.parse(msg.Body!) as { requestContext: { condition: string }; KinesisBatchInfo: { batchSize: number; shardId: string; streamArn: string } };
    expect(rec.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(rec.KinesisBatchInfo.streamArn).toBe(ARN('kin-fail'));
    expect(rec.KinesisBatchInfo.shardId).toBe('shardId-000000000000');
    await until('the record after the poison one', () => (seen(out).some((s) => s.text === 'ok-3') ? true : undefined));
    const okSeen = seen(out).filter((s) => s.text === 'ok-3');
    expect(okSeen.length).toBeGreaterThanOrEqual(1);
  });

  it('retries from the first failed record of a partial batch response', async () => {
    const out = await recorder('kin-partial');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-partial', ShardCount: 1 }));
    await put('kin-partial', [{ key: 'k', text: 'ok-0' }, { key: 'k', text: 'partial-1' }, { key: 'k', text: 'ok-2' }]);
    await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'kin-partial', EventSourceArn: ARN('kin-partial'), StartingPosition: 'TRIM_HORIZON', FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumRetryAttempts: 2 }),
    );
    await until('three attempts at the failed record', () => (seen(out).filter((s) => s.text === 'partial-1').length >= 3 ? true : undefined));
    const texts = seen(out).map((s) => s.text);
    // ok-0 succeeded in the first batch and is never handed over again.
    expect(texts.filter((x) => x === 'ok-0')).toHaveLength(1);
    expect(texts.filter((x) => x === 'partial-1')).toHaveLength(3);
  });

  it('filters records by their data', async () => {
    const out = await recorder('kin-filter');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-filter', ShardCount: 1 }));
    await put('kin-filter', [
      { key: 'k', text: JSON.stringify({ type: 'order', n: 1 }) },
      { key: 'k', text: JSON.stringify({ type: 'refund', n: 2 }) },
      { key: 'k', text: JSON.stringify({ type: 'order', n: 3 }) },
      { key: 'k', text: 'plain' },
    ]);
    await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'kin-filter', EventSourceArn: ARN('kin-filter'), StartingPosition: 'TRIM_HORIZON', FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { type: ['order'] } }) }] } }),
    );
    await until('two matching records', () => (seen(out).length >= 2 ? true : undefined));
    await put('kin-filter', [{ key: 'k', text: JSON.stringify({ type: 'order', n: 4 }) }]);
    await until('the later match', () => (seen(out).length >= 3 ? true : undefined));
    expect(seen(out).map((s) => (JSON.parse(s.text) as { n: number }).n)).toEqual([1, 3, 4]);
  });

  it('runs parallel batches per shard keeping each partition key in order', async () => {
    const out = await recorder('kin-par');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-par', ShardCount: 1 }));
    const keys = ['p', 'q', 'r', 's', 't', 'u'];
    await put('kin-par', Array.from({ length: 60 }, (_, i) => ({ key: keys[i % 6]!, text: `${keys[i % 6]}-${Math.floor(i / 6)}` })));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'kin-par', EventSourceArn: ARN('kin-par'), StartingPosition: 'TRIM_HORIZON', BatchSize: 5, ParallelizationFactor: 3 }));
    const got = await until('all records', () => (seen(out).length >= 60 ? seen(out) : undefined));
    perKeyInOrder(got, keys, 10);
  });

  it('finishes a parent shard before its children after a split', async () => {
    const out = await recorder('kin-split');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kin-split', ShardCount: 1 }));
    await put('kin-split', Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, text: `k${i % 4}-${Math.floor(i / 4)}` })));
    await kinesis.send(new SplitShardCommand({ StreamName: 'kin-split', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (1n << 127n).toString() }));
    await put('kin-split', Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, text: `k${i % 4}-${5 + Math.floor(i / 4)}` })));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'kin-split', EventSourceArn: ARN('kin-split'), StartingPosition: 'TRIM_HORIZON', BatchSize: 3 }));
    const got = await until('all records', () => (seen(out).length >= 40 ? seen(out) : undefined));
    perKeyInOrder(got, ['k0', 'k1', 'k2', 'k3'], 10);
    const parentLast = Math.max(...got.map((s, i) => (s.shard === 'shardId-000000000000' ? i : -1)));
    const childFirst = got.findIndex((s) => s.shard !== 'shardId-000000000000');
    expect(parentLast).toBeLessThan(childFirst);
  });
});
