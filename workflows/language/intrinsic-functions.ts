// The States.* intrinsic functions themselves, with AWS's argument rules. Each takes resolved
// argument values and fails with States.IntrinsicFailure when they break a rule.
import { createHash } from 'node:crypto';
import { type Json, type JsonObject, isJsonObject } from './json.js';
import { StatesError, States } from './errors.js';
import type { PathEnv } from './path-env.js';
import type { ArgValue } from './intrinsics.js';
import { deepEqual, seededRandom, uuidV4 } from './values.js';

type Intrinsic = (args: ArgValue[], env: PathEnv) => Json;

/** AWS caps ArrayRange's output. */
export const MAX_ARRAY_RANGE = 1000;
/** AWS caps the strings Base64Encode, Base64Decode and Hash accept. */
export const MAX_INTRINSIC_STRING = 10_000;

export const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function failure(name: string, why: string): StatesError {
  return new StatesError(States.IntrinsicFailure, `Invalid arguments in ${name}: ${why}`);
}

function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isJsonObject(v)) return 'object';
  return typeof v;
}

function arity(name: string, args: ArgValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw failure(name, `expected ${want} argument${min === 1 && max === 1 ? '' : 's'} but received ${args.length}`);
  }
}

function arg(args: ArgValue[], i: number): Json {
  return (args[i] as ArgValue).value;
}

function stringArg(name: string, args: ArgValue[], i: number, max?: number): string {
  const v = arg(args, i);
  if (typeof v !== 'string') throw failure(name, `argument ${i + 1} must be a string, received ${typeName(v)}`);
  if (max !== undefined && v.length > max) throw failure(name, `argument ${i + 1} exceeds the maximum length of ${max} characters`);
  return v;
}

function arrayArg(name: string, args: ArgValue[], i: number): Json[] {
  const v = arg(args, i);
  if (!Array.isArray(v)) throw failure(name, `argument ${i + 1} must be an array, received ${typeName(v)}`);
  return v;
}

function objectArg(name: string, args: ArgValue[], i: number): JsonObject {
  const v = arg(args, i);
  if (!isJsonObject(v)) throw failure(name, `argument ${i + 1} must be a JSON object, received ${typeName(v)}`);
  return v;
}

function integerArg(name: string, args: ArgValue[], i: number): number {
  const v = arg(args, i);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw failure(name, `argument ${i + 1} must be an integer, received ${typeof v === 'number' ? v : typeName(v)}`);
  }
  return v;
}

/** Format's rendering of a value: strings as they are, everything else as JSON text. */
function formatValue(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const format: Intrinsic = (args) => {
  const name = 'States.Format';
  arity(name, args, 1, Infinity);
  const first = args[0] as ArgValue;
  if (typeof first.value !== 'string') throw failure(name, `argument 1 must be a string, received ${typeName(first.value)}`);
  // A template read from a path has no escapes: each literal "{}" is a placeholder.
  const parts = first.formatParts ?? first.value.split('{}');
  const values = args.slice(1);
  if (parts.length - 1 !== values.length) {
    throw failure(name, `the format string has ${parts.length - 1} placeholder(s) but ${values.length} argument(s) were given`);
  }
  let out = parts[0] ?? '';
  values.forEach((v, i) => {
    out += formatValue(v.value) + (parts[i + 1] ?? '');
  });
  return out;
};

const stringToJson: Intrinsic = (args) => {
  const name = 'States.StringToJson';
  arity(name, args, 1);
  const s = stringArg(name, args, 0);
  try {
    return JSON.parse(s) as Json;
  } catch {
    throw failure(name, `argument 1 is not valid JSON: '${s}'`);
  }
};

const jsonToString: Intrinsic = (args) => {
  arity('States.JsonToString', args, 1);
  return JSON.stringify(arg(args, 0));
};

const array: Intrinsic = (args) => args.map((a) => a.value);

const arrayPartition: Intrinsic = (args) => {
  const name = 'States.ArrayPartition';
  arity(name, args, 2);
  const items = arrayArg(name, args, 0);
  const size = integerArg(name, args, 1);
  if (size <= 0) throw failure(name, `the chunk size must be a positive integer, received ${size}`);
  const out: Json[] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const arrayContains: Intrinsic = (args) => {
  const name = 'States.ArrayContains';
  arity(name, args, 2);
  const items = arrayArg(name, args, 0);
  const needle = arg(args, 1);
  return items.some((x) => deepEqual(x, needle));
};

const arrayRange: Intrinsic = (args) => {
  const name = 'States.ArrayRange';
  arity(name, args, 3);
  const start = integerArg(name, args, 0);
  const end = integerArg(name, args, 1);
  const step = integerArg(name, args, 2);
  if (step === 0) throw failure(name, 'the step must be a non-zero integer');
  const count = Math.sign(end - start) === -Math.sign(step) ? 0 : Math.floor((end - start) / step) + 1;
  if (count > MAX_ARRAY_RANGE) {
    throw failure(name, `the range would have ${count} elements, more than the maximum of ${MAX_ARRAY_RANGE}`);
  }
  return Array.from({ length: count }, (_, i) => start + i * step);
};

const arrayGetItem: Intrinsic = (args) => {
  const name = 'States.ArrayGetItem';
  arity(name, args, 2);
  const items = arrayArg(name, args, 0);
  const index = integerArg(name, args, 1);
  if (index < 0 || index >= items.length) {
    throw failure(name, `the index ${index} is out of bounds for an array of length ${items.length}`);
  }
  return items[index] as Json;
};

const arrayLength: Intrinsic = (args) => {
  const name = 'States.ArrayLength';
  arity(name, args, 1);
  return arrayArg(name, args, 0).length;
};

const arrayUnique: Intrinsic = (args) => {
  const name = 'States.ArrayUnique';
  arity(name, args, 1);
  const out: Json[] = [];
  for (const x of arrayArg(name, args, 0)) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
};

const base64Encode: Intrinsic = (args) => {
  const name = 'States.Base64Encode';
  arity(name, args, 1);
  return Buffer.from(stringArg(name, args, 0, MAX_INTRINSIC_STRING), 'utf8').toString('base64');
};

const base64Decode: Intrinsic = (args) => {
  const name = 'States.Base64Decode';
  arity(name, args, 1);
  const s = stringArg(name, args, 0, MAX_INTRINSIC_STRING);
  // Buffer.from ignores garbage; AWS rejects text that is not base64.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw failure(name, `argument 1 is not valid base64: '${s}'`);
  return Buffer.from(s, 'base64').toString('utf8');
};

const hash: Intrinsic = (args) => {
  const name = 'States.Hash';
  arity(name, args, 2);
  const data = arg(args, 0);
  if (data === null) throw failure(name, 'argument 1 must not be null');
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  if (text.length > MAX_INTRINSIC_STRING) throw failure(name, `argument 1 exceeds the maximum length of ${MAX_INTRINSIC_STRING} characters`);
  const algorithm = stringArg(name, args, 1);
  const node = HASH_ALGORITHMS[algorithm];
  if (!node) throw failure(name, `unsupported hash algorithm '${algorithm}'; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
  return createHash(node).update(text, 'utf8').digest('hex');
};

const jsonMerge: Intrinsic = (args) => {
  const name = 'States.JsonMerge';
  arity(name, args, 3);
  const a = objectArg(name, args, 0);
  const b = objectArg(name, args, 1);
  const deep = arg(args, 2);
  if (typeof deep !== 'boolean') throw failure(name, `argument 3 must be a boolean, received ${typeName(deep)}`);
  // AWS supports only the shallow merge: the second object's keys replace the first's.
  if (deep) throw failure(name, 'deep merging is not supported; the third argument must be false');
  return { ...a, ...b };
};

const mathRandom: Intrinsic = (args, env) => {
  const name = 'States.MathRandom';
  arity(name, args, 2, 3);
  const start = integerArg(name, args, 0);
  const end = integerArg(name, args, 1);
  if (end <= start) throw failure(name, `the end (${end}) must be greater than the start (${start})`);
  const r = args.length === 3 ? seededRandom(integerArg(name, args, 2)) : env.random();
  return start + Math.floor(r * (end - start));
};

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const mathAdd: Intrinsic = (args) => {
  const name = 'States.MathAdd';
  arity(name, args, 2);
  const a = integerArg(name, args, 0);
  const b = integerArg(name, args, 1);
  for (const v of [a, b]) {
    if (v < INT32_MIN || v > INT32_MAX) throw failure(name, `${v} is outside the range ${INT32_MIN} to ${INT32_MAX}`);
  }
  return a + b;
};

const stringSplit: Intrinsic = (args) => {
  const name = 'States.StringSplit';
  arity(name, args, 2);
  const s = stringArg(name, args, 0);
  const delimiters = stringArg(name, args, 1);
  // Every character of the second argument is a delimiter, and empty pieces are dropped
  // (docs: "This.is+a,test=string" split by ".+,=" gives five words).
  const out: string[] = [];
  let piece = '';
  for (const ch of s) {
    if (delimiters.includes(ch)) {
      if (piece) out.push(piece);
      piece = '';
    } else piece += ch;
  }
  if (piece) out.push(piece);
  return out;
};

const uuid: Intrinsic = (args, env) => {
  arity('States.UUID', args, 0);
  return uuidV4(env.random);
};

export const INTRINSICS: Record<string, Intrinsic> = {
  'States.Format': format,
  'States.StringToJson': stringToJson,
  'States.JsonToString': jsonToString,
  'States.Array': array,
  'States.ArrayPartition': arrayPartition,
  'States.ArrayContains': arrayContains,
  'States.ArrayRange': arrayRange,
  'States.ArrayGetItem': arrayGetItem,
  'States.ArrayLength': arrayLength,
  'States.ArrayUnique': arrayUnique,
  'States.Base64Encode': base64Encode,
  'States.Base64Decode': base64Decode,
  'States.Hash': hash,
  'States.JsonMerge': jsonMerge,
  'States.MathRandom': mathRandom,
  'States.MathAdd': mathAdd,
  'States.StringSplit': stringSplit,
  'States.UUID': uuid,
};
