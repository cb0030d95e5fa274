// The AWS SDK v3 Lambda client against a Stratus target: functions, versions, aliases, layers,
// invocation (sync, async with retries, destinations and DLQ), concurrency and the error cases.
import { createHash } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PutProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  TagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK, ECHO, ECHO_V2, FAILING, LAYER, SLOW, USES_LAYER } from './lambda-fixtures.js';
import { ROOT } from './targets.js';

export interface LambdaTarget {
  endpoint: string;
  sqs: SQSClient;
  stop(): Promise<void>;
}

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ACCOUNT = '000000000000';
const decode = (p: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(p ?? new Uint8Array()).toString('utf8'));
const enc = (v: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(v)));

export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
}

async function receiveOne(sqs: SQSClient, url: string, timeoutMs = 30_000): Promise<{ body: string; attributes: Record<string, string | undefined> }> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2, MessageAttributeNames: ['All'] }));
    const m = r.Messages?.[0];
    if (m) {
      const attributes: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) attributes[k] = v.StringValue;
      return { body: m.Body ?? '', attributes };
    }
  }
  throw new Error(`no message on ${url} within ${timeoutMs} ms`);
}

export function lambdaSuite(title: string, start: () => Promise<LambdaTarget>): void {
  describe(title, () => {
    let target: LambdaTarget;
    let lambda: LambdaClient;

    // A 3-process cluster can take more than vitest's 10 s default to start on a loaded machine.
    beforeAll(async () => {
      target = await start();
      lambda = lambdaClient(target.endpoint);
    }, 60_000);
    afterAll(async () => {
      lambda?.destroy();
      await target?.stop();
    }, 30_000);

    const create = (name: string, zipFile: Uint8Array, more: Partial<ConstructorParameters<typeof CreateFunctionCommand>[0]> = {}) =>
      lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zipFile }, ...more }));

    it('creates, describes and lists a function', async () => {
      const c = await create('echo', ECHO, { Environment: { Variables: { GREETING: 'hi' } }, Description: 'echoes', Tags: { team: 'a' } });
      expect(c.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`);
      expect(c.CodeSha256).toBe(createHash('sha256').update(ECHO).digest('base64'));
      expect(c.CodeSize).toBe(ECHO.length);
      expect(c).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: 3, MemorySize: 128, Version: '$LATEST', State: 'Active', Description: 'echoes' });
      expect(c.Environment?.Variables).toEqual({ GREETING: 'hi' });
      const g = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
      expect(g.Configuration?.FunctionName).toBe('echo');
      expect(g.Tags).toEqual({ team: 'a' });
      const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: c.FunctionArn }));
      expect(byArn.RevisionId).toBe(c.RevisionId);
      const list = await lambda.send(new ListFunctionsCommand({}));
      expect(list.Functions?.map((f) => f.FunctionName)).toContain('echo');
      await expect(create('echo', ECHO)).rejects.toMatchObject({ name: 'ResourceConflictException', message: 'Function already exist: echo' });
    });

    it('invokes synchronously with the context, environment and log tail', async () => {
      const first = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: enc({ hello: 'world' }), LogType: 'Tail' }));
      expect(first.StatusCode).toBe(200);
      expect(first.FunctionError).toBeUndefined();
      expect(first.ExecutedVersion).toBe('$LATEST');
      const out = decode(first.Payload) as Record<string, unknown>;
      expect(out).toMatchObject({
        event: { hello: 'world' },
        functionName: 'echo',
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`,
        memoryLimitInMB: '128',
        logGroupName: '/aws/lambda/echo',
        env: { GREETING: 'hi', AWS_LAMBDA_FUNCTION_NAME: 'echo', AWS_REGION: 'us-east-1' },
      });
      expect(out.requestId).toBe(first.$metadata.requestId);
      expect(out.remaining as number).toBeGreaterThan(0);
      expect(out.remaining as number).toBeLessThanOrEqual(3000);
      const tail = Buffer.from(first.LogResult ?? '', 'base64').toString('utf8');
      expect(tail).toMatch(/^START RequestId: \S+ Version: \$LATEST/m);
      expect(tail).toMatch(/\tINFO\techo \{"hello":"world"\}/);
      expect(tail).toMatch(/^END RequestId: /m);
      expect(tail).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/m);
    });

    it('reports a cold start once, then runs warm', async () => {
      await create('cold', ECHO);
      const a = await lambda.send(new InvokeCommand({ FunctionName: 'cold', LogType: 'Tail' }));
      const b = await lambda.send(new InvokeCommand({ FunctionName: 'cold', LogType: 'Tail' }));
      expect(Buffer.from(a.LogResult!, 'base64').toString()).toMatch(/Init Duration: [\d.]+ ms/);
      expect(Buffer.from(b.LogResult!, 'base64').toString()).not.toMatch(/Init Duration/);
      // Init code ran once: the module-level counter is still 1 on the warm invocation.
      expect((decode(b.Payload) as { inits: number }).inits).toBe(1);
    });

    it('runs callback-style CommonJS handlers', async () => {
      await create('callback', CALLBACK, { Handler: 'app.main' });
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'callback', Payload: enc({ a: 2, b: 3 }) }));
      expect(decode(r.Payload)).toEqual({ sum: 5 });
    });

    it('returns function errors as Lambda does', async () => {
      await create('failing', FAILING);
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'failing', Payload: enc({ n: 7 }) }));
      expect(r.StatusCode).toBe(200);
      expect(r.FunctionError).toBe('Unhandled');
      const body = decode(r.Payload) as { errorType: string; errorMessage: string; trace: string[] };
      expect(body.errorType).toBe('TypeError');
      expect(body.errorMessage).toBe('bad input: 7');
      expect(body.trace[0]).toBe('TypeError: bad input: 7');
    });

    it('times a handler out with AWS words', async () => {
      await create('slow', SLOW, { Timeout: 1 });
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: enc({ ms: 5000 }) }));
      expect(r.FunctionError).toBe('Unhandled');
      const body = decode(r.Payload) as { errorType: string; errorMessage: string };
      expect(body.errorType).toBe('Sandbox.Timedout');
      expect(body.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    });

    it('updates code and configuration', async () => {
      await create('upd', ECHO, { Environment: { Variables: { GREETING: 'one' } } });
      const c = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd', Environment: { Variables: { GREETING: 'two' } }, MemorySize: 256, Timeout: 10 }));
      expect(c).toMatchObject({ MemorySize: 256, Timeout: 10 });
      const r1 = decode((await lambda.send(new InvokeCommand({ FunctionName: 'upd' }))).Payload) as { env: { GREETING: string }; memoryLimitInMB: string };
      expect(r1.env.GREETING).toBe('two');
      expect(r1.memoryLimitInMB).toBe('256');
      await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'upd', Timeout: 5, RevisionId: 'stale' }))).rejects.toMatchObject({ name: 'PreconditionFailedException' });
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'upd', ZipFile: ECHO_V2 }));
      expect(decode((await lambda.send(new InvokeCommand({ FunctionName: 'upd' }))).Payload)).toMatchObject({ version: 'v2' });
    });

    it('publishes versions and routes aliases by weight', async () => {
      await create('ver', ECHO);
      const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
      expect(v1.Version).toBe('1');
      expect(v1.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:ver:1`);
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: ECHO_V2 }));
      const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
      expect(v2.Version).toBe('2');
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
      expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
      const old = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '1' }));
      expect(old.ExecutedVersion).toBe('1');
      expect(decode(old.Payload)).toMatchObject({ version: 'v1' });

      const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' }));
      expect(alias.AliasArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:ver:live`);
      await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'other', FunctionVersion: 'live' }))).rejects.toMatchObject({ name: 'ValidationException' });
      await lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
      const got = await lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }));
      expect(got.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.3 });
      const counts: Record<string, number> = {};
      const n = 200;
      for (let i = 0; i < n; i++) {
        const r = await lambda.send(new InvokeCommand({ FunctionName: 'ver:live' }));
        counts[r.ExecutedVersion!] = (counts[r.ExecutedVersion!] ?? 0) + 1;
      }
      // 30% ± 4.5 standard deviations of a binomial(200, 0.3): fails by chance about once in 10^5 runs.
      expect(counts['2']).toBeGreaterThan(n * 0.3 - 4.5 * Math.sqrt(n * 0.21));
      expect(counts['2']).toBeLessThan(n * 0.3 + 4.5 * Math.sqrt(n * 0.21));
      expect((counts['1'] ?? 0) + (counts['2'] ?? 0)).toBe(n);
      const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }));
      expect(aliases.Aliases?.map((a) => a.Name)).toEqual(['live']);
    });

    it('resolves layer packages for the function', async () => {
      const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'greeter', Content: { ZipFile: LAYER }, CompatibleRuntimes: ['nodejs20.x'] }));
      expect(layer.Version).toBe(1);
      expect(layer.LayerVersionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:layer:greeter:1`);
      await create('layered', USES_LAYER, { Layers: [layer.LayerVersionArn!] });
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'layered', Payload: enc({ name: 'ada' }) }));
      expect(decode(r.Payload)).toBe('hello ada from a layer');
      await expect(create('badlayer', USES_LAYER, { Layers: [`arn:aws:lambda:us-east-1:${ACCOUNT}:layer:greeter:9`] })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    });

    it('throttles at reserved concurrency and keeps 100 unreserved', async () => {
      await create('reserved', SLOW);
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 1 }));
      expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }))).ReservedConcurrentExecutions).toBe(1);
      const results = await Promise.allSettled([0, 1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: 'reserved', Payload: enc({ ms: 1500 }) }))));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(ok.length).toBe(1);
      expect(throttled.length).toBe(2);
      expect(throttled[0]!.reason).toMatchObject({ name: 'TooManyRequestsException', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', $metadata: { httpStatusCode: 429 } });
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 0 }));
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'reserved' }))).rejects.toMatchObject({ name: 'TooManyRequestsException' });
      await expect(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 901 }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      const s = await lambda.send(new GetAccountSettingsCommand({}));
      expect(s.AccountLimit?.ConcurrentExecutions).toBe(1000);
      expect(s.AccountLimit?.UnreservedConcurrentExecutions).toBe(1000);
    });

    it('invokes asynchronously: success and failure destinations, retries and the dead-letter queue', async () => {
      const sqs = target.sqs;
      const okUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'on-success' }))).QueueUrl!;
      const failUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'on-failure' }))).QueueUrl!;
      const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'fn-dlq' }))).QueueUrl!;
      const arnOf = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      const [okArn, failArn, dlqArn] = [await arnOf(okUrl), await arnOf(failUrl), await arnOf(dlqUrl)];
      await create('async', FAILING, { DeadLetterConfig: { TargetArn: dlqArn } });
      await lambda.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async', MaximumRetryAttempts: 2, DestinationConfig: { OnSuccess: { Destination: okArn }, OnFailure: { Destination: failArn } } }),
      );
      const accepted = await lambda.send(new InvokeCommand({ FunctionName: 'async', InvocationType: 'Event', Payload: enc({ ok: true }) }));
      expect(accepted.StatusCode).toBe(202);
      const success = JSON.parse((await receiveOne(sqs, okUrl)).body) as Record<string, { condition?: string; requestId?: string } & Record<string, unknown>>;
      expect(success.requestContext).toMatchObject({ condition: 'Success', requestId: accepted.$metadata.requestId, approximateInvokeCount: 1 });
      expect(success.requestPayload).toEqual({ ok: true });
      expect(success.responsePayload).toBe('fine');

      const failed = await lambda.send(new InvokeCommand({ FunctionName: 'async', InvocationType: 'Event', Payload: enc({ n: 1 }) }));
      const record = JSON.parse((await receiveOne(sqs, failUrl, 60_000)).body) as Record<string, Record<string, unknown>>;
      expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3, requestId: failed.$metadata.requestId });
      expect(record.responseContext).toMatchObject({ functionError: 'Unhandled' });
      expect(record.responsePayload).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input: 1' });
      const dead = await receiveOne(sqs, dlqUrl);
      expect(JSON.parse(dead.body)).toEqual({ n: 1 });
      expect(dead.attributes).toMatchObject({ RequestID: failed.$metadata.requestId, ErrorCode: '200', ErrorMessage: 'bad input: 1' });
    });

    it('keeps provisioned environments initialised before any request', async () => {
      await create('prov', ECHO);
      await lambda.send(new PublishVersionCommand({ FunctionName: 'prov' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: 'prov', Name: 'warm', FunctionVersion: '1' }));
      await expect(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'prov', Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 }))).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
      });
      const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'prov', Qualifier: 'warm', ProvisionedConcurrentExecutions: 2 }));
      expect(put.$metadata.httpStatusCode).toBe(202);
      expect(put.RequestedProvisionedConcurrentExecutions).toBe(2);
      let status = put.Status;
      const until = Date.now() + 20_000;
      while (status !== 'READY' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'prov', Qualifier: 'warm' }))).Status;
      }
      expect(status).toBe('READY');
      const listed = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'prov' }));
      expect(listed.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn)).toEqual([`arn:aws:lambda:us-east-1:${ACCOUNT}:function:prov:warm`]);
      // Both provisioned environments answer without a cold start, the very first request included.
      const r = await Promise.all([0, 1].map(() => lambda.send(new InvokeCommand({ FunctionName: 'prov', Qualifier: 'warm', LogType: 'Tail' }))));
      for (const x of r) expect(Buffer.from(x.LogResult!, 'base64').toString()).not.toMatch(/Init Duration/);
      await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'prov', Qualifier: 'warm' }));
      await expect(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'prov', Qualifier: 'warm' }))).rejects.toMatchObject({ name: 'ProvisionedConcurrencyConfigNotFoundException' });
    });

    it('tags functions', async () => {
      const arn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`;
      await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: 'test' } }));
      expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ team: 'a', env: 'test' });
    });

    it('answers bad requests with Lambda error codes', async () => {
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: `Function not found: arn:aws:lambda:us-east-1:${ACCOUNT}:function:nope`,
        $metadata: { httpStatusCode: 404 },
      });
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: new Uint8Array(Buffer.from('{not json')) }))).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
      await expect(create('tiny', ECHO, { MemorySize: 64 })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(create('py', ECHO, { Runtime: 'python3.12' })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      await expect(create('envres', ECHO, { Environment: { Variables: { AWS_REGION: 'x' } } })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      await expect(create('notzip', new Uint8Array(Buffer.from('not a zip')))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: new Uint8Array(6 * 1024 * 1024 + 1).fill(32) }))).rejects.toMatchObject({
        name: 'RequestTooLargeException',
        $metadata: { httpStatusCode: 413 },
      });
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '42' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('deletes functions', async () => {
      await create('gone', ECHO);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone' }));
      await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'gone' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await expect(lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });
}
