// Choice state in JSONPath mode: every comparator, its Path form, the Is* tests, And/Or/Not,
// Default and States.NoChoiceMatched.
import { type Json, type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, marker } from '../case.js';

/** One rule leading to "Yes", Default "No": the output says which way the rule went. */
function rule(name: string, r: JsonObject, input: Json, matches: boolean): Case {
  return {
    name: `${name} → ${matches ? 'matches' : 'no match'}`,
    definition: {
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ ...r, Next: 'Yes' }], Default: 'No' }, Yes: marker('yes'), No: marker('no') },
    },
    input,
    expect: { status: 'SUCCEEDED', output: matches ? 'yes' : 'no' },
  };
}

// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html (Choice rules, comparison operators)
const comparators: Case[] = [
  rule('StringEquals', { Variable: '$.s', StringEquals: 'Private' }, { s: 'Private' }, true),
  rule('StringEquals is case sensitive', { Variable: '$.s', StringEquals: 'Private' }, { s: 'private' }, false),
  rule('StringEqualsPath', { Variable: '$.s', StringEqualsPath: '$.t' }, { s: 'x', t: 'x' }, true),
  rule('StringLessThan', { Variable: '$.s', StringLessThan: 'b' }, { s: 'a' }, true),
  rule('StringLessThan equal strings', { Variable: '$.s', StringLessThan: 'a' }, { s: 'a' }, false),
  rule('StringLessThanPath', { Variable: '$.s', StringLessThanPath: '$.t' }, { s: 'a', t: 'b' }, true),
  rule('StringGreaterThan', { Variable: '$.s', StringGreaterThan: 'a' }, { s: 'b' }, true),
  rule('StringGreaterThanPath', { Variable: '$.s', StringGreaterThanPath: '$.t' }, { s: 'a', t: 'b' }, false),
  rule('StringLessThanEquals', { Variable: '$.s', StringLessThanEquals: 'a' }, { s: 'a' }, true),
  rule('StringLessThanEqualsPath', { Variable: '$.s', StringLessThanEqualsPath: '$.t' }, { s: 'c', t: 'b' }, false),
  rule('StringGreaterThanEquals', { Variable: '$.s', StringGreaterThanEquals: 'b' }, { s: 'b' }, true),
  rule('StringGreaterThanEqualsPath', { Variable: '$.s', StringGreaterThanEqualsPath: '$.t' }, { s: 'c', t: 'b' }, true),
  rule('StringMatches with a wildcard', { Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-2024-01.txt' }, true),
  rule('StringMatches without the suffix', { Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-2024-01.csv' }, false),
  rule('StringMatches an escaped asterisk is literal', { Variable: '$.f', StringMatches: 'a\\*b' }, { f: 'a*b' }, true),
  rule('StringMatches an escaped asterisk is not a wildcard', { Variable: '$.f', StringMatches: 'a\\*b' }, { f: 'axxb' }, false),
  rule('NumericEquals', { Variable: '$.n', NumericEquals: 0 }, { n: 0 }, true),
  rule('NumericEquals integer and float', { Variable: '$.n', NumericEquals: 1 }, { n: 1.0 }, true),
  rule('NumericEqualsPath', { Variable: '$.n', NumericEqualsPath: '$.m' }, { n: 3, m: 4 }, false),
  rule('NumericLessThan', { Variable: '$.n', NumericLessThan: 30 }, { n: 29.5 }, true),
  rule('NumericLessThanPath', { Variable: '$.n', NumericLessThanPath: '$.m' }, { n: 30, m: 30 }, false),
  rule('NumericGreaterThan', { Variable: '$.n', NumericGreaterThan: 1 }, { n: 2 }, true),
  rule('NumericGreaterThanPath', { Variable: '$.n', NumericGreaterThanPath: '$.m' }, { n: 2, m: 1 }, true),
  rule('NumericLessThanEquals', { Variable: '$.n', NumericLessThanEquals: 5 }, { n: 5 }, true),
  rule('NumericLessThanEqualsPath', { Variable: '$.n', NumericLessThanEqualsPath: '$.m' }, { n: 6, m: 5 }, false),
  rule('NumericGreaterThanEquals', { Variable: '$.n', NumericGreaterThanEquals: 20 }, { n: 20 }, true),
  rule('NumericGreaterThanEqualsPath', { Variable: '$.n', NumericGreaterThanEqualsPath: '$.m' }, { n: -1, m: 0 }, false),
  rule('NumericEquals on a string value is false', { Variable: '$.n', NumericEquals: 1 }, { n: '1' }, false),
  rule('BooleanEquals', { Variable: '$.b', BooleanEquals: true }, { b: true }, true),
  rule('BooleanEquals false value', { Variable: '$.b', BooleanEquals: true }, { b: false }, false),
  rule('BooleanEqualsPath', { Variable: '$.b', BooleanEqualsPath: '$.c' }, { b: false, c: false }, true),
  rule('TimestampEquals', { Variable: '$.t', TimestampEquals: '2016-08-18T17:33:00Z' }, { t: '2016-08-18T17:33:00Z' }, true),
  rule('TimestampEqualsPath', { Variable: '$.t', TimestampEqualsPath: '$.u' }, { t: '2016-08-18T17:33:00Z', u: '2016-08-18T17:33:01Z' }, false),
  rule('TimestampLessThan', { Variable: '$.t', TimestampLessThan: '2016-08-18T17:33:00Z' }, { t: '2016-08-18T17:32:59Z' }, true),
  rule('TimestampLessThanPath', { Variable: '$.t', TimestampLessThanPath: '$.u' }, { t: '2017-01-01T00:00:00Z', u: '2016-01-01T00:00:00Z' }, false),
  rule('TimestampGreaterThan', { Variable: '$.t', TimestampGreaterThan: '2016-08-18T17:33:00Z' }, { t: '2016-08-19T00:00:00Z' }, true),
  rule('TimestampGreaterThanPath', { Variable: '$.t', TimestampGreaterThanPath: '$.u' }, { t: '2016-01-01T00:00:00Z', u: '2016-01-02T00:00:00Z' }, false),
  rule('TimestampLessThanEquals', { Variable: '$.t', TimestampLessThanEquals: '2016-08-18T17:33:00Z' }, { t: '2016-08-18T17:33:00Z' }, true),
  rule('TimestampLessThanEqualsPath', { Variable: '$.t', TimestampLessThanEqualsPath: '$.u' }, { t: '2016-08-18T17:33:00Z', u: '2016-08-18T17:33:00Z' }, true),
  rule('TimestampGreaterThanEquals', { Variable: '$.t', TimestampGreaterThanEquals: '2016-08-18T17:33:00Z' }, { t: '2016-08-18T17:32:00Z' }, false),
  rule('TimestampGreaterThanEqualsPath', { Variable: '$.t', TimestampGreaterThanEqualsPath: '$.u' }, { t: '2016-08-18T17:34:00Z', u: '2016-08-18T17:33:00Z' }, true),
  rule('TimestampEquals on a non-timestamp string is false', { Variable: '$.t', TimestampEquals: '2016-08-18T17:33:00Z' }, { t: 'yesterday' }, false),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html (IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp)
const typeTests: Case[] = [
  rule('IsNull true', { Variable: '$.v', IsNull: true }, { v: null }, true),
  rule('IsNull on a value', { Variable: '$.v', IsNull: true }, { v: 0 }, false),
  rule('IsNull false on a value', { Variable: '$.v', IsNull: false }, { v: 'x' }, true),
  rule('IsPresent on a missing field', { Variable: '$.missing', IsPresent: true }, { v: 1 }, false),
  rule('IsPresent false on a missing field', { Variable: '$.missing', IsPresent: false }, { v: 1 }, true),
  rule('IsPresent on a null field', { Variable: '$.v', IsPresent: true }, { v: null }, true),
  rule('IsNumeric on a number', { Variable: '$.v', IsNumeric: true }, { v: 1.5 }, true),
  rule('IsNumeric on a numeric string', { Variable: '$.v', IsNumeric: true }, { v: '1' }, false),
  rule('IsString on a string', { Variable: '$.v', IsString: true }, { v: '' }, true),
  rule('IsString false on a number', { Variable: '$.v', IsString: false }, { v: 3 }, true),
  rule('IsBoolean on a boolean', { Variable: '$.v', IsBoolean: true }, { v: false }, true),
  rule('IsBoolean on a string', { Variable: '$.v', IsBoolean: true }, { v: 'true' }, false),
  rule('IsTimestamp on a timestamp', { Variable: '$.v', IsTimestamp: true }, { v: '2016-08-18T17:33:00Z' }, true),
  rule('IsTimestamp on a plain string', { Variable: '$.v', IsTimestamp: true }, { v: '2016-08-18' }, false),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html (the "Choice state example")
const example: JsonObject = {
  StartAt: 'ChoiceStateX',
  States: {
    ChoiceStateX: {
      Type: 'Choice',
      Choices: [
        { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
        { Variable: '$.value', NumericEquals: 0, Next: 'ValueIsZero' },
        {
          And: [
            { Variable: '$.value', NumericGreaterThanEquals: 20 },
            { Variable: '$.value', NumericLessThan: 30 },
          ],
          Next: 'ValueInTwenties',
        },
      ],
      Default: 'DefaultState',
    },
    Public: marker('Public'),
    ValueIsZero: marker('ValueIsZero'),
    ValueInTwenties: marker('ValueInTwenties'),
    DefaultState: marker('DefaultState'),
  },
};

const logic: Case[] = [
  { name: 'doc example: Not', definition: example, input: { type: 'Public' }, expect: { status: 'SUCCEEDED', output: 'Public' } },
  {
    name: 'doc example: NumericEquals 0',
    definition: example,
    input: { type: 'Private', value: 0 },
    expect: { status: 'SUCCEEDED', output: 'ValueIsZero' },
  },
  {
    name: 'doc example: And range',
    definition: example,
    input: { type: 'Private', value: 22 },
    expect: { status: 'SUCCEEDED', output: 'ValueInTwenties' },
  },
  {
    name: 'doc example: Default',
    definition: example,
    input: { type: 'Private', value: 35 },
    expect: {
      status: 'SUCCEEDED',
      output: 'DefaultState',
      eventTypes: ['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  rule('Or: any true', { Or: [{ Variable: '$.a', NumericEquals: 1 }, { Variable: '$.b', NumericEquals: 2 }] }, { a: 0, b: 2 }, true),
  rule('Or: none true', { Or: [{ Variable: '$.a', NumericEquals: 1 }, { Variable: '$.b', NumericEquals: 2 }] }, { a: 0, b: 0 }, false),
  rule(
    'nested And inside Or inside Not',
    { Not: { Or: [{ And: [{ Variable: '$.a', IsPresent: true }, { Variable: '$.a', StringEquals: 'x' }] }, { Variable: '$.b', BooleanEquals: true }] } },
    { a: 'y', b: false },
    true,
  ),
  {
    name: 'the first matching rule wins',
    definition: {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.n', NumericGreaterThan: 1, Next: 'First' },
            { Variable: '$.n', NumericGreaterThan: 0, Next: 'Second' },
          ],
        },
        First: marker('First'),
        Second: marker('Second'),
      },
    },
    input: { n: 5 },
    expect: { status: 'SUCCEEDED', output: 'First' },
  },
  {
    name: 'Choice passes its input through, with InputPath and OutputPath',
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', InputPath: '$.in', OutputPath: '$.out', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'P' }] },
        P: { Type: 'Pass', End: true },
      },
    },
    input: { in: { go: true, out: { kept: 1 } }, other: 2 },
    expect: { status: 'SUCCEEDED', output: { kept: 1 } },
  },
  {
    name: 'a rule on the context object',
    definition: {
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: '$$.Execution.Name', StringEquals: 'exec-1', Next: 'Y' }], Default: 'N' }, Y: marker('yes'), N: marker('no') },
    },
    input: {},
    expect: { status: 'SUCCEEDED', output: 'yes' },
  },
  {
    name: 'no rule matches and no Default: States.NoChoiceMatched',
    definition: {
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'Y' }] }, Y: marker('yes') },
    },
    input: { n: 2 },
    expect: { status: 'FAILED', error: 'States.NoChoiceMatched' },
  },
  {
    name: 'a rule on a missing Variable fails with States.Runtime',
    definition: {
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: '$.missing', StringEquals: 'x', Next: 'Y' }], Default: 'Y' }, Y: marker('yes') },
    },
    input: { n: 2 },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'a Choice loop runs until its condition changes',
    definition: {
      StartAt: 'Inc',
      States: {
        Inc: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 5, Next: 'Inc' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    },
    input: { n: 0 },
    expect: { status: 'SUCCEEDED', output: { n: 5 } },
  },
];

export const choiceCases: Case[] = [...comparators, ...typeTests, ...logic];
