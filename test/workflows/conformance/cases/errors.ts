// Fail state (Error/Cause and their Path forms), the 256 KiB payload limit, the errors States.ALL
// cannot catch, and the execution-wide TimeoutSeconds.
import { type Case, echo, lambdaArn, single } from '../case.js';

const ECHO = lambdaArn('Echo');
const BIG = lambdaArn('Big');
/** More than 256 KiB once serialised. */
const oversized = 'x'.repeat(300 * 1024);

// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
const failState: Case[] = [
  {
    name: 'Fail with Error and Cause',
    definition: single({ Type: 'Fail', Error: 'ErrorA', Cause: 'Invalid response.' }),
    input: {},
    expect: { status: 'FAILED', error: 'ErrorA', cause: 'Invalid response.', eventTypes: ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed'] },
  },
  {
    name: 'Fail with ErrorPath and CausePath',
    definition: single({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' }),
    input: { Error: 'DynamicError', Cause: 'from the input' },
    expect: { status: 'FAILED', error: 'DynamicError', cause: 'from the input' },
  },
  {
    name: 'Fail with an intrinsic in CausePath',
    definition: single({
      Type: 'Fail',
      CausePath: "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
      ErrorPath: '$.Error',
    }),
    input: { Error: 'MyError', Cause: 'a timeout' },
    expect: { status: 'FAILED', error: 'MyError', cause: 'This is a custom error message for MyError, caused by a timeout.' },
  },
  {
    name: 'Fail without Error or Cause still fails the execution',
    definition: single({ Type: 'Fail' }),
    input: {},
    expect: { status: 'FAILED' },
  },
  {
    name: 'Fail after other states',
    definition: {
      StartAt: 'P',
      States: { P: { Type: 'Pass', Result: { reason: 'bad input' }, Next: 'F' }, F: { Type: 'Fail', Error: 'Rejected', CausePath: '$.reason' } },
    },
    input: {},
    expect: { status: 'FAILED', error: 'Rejected', cause: 'bad input' },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (States.DataLimitExceeded, States.Runtime)
// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (256 KiB payloads)
const limits: Case[] = [
  {
    name: 'a task result over 256 KiB fails with States.DataLimitExceeded',
    definition: single({ Type: 'Task', Resource: BIG }),
    input: {},
    resources: { [BIG]: () => oversized },
    expect: { status: 'FAILED', error: 'States.DataLimitExceeded' },
  },
  {
    name: 'a state output over 256 KiB fails with States.DataLimitExceeded',
    definition: single({ Type: 'Pass', Result: oversized }),
    input: {},
    expect: { status: 'FAILED', error: 'States.DataLimitExceeded' },
  },
  {
    name: 'a state input over 256 KiB after Parameters fails with States.DataLimitExceeded',
    definition: single({ Type: 'Task', Resource: ECHO, Parameters: { blob: oversized } }),
    input: {},
    resources: { [ECHO]: echo() },
    expect: { status: 'FAILED', error: 'States.DataLimitExceeded', invocationTimesMs: [] },
  },
  {
    name: 'States.ALL does not catch States.DataLimitExceeded',
    definition: {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: BIG, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true }, H: { Type: 'Pass', End: true } },
    },
    input: {},
    resources: { [BIG]: () => oversized },
    expect: { status: 'FAILED', error: 'States.DataLimitExceeded' },
  },
  {
    name: 'a 200 KiB result is within the limit',
    definition: single({ Type: 'Task', Resource: BIG, ResultSelector: { 'length.$': 'States.ArrayLength(States.StringSplit($.s, \',\'))' } }),
    input: {},
    // 68,000 pieces of 'ab' joined by ',': about 200 KiB.
    resources: { [BIG]: () => ({ s: `${'ab,'.repeat(67_999)}ab` }) },
    expect: { status: 'SUCCEEDED', output: { length: 68_000 } },
  },
  {
    name: 'States.ALL does not catch States.Runtime',
    definition: {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ECHO, Parameters: { 'x.$': '$.missing' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true },
        H: { Type: 'Pass', End: true },
      },
    },
    input: {},
    resources: { [ECHO]: echo() },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'Retry on States.ALL does not retry States.Runtime',
    definition: single({ Type: 'Task', Resource: ECHO, OutputPath: '$.missing', Retry: [{ ErrorEquals: ['States.ALL'] }] }),
    input: {},
    resources: { [ECHO]: echo() },
    expect: { status: 'FAILED', error: 'States.Runtime', invocationTimesMs: [0] },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html (TimeoutSeconds)
const executionTimeout: Case[] = [
  {
    name: 'the machine TimeoutSeconds times the execution out',
    definition: single({ Type: 'Wait', Seconds: 10 }, { TimeoutSeconds: 5 }),
    input: {},
    expect: { status: 'TIMED_OUT', elapsedMs: 5_000, eventTypesInclude: ['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut'] },
  },
  {
    name: 'an execution finishing within TimeoutSeconds succeeds',
    definition: single({ Type: 'Wait', Seconds: 3 }, { TimeoutSeconds: 5 }),
    input: {},
    expect: { status: 'SUCCEEDED', elapsedMs: 3_000 },
  },
];

export const errorCases: Case[] = [...failState, ...limits, ...executionTimeout];
