// Debian's AWS CLI (awscli 2.9.19: SQS's Query protocol, Lambda's and API Gateway's REST-JSON, Kinesis's JSON 1.1, Step Functions' JSON 1.0) against the embedded
// server. CI installs the package (.ci/run); without it the test says so and skips.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECHO } from './lambda-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const AWS = '/usr/bin/aws';

function aws(endpoint: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/tmp',
    AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', endpoint, '--output', 'json', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the AWS CLI (Query protocol)', () => {
  let target: SqsTarget | undefined;
  beforeAll(async () => {
    if (existsSync(AWS)) target = await startEmbedded();
  }, 60_000);
  afterAll(async () => target?.stop(), 30_000);

  it('creates a queue, sends, receives, deletes, and reports errors', async (ctx) => {
    if (!target) {
      ctx.skip(`${AWS} is not installed (Debian package awscli; .ci/run installs it)`);
      return;
    }
    const e = target.endpoint;
    const created = await aws(e, ['sqs', 'create-queue', '--queue-name', 'cli-q', '--attributes', 'VisibilityTimeout=40']);
    expect(created.stderr).toBe('');
    const url = (JSON.parse(created.stdout) as { QueueUrl: string }).QueueUrl;
    expect(url).toBe(`${e}/000000000000/cli-q`);
    const sent = await aws(e, ['sqs', 'send-message', '--queue-url', url, '--message-body', 'from the cli', '--message-attributes', 'k={DataType=String,StringValue=v}']);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ MD5OfMessageBody: createHash('md5').update('from the cli').digest('hex') });
    const got = await aws(e, ['sqs', 'receive-message', '--queue-url', url, '--attribute-names', 'All', '--message-attribute-names', 'All', '--wait-time-seconds', '1']);
    const msg = (JSON.parse(got.stdout) as { Messages: { Body: string; ReceiptHandle: string; MessageAttributes: Record<string, { StringValue: string }>; Attributes: Record<string, string> }[] }).Messages[0]!;
    expect(msg.Body).toBe('from the cli');
    expect(msg.MessageAttributes.k?.StringValue).toBe('v');
    expect(msg.Attributes.ApproximateReceiveCount).toBe('1');
    expect((await aws(e, ['sqs', 'delete-message', '--queue-url', url, '--receipt-handle', msg.ReceiptHandle])).code).toBe(0);
    const attrs = JSON.parse((await aws(e, ['sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'All'])).stdout) as { Attributes: Record<string, string> };
    expect(attrs.Attributes.VisibilityTimeout).toBe('40');
    expect(attrs.Attributes.ApproximateNumberOfMessages).toBe('0');
    const listed = JSON.parse((await aws(e, ['sqs', 'list-queues'])).stdout) as { QueueUrls: string[] };
    expect(listed.QueueUrls).toContain(url);
    const missing = await aws(e, ['sqs', 'get-queue-url', '--queue-name', 'no-such-queue']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/AWS\.SimpleQueueService\.NonExistentQueue/);
  }, 120_000);

  it('deploys and invokes a function (REST-JSON protocol)', async (ctx) => {
    if (!target) {
      ctx.skip(`${AWS} is not installed (Debian package awscli; .ci/run installs it)`);
      return;
    }
    const e = target.endpoint;
    const dir = mkdtempSync(join(tmpdir(), 'stratus-cli-lambda-'));
    try {
      writeFileSync(join(dir, 'fn.zip'), ECHO);
      const created = await aws(e, [
        'lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
        '--role', 'arn:aws:iam::000000000000:role/cli', '--zip-file', `fileb://${join(dir, 'fn.zip')}`, '--environment', 'Variables={GREETING=hey}',
      ]);
      expect(created.stderr).toBe('');
      expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: 'cli-fn', Runtime: 'nodejs20.x', State: 'Active' });
      const out = join(dir, 'out.json');
      const invoked = await aws(e, ['lambda', 'invoke', '--function-name', 'cli-fn', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"from":"cli"}', '--log-type', 'Tail', out]);
      expect(invoked.code).toBe(0);
      const meta = JSON.parse(invoked.stdout) as { StatusCode: number; ExecutedVersion: string; LogResult: string };
      expect(meta).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
      expect(Buffer.from(meta.LogResult, 'base64').toString()).toMatch(/^REPORT RequestId: /m);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ event: { from: 'cli' }, env: { GREETING: 'hey' } });
      expect((JSON.parse((await aws(e, ['lambda', 'publish-version', '--function-name', 'cli-fn'])).stdout) as { Version: string }).Version).toBe('1');
      expect((await aws(e, ['lambda', 'create-alias', '--function-name', 'cli-fn', '--name', 'prod', '--function-version', '1'])).code).toBe(0);
      const listed = JSON.parse((await aws(e, ['lambda', 'list-functions'])).stdout) as { Functions: { FunctionName: string }[] };
      expect(listed.Functions.map((f) => f.FunctionName)).toContain('cli-fn');
      const missing = await aws(e, ['lambda', 'get-function', '--function-name', 'no-such-fn']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/ResourceNotFoundException/);
      expect((await aws(e, ['lambda', 'delete-function', '--function-name', 'cli-fn'])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  it('creates a stream, puts and reads records, and maps it to a function', async (ctx) => {
    if (!target) {
      ctx.skip(`${AWS} is not installed (Debian package awscli; .ci/run installs it)`);
      return;
    }
    const e = target.endpoint;
    expect((await aws(e, ['kinesis', 'create-stream', '--stream-name', 'cli-s', '--shard-count', '2'])).code).toBe(0);
    const put = await aws(e, ['kinesis', 'put-record', '--stream-name', 'cli-s', '--partition-key', 'pk', '--cli-binary-format', 'raw-in-base64-out', '--data', 'from the cli']);
    expect(put.stderr).toBe('');
    const { ShardId, SequenceNumber } = JSON.parse(put.stdout) as { ShardId: string; SequenceNumber: string };
    const it = JSON.parse((await aws(e, ['kinesis', 'get-shard-iterator', '--stream-name', 'cli-s', '--shard-id', ShardId, '--shard-iterator-type', 'AT_SEQUENCE_NUMBER', '--starting-sequence-number', SequenceNumber])).stdout) as { ShardIterator: string };
    const got = JSON.parse((await aws(e, ['kinesis', 'get-records', '--shard-iterator', it.ShardIterator])).stdout) as { Records: { Data: string; PartitionKey: string }[] };
    expect(got.Records.map((r) => [Buffer.from(r.Data, 'base64').toString(), r.PartitionKey])).toEqual([['from the cli', 'pk']]);
    const shards = JSON.parse((await aws(e, ['kinesis', 'list-shards', '--stream-name', 'cli-s'])).stdout) as { Shards: unknown[] };
    expect(shards.Shards).toHaveLength(2);
    const dir = mkdtempSync(join(tmpdir(), 'stratus-cli-esm-'));
    try {
      writeFileSync(join(dir, 'fn.zip'), ECHO);
      expect((await aws(e, ['lambda', 'create-function', '--function-name', 'cli-stream-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', 'arn:aws:iam::000000000000:role/cli', '--zip-file', `fileb://${join(dir, 'fn.zip')}`])).code).toBe(0);
      const m = await aws(e, ['lambda', 'create-event-source-mapping', '--function-name', 'cli-stream-fn', '--event-source-arn', 'arn:aws:kinesis:us-east-1:000000000000:stream/cli-s', '--starting-position', 'TRIM_HORIZON']);
      expect(m.stderr).toBe('');
      expect(JSON.parse(m.stdout)).toMatchObject({ State: 'Creating', BatchSize: 100, StartingPosition: 'TRIM_HORIZON' });
      const missing = await aws(e, ['kinesis', 'describe-stream-summary', '--stream-name', 'no-such-stream']);
      expect(missing.stderr).toMatch(/ResourceNotFoundException/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  it('creates a topic, fans a message out to a queue, and reports errors (SNS)', async (ctx) => {
    if (!target) {
      ctx.skip(`${AWS} is not installed (Debian package awscli; .ci/run installs it)`);
      return;
    }
    const e = target.endpoint;
    const topic = JSON.parse((await aws(e, ['sns', 'create-topic', '--name', 'cli-topic'])).stdout) as { TopicArn: string };
    expect(topic.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:cli-topic');
    const q = JSON.parse((await aws(e, ['sqs', 'create-queue', '--queue-name', 'cli-topic-q'])).stdout) as { QueueUrl: string };
    const arn = 'arn:aws:sqs:us-east-1:000000000000:cli-topic-q';
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': topic.TopicArn } } }] });
    expect((await aws(e, ['sqs', 'set-queue-attributes', '--queue-url', q.QueueUrl, '--attributes', JSON.stringify({ Policy: policy })])).code).toBe(0);
    const sub = await aws(e, ['sns', 'subscribe', '--topic-arn', topic.TopicArn, '--protocol', 'sqs', '--notification-endpoint', arn, '--attributes', 'RawMessageDelivery=true']);
    expect(sub.stderr).toBe('');
    expect((JSON.parse(sub.stdout) as { SubscriptionArn: string }).SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:cli-topic:/);
    const subs = JSON.parse((await aws(e, ['sns', 'list-subscriptions-by-topic', '--topic-arn', topic.TopicArn])).stdout) as { Subscriptions: { Endpoint: string }[] };
    expect(subs.Subscriptions.map((s) => s.Endpoint)).toEqual([arn]);
    const pub = await aws(e, ['sns', 'publish', '--topic-arn', topic.TopicArn, '--message', 'from the cli', '--message-attributes', '{"k":{"DataType":"String","StringValue":"v"}}']);
    expect(pub.stderr).toBe('');
    const got = JSON.parse((await aws(e, ['sqs', 'receive-message', '--queue-url', q.QueueUrl, '--wait-time-seconds', '10', '--message-attribute-names', 'All'])).stdout) as { Messages: { Body: string; MessageAttributes: Record<string, { StringValue: string }> }[] };
    expect(got.Messages[0]!.Body).toBe('from the cli');
    expect(got.Messages[0]!.MessageAttributes.k!.StringValue).toBe('v');
    const missing = await aws(e, ['sns', 'get-topic-attributes', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NotFound/);
  }, 120_000);
  it('creates a state machine, starts an execution and describes it until it succeeds (Step Functions, JSON 1.0)', async (ctx) => {
    if (!target) {
      ctx.skip(`${AWS} is not installed (Debian package awscli; .ci/run installs it)`);
      return;
    }
    const e = target.endpoint;
    const definition = JSON.stringify({ StartAt: 'Greet', States: { Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hello {}', $.who)" }, End: true } } });
    const created = await aws(e, ['stepfunctions', 'create-state-machine', '--name', 'cli-machine', '--definition', definition, '--role-arn', 'arn:aws:iam::000000000000:role/cli']);
    expect(created.stderr).toBe('');
    const machineArn = (JSON.parse(created.stdout) as { stateMachineArn: string }).stateMachineArn;
    expect(machineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:cli-machine');
    const started = await aws(e, ['stepfunctions', 'start-execution', '--state-machine-arn', machineArn, '--name', 'cli-run', '--input', '{"who":"cli"}']);
    expect(started.stderr).toBe('');
    const { executionArn } = JSON.parse(started.stdout) as { executionArn: string };
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:cli-machine:cli-run');
    // Each CLI call takes a moment to start, so polling it is its own pacing; 20 s at most.
    const deadline = Date.now() + 20_000;
    let d: { status: string; output?: string } = { status: 'RUNNING' };
    while (d.status === 'RUNNING' && Date.now() < deadline) {
      const described = await aws(e, ['stepfunctions', 'describe-execution', '--execution-arn', executionArn]);
      expect(described.stderr).toBe('');
      d = JSON.parse(described.stdout) as typeof d;
    }
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ greeting: 'hello cli' });
    const missing = await aws(e, ['stepfunctions', 'describe-execution', '--execution-arn', 'arn:aws:states:us-east-1:000000000000:execution:cli-machine:nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ExecutionDoesNotExist/);
  }, 120_000);
  it('builds a REST API with a MOCK integration, deploys it and serves it (API Gateway, REST-JSON)', async (ctx) => {
    if (!target) {
      ctx.skip(`${AWS} is not installed (Debian package awscli; .ci/run installs it)`);
      return;
    }
    const e = target.endpoint;
    const run = async (args: string[]): Promise<Record<string, unknown>> => {
      const r = await aws(e, args);
      expect(r.stderr).toBe('');
      return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
    };
    const api = await run(['apigateway', 'create-rest-api', '--name', 'cli-api']);
    const id = api.id as string;
    // Debian's CLI predates RestApi's rootResourceId: the root comes from get-resources.
    const resources = (await run(['apigateway', 'get-resources', '--rest-api-id', id])).items as { id: string; path: string }[];
    const root = resources.find((r) => r.path === '/')!.id;
    const hello = await run(['apigateway', 'create-resource', '--rest-api-id', id, '--parent-id', root, '--path-part', 'hello']);
    const rid = hello.id as string;
    await run(['apigateway', 'put-method', '--rest-api-id', id, '--resource-id', rid, '--http-method', 'GET', '--authorization-type', 'NONE']);
    await run(['apigateway', 'put-integration', '--rest-api-id', id, '--resource-id', rid, '--http-method', 'GET', '--type', 'MOCK', '--request-templates', '{"application/json":"{\\"statusCode\\": 200}"}']);
    await run(['apigateway', 'put-method-response', '--rest-api-id', id, '--resource-id', rid, '--http-method', 'GET', '--status-code', '200']);
    await run(['apigateway', 'put-integration-response', '--rest-api-id', id, '--resource-id', rid, '--http-method', 'GET', '--status-code', '200', '--response-templates', '{"application/json":"{\\"hello\\": \\"$input.params(\'who\')\\"}"}']);
    const d = await run(['apigateway', 'create-deployment', '--rest-api-id', id, '--stage-name', 'prod']);
    expect(d.id).toMatch(/^[a-z0-9]+$/);
    const stage = await run(['apigateway', 'get-stage', '--rest-api-id', id, '--stage-name', 'prod']);
    expect(stage.deploymentId).toBe(d.id);
    const r = await fetch(`${e}/_api/${id}/prod/hello?who=cli`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ hello: 'cli' });
    const missing = await aws(e, ['apigateway', 'get-rest-api', '--rest-api-id', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NotFoundException/);
  }, 120_000);
});
