// Pass and Succeed states and JSONPath input/output processing: InputPath, Parameters,
// ResultSelector, ResultPath, OutputPath.
import { type Case, echo, lambdaArn, passParams, single } from '../case.js';

const HELLO = lambdaArn('HelloFunction');
const hello = { [HELLO]: () => 'Hello, AWS Step Functions!' };

// https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html (the "Pass state example")
// https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
const passAndSucceed: Case[] = [
  {
    name: 'Pass with Result and ResultPath (the developer guide example)',
    definition: single({
      Type: 'Pass',
      Result: { 'x-datum': 0.381018, 'y-datum': 622.2269926397355 },
      ResultPath: '$.coords',
    }),
    input: { georefOf: 'Home' },
    expect: {
      status: 'SUCCEEDED',
      output: { georefOf: 'Home', coords: { 'x-datum': 0.381018, 'y-datum': 622.2269926397355 } },
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'Pass without Result passes its input through',
    definition: single({ Type: 'Pass' }),
    input: { a: 1, b: [true, null] },
    expect: { status: 'SUCCEEDED', output: { a: 1, b: [true, null] } },
  },
  {
    name: 'Pass Result with no ResultPath replaces the input',
    definition: single({ Type: 'Pass', Result: { done: true } }),
    input: { a: 1 },
    expect: { status: 'SUCCEEDED', output: { done: true } },
  },
  {
    name: 'a chain of Pass states',
    definition: {
      StartAt: 'One',
      States: {
        One: { Type: 'Pass', Result: 1, ResultPath: '$.one', Next: 'Two' },
        Two: { Type: 'Pass', Result: 2, ResultPath: '$.two', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    },
    input: {},
    expect: {
      status: 'SUCCEEDED',
      output: { one: 1, two: 2 },
      eventTypes: [
        'ExecutionStarted',
        'PassStateEntered',
        'PassStateExited',
        'PassStateEntered',
        'PassStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ],
    },
  },
  {
    name: 'Succeed with InputPath and OutputPath',
    definition: single({ Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' }),
    input: { a: { b: 'kept' }, c: 'dropped' },
    expect: { status: 'SUCCEEDED', output: 'kept' },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
const inputPathAndParameters: Case[] = [
  {
    name: 'InputPath selects part of the input',
    definition: single({ Type: 'Pass', InputPath: '$.dataset2' }),
    input: { comment: 'Example for InputPath.', dataset1: { val1: 1, val2: 2, val3: 3 }, dataset2: { val1: 'a', val2: 'b', val3: 'c' } },
    expect: { status: 'SUCCEEDED', output: { val1: 'a', val2: 'b', val3: 'c' } },
  },
  {
    name: 'InputPath with a slice yields an array',
    definition: single({ Type: 'Pass', InputPath: '$.a[0:2]' }),
    input: { a: [1, 2, 3, 4] },
    expect: { status: 'SUCCEEDED', output: [1, 2] },
  },
  {
    name: 'Parameters with static values and paths (the developer guide example)',
    definition: passParams({
      comment: 'Selecting what I care about.',
      MyDetails: { 'size.$': '$.product.details.size', 'exists.$': '$.product.availability', StaticValue: 'foo' },
    }),
    input: {
      comment: 'Example for Parameters.',
      product: { details: { color: 'blue', size: 'small', material: 'cotton' }, availability: 'in stock', sku: '2317', cost: '$23' },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { comment: 'Selecting what I care about.', MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' } },
    },
  },
  {
    name: 'InputPath applies before Parameters',
    definition: passParams({ 'size.$': '$.details.size' }, { InputPath: '$.product' }),
    input: { product: { details: { size: 'small' } } },
    expect: { status: 'SUCCEEDED', output: { size: 'small' } },
  },
  {
    name: 'Parameters path selecting many values gives an array',
    definition: passParams({ 'ids.$': '$.items[*].id' }),
    input: { items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
    expect: { status: 'SUCCEEDED', output: { ids: ['a', 'b', 'c'] } },
  },
  {
    name: 'Parameters reads the context object with $$',
    definition: passParams({ 'name.$': '$$.Execution.Name', 'state.$': '$$.State.Name' }),
    input: {},
    expect: { status: 'SUCCEEDED', output: { name: 'exec-1', state: 'S' } },
  },
  {
    name: 'InputPath null gives the state an empty object',
    definition: single({ Type: 'Task', Resource: lambdaArn('Echo'), InputPath: null }),
    input: { secret: 1 },
    resources: { [lambdaArn('Echo')]: echo() },
    expect: { status: 'SUCCEEDED', output: {}, invocationInputs: [{}] },
  },
  {
    name: 'a Parameters path missing from the input fails with States.Runtime (as AWS words it)',
    definition: {
      StartAt: 'Check Name',
      States: {
        'Check Name': { Type: 'Task', Resource: lambdaArn('DataChecking'), Next: 'Check Address' },
        'Check Address': {
          Type: 'Task',
          Resource: lambdaArn('DataChecking'),
          Parameters: { 'address.$': '$.application.address' },
          End: true,
        },
      },
    },
    input: { application: { name: 'Spock', address: '123 Enterprise Street' } },
    resources: { [lambdaArn('DataChecking')]: () => ({ flagged: false }) },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause:
        "An error occurred while executing the state 'Check Address' (entered at the event id #7). The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{\"flagged\":false}'",
    },
  },
  {
    name: 'an InputPath missing from the input fails with States.Runtime',
    definition: single({ Type: 'Pass', InputPath: '$.nothing.here' }),
    input: { a: 1 },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
const resultPath: Case[] = [
  {
    name: 'ResultPath "$" (the default) replaces the input with the result',
    definition: single({ Type: 'Task', Resource: HELLO }),
    input: { comment: 'This is a test of the input and output of a Task state.', details: 'Default example', who: 'AWS Step Functions' },
    resources: hello,
    expect: { status: 'SUCCEEDED', output: 'Hello, AWS Step Functions!' },
  },
  {
    name: 'ResultPath adds the result to the input',
    definition: single({ Type: 'Task', Resource: HELLO, ResultPath: '$.taskresult' }),
    input: { comment: 'This is a test', details: 'Default example', who: 'AWS Step Functions' },
    resources: hello,
    expect: {
      status: 'SUCCEEDED',
      output: { comment: 'This is a test', details: 'Default example', who: 'AWS Step Functions', taskresult: 'Hello, AWS Step Functions!' },
    },
  },
  {
    name: 'ResultPath into a nested existing object',
    definition: single({ Type: 'Task', Resource: HELLO, ResultPath: '$.strings.lambdaresult' }),
    input: { who: 'AWS Step Functions', strings: { string1: 'foo', string2: 'bar' } },
    resources: hello,
    expect: {
      status: 'SUCCEEDED',
      output: { who: 'AWS Step Functions', strings: { string1: 'foo', string2: 'bar', lambdaresult: 'Hello, AWS Step Functions!' } },
    },
  },
  {
    name: 'ResultPath onto an existing field overwrites it',
    definition: single({ Type: 'Task', Resource: HELLO, ResultPath: '$.details' }),
    input: { details: 'Default example', who: 'AWS Step Functions' },
    resources: hello,
    expect: { status: 'SUCCEEDED', output: { details: 'Hello, AWS Step Functions!', who: 'AWS Step Functions' } },
  },
  {
    name: 'ResultPath null discards the result and keeps the input',
    definition: single({ Type: 'Task', Resource: HELLO, ResultPath: null }),
    input: { who: 'AWS Step Functions' },
    resources: hello,
    expect: { status: 'SUCCEEDED', output: { who: 'AWS Step Functions' } },
  },
  {
    name: 'ResultPath creates the objects on its way',
    definition: single({ Type: 'Pass', Result: 7, ResultPath: '$.a.b.c' }),
    input: { x: 1 },
    expect: { status: 'SUCCEEDED', output: { x: 1, a: { b: { c: 7 } } } },
  },
  {
    name: 'ResultPath applies to the raw input, not to the InputPath selection',
    definition: single({ Type: 'Pass', InputPath: '$.a', Result: 'r', ResultPath: '$.b' }),
    input: { a: { inner: true }, keep: 1 },
    expect: { status: 'SUCCEEDED', output: { a: { inner: true }, keep: 1, b: 'r' } },
  },
  {
    name: 'Pass Parameters become the result placed by ResultPath',
    definition: passParams({ 'copy.$': '$.x' }, { ResultPath: '$.p' }),
    input: { x: 5 },
    expect: { status: 'SUCCEEDED', output: { x: 5, p: { copy: 5 } } },
  },
  {
    name: 'ResultPath into a string input fails with States.ResultPathMatchFailure',
    definition: single({ Type: 'Task', Resource: HELLO, ResultPath: '$.x' }),
    input: 'just a string',
    resources: hello,
    expect: { status: 'FAILED', error: 'States.ResultPathMatchFailure' },
  },
];

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-resultselector
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-outputpath.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-example.html
const selectorAndOutput: Case[] = [
  {
    name: 'ResultSelector reshapes the result before ResultPath (the developer guide example)',
    definition: single({
      Type: 'Task',
      Resource: lambdaArn('CreateCluster'),
      ResultSelector: { 'ClusterId.$': '$.output.ClusterId', 'ResourceType.$': '$.resourceType' },
      ResultPath: '$.EMROutput',
    }),
    input: { cluster: 'demo' },
    resources: {
      [lambdaArn('CreateCluster')]: () => ({
        resourceType: 'elasticmapreduce',
        resource: 'createCluster.sync',
        output: { SdkHttpMetadata: { HttpHeaders: { 'Content-Length': '1112' }, HttpStatusCode: 200 }, ClusterId: 'AKIAIOSFODNN7EXAMPLE' },
      }),
    },
    expect: {
      status: 'SUCCEEDED',
      output: { cluster: 'demo', EMROutput: { ClusterId: 'AKIAIOSFODNN7EXAMPLE', ResourceType: 'elasticmapreduce' } },
    },
  },
  {
    name: 'InputPath, ResultPath and OutputPath together (the developer guide example)',
    definition: single({
      Type: 'Task',
      Resource: lambdaArn('HelloWho'),
      InputPath: '$.lambda',
      ResultPath: '$.data.lambdaresult',
      OutputPath: '$.data',
    }),
    input: { comment: 'An input comment.', data: { val1: 23, val2: 17 }, extra: 'foo', lambda: { who: 'AWS Step Functions' } },
    resources: { [lambdaArn('HelloWho')]: (input) => `Hello, ${String((input as { who: string }).who)}!` },
    expect: {
      status: 'SUCCEEDED',
      output: { val1: 23, val2: 17, lambdaresult: 'Hello, AWS Step Functions!' },
      invocationInputs: [{ who: 'AWS Step Functions' }],
    },
  },
  {
    name: 'OutputPath selects part of the output',
    definition: single({ Type: 'Pass', OutputPath: '$.keep' }),
    input: { keep: { x: 1 }, drop: 2 },
    expect: { status: 'SUCCEEDED', output: { x: 1 } },
  },
  {
    name: 'OutputPath null gives an empty object',
    definition: single({ Type: 'Pass', OutputPath: null }),
    input: { a: 1 },
    expect: { status: 'SUCCEEDED', output: {} },
  },
  {
    name: 'Task Parameters are what the resource receives',
    definition: single({ Type: 'Task', Resource: lambdaArn('Echo'), Parameters: { 'Payload.$': '$', FunctionName: 'f' }, ResultPath: '$.r' }),
    input: { n: 1 },
    resources: { [lambdaArn('Echo')]: echo() },
    expect: {
      status: 'SUCCEEDED',
      output: { n: 1, r: { Payload: { n: 1 }, FunctionName: 'f' } },
      invocationInputs: [{ Payload: { n: 1 }, FunctionName: 'f' }],
      eventTypes: [
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ],
    },
  },
];

export const passAndPathsCases: Case[] = [...passAndSucceed, ...inputPathAndParameters, ...resultPath, ...selectorAndOutput];
