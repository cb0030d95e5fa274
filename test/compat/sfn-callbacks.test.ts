// Callbacks and activities through the SDK v3 clients against the embedded server: a Task that
// sends its token on a queue (sqs:sendMessage.waitForTaskToken) and waits for a consumer's
// SendTaskSuccess or SendTaskFailure, heartbeats (a missed one times the task out, steady ones
// keep it alive), the errors for bad and stale tokens and bad output, and activity workers
// (GetActivityTask, ActivityStarted with the worker's name, the worker's answer).
import { CreateActivityCommand, DescribeExecutionCommand, GetActivityTaskCommand, SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain } from './sns-fixtures.js';
import { failure, history, historyWith, machine, PREFIX, settled, sfnClient, shape } from './sfn-fixtures.js';
import { type SqsTarget, startEmbedded } from './targets.js';

const STALE = { name: 'TaskTimedOut', message: "Task Timed Out: 'Provided task does not exist anymore'", status: 400 };

describe('Step Functions callbacks and activities', () => {
  let t: SqsTarget;
  let sfn: SFNClient;
  let sqs: SQSClient;
  beforeAll(async () => {
    t = await startEmbedded();
    sfn = sfnClient(t.endpoint);
    sqs = t.client();
  }, 30_000);
  afterAll(async () => {
    sfn?.destroy();
    sqs?.destroy();
    await t?.stop();
  }, 30_000);

  const start = async (stateMachineArn: string, input: object): Promise<string> =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }))).executionArn!;

  /** A queue and a machine whose Task sends {token, job} to it and waits; extra Task fields merged in. */
  const callbackMachine = async (name: string, task: object = {}): Promise<{ arn: string; url: string }> => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-q` }))).QueueUrl!;
    const def = {
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: url, MessageBody: { 'token.$': '$$.Task.Token', 'job.$': '$.job' } },
          ResultPath: '$.reply',
          Catch: [{ ErrorEquals: ['Job.Rejected', 'States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'Caught' }],
          End: true,
          ...task,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    return { arn: await machine(sfn, name, def), url };
  };

  /** The {token, job} messages a callback machine sent, by job. */
  const tokens = async (url: string, count: number): Promise<Map<string, string>> => {
    const got = await drain(sqs, url, count);
    return new Map(got.map((m) => JSON.parse(m.Body!) as { token: string; job: string }).map((b) => [b.job, b.token]));
  };

  it('waits for SendTaskSuccess or SendTaskFailure from a queue consumer', async () => {
    const { arn, url } = await callbackMachine('callback');
    const ok = await start(arn, { job: 'ok' });
    const bad = await start(arn, { job: 'bad' });
    const byJob = await tokens(url, 2);
    const okToken = byJob.get('ok')!;
    const badToken = byJob.get('bad')!;
    expect(okToken.length).toBeLessThanOrEqual(2048);
    const waiting = await historyWith(sfn, ok, 'TaskSubmitted');
    expect(shape(waiting).map((e) => e[0])).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted']);
    expect(waiting[4]!.taskSubmittedEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken' });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: ok }))).status).toBe('RUNNING');

    const invalidOutput = await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: okToken, output: '{not json' })));
    expect(invalidOutput.name).toBe('InvalidOutput');
    expect(invalidOutput.message).toMatch(/^Invalid Output: '.+'$/);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: okToken, output: '{"done":true}' }));
    await sfn.send(new SendTaskFailureCommand({ taskToken: badToken, error: 'Job.Rejected', cause: 'not today' }));

    const d = await settled(sfn, ok);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ job: 'ok', reply: { done: true } });
    const h = await history(sfn, ok);
    expect(h.map((e) => e.type).slice(5)).toEqual(['TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(h[5]!.taskSucceededEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', output: '{"done":true}' });
    const b = await settled(sfn, bad);
    expect(JSON.parse(b.output!)).toEqual({ job: 'bad', error: { Error: 'Job.Rejected', Cause: 'not today' } });
    expect((await history(sfn, bad)).find((e) => e.type === 'TaskFailed')!.taskFailedEventDetails).toMatchObject({ error: 'Job.Rejected', cause: 'not today' });

    // A task that closed takes no more callbacks: AWS says the token timed out.
    expect(await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: okToken, output: '{}' })))).toEqual(STALE);
    expect(await failure(sfn.send(new SendTaskFailureCommand({ taskToken: badToken })))).toEqual(STALE);
    expect(await failure(sfn.send(new SendTaskHeartbeatCommand({ taskToken: okToken })))).toEqual(STALE);
    for (const send of [
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
      sfn.send(new SendTaskFailureCommand({ taskToken: 'not-a-token' })),
      sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'not-a-token' })),
    ]) {
      const f = await failure(send);
      expect(f).toMatchObject({ name: 'InvalidToken', status: 400 });
      expect(f.message).toMatch(/^Invalid Token/);
    }
    expect(await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: '', output: '{}' })))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('times a task out when no heartbeat arrives in HeartbeatSeconds (States.HeartbeatTimeout, caught)', async () => {
    const { arn, url } = await callbackMachine('silent', { HeartbeatSeconds: 1, TimeoutSeconds: 30 });
    const ex = await start(arn, { job: 'silent' });
    const token = (await tokens(url, 1)).get('silent')!;
    const d = await settled(sfn, ex);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!) as { error: { Error: string } };
    expect(out.error.Error).toBe('States.HeartbeatTimeout');
    const timedOut = (await history(sfn, ex)).find((e) => e.type === 'TaskTimedOut')!;
    expect(timedOut.taskTimedOutEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', error: 'States.HeartbeatTimeout' });
    expect(await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toEqual(STALE);
  });

  it('keeps a task alive past HeartbeatSeconds while heartbeats arrive', async () => {
    const { arn, url } = await callbackMachine('beating', { HeartbeatSeconds: 1, TimeoutSeconds: 30 });
    const ex = await start(arn, { job: 'beating' });
    const token = (await tokens(url, 1)).get('beating')!;
    // Two heartbeat periods, a beat every 300 ms: the worker's cadence, not a wait for a condition.
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await new Promise((r) => setTimeout(r, 300));
    }
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: ex }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"finished"' }));
    const d = await settled(sfn, ex);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ job: 'beating', reply: 'finished' });
  });

  it('hands an activity task to a worker and completes or fails it with the worker’s answer', async () => {
    const activity = (await sfn.send(new CreateActivityCommand({ name: 'sfn-worker' }))).activityArn!;
    expect(activity).toBe(`${PREFIX}:activity:sfn-worker`);
    const def = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activity, TimeoutSeconds: 30, HeartbeatSeconds: 20, End: true } } };
    const arn = await machine(sfn, 'activity-user', def);

    const ok = await start(arn, { job: 1 });
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn: activity, workerName: 'worker-1' }));
    expect(task.taskToken).toEqual(expect.any(String));
    expect(JSON.parse(task.input!)).toEqual({ job: 1 });
    const started = await historyWith(sfn, ok, 'ActivityStarted');
    expect(shape(started)).toEqual([
      ['ExecutionStarted', 1, 0],
      ['TaskStateEntered', 2, 0],
      ['ActivityScheduled', 3, 2],
      ['ActivityStarted', 4, 3],
    ]);
    expect(started[2]!.activityScheduledEventDetails).toMatchObject({ resource: activity, input: '{"job":1}', timeoutInSeconds: 30, heartbeatInSeconds: 20 });
    expect(started[3]!.activityStartedEventDetails).toEqual({ workerName: 'worker-1' });
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"result":2}' }));
    const d = await settled(sfn, ok);
    expect(d).toMatchObject({ status: 'SUCCEEDED', output: '{"result":2}' });
    expect((await history(sfn, ok)).map((e) => e.type).slice(4)).toEqual(['ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);

    const bad = await start(arn, { job: 2 });
    const second = await sfn.send(new GetActivityTaskCommand({ activityArn: activity, workerName: 'worker-2' }));
    expect(JSON.parse(second.input!)).toEqual({ job: 2 });
    await sfn.send(new SendTaskFailureCommand({ taskToken: second.taskToken, error: 'Worker.Crashed', cause: 'disk full' }));
    expect(await settled(sfn, bad)).toMatchObject({ status: 'FAILED', error: 'Worker.Crashed', cause: 'disk full' });
    expect((await history(sfn, bad)).find((e) => e.type === 'ActivityFailed')!.activityFailedEventDetails).toEqual({ error: 'Worker.Crashed', cause: 'disk full' });
  });

  it('long-polls GetActivityTask while no task waits, and refuses an unknown activity', async () => {
    const idle = (await sfn.send(new CreateActivityCommand({ name: 'sfn-idle' }))).activityArn!;
    // The node's poll is AWS's 60 s and no option shortens it from outside the process, so the
    // empty answer itself is not awaited: the request is still open after a second, then aborted.
    const abort = new AbortController();
    let settledEarly = false;
    const poll = sfn.send(new GetActivityTaskCommand({ activityArn: idle, workerName: 'idle-worker' }), { abortSignal: abort.signal }).finally(() => (settledEarly = true));
    await new Promise((r) => setTimeout(r, 1000));
    expect(settledEarly).toBe(false);
    abort.abort();
    expect((await failure(poll)).name).toBe('AbortError');

    const missing = `${PREFIX}:activity:no-such-activity`;
    expect(await failure(sfn.send(new GetActivityTaskCommand({ activityArn: missing })))).toEqual({ name: 'ActivityDoesNotExist', message: `Activity Does Not Exist: '${missing}'`, status: 400 });
    expect(await failure(sfn.send(new GetActivityTaskCommand({ activityArn: `${PREFIX}:stateMachine:x` })))).toMatchObject({ name: 'InvalidArn' });
    expect(await failure(sfn.send(new GetActivityTaskCommand({ activityArn: idle, workerName: 'w'.repeat(81) })))).toMatchObject({ name: 'ValidationException', status: 400 });
  });
});
