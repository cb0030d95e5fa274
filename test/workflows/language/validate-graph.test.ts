import { describe, expect, it } from 'vitest';
import { invalidDefinitionMessage, validateDefinition, validateStateDefinition } from '../../../workflows/language/validate.js';
import { COMPARATORS } from '../../../workflows/language/validate-fields.js';
import { errors, errorsOf, LAMBDA, machine, one } from './validate-helpers.js';

const SCHEMA = 'SCHEMA_VALIDATION_FAILED';
const MTT = 'MISSING_TRANSITION_TARGET';
type Case = [string, string, { code: string; message: string; location?: string }[]];

describe('transitions, reachability, terminal states, names', () => {
  const cases: Case[] = [
    ['dangling Next and an unreachable state (AWS example)', machine({ pass1: { Type: 'Pass', Next: 'pass3' }, pass2: { Type: 'Pass', End: true } }), [
      { code: MTT, message: "Missing 'Next' target: pass3", location: '/States/pass1/Next' },
      { code: MTT, message: 'State "pass2" is not reachable.', location: '/States/pass2' },
    ]],
    ['dangling StartAt: only states nothing names are unreachable', JSON.stringify({ StartAt: 'Not sure', States: { 'Pass One': { Type: 'Pass', Next: 'Success' }, Success: { Type: 'Succeed' } } }), [
      { code: MTT, message: "Missing 'Next' target: Not sure", location: '/StartAt' },
      { code: MTT, message: 'State "Pass One" is not reachable.', location: '/States/Pass One' },
    ]],
    ['a loop with no terminal state', machine({ A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } }), [
      { code: 'MISSING_END_STATE', message: 'Workflow has no terminal state' },
    ]],
    ['a loop beside an unreachable terminal', machine({ A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' }, C: { Type: 'Pass', End: true } }), [
      { code: MTT, message: 'State "C" is not reachable.', location: '/States/C' },
    ]],
    ['Choice targets and Default', machine({ C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsNull: true, Next: 'X' }], Default: 'Y' }, S: { Type: 'Succeed' } }), [
      { code: MTT, message: "Missing 'Next' target: X", location: '/States/C/Choices/0/Next' },
      { code: MTT, message: "Missing 'Next' target: Y", location: '/States/C/Default' },
      { code: MTT, message: 'State "S" is not reachable.', location: '/States/S' },
    ]],
    ['Catch target', one({ Type: 'Task', Resource: LAMBDA, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gone' }] }), [
      { code: MTT, message: "Missing 'Next' target: Gone", location: '/States/A/Catch/0/Next' },
    ]],
    ['a branch may not jump out of itself', machine({
      P: { Type: 'Parallel', Branches: [{ StartAt: 'B1', States: { B1: { Type: 'Pass', Next: 'Done' } } }], Next: 'Done' },
      Done: { Type: 'Succeed' },
    }), [
      { code: MTT, message: "Missing 'Next' target: Done", location: '/States/P/Branches/0/States/B1/Next' },
      { code: 'MISSING_END_STATE', message: 'Workflow has no terminal state', location: '/States/P/Branches/0' },
    ]],
    ['unreachable state inside a Map processor', one({ Type: 'Map', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Succeed' }, J: { Type: 'Succeed' } } } }), [
      { code: MTT, message: 'State "J" is not reachable.', location: '/States/A/ItemProcessor/States/J' },
    ]],
    ['state names are unique across branches', machine({
      Map: { Type: 'Map', Iterator: { StartAt: 'Final State', States: { 'Final State': { Type: 'Wait', Seconds: 1, End: true } } }, Next: 'Final State' },
      'Final State': { Type: 'Pass', End: true },
    }), [
      { code: 'DUPLICATE_STATE_NAME', message: 'Duplicate State name: Final State', location: '/States/Map/Iterator/States/Final State' },
    ]],
    ['graph checks wait for a well-shaped definition', machine({ A: { Type: 'Pass', Next: 'Z', Bogus: 1 } }), [
      { code: SCHEMA, message: "Field 'Bogus' is not supported", location: '/States/A' },
    ]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });

  it('words the AWS example exactly as CreateStateMachine does', () => {
    const v = validateDefinition(machine({ pass1: { Type: 'Pass', Next: 'pass3' }, pass2: { Type: 'Pass', End: true } }));
    expect(invalidDefinitionMessage(v.diagnostics)).toBe(
      "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'",
    );
  });
});

describe('Retry and Catch', () => {
  const task = (extra: Record<string, unknown>): string => one({ Type: 'Task', Resource: LAMBDA, ...extra });
  const cases: Case[] = [
    ['empty ErrorEquals', task({ Retry: [{ ErrorEquals: [] }] }), [{ code: SCHEMA, message: 'Value cannot be empty', location: '/States/A/Retry/0/ErrorEquals' }]],
    ['no ErrorEquals', task({ Retry: [{ MaxAttempts: 1 }] }), [{ code: SCHEMA, message: 'These fields are required: [ErrorEquals]', location: '/States/A/Retry/0' }]],
    ['States.ALL with others', task({ Retry: [{ ErrorEquals: ['States.ALL', 'X'] }] }), [{ code: SCHEMA, message: 'States.ALL must appear alone and at end of list', location: '/States/A/Retry/0/ErrorEquals' }]],
    ['States.ALL not last', task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] }), [{ code: SCHEMA, message: 'States.ALL must appear alone and at end of list', location: '/States/A/Retry/0/ErrorEquals' }]],
    ['BackoffRate below 1', task({ Retry: [{ ErrorEquals: ['X'], BackoffRate: 0.5 }] }), [{ code: SCHEMA, message: 'Minimum value is 1.0', location: '/States/A/Retry/0/BackoffRate' }]],
    ['MaxAttempts negative', task({ Retry: [{ ErrorEquals: ['X'], MaxAttempts: -1 }] }), [{ code: SCHEMA, message: 'Minimum value is 0', location: '/States/A/Retry/0/MaxAttempts' }]],
    ['IntervalSeconds fractional', task({ Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 1.5 }] }), [{ code: SCHEMA, message: 'Expected value of type Integer', location: '/States/A/Retry/0/IntervalSeconds' }]],
    ['MaxDelaySeconds too large', task({ Retry: [{ ErrorEquals: ['X'], MaxDelaySeconds: 31622401 }] }), [{ code: SCHEMA, message: 'Maximum value is 31622400', location: '/States/A/Retry/0/MaxDelaySeconds' }]],
    ['bad JitterStrategy', task({ Retry: [{ ErrorEquals: ['X'], JitterStrategy: 'HALF' }] }), [{ code: SCHEMA, message: 'Value should be one of the following: [FULL, NONE]', location: '/States/A/Retry/0/JitterStrategy' }]],
    ['unknown retrier field', task({ Retry: [{ ErrorEquals: ['X'], Delay: 1 }] }), [{ code: SCHEMA, message: "Field 'Delay' is not supported", location: '/States/A/Retry/0' }]],
    ['catcher without Next', task({ Catch: [{ ErrorEquals: ['X'] }] }), [{ code: SCHEMA, message: 'These fields are required: [Next]', location: '/States/A/Catch/0' }]],
    ['catcher ResultPath not a reference path', task({ Catch: [{ ErrorEquals: ['X'], Next: 'A', ResultPath: '$..e' }] }), [{ code: SCHEMA, message: 'Value is not a Reference Path', location: '/States/A/Catch/0/ResultPath' }]],
    ['catcher Output under JSONPath', task({ Catch: [{ ErrorEquals: ['X'], Next: 'A', Output: {} }] }), [{ code: SCHEMA, message: "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage", location: '/States/A/Catch/0' }]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });
});

describe('Choice rules', () => {
  const choice = (rules: unknown[], extra: Record<string, unknown> = {}): string => machine({ C: { Type: 'Choice', Choices: rules, Default: 'S' }, S: { Type: 'Succeed' } }, extra);
  const cases: Case[] = [
    ['empty Choices', choice([]), [{ code: SCHEMA, message: 'Value cannot be empty', location: '/States/C/Choices' }]],
    ['rule without Next', choice([{ Variable: '$.a', IsNull: true }]), [{ code: SCHEMA, message: 'These fields are required: [Next]', location: '/States/C/Choices/0' }]],
    ['Next inside And', choice([{ And: [{ Variable: '$.a', IsNull: true, Next: 'S' }], Next: 'S' }]), [{ code: SCHEMA, message: "Field 'Next' is not supported", location: '/States/C/Choices/0/And/0' }]],
    ['two comparators', choice([{ Variable: '$.a', IsNull: true, IsString: true, Next: 'S' }]), [{ code: SCHEMA, message: `There should only be one of the following fields: [${Object.keys(COMPARATORS).join(', ')}]`, location: '/States/C/Choices/0' }]],
    ['neither Variable nor combinator', choice([{ Next: 'S' }]), [{ code: SCHEMA, message: 'The object must have only one of the following fields, [And, Or, Not, Variable, Condition]', location: '/States/C/Choices/0' }]],
    ['Variable not a path', choice([{ Variable: 'a', IsNull: true, Next: 'S' }]), [{ code: SCHEMA, message: "Value is not a Reference Path: Reference path didn't start with '$'", location: '/States/C/Choices/0/Variable' }]],
    ['operand of the wrong type', choice([{ Variable: '$.a', NumericEquals: '1', Next: 'S' }]), [{ code: SCHEMA, message: 'Expected value of type Number', location: '/States/C/Choices/0/NumericEquals' }]],
    ['Condition under JSONPath', choice([{ Condition: '{% true %}', Next: 'S' }]), [{ code: SCHEMA, message: "The QueryLanguage is set to 'JSONPath', but field 'Condition' is only supported for the 'JSONata' QueryLanguage", location: '/States/C/Choices/0' }]],
    ['Variable under JSONata', choice([{ Variable: '$.a', IsNull: true, Next: 'S' }], { QueryLanguage: 'JSONata' }), [
      { code: SCHEMA, message: "The QueryLanguage is set to 'JSONata', but field 'Variable' is only supported for the 'JSONPath' QueryLanguage", location: '/States/C/Choices/0' },
      { code: SCHEMA, message: "The QueryLanguage is set to 'JSONata', but field 'IsNull' is only supported for the 'JSONPath' QueryLanguage", location: '/States/C/Choices/0' },
      { code: SCHEMA, message: 'These fields are required: [Condition]', location: '/States/C/Choices/0' },
    ]],
    ['Choice with Next', machine({ C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsNull: true, Next: 'S' }], Next: 'S' }, S: { Type: 'Succeed' } }), [{ code: SCHEMA, message: "Field 'Next' is not supported", location: '/States/C' }]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });
});

describe('Map and Parallel', () => {
  const proc = { StartAt: 'I', States: { I: { Type: 'Succeed' } } };
  const cases: Case[] = [
    ['no processor', one({ Type: 'Map' }), [{ code: SCHEMA, message: 'This object should have only one of the following fields: [ItemProcessor, Iterator]', location: '/States/A' }]],
    ['both processors', one({ Type: 'Map', ItemProcessor: proc, Iterator: proc }), [{ code: SCHEMA, message: 'There should only be one of the following fields: [ItemProcessor, Iterator]', location: '/States/A' }]],
    ['QueryLanguage on the processor', one({ Type: 'Map', ItemProcessor: { ...proc, QueryLanguage: 'JSONata' } }), [{ code: SCHEMA, message: "Field 'QueryLanguage' is not supported", location: '/States/A/ItemProcessor' }]],
    ['DISTRIBUTED without ExecutionType', one({ Type: 'Map', ItemProcessor: { ...proc, ProcessorConfig: { Mode: 'DISTRIBUTED' } } }), [{ code: SCHEMA, message: 'These fields are required: [ExecutionType]', location: '/States/A/ItemProcessor/ProcessorConfig' }]],
    ['bad Mode', one({ Type: 'Map', ItemProcessor: { ...proc, ProcessorConfig: { Mode: 'FAST' } } }), [{ code: SCHEMA, message: 'Value should be one of the following: [INLINE, DISTRIBUTED]', location: '/States/A/ItemProcessor/ProcessorConfig/Mode' }]],
    ['negative MaxConcurrency', one({ Type: 'Map', MaxConcurrency: -1, ItemProcessor: proc }), [{ code: SCHEMA, message: 'Minimum value is 0', location: '/States/A/MaxConcurrency' }]],
    ['ToleratedFailurePercentage over 100', one({ Type: 'Map', ToleratedFailurePercentage: 101, ItemProcessor: proc }), [{ code: SCHEMA, message: 'Maximum value is 100.0', location: '/States/A/ToleratedFailurePercentage' }]],
    ['nested states inherit the machine language, not the Map one', one({ Type: 'Map', QueryLanguage: 'JSONata', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: 1, End: true } } } }), [
      { code: SCHEMA, message: "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage", location: '/States/A/ItemProcessor/States/P' },
    ]],
    ['empty Branches', one({ Type: 'Parallel', Branches: [] }), [{ code: SCHEMA, message: 'Value cannot be empty', location: '/States/A/Branches' }]],
    ['branch without StartAt', one({ Type: 'Parallel', Branches: [{ States: {} }] }), [{ code: SCHEMA, message: 'These fields are required: [StartAt]', location: '/States/A/Branches/0' }]],
    ['Arguments on Map', one({ Type: 'Map', Arguments: {}, ItemProcessor: proc }, { QueryLanguage: 'JSONata' }), [{ code: SCHEMA, message: "Field 'Arguments' is not supported", location: '/States/A' }]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });

  it('refuses Map nesting beyond the limit as TOO_DEEPLY_NESTED', () => {
    let inner: Record<string, unknown> = { StartAt: 'L', States: { L: { Type: 'Succeed' } } };
    for (let i = 0; i < 50; i++) inner = { StartAt: `M${i}`, States: { [`M${i}`]: { Type: 'Map', ItemProcessor: inner, End: true } } };
    const codes = errorsOf(JSON.stringify(inner)).map((e) => e.code);
    expect(codes).toEqual(['TOO_DEEPLY_NESTED']);
  });
});

describe('warnings', () => {
  it('flags a path-looking value without .$ and a static Pass Result, and stays ok', () => {
    const v = validateDefinition(one({ Type: 'Pass', Parameters: { a: '$.x' }, Result: { 'b.$': '$.y' } }));
    expect(v.ok).toBe(true);
    expect(v.diagnostics.map((d) => [d.severity, d.code, d.location])).toEqual([
      ['WARNING', 'NO_DOLLAR', '/States/A/Parameters/a'],
      ['WARNING', 'PASS_RESULT_IS_STATIC', '/States/A/Result'],
    ]);
  });
});

describe('validateStateDefinition (TestState)', () => {
  it('accepts a state whose Next names no state', () => {
    const v = validateStateDefinition(JSON.stringify({ Type: 'Pass', Next: 'Elsewhere' }));
    expect(v).toEqual({ ok: true, state: { Type: 'Pass', Next: 'Elsewhere' } });
  });

  it('still checks the state shape', () => {
    const v = validateStateDefinition(JSON.stringify({ Type: 'Task', Resource: 'nope', End: true }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(errors(v.diagnostics)).toEqual([{ code: SCHEMA, message: 'Value is not a valid resource ARN', location: '/Resource' }]);
  });

  it('checks the graph of nested branches', () => {
    const v = validateStateDefinition(JSON.stringify({ Type: 'Parallel', End: true, Branches: [{ StartAt: 'X', States: { Y: { Type: 'Succeed' } } }] }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(errors(v.diagnostics).map((e) => e.location)).toEqual(['/Branches/0/StartAt', '/Branches/0/States/Y']);
  });

  it('reads JSONata from the state itself', () => {
    expect(validateStateDefinition(JSON.stringify({ Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% 1 %}', End: true })).ok).toBe(true);
  });

  it('reports bad JSON', () => {
    const v = validateStateDefinition('{');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.diagnostics[0]?.code).toBe('INVALID_JSON_DESCRIPTION');
  });
});
