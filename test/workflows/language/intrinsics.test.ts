import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evaluateIntrinsic, isIntrinsic, parseIntrinsic } from '../../../workflows/language/intrinsics.js';
import type { PathEnv } from '../../../workflows/language/payload.js';
import type { Json } from '../../../workflows/language/json.js';
import { StatesError } from '../../../workflows/language/errors.js';

function env(random: () => number = () => 0.5): PathEnv {
  return { context: { Execution: { Name: 'exec-1' } }, variables: { greeting: 'hi', list: [3, 1, 3] }, random };
}

const input: Json = {
  name: 'Arnav',
  template: 'Hello, my name is {}.',
  escaped: '{"foo": "bar"}',
  obj: { foo: 'bar', n: [1, 2] },
  arr: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  dup: [1, 2, 2, { a: 1 }, { a: 1 }, 'x', 'x'],
  n: 3,
  inputString: 'This.is+a,test=string',
  splitter: '.+,=',
  arn: 'arn:aws:imagebuilder:us-east-1:123:image-recipe/recipe.name/1.0.0',
  json1: { a: { a1: 1, a2: 2 }, b: 2 },
  json2: { a: { a3: 1, a4: 2 }, c: 3 },
};

function run(expr: string, r?: () => number): Json {
  return evaluateIntrinsic(expr, input, env(r));
}

function failure(expr: string): StatesError {
  try {
    run(expr);
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error(`${expr} did not fail`);
}

describe('evaluateIntrinsic', () => {
  const cases: [string, Json][] = [
    ["States.Format('Hello, my name is {}.', $.name)", 'Hello, my name is Arnav.'],
    ['States.Format($.template, $.name)', 'Hello, my name is Arnav.'],
    ["States.Format('{} + {} = {}', 1, 2.5, true)", '1 + 2.5 = true'],
    ["States.Format('null is {}', null)", 'null is null'],
    ["States.Format('obj {}', $.obj)", 'obj {"foo":"bar","n":[1,2]}'],
    ["States.Format('no placeholders')", 'no placeholders'],
    ["States.Format('escaped \\{\\} and {}', 'x')", 'escaped {} and x'],
    ["States.Format('it\\'s {}', $greeting)", "it's hi"],
    ["States.Format('back\\\\slash {}', 1)", 'back\\slash 1'],
    ["States.Format('{}', $$.Execution.Name)", 'exec-1'],
    ['States.StringToJson($.escaped)', { foo: 'bar' }],
    ["States.StringToJson('[1,2]')", [1, 2]],
    ["States.StringToJson('\"s\"')", 's'],
    ['States.JsonToString($.obj)', '{"foo":"bar","n":[1,2]}'],
    ['States.JsonToString($.n)', '3'],
    ['States.Array()', []],
    ["States.Array($.n, 'a', true, null, $.obj.n)", [3, 'a', true, null, [1, 2]]],
    ['States.ArrayPartition($.arr, 4)', [[1, 2, 3, 4], [5, 6, 7, 8], [9]]],
    ['States.ArrayPartition($.arr, 9)', [[1, 2, 3, 4, 5, 6, 7, 8, 9]]],
    ['States.ArrayPartition(States.Array(), 2)', []],
    ['States.ArrayContains($.arr, 5)', true],
    ['States.ArrayContains($.arr, 10)', false],
    ['States.ArrayContains($.dup, $.json1.a)', false],
    ["States.ArrayContains($.dup, States.StringToJson('{\"a\":1}'))", true],
    ['States.ArrayRange(1, 9, 2)', [1, 3, 5, 7, 9]],
    ['States.ArrayRange(1, 8, 2)', [1, 3, 5, 7]],
    ['States.ArrayRange(10, 0, -5)', [10, 5, 0]],
    ['States.ArrayRange(3, 3, 1)', [3]],
    ['States.ArrayRange(5, 1, 1)', []],
    ['States.ArrayRange(1, 5, -1)', []],
    ['States.ArrayRange(0, 999, 1)', Array.from({ length: 1000 }, (_, i) => i)],
    ['States.ArrayGetItem($.arr, 5)', 6],
    ['States.ArrayGetItem($.arr, 0)', 1],
    ['States.ArrayLength($.arr)', 9],
    ['States.ArrayLength(States.Array())', 0],
    ['States.ArrayUnique($.dup)', [1, 2, { a: 1 }, 'x']],
    ['States.ArrayUnique($list)', [3, 1]],
    ["States.Base64Encode('Data to encode')", 'RGF0YSB0byBlbmNvZGU='],
    ["States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", 'Data to encode'],
    ["States.Base64Decode(States.Base64Encode('ünï'))", 'ünï'],
    ["States.Hash('input data', 'SHA-1')", createHash('sha1').update('input data').digest('hex')],
    ["States.Hash('input data', 'MD5')", createHash('md5').update('input data').digest('hex')],
    ["States.Hash('input data', 'SHA-256')", createHash('sha256').update('input data').digest('hex')],
    ["States.Hash('input data', 'SHA-384')", createHash('sha384').update('input data').digest('hex')],
    ["States.Hash('input data', 'SHA-512')", createHash('sha512').update('input data').digest('hex')],
    ["States.Hash($.obj, 'MD5')", createHash('md5').update('{"foo":"bar","n":[1,2]}').digest('hex')],
    ['States.JsonMerge($.json1, $.json2, false)', { a: { a3: 1, a4: 2 }, b: 2, c: 3 }],
    ['States.MathAdd(111, -1)', 110],
    ['States.MathAdd($.n, 2147483647)', 2147483650],
    ['States.MathRandom(1, 999)', 500],
    ['States.MathRandom(0, 10)', 5],
    ['States.StringSplit($.inputString, $.splitter)', ['This', 'is', 'a', 'test', 'string']],
    ["States.StringSplit('1,2,,3', ',')", ['1', '2', '3']],
    ["States.StringSplit('abc', '')", ['abc']],
    [
      "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), 2), '.'), 1), States.ArrayLength($.arr))",
      '1.0.9',
    ],
    ['States.ArrayLength($.arr[*])', 9],
    ['States.Array($.dup[?(@.a == 1)])', [[{ a: 1 }, { a: 1 }]]],
    ["States.Format( '{}' , $.n )", '3'],
  ];
  it.each(cases)('%s', (expr, expected) => {
    expect(run(expr)).toEqual(expected);
  });

  it('MathRandom with a seed is deterministic and inside [start, end)', () => {
    const a = run('States.MathRandom(1, 100, 42)', () => 0);
    const b = run('States.MathRandom(1, 100, 42)', () => 0.99);
    expect(a).toBe(b);
    const seen = new Set<Json>();
    for (let seed = 0; seed < 200; seed++) {
      const v = run(`States.MathRandom(10, 20, ${seed})`);
      expect(typeof v).toBe('number');
      expect(v as number).toBeGreaterThanOrEqual(10);
      expect(v as number).toBeLessThan(20);
      seen.add(v);
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('UUID is a v4 UUID built from env.random', () => {
    const id = run('States.UUID()', () => 0.999);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('States.UUID()', () => 0)).toBe('00000000-0000-4000-8000-000000000000');
    let i = 0;
    const seq = () => ((i++ * 37) % 256) / 256;
    const first = run('States.UUID()', seq);
    i = 0;
    expect(run('States.UUID()', seq)).toBe(first);
  });
});

describe('intrinsic failures', () => {
  const cases: [string, string, string][] = [
    ["States.Format('{} {}', 1)", 'States.IntrinsicFailure', 'Invalid arguments in States.Format: the format string has 2 placeholder(s) but 1 argument(s) were given'],
    ["States.Format('{}')", 'States.IntrinsicFailure', 'has 1 placeholder(s) but 0 argument(s)'],
    ['States.Format(1)', 'States.IntrinsicFailure', 'argument 1 must be a string, received number'],
    ['States.Format()', 'States.IntrinsicFailure', 'expected at least 1 argument'],
    ["States.StringToJson('{bad')", 'States.IntrinsicFailure', 'argument 1 is not valid JSON'],
    ['States.StringToJson($.n)', 'States.IntrinsicFailure', 'argument 1 must be a string, received number'],
    ['States.JsonToString()', 'States.IntrinsicFailure', 'expected 1 argument but received 0'],
    ['States.ArrayPartition($.arr, 0)', 'States.IntrinsicFailure', 'the chunk size must be a positive integer'],
    ['States.ArrayPartition($.arr, 1.5)', 'States.IntrinsicFailure', 'argument 2 must be an integer, received 1.5'],
    ['States.ArrayPartition($.obj, 1)', 'States.IntrinsicFailure', 'argument 1 must be an array, received object'],
    ['States.ArrayContains($.arr)', 'States.IntrinsicFailure', 'expected 2 arguments but received 1'],
    ['States.ArrayRange(0, 1000, 1)', 'States.IntrinsicFailure', 'the range would have 1001 elements, more than the maximum of 1000'],
    ['States.ArrayRange(1, 5, 0)', 'States.IntrinsicFailure', 'the step must be a non-zero integer'],
    ["States.ArrayRange('1', 5, 1)", 'States.IntrinsicFailure', 'argument 1 must be an integer, received string'],
    ['States.ArrayRange(1, 5.5, 1)', 'States.IntrinsicFailure', 'argument 2 must be an integer, received 5.5'],
    ['States.ArrayGetItem($.arr, 9)', 'States.IntrinsicFailure', 'the index 9 is out of bounds for an array of length 9'],
    ['States.ArrayGetItem($.arr, -1)', 'States.IntrinsicFailure', 'out of bounds'],
    ['States.ArrayLength($.name)', 'States.IntrinsicFailure', 'must be an array, received string'],
    ['States.ArrayUnique($.n)', 'States.IntrinsicFailure', 'must be an array, received number'],
    ['States.Base64Encode($.n)', 'States.IntrinsicFailure', 'must be a string'],
    ["States.Base64Decode('not base64!')", 'States.IntrinsicFailure', 'not valid base64'],
    ["States.Hash('x', 'SHA-999')", 'States.IntrinsicFailure', "unsupported hash algorithm 'SHA-999'"],
    ["States.Hash('x', 'sha-256')", 'States.IntrinsicFailure', 'unsupported hash algorithm'],
    ["States.Hash(null, 'MD5')", 'States.IntrinsicFailure', 'must not be null'],
    ['States.JsonMerge($.json1, $.json2, true)', 'States.IntrinsicFailure', 'deep merging is not supported'],
    ['States.JsonMerge($.json1, $.arr, false)', 'States.IntrinsicFailure', 'argument 2 must be a JSON object, received array'],
    ["States.JsonMerge($.json1, $.json2, 'false')", 'States.IntrinsicFailure', 'argument 3 must be a boolean'],
    ['States.MathRandom(5, 5)', 'States.IntrinsicFailure', 'must be greater than the start'],
    ['States.MathRandom(1)', 'States.IntrinsicFailure', 'expected 2 to 3 arguments but received 1'],
    ['States.MathRandom(1, 2.5)', 'States.IntrinsicFailure', 'must be an integer'],
    ['States.MathAdd(1.5, 1)', 'States.IntrinsicFailure', 'argument 1 must be an integer'],
    ['States.MathAdd(2147483648, 1)', 'States.IntrinsicFailure', 'outside the range'],
    ["States.MathAdd('1', 1)", 'States.IntrinsicFailure', 'argument 1 must be an integer, received string'],
    ['States.StringSplit($.n, \',\')', 'States.IntrinsicFailure', 'argument 1 must be a string'],
    ['States.UUID(1)', 'States.IntrinsicFailure', 'expected 0 arguments but received 1'],
    ['States.Nope(1)', 'States.IntrinsicFailure', "The intrinsic function 'States.Nope' is not supported"],
    ['States.Format($.missing)', 'States.Runtime', "The JSONPath '$.missing' could not be found in the input"],
    ['States.Array($nope)', 'States.Runtime', "The JSONPath '$nope' could not be found"],
  ];
  it.each(cases)('%s → %s', (expr, name, message) => {
    const e = failure(expr);
    expect(e.error).toBe(name);
    expect(e.cause).toContain(message);
  });

  it('names the field when given one', () => {
    try {
      evaluateIntrinsic('States.Format($.missing)', { a: 1 }, env(), 'greeting.$');
      expect.unreachable();
    } catch (e) {
      expect((e as StatesError).cause).toBe(
        "The JSONPath '$.missing' specified for the field 'greeting.$' could not be found in the input '{\"a\":1}'",
      );
    }
  });
});

describe('parseIntrinsic', () => {
  it('builds the call tree', () => {
    expect(parseIntrinsic("States.Format('a{}b', $.x, States.Array(1, -2.5e1, true, null))")).toEqual({
      name: 'States.Format',
      args: [
        { kind: 'literal', value: 'a{}b', formatParts: ['a', 'b'] },
        { kind: 'path', path: '$.x' },
        {
          kind: 'call',
          call: {
            name: 'States.Array',
            args: [
              { kind: 'literal', value: 1 },
              { kind: 'literal', value: -25 },
              { kind: 'literal', value: true },
              { kind: 'literal', value: null },
            ],
          },
        },
      ],
    });
  });

  it('keeps commas and parentheses inside path brackets', () => {
    expect(parseIntrinsic("States.Array($.a[?(@.b == 'x,y')], $.c[0,1])").args).toEqual([
      { kind: 'path', path: "$.a[?(@.b == 'x,y')]" },
      { kind: 'path', path: '$.c[0,1]' },
    ]);
  });

  it('allows ten nested calls but not eleven', () => {
    const nest = (n: number): string => (n === 0 ? '1' : `States.Array(${nest(n - 1)})`);
    expect(() => parseIntrinsic(nest(10))).not.toThrow();
    expect(() => parseIntrinsic(nest(11))).toThrow(/more than 10 nested/);
  });

  it.each([
    "States.Format('unterminated)",
    "States.Format('bad \\n escape')",
    'States.Format(',
    'States.Array(1 2)',
    'States.Array(1,)',
    'States.Array(foo)',
    'States.Array(1))',
    'States.Array',
    'States.Array($.a[)',
  ])('rejects %j with States.Runtime', (text) => {
    try {
      parseIntrinsic(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StatesError);
      expect((e as StatesError).error).toBe('States.Runtime');
    }
  });

  it('isIntrinsic looks for the States. prefix', () => {
    expect(isIntrinsic('States.Array()')).toBe(true);
    expect(isIntrinsic('$.States')).toBe(false);
    expect(isIntrinsic(' States.Array()')).toBe(false);
  });
});
