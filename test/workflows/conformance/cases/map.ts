// Map state: ItemsPath, ItemSelector/Parameters with $$.Map.Item, output order, MaxConcurrency
// (checked as the most tasks open at once), failures, tolerated failures in Distributed mode.
import { type Json, type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, TaskFailure, alwaysFail, echo, lambdaArn, script } from '../case.js';

const WORK = lambdaArn('Work');
const passProcessor: JsonObject = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const taskProcessor: JsonObject = { StartAt: 'T', States: { T: { Type: 'Task', Resource: WORK, End: true } } };
const map = (fields: JsonObject, states: JsonObject = {}): JsonObject => ({
  StartAt: 'M',
  States: { M: { Type: 'Map', End: true, ...fields }, ...states },
});
const distributed = (processor: JsonObject): JsonObject => ({
  ...processor,
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
});
/** Items are numbers; a negative one fails. */
const failNegative = {
  [WORK]: (input: Json): Json => {
    if (typeof input === 'number' && input < 0) throw new TaskFailure('NegativeItem', `item ${input}`);
    return input;
  },
};

const shipped = [
  { prod: 'R31', 'dest-code': 9511, quantity: 1344 },
  { prod: 'S39', 'dest-code': 9511, quantity: 40 },
  { prod: 'R31', 'dest-code': 9833, quantity: 12 },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
const inline: Case[] = [
  {
    name: 'ItemsPath, InputPath and ItemSelector (the developer guide example)',
    definition: map({
      InputPath: '$.detail',
      ItemsPath: '$.shipped',
      ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'courier.$': '$.delivery-partner' },
      ItemProcessor: passProcessor,
    }),
    input: { 'ship-date': '2016-03-14T01:59:00Z', detail: { 'delivery-partner': 'UQS', shipped } },
    expect: { status: 'SUCCEEDED', output: shipped.map((parcel) => ({ parcel, courier: 'UQS' })) },
  },
  {
    name: 'ItemSelector with $$.Map.Item.Index and Value',
    definition: map({ ItemSelector: { 'ContextIndex.$': '$$.Map.Item.Index', 'ContextValue.$': '$$.Map.Item.Value' }, ItemProcessor: passProcessor }),
    input: ['a', 'b', 'c'],
    expect: {
      status: 'SUCCEEDED',
      output: [
        { ContextIndex: 0, ContextValue: 'a' },
        { ContextIndex: 1, ContextValue: 'b' },
        { ContextIndex: 2, ContextValue: 'c' },
      ],
    },
  },
  {
    name: 'Parameters and Iterator, the older names of ItemSelector and ItemProcessor',
    definition: map({ ItemsPath: '$.xs', Parameters: { 'v.$': '$$.Map.Item.Value', 'tag.$': '$.tag' }, Iterator: passProcessor }),
    input: { xs: [1, 2], tag: 't' },
    expect: { status: 'SUCCEEDED', output: [{ v: 1, tag: 't' }, { v: 2, tag: 't' }] },
  },
  {
    name: 'without ItemSelector each iteration gets its item',
    definition: map({ ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, End: true } } } }),
    input: { items: [{ n: 1 }, { n: 2 }, { n: 3 }] },
    expect: { status: 'SUCCEEDED', output: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }] },
  },
  {
    name: 'the output keeps item order though later items finish first',
    definition: map({ ItemProcessor: taskProcessor }),
    input: [3, 2, 1],
    resources: { [WORK]: (input) => script.after(Number(input) * 1_000, `done ${String(input)}`) },
    expect: { status: 'SUCCEEDED', output: ['done 3', 'done 2', 'done 1'], elapsedMs: 3_000, maxConcurrency: 3 },
  },
  {
    name: 'an empty array gives an empty array',
    definition: map({ ItemProcessor: taskProcessor }),
    input: [],
    resources: { [WORK]: echo() },
    expect: { status: 'SUCCEEDED', output: [], invocationTimesMs: [] },
  },
  {
    name: 'ResultSelector and ResultPath apply to the array of results',
    definition: map({ ItemsPath: '$.xs', ItemProcessor: passProcessor, ResultSelector: { 'all.$': '$' , 'count.$': 'States.ArrayLength($)' }, ResultPath: '$.out' }),
    input: { xs: [true, false] },
    expect: { status: 'SUCCEEDED', output: { xs: [true, false], out: { all: [true, false], count: 2 } } },
  },
  {
    name: 'a Map inside a Map sees its own item context',
    definition: map({
      ItemProcessor: {
        StartAt: 'Inner',
        States: {
          Inner: {
            Type: 'Map',
            ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value' },
            ItemProcessor: passProcessor,
            End: true,
          },
        },
      },
    }),
    input: [['a', 'b'], ['c']],
    expect: { status: 'SUCCEEDED', output: [[{ i: 0, v: 'a' }, { i: 1, v: 'b' }], [{ i: 0, v: 'c' }]] },
  },
  {
    name: 'an ItemsPath that is not an array fails with States.Runtime',
    definition: map({ ItemsPath: '$.xs', ItemProcessor: passProcessor }),
    input: { xs: 'not an array' },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'a failing iteration fails the Map and the execution',
    definition: map({ ItemProcessor: taskProcessor }),
    input: [1, -2, 3],
    resources: failNegative,
    expect: { status: 'FAILED', error: 'NegativeItem', cause: 'item -2', eventTypesInclude: ['MapStateEntered', 'MapStateFailed', 'ExecutionFailed'] },
  },
  {
    name: 'a Catch on the Map handles a failing iteration',
    definition: map({ ItemsPath: '$.xs', ItemProcessor: taskProcessor, Catch: [{ ErrorEquals: ['NegativeItem'], ResultPath: '$.error', Next: 'Handled' }] }, {
      Handled: { Type: 'Pass', OutputPath: '$.error.Error', End: true },
    }),
    input: { xs: [1, -2] },
    resources: failNegative,
    expect: { status: 'SUCCEEDED', output: 'NegativeItem' },
  },
  {
    name: 'iteration events in a successful Map',
    definition: map({ ItemProcessor: passProcessor }),
    input: [1],
    expect: {
      status: 'SUCCEEDED',
      output: [1],
      eventTypes: [
        'ExecutionStarted',
        'MapStateEntered',
        'MapStateStarted',
        'MapIterationStarted',
        'PassStateEntered',
        'PassStateExited',
        'MapIterationSucceeded',
        'MapStateSucceeded',
        'MapStateExited',
        'ExecutionSucceeded',
      ],
    },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html (MaxConcurrency)
const concurrency: Case[] = [
  {
    name: 'MaxConcurrency 2 keeps at most two iterations running',
    definition: map({ MaxConcurrency: 2, ItemProcessor: taskProcessor }),
    input: [1, 2, 3, 4, 5],
    resources: { [WORK]: (input) => script.after(1_000, input) },
    expect: { status: 'SUCCEEDED', output: [1, 2, 3, 4, 5], maxConcurrency: 2, elapsedMs: 3_000, invocationTimesMs: [0, 0, 1_000, 1_000, 2_000] },
  },
  {
    name: 'MaxConcurrency 1 runs iterations one after another, in order',
    definition: map({ MaxConcurrency: 1, ItemProcessor: taskProcessor }),
    input: ['a', 'b', 'c'],
    resources: { [WORK]: (input) => script.after(1_000, input) },
    expect: { status: 'SUCCEEDED', output: ['a', 'b', 'c'], maxConcurrency: 1, invocationTimesMs: [0, 1_000, 2_000], invocationInputs: ['a', 'b', 'c'] },
  },
  {
    name: 'MaxConcurrency 0 runs every iteration at once',
    definition: map({ MaxConcurrency: 0, ItemProcessor: taskProcessor }),
    input: [1, 2, 3, 4],
    resources: { [WORK]: (input) => script.after(1_000, input) },
    expect: { status: 'SUCCEEDED', output: [1, 2, 3, 4], maxConcurrency: 4, elapsedMs: 1_000 },
  },
  {
    name: 'MaxConcurrencyPath reads the limit from the input',
    definition: map({ ItemsPath: '$.xs', MaxConcurrencyPath: '$.limit', ItemProcessor: taskProcessor }),
    input: { xs: [1, 2, 3], limit: 1 },
    resources: { [WORK]: (input) => script.after(500, input) },
    expect: { status: 'SUCCEEDED', output: [1, 2, 3], maxConcurrency: 1, elapsedMs: 1_500 },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
const tolerated: Case[] = [
  {
    name: 'ToleratedFailureCount: failures up to the count are tolerated',
    definition: map({ ToleratedFailureCount: 1, ItemProcessor: distributed(taskProcessor) }),
    input: [1, -2, 3, 4],
    resources: failNegative,
    expect: { status: 'SUCCEEDED' },
  },
  {
    name: 'ToleratedFailureCount: one failure more fails with States.ExceedToleratedFailureThreshold',
    definition: map({ ToleratedFailureCount: 1, ItemProcessor: distributed(taskProcessor) }),
    input: [1, -2, -3, 4],
    resources: failNegative,
    expect: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
  },
  {
    name: 'ToleratedFailurePercentage: 50% of 4 items may fail',
    definition: map({ ToleratedFailurePercentage: 50, ItemProcessor: distributed(taskProcessor) }),
    input: [-1, -2, 3, 4],
    resources: failNegative,
    expect: { status: 'SUCCEEDED' },
  },
  {
    name: 'ToleratedFailurePercentage: 75% failed is beyond 50%',
    definition: map({ ToleratedFailurePercentage: 50, ItemProcessor: distributed(taskProcessor) }),
    input: [-1, -2, -3, 4],
    resources: failNegative,
    expect: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
  },
  {
    name: 'no tolerance set: one failed item fails the Map Run',
    definition: map({ ItemProcessor: distributed(taskProcessor) }),
    input: [1, -2, 3],
    resources: failNegative,
    expect: { status: 'FAILED' },
  },
  {
    name: 'ToleratedFailureCountPath reads the count from the input',
    definition: map({ ItemsPath: '$.xs', ToleratedFailureCountPath: '$.tolerate', ItemProcessor: distributed(taskProcessor) }),
    input: { xs: [-1, -2, 3], tolerate: 2 },
    resources: failNegative,
    expect: { status: 'SUCCEEDED' },
  },
  {
    name: 'a Catch on States.ExceedToleratedFailureThreshold',
    definition: map(
      { ToleratedFailureCount: 0, ItemProcessor: distributed(taskProcessor), Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'Over' }] },
      { Over: { Type: 'Pass', Result: 'over threshold', End: true } },
    ),
    input: [-1],
    resources: { [WORK]: alwaysFail('NegativeItem', 'x') },
    expect: { status: 'SUCCEEDED', output: 'over threshold' },
  },
  {
    name: 'Distributed mode with every item succeeding',
    definition: map({ MaxConcurrency: 2, ItemProcessor: distributed(taskProcessor) }),
    input: [1, 2, 3],
    resources: { [WORK]: (input) => script.after(1_000, input) },
    // Without a ResultWriter the Map Run's results come back as an array, as inline.
    expect: { status: 'SUCCEEDED', output: [1, 2, 3], maxConcurrency: 2 },
  },
  {
    name: 'ToleratedFailurePercentagePath reads the percentage from the input',
    definition: map({ ItemsPath: '$.xs', ToleratedFailurePercentagePath: '$.pct', ItemProcessor: distributed(taskProcessor) }),
    input: { xs: [-1, 2, 3, 4], pct: 20 },
    resources: failNegative,
    expect: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
  },
];

export const mapCases: Case[] = [...inline, ...concurrency, ...tolerated];
