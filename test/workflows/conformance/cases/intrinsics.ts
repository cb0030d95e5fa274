// The 18 intrinsic functions of JSONPath mode, each with the developer guide's example where it
// gives one, and their failures. Failures are asserted as States.IntrinsicFailure, the ASL error
// name for "an intrinsic function failed" listed in the guide's error names.
import { type Json, type JsonObject } from '../../../../workflows/language/json.js';
import { type Case, echo, lambdaArn, passParams, single } from '../case.js';

/** A Pass state computing one intrinsic into `r`. */
function fn(name: string, expression: string, input: Json, result: Json): Case {
  return { name, definition: passParams({ 'r.$': expression }), input, expect: { status: 'SUCCEEDED', output: { r: result } } };
}

function fails(name: string, expression: string, input: Json): Case {
  return { name: `${name} fails`, definition: passParams({ 'r.$': expression }), input, expect: { status: 'FAILED', error: 'States.IntrinsicFailure' } };
}

function check(name: string, expression: string, input: Json, problem: (r: Json | undefined) => string | undefined): Case {
  return {
    name,
    definition: passParams({ 'r.$': expression }),
    input,
    expect: { status: 'SUCCEEDED', outputCheck: (o) => problem((o as JsonObject)['r']) },
  };
}

const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-arrays
const arrays: Case[] = [
  fn('States.Array', 'States.Array($.Id)', { Id: 123456 }, [123456]),
  fn('States.Array of mixed arguments', "States.Array('Foo', 2020, $.someJson, null)", { someJson: { random: 'abcdefg' } }, ['Foo', 2020, { random: 'abcdefg' }, null]),
  fn('States.Array with no arguments', 'States.Array()', {}, []),
  fn('States.ArrayPartition', 'States.ArrayPartition($.inputArray,4)', { inputArray: nine }, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
  fails('States.ArrayPartition with chunk size 0', 'States.ArrayPartition($.inputArray, 0)', { inputArray: nine }),
  fn('States.ArrayContains', 'States.ArrayContains($.inputArray, $.lookingFor)', { inputArray: nine, lookingFor: 5 }, true),
  fn('States.ArrayContains absent', 'States.ArrayContains($.inputArray, $.lookingFor)', { inputArray: nine, lookingFor: 10 }, false),
  fn('States.ArrayContains an object', 'States.ArrayContains($.a, $.o)', { a: [{ k: 1 }, { k: 2 }], o: { k: 2 } }, true),
  fails('States.ArrayContains on a non-array', 'States.ArrayContains($.s, 1)', { s: 'abc' }),
  fn('States.ArrayRange', 'States.ArrayRange(1, 9, 2)', {}, [1, 3, 5, 7, 9]),
  fn('States.ArrayRange descending', 'States.ArrayRange(10, 0, -5)', {}, [10, 5, 0]),
  fails('States.ArrayRange over 1000 items', 'States.ArrayRange(1, 1001, 1)', {}),
  fn('States.ArrayGetItem', 'States.ArrayGetItem($.inputArray, $.index)', { inputArray: nine, index: 5 }, 6),
  fails('States.ArrayGetItem with a negative index', 'States.ArrayGetItem($.inputArray, -1)', { inputArray: nine }),
  fn('States.ArrayLength', 'States.ArrayLength($.inputArray)', { inputArray: nine }, 9),
  fn('States.ArrayLength of an empty array', 'States.ArrayLength($.a)', { a: [] }, 0),
  fails('States.ArrayLength on a non-array', 'States.ArrayLength($.a)', { a: { not: 'array' } }),
  fn('States.ArrayUnique', 'States.ArrayUnique($.inputArray)', { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] }, [1, 2, 3, 4]),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-data-encode-decode
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-hash-calc
const encoding: Case[] = [
  fn('States.Base64Encode', 'States.Base64Encode($.input)', { input: 'Data to encode' }, 'RGF0YSB0byBlbmNvZGU='),
  fn('States.Base64Decode', 'States.Base64Decode($.base64)', { base64: 'RGF0YSB0byBlbmNvZGU=' }, 'Data to encode'),
  fails('States.Base64Encode of more than 10,000 characters', 'States.Base64Encode($.input)', { input: 'x'.repeat(10_001) }),
  fn('States.Hash SHA-1', 'States.Hash($.Data, $.Algorithm)', { Data: 'input data', Algorithm: 'SHA-1' }, 'aaff4a450a104cd177d28d18d74485e8cae074b7'),
  fn('States.Hash MD5', "States.Hash($.Data, 'MD5')", { Data: 'input data' }, '812f45842bc6d66ee14572ce20db8e86'),
  fn('States.Hash SHA-256', "States.Hash($.Data, 'SHA-256')", { Data: 'input data' }, 'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3'),
  fn(
    'States.Hash SHA-384',
    "States.Hash($.Data, 'SHA-384')",
    { Data: 'input data' },
    'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
  ),
  fn(
    'States.Hash SHA-512',
    "States.Hash($.Data, 'SHA-512')",
    { Data: 'input data' },
    '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
  ),
  fails('States.Hash with an unsupported algorithm', "States.Hash($.Data, 'SHA-3')", { Data: 'input data' }),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate
const json: Case[] = [
  fn(
    'States.JsonMerge (shallow)',
    'States.JsonMerge($.json1, $.json2, false)',
    { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } },
    { a: { a3: 1, a4: 2 }, b: 2, c: 3 },
  ),
  fn('States.StringToJson', 'States.StringToJson($.escapedJsonString)', { escapedJsonString: '{"foo": "bar"}' }, { foo: 'bar' }),
  fails('States.StringToJson of invalid JSON', 'States.StringToJson($.s)', { s: '{not json' }),
  fn('States.JsonToString', 'States.JsonToString($.unescapedJson)', { unescapedJson: { foo: 'bar' } }, '{"foo":"bar"}'),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math-operation
const math: Case[] = [
  check('States.MathRandom is an integer in [start, end]', 'States.MathRandom($.start, $.end)', { start: 1, end: 999 }, (r) =>
    typeof r === 'number' && Number.isInteger(r) && r >= 1 && r <= 999 ? undefined : `not an integer in [1, 999]: ${JSON.stringify(r)}`,
  ),
  check('States.MathRandom with a seed', 'States.MathRandom($.start, $.end, 1234)', { start: 10, end: 20 }, (r) =>
    typeof r === 'number' && Number.isInteger(r) && r >= 10 && r <= 20 ? undefined : `not an integer in [10, 20]: ${JSON.stringify(r)}`,
  ),
  fn('States.MathAdd', 'States.MathAdd($.value1, $.step)', { value1: 111, step: -1 }, 110),
  fails('States.MathAdd of a non-integer', 'States.MathAdd($.a, 1)', { a: 1.5 }),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-string-operation
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-uuid-generate
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-generic
const strings: Case[] = [
  fn('States.StringSplit', 'States.StringSplit($.inputString, $.splitter)', { inputString: '1,2,3,4,5', splitter: ',' }, ['1', '2', '3', '4', '5']),
  fn(
    'States.StringSplit on several delimiter characters',
    'States.StringSplit($.inputString, $.splitter)',
    { inputString: 'This.is+a,test=string', splitter: '.+,=' },
    ['This', 'is', 'a', 'test', 'string'],
  ),
  fails('States.StringSplit of a non-string', "States.StringSplit($.n, ',')", { n: 5 }),
  check('States.UUID is a version 4 UUID', 'States.UUID()', {}, (r) => (typeof r === 'string' && UUID_V4.test(r) ? undefined : `not a v4 UUID: ${JSON.stringify(r)}`)),
  fn('States.Format with a literal template', "States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav', template: 'Hello, my name is {}.' }, 'Hello, my name is Arnav.'),
  fn('States.Format with a template from the input', 'States.Format($.template, $.name)', { name: 'Arnav', template: 'Hello, my name is {}.' }, 'Hello, my name is Arnav.'),
  fn('States.Format with a number', "States.Format('{} items', $.n)", { n: 3 }, '3 items'),
  fn('States.Format with escaped braces and quote', "States.Format('\\{{}\\} it\\'s', $.name)", { name: 'x' }, "{x} it's"),
  fn('States.Format of the context object', "States.Format('run {}', $$.Execution.Name)", {}, 'run exec-1'),
  fn(
    'nested intrinsics',
    "States.Format('{}-{}', States.ArrayGetItem(States.StringSplit($.arn, '/'), 1), States.ArrayLength($.xs))",
    { arn: 'arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.0', xs: [1, 2] },
    'my-recipe-2',
  ),
];

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#amazon-states-language-intrinsic-functions-states
const fields: Case[] = [
  {
    name: 'an intrinsic in a Task ResultSelector',
    definition: single({ Type: 'Task', Resource: lambdaArn('Echo'), ResultSelector: { 'count.$': 'States.ArrayLength($.list)' } }),
    input: { list: ['a', 'b', 'c'] },
    resources: { [lambdaArn('Echo')]: echo() },
    expect: { status: 'SUCCEEDED', output: { count: 3 } },
  },
  {
    name: 'an intrinsic in Task Parameters',
    definition: single({ Type: 'Task', Resource: lambdaArn('Echo'), Parameters: { 'key.$': "States.Format('{}/{}', $.bucket, $.name)" } }),
    input: { bucket: 'b', name: 'n' },
    resources: { [lambdaArn('Echo')]: echo() },
    expect: { status: 'SUCCEEDED', output: { key: 'b/n' }, invocationInputs: [{ key: 'b/n' }] },
  },
];

export const intrinsicCases: Case[] = [...arrays, ...encoding, ...json, ...math, ...strings, ...fields];
