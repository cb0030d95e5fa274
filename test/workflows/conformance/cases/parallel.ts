// Parallel state: branch output order, branch input, ResultSelector/ResultPath, failure of one
// branch (caught and uncaught), Retry of the whole state, concurrency of branches.
import { type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, alwaysFail, echo, failThen, lambdaArn, script } from '../case.js';

const SLOW = lambdaArn('Slow');
const FAST = lambdaArn('Fast');
const BAD = lambdaArn('Bad');

const branch = (state: JsonObject): JsonObject => ({ StartAt: 'B', States: { B: { ...state, End: true } } });
const taskBranch = (resource: string): JsonObject => branch({ Type: 'Task', Resource: resource });
const parallel = (branches: JsonObject[], extra: JsonObject = {}, states: JsonObject = {}): JsonObject => ({
  StartAt: 'P',
  States: { P: { Type: 'Parallel', Branches: branches, End: true, ...extra }, ...states },
});

// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
export const parallelCases: Case[] = [
  {
    name: 'the output is the branch outputs in branch order, whatever finishes first',
    definition: parallel([taskBranch(SLOW), taskBranch(FAST)]),
    input: { v: 1 },
    resources: { [SLOW]: () => script.after(3_000, 'slow'), [FAST]: () => script.after(1_000, 'fast') },
    expect: { status: 'SUCCEEDED', output: ['slow', 'fast'], elapsedMs: 3_000, maxConcurrency: 2, invocationTimesMs: [0, 0] },
  },
  {
    name: 'every branch gets the state effective input (after InputPath and Parameters)',
    definition: parallel(
      [branch({ Type: 'Pass' }), branch({ Type: 'Pass', InputPath: '$.x' })],
      { InputPath: '$.in', Parameters: { 'x.$': '$.a', fixed: true } },
    ),
    input: { in: { a: 5 }, other: 1 },
    expect: { status: 'SUCCEEDED', output: [{ x: 5, fixed: true }, 5] },
  },
  {
    name: 'ResultSelector and ResultPath apply to the array of branch outputs',
    definition: parallel([branch({ Type: 'Pass', Result: 'a' }), branch({ Type: 'Pass', Result: 'b' })], {
      ResultSelector: { 'first.$': '$[0]', 'second.$': '$[1]' },
      ResultPath: '$.results',
    }),
    input: { keep: 1 },
    expect: { status: 'SUCCEEDED', output: { keep: 1, results: { first: 'a', second: 'b' } } },
  },
  {
    name: 'a branch of several states, and a nested Parallel',
    definition: parallel([
      { StartAt: 'A1', States: { A1: { Type: 'Pass', Result: 1, Next: 'A2' }, A2: { Type: 'Pass', Parameters: { 'v.$': '$' }, End: true } } },
      branch({ Type: 'Parallel', Branches: [branch({ Type: 'Pass', Result: 'x' }), branch({ Type: 'Pass', Result: 'y' })] }),
    ]),
    input: {},
    expect: {
      status: 'SUCCEEDED',
      output: [{ v: 1 }, ['x', 'y']],
      eventTypesInclude: ['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'a branch reaching a Fail state fails the execution with its error (uncaught)',
    definition: parallel([taskBranch(SLOW), branch({ Type: 'Fail', Error: 'BranchError', Cause: 'branch two gave up' })]),
    input: {},
    resources: { [SLOW]: () => script.after(5_000, 'slow') },
    expect: {
      status: 'FAILED',
      error: 'BranchError',
      cause: 'branch two gave up',
      // The other branch is stopped rather than awaited.
      elapsedMs: 0,
      eventTypesInclude: ['ParallelStateEntered', 'ParallelStateFailed', 'ExecutionFailed'],
    },
  },
  {
    name: 'a failing task in a branch fails the Parallel state; its Catch sees the branch error',
    definition: parallel([taskBranch(FAST), taskBranch(BAD)], { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }] }, {
      Handled: { Type: 'Pass', End: true },
    }),
    input: { id: 3 },
    resources: { [FAST]: echo(), [BAD]: alwaysFail('CustomError', 'bad branch') },
    expect: { status: 'SUCCEEDED', output: { id: 3, error: { Error: 'CustomError', Cause: 'bad branch' } } },
  },
  {
    name: 'a Catch naming the branch error routes on it',
    definition: parallel([taskBranch(BAD)], { Catch: [{ ErrorEquals: ['CustomError'], Next: 'Handled' }] }, { Handled: { Type: 'Pass', Result: 'handled', End: true } }),
    input: {},
    resources: { [BAD]: alwaysFail('CustomError', 'x') },
    expect: { status: 'SUCCEEDED', output: 'handled' },
  },
  {
    name: 'Retry on a Parallel state reruns every branch',
    definition: parallel([taskBranch(FAST), taskBranch(BAD)], { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 }] }),
    input: 'in',
    resources: { [FAST]: echo(), [BAD]: failThen(['Flaky'], 'recovered') },
    expect: { status: 'SUCCEEDED', output: ['in', 'recovered'], invocationTimesMs: [0, 0, 1_000, 1_000] },
  },
  {
    name: 'an error inside a branch can be caught inside the branch',
    definition: parallel([
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: BAD, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }], End: true },
          Recover: { Type: 'Pass', Result: 'recovered', End: true },
        },
      },
      branch({ Type: 'Pass', Result: 'fine' }),
    ]),
    input: {},
    resources: { [BAD]: alwaysFail('CustomError', 'x') },
    expect: { status: 'SUCCEEDED', output: ['recovered', 'fine'] },
  },
];
