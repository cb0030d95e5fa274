// Separate scheduler processes (here: nodes in one test process, talking over real gRPC): a
// gateway with --schedulers runs no function itself, sends each invocation to the function's
// owner scheduler (and to the next when the owner is gone), with the trace continuing over gRPC;
// async events and provisioned concurrency are handled by the schedulers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, GetProvisionedConcurrencyConfigCommand, InvokeCommand, type LambdaClient, PublishVersionCommand, PutFunctionEventInvokeConfigCommand, PutProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { schedulerOrder } from '../../nodes/scheduler/remote.js';
import { type SpanRecord } from '../../nodes/telemetry/span-record.js';
import { ECHO } from '../compat/lambda-fixtures.js';
import { lambdaClient } from '../compat/lambda-suite.js';
import { freePorts } from '../ports.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

describe('scheduler processes behind a gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-schedulers-'));
  let ports: number[] = [];
  let schedulerAddrs: string[] = [];
  const nodes = new Map<string, RunningNode>();
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let endpoint: string;

  const start = async (name: string, argv: string[]): Promise<RunningNode> => {
    const n = await runNode(parseNodeOptions([...argv, '--data', join(dir, name), '--tick-ms', '20', '--drain-timeout', '2'], {}), () => undefined);
    nodes.set(name, n);
    return n;
  };

  beforeAll(async () => {
    // Schedulers decrypt environment variables for async events: every front shares the master key.
    process.env.STRATUS_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
    ports = await freePorts(4);
    const storageAddr = `127.0.0.1:${ports[0]!}`;
    schedulerAddrs = [`127.0.0.1:${ports[1]!}`, `127.0.0.1:${ports[2]!}`];
    await start('storage', ['--role', 'storage', '--id', '1', '--grpc-port', String(ports[0]!)]);
    const peers = `1=${storageAddr}`;
    for (const [i, addr] of schedulerAddrs.entries()) {
      await start(`scheduler-${i}`, ['--role', 'scheduler', '--id', String(11 + i), '--peers', peers, '--grpc-port', addr.split(':')[1]!, '--schedulers', schedulerAddrs.join(','), '--http-port', '0']);
    }
    const gw = await start('gateway', ['--role', 'gateway', '--id', '21', '--peers', peers, '--grpc-port', String(ports[3]!), '--http-port', '0', '--schedulers', schedulerAddrs.join(','), '--auth', 'off', '--trace-rate', '1', '--trace-reservoir', '100']);
    endpoint = `http://${gw.httpAddress!}`;
    lambda = lambdaClient(endpoint);
    sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    lambda?.destroy();
    sqs?.destroy();
    for (const n of [...nodes.values()].reverse()) await n.stop();
    delete process.env.STRATUS_MASTER_KEY;
    rmSync(dir, { recursive: true, force: true });
  });

  const invocations = async (scheduler: string, fn: string): Promise<number> => {
    const series = await nodes.get(scheduler)!.metrics.query({ name: 'Invocations', labels: { function: fn } });
    return series.reduce((n, s) => n + (s.value ?? 0), 0);
  };

  it('runs an invocation on the owner scheduler, continuing the trace over gRPC', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'routed', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: ECHO } }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'routed', Payload: new Uint8Array(Buffer.from('{"n":1}')) }));
    expect(r.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(r.Payload!).toString())).toMatchObject({ event: { n: 1 } });
    const owner = schedulerAddrs.indexOf(schedulerOrder('routed', schedulerAddrs)[0]!);
    expect(await invocations(`scheduler-${owner}`, 'routed')).toBe(1);
    expect(await invocations(`scheduler-${1 - owner}`, 'routed')).toBe(0);

    // One process holds every node here, so one store has every tier's spans.
    const traces = nodes.get('gateway')!.traces;
    const request = (await waitFor(() => traces.summaries({ limit: 1000 }).traces.map((s) => traces.trace(s.traceId) ?? []).find((spans) => spans.some((x) => x.name === 'scheduler.function.invoke' && x.attributes['faas.name'] === 'routed'))))!;
    const call = one(request, 'gateway.scheduler.invoke');
    const served = one(request, 'scheduler.rpc.invoke');
    expect(call).toMatchObject({ kind: 'client', service: 'gateway' });
    expect(served).toMatchObject({ kind: 'server', service: 'scheduler', parentSpanId: call.spanId });
    expect(one(request, 'scheduler.function.invoke').parentSpanId).toBe(served.spanId);
  }, 60_000);

  it('runs async events on the schedulers, and provisions concurrency where the function is owned', async () => {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'routed-ok' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'routed', DestinationConfig: { OnSuccess: { Destination: arn } } }));
    await lambda.send(new InvokeCommand({ FunctionName: 'routed', InvocationType: 'Event', Payload: new Uint8Array(Buffer.from('{"n":2}')) }));
    const m = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0]);
    expect(JSON.parse(m!.Body!)).toMatchObject({ requestPayload: { n: 2 }, responseContext: { statusCode: 200 } });

    const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'routed' }));
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'routed', Qualifier: v.Version, ProvisionedConcurrentExecutions: 1 }));
    const ready = await waitFor(async () => {
      const s = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'routed', Qualifier: v.Version }));
      return s.Status === 'READY' ? s : undefined;
    });
    expect(ready).toMatchObject({ RequestedProvisionedConcurrentExecutions: 1, AvailableProvisionedConcurrentExecutions: 1 });
  }, 60_000);

  it('sends invocations to the next scheduler when the owner is gone', async () => {
    const owner = schedulerAddrs.indexOf(schedulerOrder('routed', schedulerAddrs)[0]!);
    const before = await invocations(`scheduler-${1 - owner}`, 'routed');
    await nodes.get(`scheduler-${owner}`)!.stop();
    nodes.delete(`scheduler-${owner}`);
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'routed', Payload: new Uint8Array(Buffer.from('{"n":3}')) }));
    expect(JSON.parse(Buffer.from(r.Payload!).toString())).toMatchObject({ event: { n: 3 } });
    expect(await invocations(`scheduler-${1 - owner}`, 'routed')).toBe(before + 1);
  }, 60_000);

  it('answers readiness on every role', async () => {
    for (const [name, n] of nodes) {
      if (n.httpAddress === undefined) continue;
      const res = await fetch(`http://${n.httpAddress}/ready`);
      expect(res.status, name).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ready' });
    }
    expect((await nodes.get('storage')!.ready()).ready).toBe(true);
  });
});

function one(spans: SpanRecord[], name: string): SpanRecord {
  const found = spans.filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

async function waitFor<T>(f: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
