import { describe, expect, it } from 'vitest';
import { invalidDefinitionMessage, validateDefinition, MAX_DEFINITION_LENGTH } from '../../../workflows/language/validate.js';
import { errorsOf, LAMBDA, machine, one } from './validate-helpers.js';

const SCHEMA = 'SCHEMA_VALIDATION_FAILED';

describe('validateDefinition: accepted definitions', () => {
  const valid: [string, string][] = [
    ['a single Pass', one({ Type: 'Pass' })],
    ['Pass with paths, Parameters and intrinsics', one({ Type: 'Pass', InputPath: '$.a', OutputPath: null, ResultPath: '$.r', Parameters: { 'x.$': '$.b[0]', 'u.$': 'States.Format(\'{}\', $.n)', 'ctx.$': '$$.Execution.Id', k: 1 } })],
    ['Task with retry and catch', machine({
      T: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 10, HeartbeatSeconds: 5, Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 0, MaxAttempts: 0, BackoffRate: 1.5, MaxDelaySeconds: 5, JitterStrategy: 'FULL' }, { ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F', ResultPath: '$.err' }], Next: 'S' },
      S: { Type: 'Succeed' },
      F: { Type: 'Fail', Error: 'E', Cause: 'C' },
    })],
    ['Task on an activity and an integration', machine({
      A: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:work', Next: 'B' },
      B: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', End: true },
    })],
    ['Choice with nested rules', machine({
      C: { Type: 'Choice', Choices: [
        { And: [{ Variable: '$.a', NumericGreaterThan: 1 }, { Not: { Variable: '$.b', IsPresent: true } }], Next: 'S' },
        { Variable: '$$.Execution.Name', StringMatches: 'x*', Next: 'S' },
        { Variable: '$.t', TimestampLessThan: '2030-01-01T00:00:00Z', Next: 'S' },
      ], Default: 'S' },
      S: { Type: 'Succeed' },
    })],
    ['Wait on a timestamp path', one({ Type: 'Wait', TimestampPath: '$.when' })],
    ['Fail with intrinsic ErrorPath', one({ Type: 'Fail', ErrorPath: "States.Format('e{}', $.n)", CausePath: '$.cause' })],
    ['Parallel with two branches', one({ Type: 'Parallel', Branches: [
      { StartAt: 'P1', States: { P1: { Type: 'Pass', End: true } } },
      { StartAt: 'P2', States: { P2: { Type: 'Succeed' } } },
    ] })],
    ['Map with ItemProcessor', one({ Type: 'Map', ItemsPath: '$$.Execution.Input.items', MaxConcurrency: 0, ToleratedFailurePercentage: 12.5, ItemSelector: { 'v.$': '$$.Map.Item.Value' }, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } } })],
    ['Map with the older Iterator', one({ Type: 'Map', Iterator: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } } })],
    ['JSONata machine', one({ Type: 'Task', Resource: LAMBDA, Arguments: { a: '{% $states.input.a %}' }, Output: '{% $states.result %}', TimeoutSeconds: '{% 5 %}', Assign: { x: '{% 1 %}' } }, { QueryLanguage: 'JSONata' })],
    ['JSONata Choice', machine({ C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.a > 1 %}', Next: 'S' }], Default: 'S' }, S: { Type: 'Succeed' } }, { QueryLanguage: 'JSONata' })],
    ['a JSONata state in a JSONPath machine', one({ Type: 'Pass', QueryLanguage: 'JSONata', Output: { a: 1 } })],
    ['JSONPath Assign with .$ keys', one({ Type: 'Pass', Assign: { 'x.$': '$.a', y: 2 } })],
    ['top-level fields', one({ Type: 'Pass' }, { Comment: 'c', Version: '1.0', TimeoutSeconds: 0 })],
  ];
  it.each(valid)('%s', (_name, text) => {
    const v = validateDefinition(text);
    expect(v.diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.definition).toEqual(JSON.parse(text));
  });
});

type Case = [string, string, { code: string; message: string; location?: string }[]];

describe('validateDefinition: refused definitions', () => {
  const cases: Case[] = [
    ['empty text', '  ', [{ code: 'MISSING_DESCRIPTION', message: 'Received a null or empty workflow input.' }]],
    ['not an object', '[]', [{ code: SCHEMA, message: 'Expected value of type Object', location: '/' }]],
    ['StartAt and States missing', '{}', [{ code: SCHEMA, message: 'These fields are required: [StartAt, States]', location: '/' }]],
    ['unknown top-level field', one({ Type: 'Pass' }, { Coment: 'x' }), [{ code: SCHEMA, message: "Field 'Coment' is not supported", location: '/' }]],
    ['bad Version', one({ Type: 'Pass' }, { Version: '2.0' }), [{ code: SCHEMA, message: 'Value should be one of the following: [1.0]', location: '/Version' }]],
    ['bad top-level QueryLanguage', one({ Type: 'Pass' }, { QueryLanguage: 'XPath' }), [{ code: SCHEMA, message: 'Value should be one of the following: [JSONPath, JSONata]', location: '/QueryLanguage' }]],
    ['missing Type', machine({ A: { End: true } }), [{ code: SCHEMA, message: 'These fields are required: [Type]', location: '/States/A' }]],
    ['unknown Type', machine({ A: { Type: 'Sleep', End: true } }), [{ code: SCHEMA, message: 'Value should be one of the following: [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map]', location: '/States/A/Type' }]],
    ['Next and End', machine({ A: { Type: 'Pass', Next: 'B', End: true }, B: { Type: 'Succeed' } }), [{ code: SCHEMA, message: 'There should only be one of the following fields: [Next, End]', location: '/States/A' }]],
    ['neither Next nor End', machine({ A: { Type: 'Pass' } }), [{ code: SCHEMA, message: 'This object should have only one of the following fields: [Next, End]', location: '/States/A' }]],
    ['End not boolean', machine({ A: { Type: 'Pass', End: 'yes' } }), [
      { code: SCHEMA, message: 'Expected value of type Boolean', location: '/States/A/End' },
      { code: SCHEMA, message: 'This object should have only one of the following fields: [Next, End]', location: '/States/A' },
    ]],
    ['TimeoutSeconds on Map', one({ Type: 'Map', TimeoutSeconds: 5, ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Succeed' } } } }), [{ code: SCHEMA, message: "Field 'TimeoutSeconds' is not supported", location: '/States/A' }]],
    ['Catch on Pass', one({ Type: 'Pass', Catch: [] }), [{ code: SCHEMA, message: "Field 'Catch' is not supported", location: '/States/A' }]],
    ['End on Succeed', one({ Type: 'Succeed', End: true }), [{ code: SCHEMA, message: "Field 'End' is not supported", location: '/States/A' }]],
    ['Output in a JSONPath state', one({ Type: 'Pass', Output: {} }), [{ code: SCHEMA, message: "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage", location: '/States/A' }]],
    ['InputPath in a JSONata state', one({ Type: 'Pass', InputPath: '$.a' }, { QueryLanguage: 'JSONata' }), [{ code: SCHEMA, message: "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage", location: '/States/A' }]],
    ['JSONPath state in a JSONata machine', one({ Type: 'Pass', QueryLanguage: 'JSONPath' }, { QueryLanguage: 'JSONata' }), [{ code: SCHEMA, message: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", location: '/States/A' }]],
    ['bad InputPath', one({ Type: 'Pass', InputPath: 'a.b' }), [{ code: SCHEMA, message: 'Value must be a valid JSONPath.', location: '/States/A/InputPath' }]],
    ['ResultPath with a wildcard', one({ Type: 'Pass', ResultPath: '$.a[*]' }), [{ code: SCHEMA, message: 'Value is not a Reference Path', location: '/States/A/ResultPath' }]],
    ['ResultPath into the context', one({ Type: 'Pass', ResultPath: '$$.a' }), [{ code: SCHEMA, message: 'Value is not a Reference Path', location: '/States/A/ResultPath' }]],
    ['bad .$ value', one({ Type: 'Pass', Parameters: { outer: { 'x.$': 'nope' } } }), [{ code: SCHEMA, message: "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", location: '/States/A/Parameters/outer/x.$' }]],
    ['bad intrinsic', one({ Type: 'Pass', Parameters: { 'x.$': 'States.Format(' } }), [{ code: SCHEMA, message: "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", location: '/States/A/Parameters/x.$' }]],
    ['Resource not an ARN', one({ Type: 'Task', Resource: 'my-fn' }), [{ code: SCHEMA, message: 'Value is not a valid resource ARN', location: '/States/A/Resource' }]],
    ['Resource an unusable ARN', one({ Type: 'Task', Resource: 'arn:aws:s3:::bucket' }), [{ code: 'INVALID_RESOURCE', message: 'Invalid resource: arn:aws:s3:::bucket', location: '/States/A/Resource' }]],
    ['Resource missing', one({ Type: 'Task' }), [{ code: SCHEMA, message: 'These fields are required: [Resource]', location: '/States/A' }]],
    ['lambda has no .sync', one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.sync' }), [{ code: SCHEMA, message: 'The resource provided arn:aws:states:::lambda:invoke.sync is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.', location: '/States/A/Resource' }]],
    ['Credentials without RoleArn', one({ Type: 'Task', Resource: LAMBDA, Credentials: {} }), [{ code: SCHEMA, message: "The field 'RoleArn' is required but was missing", location: '/States/A/Credentials' }]],
    ['TimeoutSeconds and its Path', one({ Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 3, TimeoutSecondsPath: '$.t' }), [{ code: SCHEMA, message: 'There should only be one of the following fields: [TimeoutSeconds, TimeoutSecondsPath]', location: '/States/A' }]],
    ['TimeoutSeconds 0', one({ Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 0 }), [{ code: SCHEMA, message: 'Minimum value is 1', location: '/States/A/TimeoutSeconds' }]],
    ['TimeoutSeconds a string', one({ Type: 'Task', Resource: LAMBDA, TimeoutSeconds: '5' }), [{ code: SCHEMA, message: 'Expected value of type Integer', location: '/States/A/TimeoutSeconds' }]],
    ['Heartbeat not below timeout', one({ Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 5, HeartbeatSeconds: 5 }), [{ code: SCHEMA, message: 'HeartbeatSeconds must be smaller than TimeoutSeconds', location: '/States/A/HeartbeatSeconds' }]],
    ['TimeoutSecondsPath into the context', one({ Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$$.Execution.Input.n' }), [{ code: SCHEMA, message: 'Value is not a Reference Path', location: '/States/A/TimeoutSecondsPath' }]],
    ['Wait with two timings', one({ Type: 'Wait', Seconds: 1, Timestamp: '2030-01-01T00:00:00Z' }), [{ code: SCHEMA, message: 'There should only be one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]', location: '/States/A' }]],
    ['Wait with none', one({ Type: 'Wait' }), [{ code: SCHEMA, message: 'This object should have only one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]', location: '/States/A' }]],
    ['Wait on a bad timestamp', one({ Type: 'Wait', Timestamp: '2030-01-01 00:00:00' }), [{ code: SCHEMA, message: 'String does not match RFC3339 timestamp', location: '/States/A/Timestamp' }]],
    ['Wait negative seconds', one({ Type: 'Wait', Seconds: -1 }), [{ code: SCHEMA, message: 'Minimum value is 0', location: '/States/A/Seconds' }]],
    ['Fail with Error and ErrorPath', one({ Type: 'Fail', Error: 'E', ErrorPath: '$.e' }), [{ code: SCHEMA, message: 'There should only be one of the following fields: [Error, ErrorPath]', location: '/States/A' }]],
    ['Fail CausePath not a path', one({ Type: 'Fail', CausePath: 'cause' }), [{ code: SCHEMA, message: "Value is not a Reference Path: Reference path didn't start with '$'", location: '/States/A/CausePath' }]],
    ['reserved variable', one({ Type: 'Pass', Assign: { states: 1 } }), [{ code: 'RESERVED_VARIABLE_NAME', message: "Cannot assign to reserved variable '$states'.", location: '/States/A/Assign/states' }]],
    ['bad variable name', one({ Type: 'Pass', Assign: { 'a-b': 1 } }), [{ code: 'INVALID_VARIABLE_NAME', message: "Invalid variable name 'a-b': the variable name contains invalid characters.", location: '/States/A/Assign/a-b' }]],
    ['unclosed JSONata', one({ Type: 'Pass', Output: '{% $states.input' }, { QueryLanguage: 'JSONata' }), [{ code: SCHEMA, message: 'JSONata string must start with {% and end with %}', location: '/States/A/Output' }]],
    ['state name too long', machine({ ['x'.repeat(81)]: { Type: 'Succeed' } }), [{ code: 'INVALID_STATE_NAME', message: `State name '${'x'.repeat(81)}' exceeds the maximum length of 80 characters`, location: `/States/${'x'.repeat(81)}` }]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
    expect(validateDefinition(text).ok).toBe(false);
  });

  it('reports bad JSON as INVALID_JSON_DESCRIPTION without a location', () => {
    const [d, ...rest] = validateDefinition('{not json').diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION' });
    expect(d?.location).toBeUndefined();
  });

  it('refuses a definition over 1,048,576 characters', () => {
    const text = one({ Type: 'Pass', Comment: 'x'.repeat(MAX_DEFINITION_LENGTH) });
    expect(errorsOf(text)).toEqual([{ code: SCHEMA, message: 'Definition exceeds the maximum length of 1048576 characters.' }]);
  });

  it('collects several shape errors at once', () => {
    const text = machine({ A: { Type: 'Pass', Foo: 1 }, B: { Type: 'Wait', Seconds: 'x', End: true } });
    expect(errorsOf(text)).toEqual([
      { code: SCHEMA, message: "Field 'Foo' is not supported", location: '/States/A' },
      { code: SCHEMA, message: 'This object should have only one of the following fields: [Next, End]', location: '/States/A' },
      { code: SCHEMA, message: 'Expected value of type Integer', location: '/States/B/Seconds' },
    ]);
  });
});

describe('validateDefinition: EXPRESS machines', () => {
  it.each([
    ['arn:aws:states:::states:startExecution.sync', "Express state machine does not support '.sync' service integration"],
    ['arn:aws:states:::sqs:sendMessage.waitForTaskToken', "Express state machine does not support '.waitForTaskToken' service integration"],
    ['arn:aws:states:us-east-1:123456789012:activity:a', 'Express state machine does not support Activity ARN'],
  ])('%s', (resource, message) => {
    const text = one({ Type: 'Task', Resource: resource });
    expect(errorsOf(text, 'STANDARD')).toEqual([]);
    expect(errorsOf(text, 'EXPRESS')).toEqual([{ code: SCHEMA, message, location: '/States/A/Resource' }]);
  });
});

describe('invalidDefinitionMessage', () => {
  it('joins ERROR diagnostics as CreateStateMachine does', () => {
    expect(invalidDefinitionMessage([
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: "Missing 'Next' target: pass3", location: '/States/pass1/Next' },
      { severity: 'WARNING', code: 'NO_DOLLAR', message: 'ignored', location: '/States/x' },
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: 'State "pass2" is not reachable.', location: '/States/pass2' },
    ])).toBe("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'");
  });

  it('prints a missing location as null', () => {
    expect(invalidDefinitionMessage([{ severity: 'ERROR', code: 'MISSING_END_STATE', message: 'Workflow has no terminal state' }]))
      .toBe("Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'");
  });
});
