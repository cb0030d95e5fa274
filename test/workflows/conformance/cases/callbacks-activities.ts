// Callback tasks (.waitForTaskToken answered by SendTaskSuccess/Failure/Heartbeat at scripted
// virtual times) and activities (picked up by a scripted worker).
import { type Json, type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, type Handler, type ScriptStep, activityArn, marker, script } from '../case.js';

const SQS_WAIT = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const LAMBDA_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const ACTIVITY = activityArn('Approve');

/** A callback resource that checks the token reached the message, then plays the script. */
function callback(...steps: ScriptStep[]): Handler {
  return (input: Json, call) => {
    const body = (input as JsonObject)['MessageBody'] as JsonObject | undefined;
    const token = body?.['TaskToken'] ?? (input as JsonObject)['Payload'];
    if (call.token === undefined || token !== call.token) {
      return script.steps({ afterMs: 0, kind: 'failure', error: 'Conformance.BadToken', cause: `message had ${JSON.stringify(token)}, effect had ${String(call.token)}` });
    }
    return script.steps(...steps);
  };
}

const sqsWait = (extra: JsonObject = {}): JsonObject => ({
  Type: 'Task',
  Resource: SQS_WAIT,
  Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/approvals', MessageBody: { 'Message.$': '$.message', 'TaskToken.$': '$$.Task.Token' } },
  ...extra,
});
const withCatch = (state: JsonObject, error: string): JsonObject => ({
  StartAt: 'T',
  States: { T: { ...state, Catch: [{ ErrorEquals: [error], Next: 'Caught' }], End: true }, Caught: marker(`caught ${error}`) },
});

// https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
const callbacks: Case[] = [
  {
    name: 'SendTaskSuccess completes a .waitForTaskToken task with its output',
    definition: { StartAt: 'T', States: { T: { ...sqsWait(), End: true } } },
    input: { message: 'please approve' },
    resources: { [SQS_WAIT]: callback({ afterMs: 3_000, kind: 'success', output: { approved: true } }) },
    expect: {
      status: 'SUCCEEDED',
      output: { approved: true },
      elapsedMs: 3_000,
      eventTypesInclude: ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'SendTaskFailure fails the task with its error and cause',
    definition: { StartAt: 'T', States: { T: { ...sqsWait(), End: true } } },
    input: { message: 'please approve' },
    resources: { [SQS_WAIT]: callback({ afterMs: 2_000, kind: 'failure', error: 'Rejected', cause: 'manager said no' }) },
    expect: { status: 'FAILED', error: 'Rejected', cause: 'manager said no', elapsedMs: 2_000 },
  },
  {
    name: 'a callback through lambda:invoke.waitForTaskToken',
    definition: {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: LAMBDA_WAIT, Parameters: { FunctionName: 'approver', 'Payload.$': '$$.Task.Token' }, ResultPath: '$.answer', End: true } },
    },
    input: { id: 1 },
    resources: { [LAMBDA_WAIT]: callback({ afterMs: 500, kind: 'success', output: 'yes' }) },
    expect: { status: 'SUCCEEDED', output: { id: 1, answer: 'yes' } },
  },
  {
    name: 'heartbeats within HeartbeatSeconds keep a long callback task alive',
    definition: { StartAt: 'T', States: { T: { ...sqsWait({ HeartbeatSeconds: 5 }), End: true } } },
    input: { message: 'm' },
    resources: {
      [SQS_WAIT]: callback(
        { afterMs: 3_000, kind: 'heartbeat' },
        { afterMs: 6_000, kind: 'heartbeat' },
        { afterMs: 9_000, kind: 'heartbeat' },
        { afterMs: 11_000, kind: 'success', output: 'done' },
      ),
    },
    expect: { status: 'SUCCEEDED', output: 'done', elapsedMs: 11_000 },
  },
  {
    name: 'no heartbeat within HeartbeatSeconds: States.HeartbeatTimeout',
    definition: withCatch(sqsWait({ HeartbeatSeconds: 5 }), 'States.HeartbeatTimeout'),
    input: { message: 'm' },
    resources: { [SQS_WAIT]: callback({ afterMs: 20_000, kind: 'success', output: 'too late' }) },
    expect: { status: 'SUCCEEDED', output: 'caught States.HeartbeatTimeout', elapsedMs: 5_000 },
  },
  {
    name: 'the heartbeat clock restarts at each heartbeat',
    definition: withCatch(sqsWait({ HeartbeatSeconds: 5 }), 'States.HeartbeatTimeout'),
    input: { message: 'm' },
    resources: { [SQS_WAIT]: callback({ afterMs: 3_000, kind: 'heartbeat' }) },
    expect: { status: 'SUCCEEDED', output: 'caught States.HeartbeatTimeout', elapsedMs: 8_000 },
  },
  {
    name: 'an uncaught heartbeat timeout fails the execution',
    definition: { StartAt: 'T', States: { T: { ...sqsWait({ HeartbeatSeconds: 5 }), End: true } } },
    input: { message: 'm' },
    resources: { [SQS_WAIT]: callback() },
    expect: { status: 'FAILED', elapsedMs: 5_000 },
  },
  {
    name: 'TimeoutSeconds bounds a callback task even with heartbeats',
    definition: withCatch(sqsWait({ TimeoutSeconds: 10, HeartbeatSeconds: 5 }), 'States.Timeout'),
    input: { message: 'm' },
    resources: {
      [SQS_WAIT]: callback(
        { afterMs: 4_000, kind: 'heartbeat' },
        { afterMs: 8_000, kind: 'heartbeat' },
        { afterMs: 12_000, kind: 'heartbeat' },
        { afterMs: 14_000, kind: 'success', output: 'too late' },
      ),
    },
    expect: { status: 'SUCCEEDED', output: 'caught States.Timeout', elapsedMs: 10_000 },
  },
];

/** The scripted worker checks it was handed a task token, as GetActivityTask gives one. */
function worker(...steps: ScriptStep[]): Handler {
  return (_input, call) =>
    call.token === undefined ? script.steps({ afterMs: 0, kind: 'failure', error: 'Conformance.NoToken', cause: 'activity task without a token' }) : script.steps(...steps);
}

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
const activities: Case[] = [
  {
    name: 'an activity picked up by a worker and completed',
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: ACTIVITY, End: true } } },
    input: { request: 1 },
    resources: {
      [ACTIVITY]: worker({ afterMs: 2_000, kind: 'started', workerName: 'worker-1' }, { afterMs: 5_000, kind: 'success', output: { approved: 1 } }),
    },
    expect: {
      status: 'SUCCEEDED',
      output: { approved: 1 },
      elapsedMs: 5_000,
      invocationInputs: [{ request: 1 }],
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'an activity failed by its worker',
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: ACTIVITY, End: true } } },
    input: {},
    resources: { [ACTIVITY]: worker({ afterMs: 0, kind: 'started' }, { afterMs: 1_000, kind: 'failure', error: 'WorkerError', cause: 'disk full' }) },
    expect: {
      status: 'FAILED',
      error: 'WorkerError',
      cause: 'disk full',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivityFailed', 'ExecutionFailed'],
    },
  },
  {
    name: 'an activity worker that stops heartbeating: States.HeartbeatTimeout',
    definition: withCatch({ Type: 'Task', Resource: ACTIVITY, HeartbeatSeconds: 5 }, 'States.HeartbeatTimeout'),
    input: {},
    resources: { [ACTIVITY]: worker({ afterMs: 0, kind: 'started' }, { afterMs: 2_000, kind: 'heartbeat' }) },
    expect: { status: 'SUCCEEDED', output: 'caught States.HeartbeatTimeout', elapsedMs: 7_000 },
  },
  {
    name: 'an activity worker heartbeating until done',
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: ACTIVITY, HeartbeatSeconds: 3, End: true } } },
    input: {},
    resources: {
      [ACTIVITY]: worker(
        { afterMs: 0, kind: 'started' },
        { afterMs: 2_000, kind: 'heartbeat' },
        { afterMs: 4_000, kind: 'heartbeat' },
        { afterMs: 6_000, kind: 'success', output: 'ok' },
      ),
    },
    expect: { status: 'SUCCEEDED', output: 'ok', elapsedMs: 6_000 },
  },
  {
    name: 'an activity nobody picks up times out after TimeoutSeconds',
    definition: withCatch({ Type: 'Task', Resource: ACTIVITY, TimeoutSeconds: 10 }, 'States.Timeout'),
    input: {},
    resources: { [ACTIVITY]: worker() },
    expect: { status: 'SUCCEEDED', output: 'caught States.Timeout', elapsedMs: 10_000, eventTypesInclude: ['ActivityScheduled', 'ActivityTimedOut'] },
  },
];

export const callbackActivityCases: Case[] = [...callbacks, ...activities];
