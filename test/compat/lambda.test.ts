// The AWS SDK v3 Lambda client against the embedded server.
import { CreateFunctionCommand, DeleteFunctionConcurrencyCommand, InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { LogClient } from '../integration/log-client.js';
import { ECHO, SLOW } from './lambda-fixtures.js';
import { lambdaClient, lambdaSuite } from './lambda-suite.js';
import { startEmbedded } from './targets.js';

lambdaSuite('Lambda on the embedded server', async () => {
  const t = await startEmbedded(['--lambda-retry-delay', '1']);
  return { endpoint: t.endpoint, sqs: t.client(), stop: () => t.stop() };
});

describe('Lambda data at rest on the embedded server', () => {
  it('seals environment variables in the catalog and stores each invocation log in the function log', async () => {
    const t = await startEmbedded();
    const lambda = lambdaClient(t.endpoint);
    const cluster = new ClusterClient({ seeds: [t.node.grpcAddress] });
    const logs = new LogClient(t.node.grpcAddress);
    try {
      await lambda.send(
        new CreateFunctionCommand({ FunctionName: 'sealed', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: ECHO }, Environment: { Variables: { GREETING: 'top-secret-value' } } }),
      );
      const raw = await cluster.read(0, encodeMetaQuery({ type: 'getDoc', kind: 'function', name: 'sealed' }));
      expect(Buffer.from(raw).toString('utf8')).toContain('"environment":"v1:');
      expect(Buffer.from(raw).toString('utf8')).not.toContain('top-secret-value');
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'sealed', Payload: new Uint8Array(Buffer.from('{"n":1}')) }));
      expect((JSON.parse(Buffer.from(r.Payload!).toString()) as { env: { GREETING: string } }).env.GREETING).toBe('top-secret-value');
      // Shipped off the invocation's path, in batches: wait for the batch to land.
      let text = '';
      const until = Date.now() + 10_000;
      while (!text.includes(`END RequestId: ${r.$metadata.requestId}`) && Date.now() < until) {
        text = (await logs.readAll('lambda.sealed', 0)).map((x) => Buffer.from(x.value).toString()).join('');
        if (!text.includes('END RequestId')) await new Promise((res) => setTimeout(res, 100));
      }
      expect(text).toContain(`START RequestId: ${r.$metadata.requestId} Version: $LATEST`);
      expect(text).toMatch(/\tINFO\techo \{"n":1\}/);
    } finally {
      lambda.destroy();
      cluster.close();
      logs.close();
      await t.stop();
    }
  }, 60_000);
});

describe('Lambda at the account concurrency limit', () => {
  it('throttles synchronous invokes beyond the account limit, and keeps the whole small limit unreserved', async () => {
    const t = await startEmbedded(['--lambda-concurrency', '2']);
    const lambda = lambdaClient(t.endpoint);
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'busy', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: SLOW } }));
      const payload = new Uint8Array(Buffer.from('{"ms":1500}'));
      const results = await Promise.allSettled([0, 1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: 'busy', Payload: payload }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      const throttled = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(throttled?.reason).toMatchObject({ name: 'TooManyRequestsException', Reason: 'ConcurrentInvocationLimitExceeded', $metadata: { httpStatusCode: 429 } });
      await expect(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'busy', ReservedConcurrentExecutions: 1 }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    } finally {
      lambda.destroy();
      await t.stop();
    }
  }, 60_000);
});

describe('Lambda async events while throttled', () => {
  it('keeps a throttled event queued and runs it once concurrency allows', async () => {
    const t = await startEmbedded();
    const lambda = lambdaClient(t.endpoint);
    const sqs = t.client();
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'held', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: ECHO } }));
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'held-ok' }))).QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'held', DestinationConfig: { OnSuccess: { Destination: arn } } }));
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'held', ReservedConcurrentExecutions: 0 }));
      const accepted = await lambda.send(new InvokeCommand({ FunctionName: 'held', InvocationType: 'Event', Payload: new Uint8Array(Buffer.from('{"k":1}')) }));
      expect(accepted.StatusCode).toBe(202);
      // Throttled: nothing runs while reserved concurrency is 0 (a long poll that comes back empty).
      const early = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3 }));
      expect(early.Messages ?? []).toEqual([]);
      await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'held' }));
      let body: string | undefined;
      const until = Date.now() + 30_000;
      while (body === undefined && Date.now() < until) body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }))).Messages?.[0]?.Body;
      expect(JSON.parse(body ?? '{}')).toMatchObject({ requestContext: { condition: 'Success', requestId: accepted.$metadata.requestId }, requestPayload: { k: 1 } });
    } finally {
      lambda.destroy();
      sqs.destroy();
      await t.stop();
    }
  }, 60_000);

  it('gives a throttled event up after MaximumEventAgeInSeconds, to the OnFailure destination', async () => {
    const t = await startEmbedded();
    const lambda = lambdaClient(t.endpoint);
    const sqs = t.client();
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'aged', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: ECHO } }));
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'aged-failed' }))).QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      // AWS's smallest event age, 60 s: the event is throttled throughout (reserved 0) and must expire.
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'aged', MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: arn } } }));
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'aged', ReservedConcurrentExecutions: 0 }));
      const accepted = await lambda.send(new InvokeCommand({ FunctionName: 'aged', InvocationType: 'Event', Payload: new Uint8Array(Buffer.from('{"k":2}')) }));
      const sent = Date.now();
      let body: string | undefined;
      while (body === undefined && Date.now() - sent < 120_000) body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }))).Messages?.[0]?.Body;
      expect(Date.now() - sent).toBeGreaterThanOrEqual(60_000);
      expect(JSON.parse(body ?? '{}')).toMatchObject({ requestContext: { condition: 'EventAgeExceeded', requestId: accepted.$metadata.requestId }, requestPayload: { k: 2 } });
    } finally {
      lambda.destroy();
      sqs.destroy();
      await t.stop();
    }
  }, 180_000);
});
