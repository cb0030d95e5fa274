// Task state outcomes, Retry (ordering, per-retrier attempts, backoff, MaxDelaySeconds, jitter)
// before Catch (ordering, ResultPath), States.TaskFailed versus States.Timeout, task timeouts.
import { type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, type Handler, alwaysFail, failThen, lambdaArn, marker, script, single } from '../case.js';

const FN = lambdaArn('Flaky');
const task = (extra: JsonObject): JsonObject => ({ Type: 'Task', Resource: FN, ...extra });
const withFallback = (state: JsonObject): JsonObject => ({
  StartAt: 'T',
  States: { T: { ...state, Next: 'Done' }, Done: { Type: 'Succeed' }, Fallback: { Type: 'Pass', End: true } },
});
const res = (h: Handler): Record<string, Handler> => ({ [FN]: h });

// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
const outcomes: Case[] = [
  {
    name: 'an uncaught task failure fails the execution with its error and cause',
    definition: single(task({})),
    input: {},
    resources: res(alwaysFail('CustomError', 'This is a custom error!')),
    expect: {
      status: 'FAILED',
      error: 'CustomError',
      cause: 'This is a custom error!',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed'],
    },
  },
  {
    name: 'a service integration task records Task* events',
    definition: single({ Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 't', 'Message.$': '$.m' } }),
    input: { m: 'hi' },
    resources: { 'arn:aws:states:::sns:publish': () => ({ MessageId: 'm-1' }) },
    expect: {
      status: 'SUCCEEDED',
      output: { MessageId: 'm-1' },
      invocationInputs: [{ TopicArn: 't', Message: 'hi' }],
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'TimeoutSeconds: a task that never answers fails with States.Timeout',
    definition: single(task({ TimeoutSeconds: 5 })),
    input: {},
    resources: res(() => script.hang()),
    expect: { status: 'FAILED', error: 'States.Timeout', elapsedMs: 5_000 },
  },
  {
    name: 'TimeoutSecondsPath reads the timeout from the input',
    definition: single(task({ TimeoutSecondsPath: '$.timeout' })),
    input: { timeout: 3 },
    resources: res(() => script.hang()),
    expect: { status: 'FAILED', error: 'States.Timeout', elapsedMs: 3_000 },
  },
  {
    name: 'a task answering before its timeout succeeds',
    definition: single(task({ TimeoutSeconds: 5 })),
    input: {},
    resources: res(() => script.after(4_000, 'in time')),
    expect: { status: 'SUCCEEDED', output: 'in time', elapsedMs: 4_000 },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
const retry: Case[] = [
  {
    name: 'a retrier with only ErrorEquals: 3 attempts, 1 s interval, backoff 2',
    definition: single(task({ Retry: [{ ErrorEquals: ['States.ALL'] }] })),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'FAILED', error: 'CustomError', cause: 'boom', invocationTimesMs: [0, 1_000, 3_000, 7_000], elapsedMs: 7_000 },
  },
  {
    name: 'IntervalSeconds 3, MaxAttempts 2, BackoffRate 1.5: waits of 3 and 4.5 seconds',
    definition: single(task({ Retry: [{ ErrorEquals: ['CustomError'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 }] })),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'FAILED', error: 'CustomError', invocationTimesMs: [0, 3_000, 7_500] },
  },
  {
    name: 'MaxDelaySeconds caps the backoff',
    definition: single(task({ Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 4, MaxDelaySeconds: 10 }] })),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'FAILED', error: 'CustomError', invocationTimesMs: [0, 2_000, 8_000, 18_000, 28_000] },
  },
  {
    name: 'JitterStrategy FULL: each wait is between 0 and the computed backoff',
    definition: single(task({ Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 4, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' }] })),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'FAILED', error: 'CustomError', invocationGapsWithinMs: [[0, 4_000], [0, 8_000], [0, 16_000]] },
  },
  {
    name: 'a retry that then succeeds gives the successful result',
    definition: single(task({ Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 1 }] })),
    input: {},
    resources: res(failThen(['E1', 'E2'], { ok: true })),
    expect: {
      status: 'SUCCEEDED',
      output: { ok: true },
      invocationTimesMs: [0, 1_000, 2_000],
      eventTypesInclude: ['LambdaFunctionScheduled', 'LambdaFunctionFailed', 'LambdaFunctionScheduled', 'LambdaFunctionFailed', 'LambdaFunctionScheduled', 'LambdaFunctionSucceeded', 'TaskStateExited'],
    },
  },
  {
    name: 'the first retrier whose ErrorEquals matches is used',
    definition: single(
      task({
        Retry: [
          { ErrorEquals: ['CustomError'], IntervalSeconds: 1, MaxAttempts: 1 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 1 },
        ],
      }),
    ),
    input: {},
    resources: res(failThen(['CustomError'], 'ok')),
    expect: { status: 'SUCCEEDED', output: 'ok', invocationTimesMs: [0, 1_000] },
  },
  {
    name: 'an error not in the first retrier falls to a later one',
    definition: single(
      task({
        Retry: [
          { ErrorEquals: ['CustomError'], IntervalSeconds: 1, MaxAttempts: 1 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 1 },
        ],
      }),
    ),
    input: {},
    resources: res(failThen(['OtherError'], 'ok')),
    expect: { status: 'SUCCEEDED', output: 'ok', invocationTimesMs: [0, 10_000] },
  },
  {
    name: 'MaxAttempts 0 on the first matching retrier means no retry at all',
    definition: withFallback(
      task({
        Retry: [
          { ErrorEquals: ['CustomError'], MaxAttempts: 0 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 1 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }],
      }),
    ),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'SUCCEEDED', output: { Error: 'CustomError', Cause: 'boom' }, invocationTimesMs: [0] },
  },
  {
    // The developer guide's "complex retry scenarios": ErrorA, ErrorB, ErrorC then ErrorB again;
    // waits of 1 and 2 s (first retrier), 5 s (second), then the first is exhausted → Catch.
    name: 'retriers count attempts separately across one state (ErrorA, ErrorB, ErrorC, ErrorB)',
    definition: {
      StartAt: 'X',
      States: {
        X: {
          Type: 'Task',
          Resource: FN,
          Retry: [
            { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 2 },
            { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'MachineFallback', ResultPath: '$.error' }],
          End: true,
        },
        MachineFallback: { Type: 'Pass', End: true },
      },
    },
    input: { order: 1 },
    resources: res(failThen(['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB'], 'never')),
    expect: {
      status: 'SUCCEEDED',
      output: { order: 1, error: { Error: 'ErrorB', Cause: 'attempt 4 failed' } },
      invocationTimesMs: [0, 1_000, 3_000, 8_000],
    },
  },
  {
    name: 'retrying on States.Timeout waits after each timeout',
    definition: single(task({ TimeoutSeconds: 2, Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 1 }] })),
    input: {},
    resources: res(() => script.hang()),
    expect: { status: 'FAILED', error: 'States.Timeout', invocationTimesMs: [0, 5_000], elapsedMs: 7_000 },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-fallback-states
const catchers: Case[] = [
  {
    name: 'Retry is exhausted before Catch applies',
    definition: withFallback(
      task({
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }],
      }),
    ),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'SUCCEEDED', output: { Error: 'CustomError', Cause: 'boom' }, invocationTimesMs: [0, 1_000, 2_000] },
  },
  ...(['java.lang.Exception', 'SomethingElse'] as const).map(
    (error): Case => ({
      name: `the first matching catcher is used (${error})`,
      definition: {
        StartAt: 'T',
        States: {
          T: {
            ...task({}),
            Catch: [
              { ErrorEquals: ['java.lang.Exception'], ResultPath: '$.error-info', Next: 'RecoveryState' },
              { ErrorEquals: ['States.ALL'], Next: 'EndState' },
            ],
            End: true,
          },
          RecoveryState: { Type: 'Pass', End: true },
          EndState: { Type: 'Pass', End: true },
        },
      },
      input: { order: 7 },
      resources: res(alwaysFail(error, 'failed')),
      expect: {
        status: 'SUCCEEDED',
        // Catch ResultPath places the error output into the input; the default "$" replaces it.
        output: error === 'java.lang.Exception' ? { order: 7, 'error-info': { Error: error, Cause: 'failed' } } : { Error: error, Cause: 'failed' },
      },
    }),
  ),
  {
    name: 'Catch ResultPath null keeps the state input',
    definition: withFallback(task({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Fallback' }] })),
    input: { keep: true },
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'SUCCEEDED', output: { keep: true } },
  },
  {
    name: 'States.TaskFailed matches a task error',
    definition: {
      StartAt: 'T',
      States: {
        T: { ...task({}), Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'TF' }, { ErrorEquals: ['States.ALL'], Next: 'ALL' }], End: true },
        TF: marker('TaskFailed'),
        ALL: marker('ALL'),
      },
    },
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'SUCCEEDED', output: 'TaskFailed' },
  },
  {
    name: 'States.TaskFailed does not match States.Timeout',
    definition: {
      StartAt: 'T',
      States: {
        T: {
          ...task({ TimeoutSeconds: 2 }),
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'TF' }, { ErrorEquals: ['States.Timeout'], Next: 'TO' }],
          End: true,
        },
        TF: marker('TaskFailed'),
        TO: marker('Timeout'),
      },
    },
    input: {},
    resources: res(() => script.hang()),
    expect: { status: 'SUCCEEDED', output: 'Timeout', elapsedMs: 2_000 },
  },
  {
    name: 'an error no catcher names fails the execution',
    definition: withFallback(task({ Catch: [{ ErrorEquals: ['OtherError'], Next: 'Fallback' }] })),
    input: {},
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'FAILED', error: 'CustomError', cause: 'boom' },
  },
  {
    name: 'the catcher state continues the workflow',
    definition: {
      StartAt: 'T',
      States: {
        T: { ...task({}), Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Report' }], End: true },
        Report: { Type: 'Pass', Parameters: { 'message.$': 'States.Format(\'{} failed: {}\', $.name, $.err.Error)' }, End: true },
      },
    },
    input: { name: 'order-9' },
    resources: res(alwaysFail('CustomError', 'boom')),
    expect: { status: 'SUCCEEDED', output: { message: 'order-9 failed: CustomError' } },
  },
];

export const taskRetryCatchCases: Case[] = [...outcomes, ...retry, ...catchers];
