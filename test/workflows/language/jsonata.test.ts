import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  evalJsonata,
  isJsonataExpression,
  jsonataBody,
  resolveJsonataTemplate,
  type JsonataBindings,
} from '../../../workflows/language/jsonata.js';
import type { Json } from '../../../workflows/language/json.js';
import { StatesError } from '../../../workflows/language/errors.js';

function bindings(extra: Partial<JsonataBindings> = {}): JsonataBindings {
  return {
    input: { title: 'Doctor', n: 4, items: [{ p: 2 }, { p: 3 }], json: '{"a":[1,2]}', nothing: null },
    context: { Execution: { Name: 'run-1' }, State: { Name: 'S', RetryCount: 0 } },
    variables: { customerName: 'María', limit: 10, list: [1, 2, 3] },
    random: () => 0.25,
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<StatesError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('isJsonataExpression', () => {
  it.each([
    ['{% $x %}', true],
    ['{%$x%}', true],
    ['{%%}', true],
    [' {% $x %}', false],
    ['{% $x %} ', false],
    ['{% $x', false],
    ['$x %}', false],
    ['{%}', false],
    [5, false],
    [null, false],
  ] as [unknown, boolean][])('%j → %s', (v, expected) => {
    expect(isJsonataExpression(v)).toBe(expected);
  });
  it('jsonataBody strips the delimiters and surrounding space', () => {
    expect(jsonataBody('{%  $states.input  %}')).toBe('$states.input');
  });
});

describe('evalJsonata', () => {
  const cases: [string, Json][] = [
    ['$states.input.title', 'Doctor'],
    ['$states.input.n * 2', 8],
    ['$states.input.items.p', [2, 3]],
    ['$sum($states.input.items.p)', 5],
    ['$states.input.items[p > 2]', { p: 3 }],
    ['$states.context.Execution.Name', 'run-1'],
    ['$customerName', 'María'],
    ['$limit > $states.input.n', true],
    ["'Hello ' & $customerName", 'Hello María'],
    ['$states.input.nothing', null],
    ['{"a": 1, "b": $states.input.missing}', { a: 1 }],
    ['[1, $states.input.missing, 2]', [1, 2]],
    ['($x := 3; $x * $x)', 9],
    ['$map($list, function($v) { $v * 10 })', [10, 20, 30]],
    ['$partition([1,2,3,4,5,6,7,8,9], 3)', [[1, 2, 3], [4, 5, 6], [7, 8, 9]]],
    ['$partition([1,2,3,4,5], 2)', [[1, 2], [3, 4], [5]]],
    ['$partition([], 2)', []],
    ['$range(0, 10, 2)', [0, 2, 4, 6, 8, 10]],
    ['$range(1, 9, 2)', [1, 3, 5, 7, 9]],
    ['$range(9, 1, -2)', [9, 7, 5, 3, 1]],
    ['$range(1, 8, 2)', [1, 3, 5, 7]],
    ['$range(-1.2, 2.8, 1.9)', [-1, 0, 1, 2]],
    ['$range(3, 3, 1)', 3],
    ['$append([], $range(3, 1, 1))', []],
    ["$hash('input data', 'SHA-256')", createHash('sha256').update('input data').digest('hex')],
    ["$hash('input data', 'MD5')", createHash('md5').update('input data').digest('hex')],
    ["$hash('x', 'SHA-1')", createHash('sha1').update('x').digest('hex')],
    ["$hash('x', 'SHA-384')", createHash('sha384').update('x').digest('hex')],
    ["$hash('x', 'SHA-512')", createHash('sha512').update('x').digest('hex')],
    ['$random()', 0.25],
    ['$parse($states.input.json)', { a: [1, 2] }],
    ["$parse('[1, \"two\"]')", [1, 'two']],
    ['$parse($states.input.json).a[1]', 2],
    ['$string($states.input.items)', '[{"p":2},{"p":3}]'],
    // Functions inside a result are dropped, as JSON.stringify would.
    ['{"a": 1, "f": function($x) { $x }}', { a: 1 }],
    ['$sum($map($range(1, 5000, 1), function($v) { $v * 2 }))', 25005000],
  ];
  it.each(cases)('%s', async (expr, expected) => {
    expect(await evalJsonata(expr, bindings())).toEqual(expected);
  });

  it('binds $states.result and $states.errorOutput only when given', async () => {
    expect(await evalJsonata('$states.result.ok', bindings({ result: { ok: 1 } }))).toBe(1);
    expect(await evalJsonata('$states.errorOutput.Error', bindings({ errorOutput: { Error: 'E', Cause: 'c' } }))).toBe('E');
    expect(await evalJsonata('$exists($states.result)', bindings())).toBe(false);
    expect(await evalJsonata('$keys($states)', bindings())).toEqual(['input', 'context']);
  });

  it('seeded $random is deterministic, unseeded uses the bindings', async () => {
    const a = await evalJsonata('$random(42)', bindings({ random: () => 0.1 }));
    const b = await evalJsonata('$random(42)', bindings({ random: () => 0.9 }));
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
    expect(await evalJsonata('$random(7) = $random(7)', bindings())).toBe(true);
    expect(await evalJsonata('$random(7) = $random(8)', bindings())).toBe(false);
  });

  it('$uuid is a v4 UUID from the bindings random', async () => {
    expect(await evalJsonata('$uuid()', bindings({ random: () => 0 }))).toBe('00000000-0000-4000-8000-000000000000');
    expect(await evalJsonata('$uuid()', bindings({ random: () => 0.5 }))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('pins $now and $millis when the bindings give a clock', async () => {
    const b = bindings({ now: () => Date.UTC(2024, 0, 2, 3, 4, 5) });
    expect(await evalJsonata('$millis()', b)).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(await evalJsonata('$now()', b)).toBe('2024-01-02T03:04:05.000Z');
    expect(await evalJsonata("$now('[Y0001]-[M01]')", b)).toBe('2024-01');
  });

  const failures: [string, string][] = [
    ['$states.input.missing', "The JSONata expression '$states.input.missing' returned nothing (undefined)."],
    ['$undefinedVariable', 'returned nothing (undefined).'],
    ['$states.input.title + 1', "The JSONata expression '$states.input.title + 1' threw an error during evaluation. T2001:"],
    ['$range(0, 4, 0)', 'returned nothing (undefined).'],
    ["$range('0', 4, 1)", 'threw an error during evaluation. T0410: Argument 1 of function "range" does not match function signature'],
    ['$range(1, 2)', 'threw an error during evaluation. T0410'],
    ['$partition([1,2], 0)', '$partition: the chunk size must be a positive integer, received 0'],
    ['$partition([1,2], 1.5)', 'chunk size must be a positive integer'],
    ["$hash('x', 'SHA-999')", "$hash: unsupported algorithm 'SHA-999'"],
    ["$parse('{bad')", "$parse: the argument is not valid JSON: '{bad'"],
    ['$parse(5)', 'T0410'],
    ["$eval('1 + 1')", '$eval is not supported in Step Functions; use $parse'],
    ['$uuid(1)', 'T0410'],
    ['function($x) { $x }', 'returned a function'],
    ['$sum', 'returned a function'],
    ['1 +', 'could not be parsed. S0207'],
    ['$f := function($x) { $f($x) }; $f(1)', 'could not be parsed'],
    ['($f := function($x) { $f($x) + 1 }; $f(1))', 'threw an error during evaluation. D1011: Stack overflow'],
  ];
  it.each(failures)('%s fails with States.QueryEvaluationError', async (expr, message) => {
    const e = await failure(evalJsonata(expr, bindings()));
    expect(e.error).toBe('States.QueryEvaluationError');
    expect(e.cause).toContain(message);
  });

  it('names the field when given one', async () => {
    const e = await failure(evalJsonata('$states.input.missing', bindings(), 'Output'));
    expect(e.cause).toBe("The JSONata expression '$states.input.missing' specified for the field 'Output' returned nothing (undefined).");
  });
});

describe('resolveJsonataTemplate', () => {
  it('evaluates every "{% %}" string, however deep, and copies the rest', async () => {
    const template: Json = {
      static: 'Hello',
      title: '{% $states.input.title %}',
      name: '{% $customerName %}',
      'not-evaluated': '$customerName',
      nested: { sum: '{% $sum($list) %}', list: [1, '{% $limit %}', { deep: '{% $states.context.State.Name %}' }] },
      almost: ' {% 1 %}',
      n: 1,
      b: false,
      z: null,
    };
    expect(await resolveJsonataTemplate(template, bindings(), 'Arguments')).toEqual({
      static: 'Hello',
      title: 'Doctor',
      name: 'María',
      'not-evaluated': '$customerName',
      nested: { sum: 6, list: [1, 10, { deep: 'S' }] },
      almost: ' {% 1 %}',
      n: 1,
      b: false,
      z: null,
    });
  });

  it('evaluates a whole-field expression', async () => {
    expect(await resolveJsonataTemplate('{% $states.input.items %}', bindings(), 'Output')).toEqual([{ p: 2 }, { p: 3 }]);
    expect(await resolveJsonataTemplate('plain', bindings(), 'Output')).toBe('plain');
  });

  it('fails on an undefined member, naming its location as AWS does', async () => {
    const e = await failure(
      resolveJsonataTemplate({ Input: { pushLocation: '{% $states.input.pushLocation %}' } }, bindings(), 'Arguments'),
    );
    expect(e.error).toBe('States.QueryEvaluationError');
    expect(e.cause).toBe(
      "The JSONata expression '$states.input.pushLocation' specified for the field 'Arguments/Input/pushLocation' returned nothing (undefined).",
    );
    const inArray = await failure(resolveJsonataTemplate({ a: [1, { b: ['{% $nope %}'] }] }, bindings(), 'Output'));
    expect(inArray.cause).toContain("specified for the field 'Output/a[1]/b[0]'");
    const noField = await failure(resolveJsonataTemplate({ x: '{% $nope %}' }, bindings()));
    expect(noField.cause).toContain("specified for the field 'x'");
  });

  it('draws unseeded random values in document order', async () => {
    let i = 0;
    const b = bindings({ random: () => [0.1, 0.2, 0.3][i++] ?? 0 });
    expect(await resolveJsonataTemplate({ a: '{% $random() %}', b: ['{% $random() %}', '{% $random() %}'] }, b)).toEqual({
      a: 0.1,
      b: [0.2, 0.3],
    });
  });
});
