// Declarative shapes of API inputs and outputs. One description drives three things: decoding a
// Query-protocol form into structured input (member names, flattened lists and maps), checking
// an input (types, required members, ranges, lengths, patterns) with AWS's error codes, and
// encoding an output as Query-protocol XML. The JSON protocols use the member names as they are.
// REST protocols (restJson1) also read where each member travels: `location` binds a member to
// the URI, the query string, a header or the raw body (protocols/rest-json.ts does the binding).
import { AwsError } from './errors.js';

/**
 * Where a member of a REST operation's input or output travels (Smithy's HTTP binding traits);
 * a member without one is a field of the JSON body. Ignored by the JSON and Query protocols.
 * - uri: a `{Label}` of the action's URI template (httpLabel);
 * - querystring: a query parameter (httpQuery); a map without `locationName` takes every
 *   parameter no other member binds (httpQueryParams); a list takes every repeat of its key;
 * - header: one header (httpHeader), lists comma-separated;
 * - headers-prefix: a map of every header starting with `locationName` (httpPrefixHeaders);
 * - payload: the whole body (httpPayload): a blob or string raw, a struct as JSON;
 * - statusCode: the response's HTTP status (httpResponseCode), outputs only.
 */
export type Location = 'uri' | 'querystring' | 'header' | 'headers-prefix' | 'payload' | 'statusCode';

interface Common {
  required?: boolean;
  /**
   * Query XML: the list or map is wrapped (`<Topics><member>…</member></Topics>`, maps as
   * `<Attributes><entry><key/><value/></entry></Attributes>`), as SNS answers; SQS's are flattened.
   */
  wrapped?: boolean;
  /** The member's name in the Query protocol (flattened: the repeated element's name). */
  queryName?: string;
  /** REST binding of this member; absent: a JSON body member. */
  location?: Location;
  /** The label, query parameter or header name (or header prefix) when it differs from the member name. */
  locationName?: string;
}
export interface StringShape extends Common {
  kind: 'string';
  min?: number;
  max?: number;
  enum?: readonly string[];
  /** Content type of a payload-bound string (Smithy's @mediaType); text/plain otherwise. */
  mediaType?: string;
}
export interface IntegerShape extends Common {
  kind: 'integer';
  min?: number;
  max?: number;
}
/** A JSON number that may have a fraction (Lambda's alias weights, epoch-second timestamps). */
export interface DoubleShape extends Common {
  kind: 'double';
  /**
   * A Smithy timestamp in epoch seconds (JSON 1.1's default format); the CBOR protocol sends it
   * as a tagged date (tag 1) instead of a plain number.
   */
  timestamp?: boolean;
  min?: number;
  max?: number;
}
export interface BooleanShape extends Common {
  kind: 'boolean';
}
export interface BlobShape extends Common {
  kind: 'blob';
  /** Content type of a payload-bound blob (Smithy's @mediaType); application/octet-stream otherwise. */
  mediaType?: string;
}
export interface ListShape<M extends Shape = Shape> extends Common {
  kind: 'list';
  member: M;
}
export interface MapShape<V extends Shape = Shape> extends Common {
  kind: 'map';
  value: V;
  keyName: string;
  valueName: string;
}
export type Members = Record<string, Shape>;
export interface StructShape<M extends Members = Members> extends Common {
  kind: 'struct';
  members: M;
}
export type Shape = StringShape | IntegerShape | DoubleShape | BooleanShape | BlobShape | ListShape | MapShape | StructShape;

type Opt<S> = Omit<S, 'kind'>;
export const t = {
  string: <const O extends Opt<StringShape>>(o?: O): StringShape & O => ({ kind: 'string', ...(o as O) }),
  integer: <const O extends Opt<IntegerShape>>(o?: O): IntegerShape & O => ({ kind: 'integer', ...(o as O) }),
  double: <const O extends Opt<DoubleShape>>(o?: O): DoubleShape & O => ({ kind: 'double', ...(o as O) }),
  boolean: <const O extends Opt<BooleanShape>>(o?: O): BooleanShape & O => ({ kind: 'boolean', ...(o as O) }),
  blob: <const O extends Opt<BlobShape>>(o?: O): BlobShape & O => ({ kind: 'blob', ...(o as O) }),
  list: <M extends Shape, const O extends Common>(member: M, o?: O): ListShape<M> & O => ({ kind: 'list', member, ...(o as O) }),
  map: <V extends Shape, const O extends Common & { keyName?: string; valueName?: string }>(value: V, o?: O): MapShape<V> & O =>
    ({ kind: 'map', value, keyName: 'Name', valueName: 'Value', ...(o as O) }) as MapShape<V> & O,
  struct: <M extends Members, const O extends Common>(members: M, o?: O): StructShape<M> & O => ({ kind: 'struct', members, ...(o as O) }),
};

/** The TypeScript type of a checked value of a shape. */
export type Infer<S> = S extends { kind: 'string' }
  ? string
  : S extends { kind: 'integer' | 'double' }
    ? number
    : S extends { kind: 'boolean' }
      ? boolean
      : S extends { kind: 'blob' }
        ? Uint8Array
        : S extends { kind: 'list'; member: infer M }
          ? Infer<M>[]
          : S extends { kind: 'map'; value: infer V }
            ? Record<string, Infer<V>>
            : S extends { kind: 'struct'; members: infer M }
              ? InferStruct<M>
              : never;
/** Literal member names only: a `Members` index signature that leaks in through inference is dropped. */
type Known<M> = { [K in keyof M as string extends K ? never : K]: M[K] };
type RequiredKeys<M> = { [K in keyof M]: M[K] extends { required: true } ? K : never }[keyof M];
type InferKnown<M> = { [K in RequiredKeys<M>]: Infer<M[K]> } & { [K in Exclude<keyof M, RequiredKeys<M>>]?: Infer<M[K]> };
type InferStruct<M> = InferKnown<Known<M>>;

/**
 * An object for caller-named keys: without a prototype, `__proto__` and `constructor` are keys
 * like any other instead of changing or reading the prototype.
 */
export function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

const invalidValue = (path: string, value: string, reason: string): AwsError =>
  new AwsError('InvalidParameterValue', `Value ${value} for parameter ${path} is invalid. Reason: ${reason}`);

function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}

/**
 * Checks a decoded JSON value against a shape and returns it typed; unknown struct members are
 * ignored as AWS does. Blobs arrive base64-encoded in the JSON and Query protocols, as bytes
 * from a REST payload. Integers and booleans may be strings (Query forms, REST headers, query
 * parameters and labels).
 */
export function check<S extends Shape>(shape: S, value: unknown, path = ''): Infer<S> {
  return checkAny(shape, value, path) as Infer<S>;
}

/** The untyped form of check(), for callers that hold a shape of unknown type. */
export function checkAny(shape: Shape, value: unknown, path = ''): unknown {
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') throw invalidValue(path, shown(value), 'Must be a string.');
      if (shape.min !== undefined && value.length < shape.min) throw invalidValue(path, shown(value), `Must be at least ${shape.min} characters long.`);
      if (shape.max !== undefined && value.length > shape.max) throw invalidValue(path, shown(value), `Must be at most ${shape.max} characters long.`);
      if (shape.enum && !shape.enum.includes(value)) throw invalidValue(path, shown(value), `Must be one of: ${shape.enum.join(', ')}.`);
      return value;
    }
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw invalidValue(path, shown(value), 'Must be an integer.');
      if ((shape.min !== undefined && n < shape.min) || (shape.max !== undefined && n > shape.max)) {
        throw invalidValue(path, String(n), `Must be between ${shape.min ?? '-inf'} and ${shape.max ?? 'inf'}, if provided.`);
      }
      return n;
    }
    case 'double': {
      // Strings from Query forms and REST bindings; JSON numbers as they are.
      const n = typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidValue(path, shown(value), 'Must be a number.');
      if ((shape.min !== undefined && n < shape.min) || (shape.max !== undefined && n > shape.max)) {
        throw invalidValue(path, String(n), `Must be between ${shape.min ?? '-inf'} and ${shape.max ?? 'inf'}, if provided.`);
      }
      return n;
    }
    case 'boolean': {
      if (value === 'true' || value === true) return true;
      if (value === 'false' || value === false) return false;
      throw invalidValue(path, shown(value), 'Must be a boolean.');
    }
    case 'blob': {
      // A REST payload or a decoded body arrives as bytes already; JSON never produces them.
      if (value instanceof Uint8Array) return value;
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
        throw invalidValue(path, shown(value), 'Must be base64-encoded binary.');
      }
      return new Uint8Array(Buffer.from(value, 'base64'));
    }
    case 'list': {
      if (!Array.isArray(value)) throw invalidValue(path, shown(value), 'Must be a list.');
      return value.map((v, i) => checkAny(shape.member, v, `${path}.${i + 1}`));
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidValue(path, shown(value), 'Must be a map.');
      const out = emptyMap<unknown>();
      for (const [k, v] of Object.entries(value)) out[k] = checkAny(shape.value, v, `${path}.${k}`);
      return out;
    }
    case 'struct': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidValue(path || 'request', shown(value), 'Must be a structure.');
      const rec = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const v = rec[name];
        const memberPath = path ? `${path}.${name}` : name;
        if (v === undefined || v === null) {
          if (member.required) throw new AwsError('MissingParameter', `The request must contain the parameter ${memberPath}.`);
          continue;
        }
        out[name] = checkAny(member, v, memberPath);
      }
      return out;
    }
  }
}

/**
 * Turns Query-protocol parameters (`Attribute.1.Name=…`) into the JSON value the shape
 * describes, so both protocols share one checker. Lists and maps are flattened, as SQS and SNS
 * send them; `.member.N` (non-flattened) lists are accepted too.
 */
export function fromQuery(shape: StructShape, params: Map<string, string>): Record<string, unknown> {
  return decodeStruct(shape, { params, present: keyPrefixes(params) }, '') ?? {};
}

interface Form {
  params: Map<string, string>;
  /** Every key and each of its dotted prefixes (`A.1.Name` gives `A`, `A.1`, `A.1.Name`). */
  present: Set<string>;
}

// No key the shapes ask about is near this long; longer ones are left out of the prefix index so
// that a key of a million dots cannot cost a million slices of itself.
const MAX_INDEXED_KEY = 1024;

/**
 * Indexed once per form: asking "is anything under `X.n`?" by scanning every key made decoding
 * quadratic, and one 4 MiB form of `AttributeName.N` entries blocked the event loop for minutes.
 */
function keyPrefixes(params: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const k of params.keys()) {
    if (k.length > MAX_INDEXED_KEY) continue;
    for (let dot = k.indexOf('.'); dot >= 0; dot = k.indexOf('.', dot + 1)) out.add(k.slice(0, dot));
    out.add(k);
  }
  return out;
}

function decodeValue(shape: Shape, form: Form, key: string): unknown {
  switch (shape.kind) {
    case 'list': {
      const base = form.present.has(`${key}.member`) ? `${key}.member` : key;
      const out: unknown[] = [];
      for (let i = 1; form.present.has(`${base}.${i}`); i++) out.push(decodeValue(shape.member, form, `${base}.${i}`));
      return out.length > 0 ? out : undefined;
    }
    case 'map': {
      const out = emptyMap<unknown>();
      let any = false;
      // Non-flattened maps (SNS) number their entries under `.entry`.
      const base = form.present.has(`${key}.entry`) ? `${key}.entry` : key;
      for (let i = 1; form.present.has(`${base}.${i}`); i++) {
        const k = form.params.get(`${base}.${i}.${shape.keyName}`);
        if (k === undefined) throw new AwsError('MissingParameter', `The request must contain the parameter ${base}.${i}.${shape.keyName}.`);
        const v = decodeValue(shape.value, form, `${base}.${i}.${shape.valueName}`);
        if (v !== undefined) out[k] = v;
        any = true;
      }
      return any ? out : undefined;
    }
    case 'struct':
      return decodeStruct(shape, form, key);
    default:
      return form.params.get(key);
  }
}

function decodeStruct(shape: StructShape, form: Form, prefix: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [name, member] of Object.entries(shape.members)) {
    const key = prefix ? `${prefix}.${member.queryName ?? name}` : member.queryName ?? name;
    const v = decodeValue(member, form, key);
    if (v !== undefined) {
      out[name] = v;
      any = true;
    }
  }
  return any || !prefix ? out : undefined;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Encodes a value of a struct shape as the children of a Query-protocol XML result element. */
export function toXml(shape: StructShape, value: Record<string, unknown>): string {
  let out = '';
  for (const [name, member] of Object.entries(shape.members)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    out += memberXml(member, member.queryName ?? name, v);
  }
  return out;
}

function memberXml(shape: Shape, tag: string, v: unknown): string {
  switch (shape.kind) {
    case 'list': {
      if (!Array.isArray(v)) return '';
      if (shape.wrapped) return `<${tag}>${v.map((item) => memberXml(shape.member, 'member', item)).join('')}</${tag}>`;
      return v.map((item) => memberXml(shape.member, tag, item)).join('');
    }
    case 'map': {
      if (typeof v !== 'object' || v === null) return '';
      const entry = shape.wrapped ? 'entry' : tag;
      const entries = Object.entries(v as Record<string, unknown>)
        .map(([k, item]) => `<${entry}><${shape.keyName}>${xmlEscape(k)}</${shape.keyName}>${memberXml(shape.value, shape.valueName, item)}</${entry}>`)
        .join('');
      return shape.wrapped ? `<${tag}>${entries}</${tag}>` : entries;
    }
    case 'struct':
      return `<${tag}>${toXml(shape, v as Record<string, unknown>)}</${tag}>`;
    case 'blob':
      return `<${tag}>${v instanceof Uint8Array ? Buffer.from(v).toString('base64') : xmlEscape(String(v))}</${tag}>`;
    default:
      return `<${tag}>${xmlEscape(String(v))}</${tag}>`;
  }
}

/** JSON form of an output: blobs as base64, everything else as is. */
export function toJson(shape: Shape, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (shape.kind) {
    case 'blob':
      return v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
    case 'list':
      return Array.isArray(v) ? v.map((x) => toJson(shape.member, x)) : v;
    case 'map': {
      const out = emptyMap<unknown>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJson(shape.value, x);
      return out;
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const x = toJson(member, (v as Record<string, unknown>)[name]);
        if (x !== undefined) out[name] = x;
      }
      return out;
    }
    default:
      return v;
  }
}
