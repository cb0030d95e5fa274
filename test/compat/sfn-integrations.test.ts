// Task states calling services through the SDK v3 clients against the embedded server: functions
// (a direct ARN and lambda:invoke with its payload wrapper, errors caught by their errorType,
// Retry, and redriving an execution once its function was fixed), sqs:sendMessage, sns:publish to
// a queue subscriber, nested executions (states:startExecution.sync and .sync:2) and an AWS SDK
// integration (aws-sdk:sqs:sendMessage).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { type SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING, zip } from './lambda-fixtures.js';
import { lambdaClient } from './lambda-suite.js';
import { drain, snsClient, topicQueue } from './sns-fixtures.js';
import { fn, history, machine, settled, sfnClient, shape } from './sfn-fixtures.js';
import { startEmbedded } from './targets.js';

const ADD = zip({ 'index.mjs': `export const handler = async (e) => ({ sum: e.a + e.b });\n` });
/** Appends a line to $OUT per call and fails (FlakyError) until it has been called $FAILS times before. */
const FLAKY = zip({
  'index.mjs': `
import { appendFileSync, readFileSync } from 'node:fs';
class FlakyError extends Error { constructor(m) { super(m); this.name = 'FlakyError'; } }
export const handler = async () => {
  appendFileSync(process.env.OUT, 'call\\n');
  const calls = readFileSync(process.env.OUT, 'utf8').trim().split('\\n').length;
  if (calls <= Number(process.env.FAILS)) throw new FlakyError('call ' + calls + ' fails');
  return { calls };
};
`,
});

describe('Step Functions service integrations', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let sfn: SFNClient;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let sns: SNSClient;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-sfn-int-'));
    t = await startEmbedded();
    sfn = sfnClient(t.endpoint);
    lambda = lambdaClient(t.endpoint);
    sqs = t.client();
    sns = snsClient(t.endpoint);
  }, 30_000);
  afterAll(async () => {
    for (const c of [sfn, lambda, sqs, sns]) c?.destroy();
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const run = async (arn: string, input: object): Promise<{ arn: string; output: unknown; status: string }> => {
    const ex = (await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }))).executionArn!;
    const d = await settled(sfn, ex);
    return { arn: ex, status: d.status!, output: d.output === undefined ? undefined : (JSON.parse(d.output) as unknown) };
  };

  it('calls a function by ARN and through lambda:invoke, with AWS history events for each', async () => {
    const add = await fn(lambda, 'sfn-add', ADD);
    const def = {
      StartAt: 'Direct',
      States: {
        Direct: { Type: 'Task', Resource: add, ResultPath: '$.direct', Next: 'Wrapped' },
        Wrapped: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'sfn-add', 'Payload.$': '$' }, ResultPath: '$.wrapped', End: true },
      },
    };
    const r = await run(await machine(sfn, 'lambda-chain', def), { a: 1, b: 2 });
    expect(r.status).toBe('SUCCEEDED');
    const out = r.output as { direct: unknown; wrapped: Record<string, unknown> };
    expect(out.direct).toEqual({ sum: 3 });
    // lambda:invoke wraps the function's answer with the Invoke response's members.
    expect(out.wrapped).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { sum: 3 }, StatusCode: 200 });
    expect(Object.keys(out.wrapped).sort()).toEqual(['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);

    const h = await history(sfn, r.arn);
    expect(shape(h)).toEqual([
      ['ExecutionStarted', 1, 0],
      ['TaskStateEntered', 2, 0],
      ['LambdaFunctionScheduled', 3, 2],
      ['LambdaFunctionStarted', 4, 3],
      ['LambdaFunctionSucceeded', 5, 4],
      ['TaskStateExited', 6, 5],
      ['TaskStateEntered', 7, 6],
      ['TaskScheduled', 8, 7],
      ['TaskStarted', 9, 8],
      ['TaskSucceeded', 10, 9],
      ['TaskStateExited', 11, 10],
      ['ExecutionSucceeded', 12, 11],
    ]);
    expect(h[2]!.lambdaFunctionScheduledEventDetails).toMatchObject({ resource: add, input: '{"a":1,"b":2}' });
    expect(JSON.parse(h[4]!.lambdaFunctionSucceededEventDetails!.output!)).toEqual({ sum: 3 });
    expect(h[7]!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(h[7]!.taskScheduledEventDetails!.parameters!)).toEqual({ FunctionName: 'sfn-add', Payload: { a: 1, b: 2, direct: { sum: 3 } } });
    expect(h[9]!.taskSucceededEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke' });
  });

  it("catches a function's error by its errorType, and retries a function that fails twice", async () => {
    const failing = await fn(lambda, 'sfn-failing', FAILING);
    const caught = {
      StartAt: 'Call',
      States: {
        Call: { Type: 'Task', Resource: failing, Catch: [{ ErrorEquals: ['RangeError'], Next: 'Wrong' }, { ErrorEquals: ['TypeError'], ResultPath: '$.error', Next: 'Handled' }], End: true },
        Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const r = await run(await machine(sfn, 'catcher', caught), { n: 7 });
    expect(r.status).toBe('SUCCEEDED');
    const err = (r.output as { error: { Error: string; Cause: string } }).error;
    expect(err.Error).toBe('TypeError');
    expect(JSON.parse(err.Cause)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input: 7' });
    const failedEvent = (await history(sfn, r.arn)).find((e) => e.type === 'LambdaFunctionFailed')!;
    expect(failedEvent.lambdaFunctionFailedEventDetails!.error).toBe('TypeError');

    const out = join(dir, 'flaky.log');
    const flaky = await fn(lambda, 'sfn-flaky', FLAKY, { OUT: out, FAILS: '2' });
    const retried = {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: flaky, Retry: [{ ErrorEquals: ['FlakyError'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 1 }], End: true } },
    };
    const rr = await run(await machine(sfn, 'retrier', retried), {});
    expect(rr).toMatchObject({ status: 'SUCCEEDED', output: { calls: 3 } });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
    const types = (await history(sfn, rr.arn)).map((e) => e.type);
    expect(types.filter((x) => x === 'LambdaFunctionFailed')).toHaveLength(2);
    expect(types.filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(3);
  });

  it('redrives a failed execution from the failed state once its function is fixed', async () => {
    const out = join(dir, 'redrive.log');
    const arnFn = await fn(lambda, 'sfn-broken', FLAKY, { OUT: out, FAILS: '1000' });
    const def = { StartAt: 'First', States: { First: { Type: 'Pass', Result: 'ran', ResultPath: '$.first', Next: 'Call' }, Call: { Type: 'Task', Resource: arnFn, ResultPath: '$.call', End: true } } };
    const m = await machine(sfn, 'redrivable', def);
    const r = await run(m, {});
    expect(r.status).toBe('FAILED');
    const failed = await sfn.send(new DescribeExecutionCommand({ executionArn: r.arn }));
    expect(failed).toMatchObject({ error: 'FlakyError', redriveCount: 0, redriveStatus: 'REDRIVABLE' });

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sfn-broken', ZipFile: ADD }));
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn: r.arn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const d = await settled(sfn, r.arn, ['SUCCEEDED', 'FAILED']);
    expect(d).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect(d.redriveDate!.getTime()).toBe(redriven.redriveDate!.getTime());
    expect(d.error).toBeUndefined();
    // ADD of an input without a and b: the fixed function ran on the failed state's input.
    expect(JSON.parse(d.output!)).toEqual({ first: 'ran', call: { sum: null } });

    const h = await history(sfn, r.arn);
    const types = h.map((e) => e.type);
    expect(types.filter((x) => x === 'ExecutionFailed')).toHaveLength(1);
    const at = types.indexOf('ExecutionRedriven');
    expect(at).toBeGreaterThan(types.indexOf('ExecutionFailed'));
    expect(h[at]!.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    // The Pass before the failed Task is not run again.
    expect(types.filter((x) => x === 'PassStateEntered')).toHaveLength(1);
    expect(types.slice(at + 1)).toEqual(['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: m, redriveFilter: 'REDRIVEN' }));
    expect(listed.executions!.map((e) => [e.executionArn, e.redriveCount])).toEqual([[r.arn, 1]]);
  });

  it('sends a message with sqs:sendMessage (a JSON MessageBody serialized) and through aws-sdk:sqs:sendMessage', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'sfn-orders' }))).QueueUrl!;
    const def = {
      StartAt: 'Send',
      States: {
        Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: url, MessageBody: { 'order.$': '$.order', source: 'sfn' } }, ResultPath: '$.sent', Next: 'Sdk' },
        Sdk: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:sendMessage', Parameters: { QueueUrl: url, 'MessageBody.$': "States.Format('order {}', $.order.id)" }, ResultPath: '$.sdk', End: true },
      },
    };
    const r = await run(await machine(sfn, 'sqs-sender', def), { order: { id: 42, items: ['a'] } });
    expect(r.status).toBe('SUCCEEDED');
    const out = r.output as { sent: Record<string, unknown>; sdk: Record<string, unknown> };
    const got = await drain(sqs, url, 2);
    const bodies = got.map((m) => m.Body!);
    const json = bodies.find((b) => b.startsWith('{'))!;
    expect(JSON.parse(json)).toEqual({ order: { id: 42, items: ['a'] }, source: 'sfn' });
    expect(bodies).toContain('order 42');
    expect(out.sent).toMatchObject({ MD5OfMessageBody: createHash('md5').update(json).digest('hex'), SdkHttpMetadata: { HttpStatusCode: 200 } });
    expect(got.map((m) => m.MessageId)).toContain(out.sent.MessageId);
    expect(got.map((m) => m.MessageId)).toContain(out.sdk.MessageId);
  });

  it('publishes with sns:publish to a topic whose queue subscriber receives it', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'sfn-topic' }))).TopicArn!;
    const q = await topicQueue(sqs, 'sfn-topic-q', [topic]);
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const def = { StartAt: 'Pub', States: { Pub: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: topic, Message: { 'text.$': '$.text' }, Subject: 'from sfn' }, End: true } } };
    const r = await run(await machine(sfn, 'publisher', def), { text: 'hello subscribers' });
    expect(r.status).toBe('SUCCEEDED');
    const got = await drain(sqs, q.url, 1);
    expect(got.map((m) => JSON.parse(m.Body!) as unknown)).toEqual([{ text: 'hello subscribers' }]);
    expect((r.output as { MessageId: string }).MessageId).toEqual(expect.any(String));
  });

  it("runs a nested execution with startExecution.sync and .sync:2 and returns the child's output", async () => {
    const child = await machine(sfn, 'child', { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.x, $.x)' }, End: true } } });
    const def = {
      StartAt: 'Sync',
      States: {
        Sync: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: child, Input: { 'x.$': '$.x' } }, ResultPath: '$.v1', Next: 'Sync2' },
        Sync2: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: child, Input: { x: 10 } }, ResultPath: '$.v2', End: true },
      },
    };
    const r = await run(await machine(sfn, 'parent', def), { x: 4 });
    expect(r.status).toBe('SUCCEEDED');
    const out = r.output as { v1: Record<string, unknown>; v2: Record<string, unknown> };
    // .sync answers DescribeExecution with Output as a string; .sync:2 parses it as JSON.
    expect(out.v1).toMatchObject({ Status: 'SUCCEEDED', StateMachineArn: child, Output: '{"doubled":8}' });
    expect(out.v2).toMatchObject({ Status: 'SUCCEEDED', Output: { doubled: 20 } });
    const children = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: child }))).executions!;
    expect(children.map((e) => e.executionArn).sort()).toEqual([out.v1.ExecutionArn, out.v2.ExecutionArn].sort());
    const types = (await history(sfn, r.arn)).map((e) => e.type);
    expect(types.filter((x) => x === 'TaskSubmitted')).toHaveLength(2);
  });
});
