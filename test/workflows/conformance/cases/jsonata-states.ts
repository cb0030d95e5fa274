// JSONata input/output fields on every state type that has them: Output on Succeed, Wait, Choice
// rules, Map and Parallel; expressions in Map's MaxConcurrency and ItemSelector; Retry in JSONata.
import { type Case, failThen, lambdaArn, script } from '../case.js';

const WORK = lambdaArn('Work');
const J = { QueryLanguage: 'JSONata' } as const;

// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html (JSONata fields)
export const jsonataStateCases: Case[] = [
  {
    name: 'Succeed Output',
    definition: { ...J, StartAt: 'S', States: { S: { Type: 'Succeed', Output: { done: '{% $states.input.id %}' } } } },
    input: { id: 'x' },
    expect: { status: 'SUCCEEDED', output: { done: 'x' } },
  },
  {
    name: 'Wait Output',
    definition: { ...J, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 2, Output: '{% $states.input.keep %}', End: true } } },
    input: { keep: [1], drop: 2 },
    expect: { status: 'SUCCEEDED', output: [1], elapsedMs: 2_000 },
  },
  {
    name: 'a Choice rule Output becomes the next state input',
    definition: {
      ...J,
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.ok %}', Output: { chosen: '{% $states.input.v %}' }, Next: 'N' }], Default: 'N' },
        N: { Type: 'Pass', End: true },
      },
    },
    input: { ok: true, v: 3 },
    expect: { status: 'SUCCEEDED', output: { chosen: 3 } },
  },
  {
    name: 'Map Output sees the array of results as $states.result',
    definition: {
      ...J,
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: '{% $states.input.xs %}',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input + 1 %}', End: true } } },
          Output: { results: '{% $states.result %}', total: '{% $sum($states.result) %}', from: '{% $states.input.label %}' },
          End: true,
        },
      },
    },
    input: { xs: [1, 2, 3], label: 'L' },
    expect: { status: 'SUCCEEDED', output: { results: [2, 3, 4], total: 9, from: 'L' } },
  },
  {
    name: 'Map ItemSelector reads the Map input through $states.input',
    definition: {
      ...J,
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: '{% $states.input.xs %}',
          ItemSelector: { item: '{% $states.context.Map.Item.Value %}', tag: '{% $states.input.tag %}' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: { xs: ['a'], tag: 't' },
    expect: { status: 'SUCCEEDED', output: [{ item: 'a', tag: 't' }] },
  },
  {
    name: 'Map MaxConcurrency from an expression',
    definition: {
      ...J,
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: '{% $states.input.xs %}',
          MaxConcurrency: '{% $states.input.limit %}',
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: WORK, End: true } } },
          End: true,
        },
      },
    },
    input: { xs: [1, 2, 3, 4], limit: 2 },
    resources: { [WORK]: (input) => script.after(1_000, input) },
    expect: { status: 'SUCCEEDED', output: [1, 2, 3, 4], maxConcurrency: 2, elapsedMs: 2_000 },
  },
  {
    name: 'Parallel Output sees the branch results as $states.result',
    definition: {
      ...J,
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Output: 1, End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Output: 2, End: true } } },
          ],
          Output: '{% $sum($states.result) %}',
          End: true,
        },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: 3 },
  },
  {
    name: 'Retry in a JSONata Task, then Output of the result',
    definition: {
      ...J,
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: WORK,
          Arguments: { n: '{% $states.input.n %}' },
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }],
          Output: { answer: '{% $states.result %}' },
          End: true,
        },
      },
    },
    input: { n: 1 },
    resources: { [WORK]: failThen(['E', 'E'], 42) },
    expect: { status: 'SUCCEEDED', output: { answer: 42 }, invocationTimesMs: [0, 2_000, 8_000], invocationInputs: [{ n: 1 }, { n: 1 }, { n: 1 }] },
  },
];
