import { describe, expect, it } from 'vitest';
import { evaluateChoiceRule, stringMatches } from '../../../workflows/language/choice.js';
import { compareTimestamps, parseTimestamp } from '../../../workflows/language/timestamp.js';
import type { ChoiceRule } from '../../../workflows/language/definition.js';
import type { Json } from '../../../workflows/language/json.js';
import type { PathEnv } from '../../../workflows/language/payload.js';
import { StatesError } from '../../../workflows/language/errors.js';

const env: PathEnv = { context: { Execution: { Name: 'run-7' } }, variables: { limit: 10, mode: 'fast' }, random: () => 0 };

const input: Json = {
  s: 'banana',
  s2: 'cherry',
  empty: '',
  n: 5,
  n2: 5.0,
  big: 10,
  f: 1.5,
  t: true,
  nul: null,
  ts: '2016-03-14T01:59:00Z',
  tsOffset: '2016-03-14T03:59:00+02:00',
  tsFrac: '2016-03-14T01:59:00.000000001Z',
  later: '2016-03-14T02:00:00Z',
  notTs: '2016-03-14',
  numStr: '5',
  arr: [1, 2],
  obj: { k: 'v' },
  star: 'log*file',
  file: 'log-2024.txt',
};

function rule(extra: Record<string, Json>): ChoiceRule {
  return { Next: 'X', ...extra } as ChoiceRule;
}

function check(r: Record<string, Json>): boolean {
  return evaluateChoiceRule(rule(r), input, env);
}

describe('comparators', () => {
  const cases: [Record<string, Json>, boolean][] = [
    [{ Variable: '$.s', StringEquals: 'banana' }, true],
    [{ Variable: '$.s', StringEquals: 'Banana' }, false],
    [{ Variable: '$.n', StringEquals: '5' }, false],
    [{ Variable: '$.numStr', NumericEquals: 5 }, false],
    [{ Variable: '$.s', StringLessThan: 'cherry' }, true],
    [{ Variable: '$.s', StringLessThan: 'banana' }, false],
    [{ Variable: '$.s', StringGreaterThan: 'apple' }, true],
    [{ Variable: '$.s', StringGreaterThan: 'banana' }, false],
    [{ Variable: '$.s', StringLessThanEquals: 'banana' }, true],
    [{ Variable: '$.s', StringGreaterThanEquals: 'banana' }, true],
    [{ Variable: '$.s', StringGreaterThanEquals: 'c' }, false],
    [{ Variable: '$.empty', StringLessThan: 'a' }, true],
    [{ Variable: '$.s', StringMatches: 'ban*' }, true],
    [{ Variable: '$.s', StringMatches: '*ana' }, true],
    [{ Variable: '$.s', StringMatches: 'b*n*a' }, true],
    [{ Variable: '$.s', StringMatches: '*' }, true],
    [{ Variable: '$.s', StringMatches: 'ban' }, false],
    [{ Variable: '$.s', StringMatches: 'b.nana' }, false],
    [{ Variable: '$.file', StringMatches: 'log-*.txt' }, true],
    [{ Variable: '$.file', StringMatches: 'log\\*file' }, false],
    [{ Variable: '$.star', StringMatches: 'log\\*file' }, true],
    [{ Variable: '$.star', StringMatches: 'log\\**' }, true],
    [{ Variable: '$.n', StringMatches: '*' }, false],
    [{ Variable: '$.n', NumericEquals: 5 }, true],
    [{ Variable: '$.n2', NumericEquals: 5 }, true],
    [{ Variable: '$.n', NumericEquals: 6 }, false],
    [{ Variable: '$.f', NumericLessThan: 2 }, true],
    [{ Variable: '$.f', NumericLessThan: 1.5 }, false],
    [{ Variable: '$.f', NumericGreaterThan: 1 }, true],
    [{ Variable: '$.f', NumericGreaterThan: 1.5 }, false],
    [{ Variable: '$.f', NumericLessThanEquals: 1.5 }, true],
    [{ Variable: '$.f', NumericGreaterThanEquals: 1.5 }, true],
    [{ Variable: '$.f', NumericGreaterThanEquals: 1.6 }, false],
    [{ Variable: '$.s', NumericGreaterThan: 1 }, false],
    [{ Variable: '$.nul', NumericEquals: 0 }, false],
    [{ Variable: '$.t', BooleanEquals: true }, true],
    [{ Variable: '$.t', BooleanEquals: false }, false],
    [{ Variable: '$.s', BooleanEquals: true }, false],
    [{ Variable: '$.ts', TimestampEquals: '2016-03-14T01:59:00Z' }, true],
    [{ Variable: '$.ts', TimestampEquals: '2016-03-14T03:59:00+02:00' }, true],
    [{ Variable: '$.ts', TimestampEquals: '2016-03-14T01:59:00.000Z' }, true],
    [{ Variable: '$.tsFrac', TimestampGreaterThan: '2016-03-14T01:59:00Z' }, true],
    [{ Variable: '$.ts', TimestampLessThan: '2016-03-14T02:00:00Z' }, true],
    [{ Variable: '$.ts', TimestampLessThan: '2016-03-14T01:59:00Z' }, false],
    [{ Variable: '$.ts', TimestampGreaterThan: '2016-03-14T01:58:59Z' }, true],
    [{ Variable: '$.ts', TimestampLessThanEquals: '2016-03-14T01:59:00Z' }, true],
    [{ Variable: '$.ts', TimestampGreaterThanEquals: '2016-03-14T02:59:00+01:00' }, true],
    [{ Variable: '$.ts', TimestampGreaterThanEquals: '2016-03-14T02:59:01+01:00' }, false],
    [{ Variable: '$.notTs', TimestampEquals: '2016-03-14T00:00:00Z' }, false],
    [{ Variable: '$.n', TimestampEquals: '2016-03-14T00:00:00Z' }, false],
    [{ Variable: '$.ts', TimestampEquals: 'garbage' }, false],
    // ...Path forms compare against another value in the input, context or variables.
    [{ Variable: '$.s', StringEqualsPath: '$.s' }, true],
    [{ Variable: '$.s', StringLessThanPath: '$.s2' }, true],
    [{ Variable: '$.s', StringGreaterThanPath: '$.s2' }, false],
    [{ Variable: '$.s', StringLessThanEqualsPath: '$.s' }, true],
    [{ Variable: '$.s2', StringGreaterThanEqualsPath: '$.s' }, true],
    [{ Variable: '$.file', StringMatchesPath: '$.star' }, false],
    [{ Variable: '$.n', NumericEqualsPath: '$.n2' }, true],
    [{ Variable: '$.n', NumericLessThanPath: '$limit' }, true],
    [{ Variable: '$.big', NumericGreaterThanPath: '$.n' }, true],
    [{ Variable: '$.big', NumericLessThanEqualsPath: '$limit' }, true],
    [{ Variable: '$.n', NumericGreaterThanEqualsPath: '$.big' }, false],
    [{ Variable: '$.n', NumericEqualsPath: '$.numStr' }, false],
    [{ Variable: '$.t', BooleanEqualsPath: '$.t' }, true],
    [{ Variable: '$.t', BooleanEqualsPath: '$.nul' }, false],
    [{ Variable: '$.ts', TimestampEqualsPath: '$.tsOffset' }, true],
    [{ Variable: '$.ts', TimestampLessThanPath: '$.later' }, true],
    [{ Variable: '$.ts', TimestampGreaterThanPath: '$.later' }, false],
    [{ Variable: '$.ts', TimestampLessThanEqualsPath: '$.tsOffset' }, true],
    [{ Variable: '$.later', TimestampGreaterThanEqualsPath: '$.ts' }, true],
    [{ Variable: '$.ts', TimestampEqualsPath: '$.notTs' }, false],
    // Type tests.
    [{ Variable: '$.nul', IsNull: true }, true],
    [{ Variable: '$.n', IsNull: true }, false],
    [{ Variable: '$.n', IsNull: false }, true],
    [{ Variable: '$.n', IsPresent: true }, true],
    [{ Variable: '$.nul', IsPresent: true }, true],
    [{ Variable: '$.missing', IsPresent: true }, false],
    [{ Variable: '$.missing', IsPresent: false }, true],
    [{ Variable: '$.obj.none.deeper', IsPresent: false }, true],
    [{ Variable: '$nope', IsPresent: false }, true],
    [{ Variable: '$.n', IsNumeric: true }, true],
    [{ Variable: '$.numStr', IsNumeric: true }, false],
    [{ Variable: '$.numStr', IsNumeric: false }, true],
    [{ Variable: '$.s', IsString: true }, true],
    [{ Variable: '$.arr', IsString: true }, false],
    [{ Variable: '$.t', IsBoolean: true }, true],
    [{ Variable: '$.s', IsBoolean: true }, false],
    [{ Variable: '$.ts', IsTimestamp: true }, true],
    [{ Variable: '$.tsFrac', IsTimestamp: true }, true],
    [{ Variable: '$.notTs', IsTimestamp: true }, false],
    [{ Variable: '$.notTs', IsTimestamp: false }, true],
    [{ Variable: '$.n', IsTimestamp: true }, false],
    // Variables and context as the Variable.
    [{ Variable: '$mode', StringEquals: 'fast' }, true],
    [{ Variable: '$$.Execution.Name', StringMatches: 'run-*' }, true],
    [{ Variable: '$.arr[1]', NumericEquals: 2 }, true],
    [{ Variable: '$.obj.k', StringEquals: 'v' }, true],
  ];
  it.each(cases)('%j → %s', (r, expected) => {
    expect(check(r)).toBe(expected);
  });
});

describe('And / Or / Not', () => {
  const yes = { Variable: '$.n', NumericEquals: 5 };
  const no = { Variable: '$.n', NumericEquals: 6 };
  it.each([
    [{ And: [yes, yes] }, true],
    [{ And: [yes, no] }, false],
    [{ Or: [no, yes] }, true],
    [{ Or: [no, no] }, false],
    [{ Not: yes }, false],
    [{ Not: no }, true],
    [{ Not: { And: [yes, { Or: [no, { Not: no }] }] } }, false],
    [{ And: [{ Variable: '$.missing', IsPresent: true }, { Variable: '$.missing', StringEquals: 'x' }] }, false],
    [{ Or: [yes, { Variable: '$.missing', StringEquals: 'x' }] }, true],
  ] as [Record<string, Json>, boolean][])('%j → %s', (r, expected) => {
    expect(check(r)).toBe(expected);
  });
});

describe('errors', () => {
  function err(r: Record<string, Json>): StatesError {
    try {
      check(r);
    } catch (e) {
      if (e instanceof StatesError) return e;
      throw e;
    }
    throw new Error('no error');
  }
  it.each([
    [{ Variable: '$.missing', StringEquals: 'x' }, "Invalid path '$.missing': The choice state's condition path references an invalid value."],
    [{ Variable: '$.missing', IsNull: true }, "Invalid path '$.missing'"],
    [{ Variable: '$.obj.a.b', IsString: false }, "Invalid path '$.obj.a.b'"],
    [{ Variable: '$undefinedVariable', NumericEquals: 1 }, "Invalid path '$undefinedVariable'"],
    [{ Variable: '$.n', NumericEqualsPath: '$.nothere' }, "Invalid path '$.nothere'"],
    [{ Variable: '$.n' }, 'has no comparison operator'],
    [{ StringEquals: 'x' }, 'needs a Variable'],
    [{ And: 'nope' }, 'And must hold an array'],
    [{ Not: 5 }, 'Not must hold a choice rule'],
  ] as [Record<string, Json>, string][])('%j', (r, message) => {
    const e = err(r);
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toContain(message);
  });

  it('short-circuits: a later missing path is not reached', () => {
    expect(check({ And: [{ Variable: '$.n', NumericEquals: 0 }, { Variable: '$.missing', StringEquals: 'x' }] })).toBe(false);
  });
});

describe('stringMatches', () => {
  it.each([
    ['', '*', true],
    ['', '', true],
    ['abc', 'a*c', true],
    ['a*c', 'a\\*c', true],
    ['abc', 'a\\*c', false],
    ['a\\c', 'a\\\\c', true],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['(x)', '(*)', true],
    ['line1\nline2', 'line1*', true],
  ])('%j matches %j: %s', (value, pattern, expected) => {
    expect(stringMatches(value, pattern)).toBe(expected);
  });
});

describe('timestamps', () => {
  it.each([
    '2016-03-14T01:59:00Z',
    '2016-03-14T01:59:00.5Z',
    '2016-03-14T01:59:00.123456789+05:30',
    '2016-03-14t01:59:00z',
    '2024-02-29T00:00:00Z',
    '0001-01-01T00:00:00Z',
  ])('accepts %s', (t) => {
    expect(parseTimestamp(t)).toBeDefined();
  });
  it.each([
    '2016-03-14',
    '2016-03-14T01:59:00',
    '2016-03-14 01:59:00Z',
    '2016-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2016-03-14T24:00:00Z',
    '2016-03-14T01:60:00Z',
    '2016-03-14T01:59:00.1234567891Z',
    '2016-03-14T01:59:00+0200',
    'now',
  ])('rejects %s', (t) => {
    expect(parseTimestamp(t)).toBeUndefined();
  });
  it('orders instants across offsets and fractions', () => {
    const p = (s: string) => parseTimestamp(s)!;
    expect(compareTimestamps(p('2016-03-14T01:59:00Z'), p('2016-03-14T02:59:00+01:00'))).toBe(0);
    expect(compareTimestamps(p('2016-03-14T01:59:00.1Z'), p('2016-03-14T01:59:00.099999999Z'))).toBe(1);
    expect(compareTimestamps(p('0001-01-01T00:00:00Z'), p('1970-01-01T00:00:00Z'))).toBe(-1);
  });
});
