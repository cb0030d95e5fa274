// JSONata query language: Arguments, Output, Assign, Condition, Items, $states, the functions
// Step Functions adds ($partition, $range, $hash, $random, $uuid, $parse) and evaluation errors.
import { type Json, type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, alwaysFail, echo, lambdaArn, script } from '../case.js';

const ECHO = lambdaArn('Echo');
const J = { QueryLanguage: 'JSONata' } as const;
/** A JSONata machine of one Pass state with this Output. */
const out = (output: Json, extra: JsonObject = {}): JsonObject => ({ ...J, StartAt: 'S', States: { S: { Type: 'Pass', Output: output, End: true, ...extra } } });
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
const fieldsCases: Case[] = [
  {
    name: 'Output with an expression',
    definition: out('{% $states.input.a + 1 %}'),
    input: { a: 1 },
    expect: { status: 'SUCCEEDED', output: 2 },
  },
  {
    name: 'Output as a template with expressions at any depth',
    definition: out({ sum: '{% $sum($states.input.xs) %}', nested: ['{% $count($states.input.xs) %}', 'static'], name: '{% $states.context.Execution.Name %}' }),
    input: { xs: [1, 2, 3] },
    expect: { status: 'SUCCEEDED', output: { sum: 6, nested: [3, 'static'], name: 'exec-1' } },
  },
  {
    name: 'a Pass state without Output passes its input',
    definition: { ...J, StartAt: 'S', States: { S: { Type: 'Pass', End: true } } },
    input: { keep: true },
    expect: { status: 'SUCCEEDED', output: { keep: true } },
  },
  {
    name: 'Task Arguments are what the resource receives; the output defaults to the result',
    definition: { ...J, StartAt: 'T', States: { T: { Type: 'Task', Resource: ECHO, Arguments: { Payload: '{% $states.input.order %}', Fixed: 1 }, End: true } } },
    input: { order: { id: 7 } },
    resources: { [ECHO]: echo() },
    expect: { status: 'SUCCEEDED', output: { Payload: { id: 7 }, Fixed: 1 }, invocationInputs: [{ Payload: { id: 7 }, Fixed: 1 }] },
  },
  {
    name: 'Task Output combines $states.input and $states.result',
    definition: {
      ...J,
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: ECHO, Arguments: { v: 2 }, Output: "{% $merge([$states.input, {'result': $states.result}]) %}", End: true } },
    },
    input: { a: 1 },
    resources: { [ECHO]: echo() },
    expect: { status: 'SUCCEEDED', output: { a: 1, result: { v: 2 } } },
  },
  {
    name: 'TimeoutSeconds from an expression',
    definition: { ...J, StartAt: 'T', States: { T: { Type: 'Task', Resource: ECHO, TimeoutSeconds: '{% $states.input.t %}', End: true } } },
    input: { t: 4 },
    resources: { [ECHO]: () => script.hang() },
    expect: { status: 'FAILED', error: 'States.Timeout', elapsedMs: 4_000 },
  },
  {
    name: 'Wait Seconds from an expression',
    definition: { ...J, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: '{% $states.input.delay * 2 %}', End: true } } },
    input: { delay: 5 },
    expect: { status: 'SUCCEEDED', output: { delay: 5 }, elapsedMs: 10_000 },
  },
  {
    name: 'Wait Timestamp from an expression',
    definition: { ...J, StartAt: 'W', States: { W: { Type: 'Wait', Timestamp: '{% $states.input.until %}', End: true } } },
    input: { until: '2024-01-01T00:00:30Z' },
    expect: { status: 'SUCCEEDED', elapsedMs: 30_000 },
  },
  {
    name: 'Choice Condition',
    definition: {
      ...J,
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 10 %}', Next: 'Big' }], Default: 'Small' },
        Big: { Type: 'Pass', Output: 'big', End: true },
        Small: { Type: 'Pass', Output: 'small', End: true },
      },
    },
    input: { n: 11 },
    expect: { status: 'SUCCEEDED', output: 'big' },
  },
  {
    name: 'Choice Default when no Condition holds',
    definition: {
      ...J,
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: "{% $states.input.kind = 'a' %}", Next: 'A' }], Default: 'Other' },
        A: { Type: 'Pass', Output: 'a', End: true },
        Other: { Type: 'Pass', Output: 'other', End: true },
      },
    },
    input: { kind: 'b' },
    expect: { status: 'SUCCEEDED', output: 'other' },
  },
  {
    name: 'Map Items from an expression and ItemSelector with $states.context.Map.Item',
    definition: {
      ...J,
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: '{% $states.input.xs %}',
          ItemSelector: { i: '{% $states.context.Map.Item.Index %}', v: '{% $states.context.Map.Item.Value %}' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: { xs: ['a', 'b'] },
    expect: { status: 'SUCCEEDED', output: [{ i: 0, v: 'a' }, { i: 1, v: 'b' }] },
  },
  {
    name: 'Map Items as a literal array',
    definition: {
      ...J,
      StartAt: 'M',
      States: { M: { Type: 'Map', Items: [1, 2, 3], ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input * 10 %}', End: true } } }, End: true } },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: [10, 20, 30] },
  },
  {
    name: 'Parallel Arguments feed every branch; Output defaults to the results',
    definition: {
      ...J,
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Arguments: { n: '{% $states.input.n %}' },
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.input.n + 1 %}', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Output: '{% $states.input.n * 2 %}', End: true } } },
          ],
          End: true,
        },
      },
    },
    input: { n: 5 },
    expect: { status: 'SUCCEEDED', output: [6, 10] },
  },
  {
    name: 'Fail Error and Cause from expressions',
    definition: { ...J, StartAt: 'F', States: { F: { Type: 'Fail', Error: "{% 'E' & $states.input.code %}", Cause: '{% $states.input.why %}' } } },
    input: { code: 42, why: 'because' },
    expect: { status: 'FAILED', error: 'E42', cause: 'because' },
  },
  {
    name: 'a Catch Output reads $states.errorOutput',
    definition: {
      ...J,
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ECHO, Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.errorOutput.Error %}', Next: 'H' }], End: true },
        H: { Type: 'Pass', End: true },
      },
    },
    input: {},
    resources: { [ECHO]: alwaysFail('CustomError', 'boom') },
    expect: { status: 'SUCCEEDED', output: 'CustomError' },
  },
  {
    name: 'a Catch without Output passes the error output',
    definition: {
      ...J,
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: ECHO, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true }, H: { Type: 'Pass', End: true } },
    },
    input: {},
    resources: { [ECHO]: alwaysFail('CustomError', 'boom') },
    expect: { status: 'SUCCEEDED', output: { Error: 'CustomError', Cause: 'boom' } },
  },
  {
    name: 'a JSONata state inside a JSONPath machine',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, Next: 'B' },
        B: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input.n * 3 %}', End: true },
      },
    },
    input: { n: 2 },
    expect: { status: 'SUCCEEDED', output: 6 },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (JSONata functions provided by Step Functions)
const functions: Case[] = [
  { name: '$partition', definition: out('{% $partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3) %}'), input: {}, expect: { status: 'SUCCEEDED', output: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] } },
  { name: '$partition with a short last chunk', definition: out('{% $partition([1, 2, 3, 4, 5], 2) %}'), input: {}, expect: { status: 'SUCCEEDED', output: [[1, 2], [3, 4], [5]] } },
  { name: '$range', definition: out('{% $range(0, 10, 2) %}'), input: {}, expect: { status: 'SUCCEEDED', output: [0, 2, 4, 6, 8, 10] } },
  { name: '$range descending', definition: out('{% $range(10, 0, -5) %}'), input: {}, expect: { status: 'SUCCEEDED', output: [10, 5, 0] } },
  {
    name: '$hash',
    definition: out("{% $hash('input data', 'SHA-1') %}"),
    input: {},
    expect: { status: 'SUCCEEDED', output: 'aaff4a450a104cd177d28d18d74485e8cae074b7' },
  },
  {
    name: '$random is in [0, 1)',
    definition: out('{% $random() %}'),
    input: {},
    expect: { status: 'SUCCEEDED', outputCheck: (o) => (typeof o === 'number' && o >= 0 && o < 1 ? undefined : `not in [0, 1): ${JSON.stringify(o)}`) },
  },
  {
    name: '$random with a seed repeats',
    definition: out('{% [$random(7), $random(7)] %}'),
    input: {},
    expect: {
      status: 'SUCCEEDED',
      outputCheck: (o) =>
        Array.isArray(o) && o.length === 2 && typeof o[0] === 'number' && o[0] === o[1] && o[0] >= 0 && o[0] < 1 ? undefined : `seeded values differ: ${JSON.stringify(o)}`,
    },
  },
  {
    name: '$uuid',
    definition: out('{% $uuid() %}'),
    input: {},
    expect: { status: 'SUCCEEDED', outputCheck: (o) => (typeof o === 'string' && UUID_V4.test(o) ? undefined : `not a v4 UUID: ${JSON.stringify(o)}`) },
  },
  { name: '$parse', definition: out('{% $parse($states.input.s) %}'), input: { s: '{"foo":"bar","n":[1,2]}' }, expect: { status: 'SUCCEEDED', output: { foo: 'bar', n: [1, 2] } } },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (States.QueryEvaluationError)
const evalErrors: Case[] = [
  {
    name: 'an expression that raises fails with States.QueryEvaluationError',
    definition: out("{% 1 + 'a' %}"),
    input: {},
    expect: { status: 'FAILED', error: 'States.QueryEvaluationError' },
  },
  {
    name: 'an Output expression with no value fails with States.QueryEvaluationError',
    definition: out('{% $states.input.missing %}'),
    input: { a: 1 },
    expect: { status: 'FAILED', error: 'States.QueryEvaluationError' },
  },
  {
    name: 'States.QueryEvaluationError can be caught',
    definition: {
      ...J,
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ECHO, Arguments: "{% 1 + 'a' %}", Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Output: 'caught', Next: 'H' }], End: true },
        H: { Type: 'Pass', End: true },
      },
    },
    input: {},
    resources: { [ECHO]: echo() },
    expect: { status: 'SUCCEEDED', output: 'caught', invocationTimesMs: [] },
  },
];

export const jsonataCases: Case[] = [...fieldsCases, ...functions, ...evalErrors];
