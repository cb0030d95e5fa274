// Workflow variables: Assign in both query languages, when assignments become visible, scope in
// Map and Parallel, Assign on Choice rules and catchers.
import { type Case, alwaysFail, echo, lambdaArn } from '../case.js';

const ECHO = lambdaArn('Echo');
const J = { QueryLanguage: 'JSONata' } as const;

// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
export const variableCases: Case[] = [
  {
    name: 'a variable assigned early is read several states later',
    definition: {
      ...J,
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { x: '{% $states.input.a %}' }, Output: {}, Next: 'B' },
        B: { Type: 'Pass', Output: { unrelated: true }, Next: 'C' },
        C: { Type: 'Pass', Output: '{% $x %}', End: true },
      },
    },
    input: { a: { deep: [1, 2] } },
    expect: { status: 'SUCCEEDED', output: { deep: [1, 2] } },
  },
  {
    name: 'literal values in Assign',
    definition: {
      ...J,
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { productName: 'product1', count: 42, available: true }, Next: 'B' },
        B: { Type: 'Pass', Output: { p: '{% $productName %}', c: '{% $count %}', a: '{% $available %}' }, End: true },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: { p: 'product1', c: 42, a: true } },
  },
  {
    name: 'Output of the assigning state still sees the previous value',
    definition: {
      ...J,
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { x: 1 }, Next: 'B' },
        B: { Type: 'Pass', Assign: { x: 2 }, Output: '{% $x %}', Next: 'C' },
        C: { Type: 'Pass', Output: { before: '{% $states.input %}', after: '{% $x %}' }, End: true },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: { before: 1, after: 2 } },
  },
  {
    name: 'assignments in one Assign see the values from before it',
    definition: {
      ...J,
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { x: 'old' }, Next: 'B' },
        B: { Type: 'Pass', Assign: { x: 'new', previous: '{% $x %}' }, Next: 'C' },
        C: { Type: 'Pass', Output: { x: '{% $x %}', previous: '{% $previous %}' }, End: true },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: { x: 'new', previous: 'old' } },
  },
  {
    name: 'a Task assigns from $states.result',
    definition: {
      ...J,
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ECHO, Arguments: { total: 9 }, Assign: { total: '{% $states.result.total %}' }, Output: '{% $states.input %}', Next: 'U' },
        U: { Type: 'Pass', Output: { input: '{% $states.input %}', total: '{% $total %}' }, End: true },
      },
    },
    input: { id: 1 },
    resources: { [ECHO]: echo() },
    expect: { status: 'SUCCEEDED', output: { input: { id: 1 }, total: 9 } },
  },
  {
    name: 'JSONPath Assign on a Pass state reads its input; later states read it with $name',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { 'saved.$': '$.a', literal: 'L' }, Next: 'B' },
        B: { Type: 'Pass', Result: 'unrelated', Next: 'C' },
        C: { Type: 'Pass', Parameters: { 'saved.$': '$saved', 'literal.$': '$literal', 'inner.$': '$saved.b' }, End: true },
      },
    },
    input: { a: { b: 'value' } },
    expect: { status: 'SUCCEEDED', output: { saved: { b: 'value' }, literal: 'L', inner: 'value' } },
  },
  {
    name: 'JSONPath Assign on a Task reads the task result',
    definition: {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ECHO, Parameters: { r: 5 }, ResultPath: null, Assign: { 'got.$': '$.r' }, Next: 'U' },
        U: { Type: 'Pass', Parameters: { 'got.$': '$got', 'input.$': '$' }, End: true },
      },
    },
    input: { id: 1 },
    resources: { [ECHO]: echo() },
    expect: { status: 'SUCCEEDED', output: { got: 5, input: { id: 1 } } },
  },
  {
    name: 'a JSONPath Choice rule on a variable',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { mode: 'fast' }, Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$mode', StringEquals: 'fast', Next: 'Fast' }], Default: 'Slow' },
        Fast: { Type: 'Pass', Result: 'fast', End: true },
        Slow: { Type: 'Pass', Result: 'slow', End: true },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: 'fast' },
  },
  {
    name: 'Map iterations read variables of the enclosing scope',
    definition: {
      ...J,
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { factor: 10 }, Next: 'M' },
        M: {
          Type: 'Map',
          Items: '{% $states.input.xs %}',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input * $factor %}', End: true } } },
          End: true,
        },
      },
    },
    input: { xs: [1, 2] },
    expect: { status: 'SUCCEEDED', output: [10, 20] },
  },
  {
    name: 'Parallel branches read variables of the enclosing scope',
    definition: {
      ...J,
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { greeting: 'hi' }, Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'B1', States: { B1: { Type: 'Pass', Output: "{% $greeting & ' one' %}", End: true } } },
            { StartAt: 'B2', States: { B2: { Type: 'Pass', Output: "{% $greeting & ' two' %}", End: true } } },
          ],
          End: true,
        },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: ['hi one', 'hi two'] },
  },
  {
    name: 'a Choice rule assigns when taken',
    definition: {
      ...J,
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.n > 1 %}', Assign: { size: 'big' }, Next: 'R' }],
          Default: 'R',
        },
        R: { Type: 'Pass', Output: '{% $size %}', End: true },
      },
    },
    input: { n: 5 },
    expect: { status: 'SUCCEEDED', output: 'big' },
  },
  {
    name: 'a catcher assigns from $states.errorOutput',
    definition: {
      ...J,
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ECHO, Catch: [{ ErrorEquals: ['States.ALL'], Assign: { why: '{% $states.errorOutput.Cause %}' }, Next: 'H' }], End: true },
        H: { Type: 'Pass', Output: '{% $why %}', End: true },
      },
    },
    input: {},
    resources: { [ECHO]: alwaysFail('CustomError', 'the cause') },
    expect: { status: 'SUCCEEDED', output: 'the cause' },
  },
  {
    name: 'a Wait state assigns',
    definition: {
      ...J,
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', Seconds: 1, Assign: { waited: true }, Next: 'R' },
        R: { Type: 'Pass', Output: '{% $waited %}', End: true },
      },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: true, elapsedMs: 1_000 },
  },
];
