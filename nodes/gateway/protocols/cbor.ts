// CBOR (RFC 8949) and AWS's CBOR variant of the JSON 1.1 protocol (`application/x-amz-cbor-1.1`),
// which the AWS SDK for Java (and so the KCL) uses by default for Kinesis: the same
// X-Amz-Target dispatch and the same member names as JSON, with blobs as byte strings and
// timestamps as tagged dates. The codec is ours (no dependency): request bodies come from the
// network, so every length is checked against the bytes present before anything is allocated,
// nesting is bounded, and any malformed input is a SerializationException.
import { type ServiceSpec } from '../action.js';
import { AwsError } from '../errors.js';
import { type Shape, emptyMap } from '../shapes.js';
import { type WireResponse, jsonError } from './aws-json.js';

/** A tagged data item (major type 6) other than the bignums, which decode to bigint. */
export class Tagged {
  constructor(
    readonly tag: number | bigint,
    readonly value: CborValue,
  ) {}
}

/** A simple value (major type 7) without a JavaScript counterpart: 0-19 and 32-255. */
export class Simple {
  constructor(readonly value: number) {}
}

export type CborValue = number | bigint | string | boolean | null | undefined | Uint8Array | Date | Tagged | Simple | CborValue[] | Map<CborValue, CborValue> | { [key: string]: CborValue };

export const DEFAULT_MAX_DEPTH = 64;

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

const TWO_64 = 1n << 64n;

class Writer {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** The initial byte, then `size` bytes that `put` writes at the given offset. */
  private fixed(first: number, size: number, put: (buf: Buffer, at: number) => void): void {
    this.room(1 + size);
    this.buf[this.length] = first;
    put(this.buf, this.length + 1);
    this.length += 1 + size;
  }

  /** The initial byte and argument of a data item, in the shortest form (preferred serialization). */
  head(major: number, n: number | bigint): void {
    const m = major << 5;
    const v = typeof n === 'bigint' && n <= 0xffffffffn ? Number(n) : n;
    if (typeof v === 'bigint' || v >= 0x100000000) this.fixed(m | 27, 8, (b, at) => b.writeBigUInt64BE(BigInt(v), at));
    else if (v >= 0x10000) this.fixed(m | 26, 4, (b, at) => b.writeUInt32BE(v, at));
    else if (v >= 0x100) this.fixed(m | 25, 2, (b, at) => b.writeUInt16BE(v, at));
    else if (v >= 24) this.fixed(m | 24, 1, (b, at) => b.writeUInt8(v, at));
    else this.byte(m | v);
  }

  /** The shortest float that holds v exactly. */
  float(v: number): void {
    const half = toHalf(v);
    if (half !== undefined) this.fixed(0xf9, 2, (b, at) => b.writeUInt16BE(half, at));
    else if (Math.fround(v) === v) this.fixed(0xfa, 4, (b, at) => b.writeFloatBE(v, at));
    else this.fixed(0xfb, 8, (b, at) => b.writeDoubleBE(v, at));
  }

  result(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.length));
  }
}

/** The half-precision bits of v when a half holds it exactly (NaN as the canonical quiet NaN). */
function toHalf(v: number): number | undefined {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === 0) return sign;
  if (a === Infinity) return sign | 0x7c00;
  // Subnormal halves are multiples of 2^-24 below 2^-14; normal ones have 10 mantissa bits.
  if (a < 2 ** -14) {
    const m = a * 2 ** 24;
    return Number.isInteger(m) ? sign | m : undefined;
  }
  const e = Math.floor(Math.log2(a));
  // log2 may be off by one near powers of two; the exactness check below settles it.
  for (const exp of [e - 1, e, e + 1]) {
    if (exp < -14 || exp > 15) continue;
    const m = (a / 2 ** exp - 1) * 1024;
    if (m >= 0 && m < 1024 && Number.isInteger(m)) return sign | ((exp + 15) << 10) | m;
  }
  return undefined;
}

function encodeInto(w: Writer, v: CborValue, depth: number, maxDepth: number): void {
  if (depth > maxDepth) throw new Error(`CBOR value nested deeper than ${maxDepth}`);
  switch (typeof v) {
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.head(v >= 0 ? 0 : 1, v >= 0 ? v : -1 - v);
      else w.float(v);
      return;
    case 'bigint':
      if (v >= 0n && v < TWO_64) w.head(0, v);
      else if (v < 0n && v >= -TWO_64) w.head(1, -1n - v);
      else {
        // RFC 8949 §3.4.3: bignums beyond 64 bits are tags 2 and 3 over the magnitude's bytes.
        const n = v >= 0n ? v : -1n - v;
        let hex = n.toString(16);
        if (hex.length % 2 === 1) hex = `0${hex}`;
        w.head(6, v >= 0n ? 2 : 3);
        const bytes = Buffer.from(hex, 'hex');
        w.head(2, bytes.length);
        w.bytes(bytes);
      }
      return;
    case 'string': {
      const bytes = Buffer.from(v, 'utf8');
      w.head(3, bytes.length);
      w.bytes(bytes);
      return;
    }
    case 'boolean':
      w.byte(v ? 0xf5 : 0xf4);
      return;
    case 'undefined':
      w.byte(0xf7);
      return;
  }
  if (v === null) return w.byte(0xf6);
  if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.head(4, v.length);
    for (const x of v) encodeInto(w, x, depth + 1, maxDepth);
  } else if (v instanceof Map) {
    w.head(5, v.size);
    for (const [k, x] of v) {
      encodeInto(w, k, depth + 1, maxDepth);
      encodeInto(w, x, depth + 1, maxDepth);
    }
  } else if (v instanceof Tagged) {
    w.head(6, v.tag);
    encodeInto(w, v.value, depth + 1, maxDepth);
  } else if (v instanceof Simple) {
    if (!Number.isInteger(v.value) || v.value < 0 || v.value > 255 || (v.value >= 20 && v.value < 32)) throw new Error(`simple(${v.value}) has no CBOR encoding of its own`);
    if (v.value < 24) w.byte(0xe0 | v.value);
    else {
      w.byte(0xf8);
      w.byte(v.value);
    }
  } else if (v instanceof Date) {
    // RFC 8949 §3.4.2: epoch seconds, a float when there is a fraction.
    w.head(6, 1);
    encodeInto(w, v.getTime() / 1000, depth + 1, maxDepth);
  } else {
    const entries = Object.entries(v);
    w.head(5, entries.length);
    for (const [k, x] of entries) {
      encodeInto(w, k, depth + 1, maxDepth);
      encodeInto(w, x, depth + 1, maxDepth);
    }
  }
}

/** Encodes a value in preferred serialization (shortest heads and floats, definite lengths). */
export function encodeCbor(value: CborValue, maxDepth = DEFAULT_MAX_DEPTH): Uint8Array {
  const w = new Writer();
  encodeInto(w, value, 0, maxDepth);
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

const BREAK = 0xff;
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: string, at = this.pos): never {
    throw new AwsError('SerializationException', `The request body is not valid CBOR: ${reason} (at byte ${at}).`);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): void {
    if (n > this.remaining) this.fail('unexpected end of data');
  }

  peek(): number {
    this.need(1);
    return this.bytes[this.pos]!;
  }

  /** Moves past n bytes that must be there; returns where they start. */
  private take(n: number): number {
    this.need(n);
    this.pos += n;
    return this.pos - n;
  }

  /** The argument of a head: undefined for an indefinite length (additional information 31). */
  private argument(ai: number, start: number): number | bigint | undefined {
    if (ai < 24) return ai;
    switch (ai) {
      case 24:
        return this.bytes[this.take(1)]!;
      case 25:
        return this.view.getUint16(this.take(2));
      case 26:
        return this.view.getUint32(this.take(4));
      case 27: {
        const n = this.view.getBigUint64(this.take(8));
        return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      case 31:
        return undefined;
      default:
        return this.fail(`reserved additional information ${ai}`, start);
    }
  }

  /** A definite length that the remaining bytes can hold, each element taking at least `unit` bytes. */
  private length(n: number | bigint, unit: number, start: number): number {
    if (typeof n === 'bigint' || n * unit > this.remaining) this.fail(`declared length ${n} exceeds the data`, start);
    return n;
  }

  private chunk(n: number): Uint8Array {
    const out = new Uint8Array(n);
    out.set(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  private text(bytes: Uint8Array, start: number): string {
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('text string is not valid UTF-8', start);
    }
  }

  item(depth: number): CborValue {
    const start = this.pos;
    const ib = this.peek();
    this.pos++;
    const major = ib >> 5;
    const ai = ib & 0x1f;
    if (major === 7) return this.simple(ai, start);
    const arg = this.argument(ai, start);
    if (arg === undefined && (major === 0 || major === 1 || major === 6)) this.fail(`indefinite length on major type ${major}`, start);
    switch (major) {
      case 0:
        return arg!;
      case 1:
        return typeof arg === 'bigint' || arg! > Number.MAX_SAFE_INTEGER - 1 ? -1n - BigInt(arg!) : -1 - arg!;
      case 2:
      case 3: {
        let bytes: Uint8Array;
        if (arg === undefined) {
          const chunks: Uint8Array[] = [];
          while (this.peek() !== BREAK) {
            const at = this.pos;
            const head = this.bytes[this.pos++]!;
            if (head >> 5 !== major) this.fail('chunk of an indefinite-length string has another major type', at);
            const n = this.argument(head & 0x1f, at);
            if (n === undefined) this.fail('nested indefinite-length string', at);
            const len = this.length(n, 1, at);
            const c = this.chunk(len);
            // Text chunks must each be whole UTF-8 (RFC 8949 §3.2.3).
            if (major === 3) this.text(c, at);
            chunks.push(c);
          }
          this.pos++;
          bytes = new Uint8Array(Buffer.concat(chunks));
        } else bytes = this.chunk(this.length(arg, 1, start));
        return major === 2 ? bytes : this.text(bytes, start);
      }
      case 4: {
        this.enter(depth, start);
        const out: CborValue[] = [];
        if (arg === undefined) {
          while (this.peek() !== BREAK) out.push(this.item(depth + 1));
          this.pos++;
        } else {
          const n = this.length(arg, 1, start);
          for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        }
        return out;
      }
      case 5:
        this.enter(depth, start);
        return this.map(arg === undefined ? undefined : this.length(arg, 2, start), depth);
      default:
        this.enter(depth, start);
        return this.tagged(arg!, this.item(depth + 1), start);
    }
  }

  private enter(depth: number, start: number): void {
    if (depth >= this.maxDepth) this.fail(`nested deeper than ${this.maxDepth} levels`, start);
  }

  /** Text keys make a plain object (no prototype: any key is data); any other key makes a Map. */
  private map(count: number | undefined, depth: number): CborValue {
    let obj: Record<string, CborValue> | undefined = emptyMap<CborValue>();
    let map: Map<CborValue, CborValue> | undefined;
    for (let i = 0; count === undefined ? this.peek() !== BREAK : i < count; i++) {
      const at = this.pos;
      const key = this.item(depth + 1);
      const value = this.item(depth + 1);
      if (obj && typeof key === 'string') {
        if (Object.hasOwn(obj, key)) this.fail(`duplicate map key ${JSON.stringify(key)}`, at);
        obj[key] = value;
        continue;
      }
      if (obj) {
        map = new Map<CborValue, CborValue>(Object.entries(obj));
        obj = undefined;
      }
      if (map!.has(key)) this.fail('duplicate map key', at);
      map!.set(key, value);
    }
    if (count === undefined) this.pos++;
    return obj ?? map!;
  }

  private tagged(tag: number | bigint, value: CborValue, start: number): CborValue {
    if (tag === 2 || tag === 3) {
      if (!(value instanceof Uint8Array)) this.fail(`tag ${tag} (bignum) must enclose a byte string`, start);
      const n = value.length === 0 ? 0n : BigInt(`0x${Buffer.from(value).toString('hex')}`);
      return tag === 2 ? n : -1n - n;
    }
    if (tag === 0 && typeof value !== 'string') this.fail('tag 0 (date/time string) must enclose a text string', start);
    if (tag === 1 && typeof value !== 'number' && typeof value !== 'bigint') this.fail('tag 1 (epoch date) must enclose a number', start);
    return new Tagged(tag, value);
  }

  private simple(ai: number, start: number): CborValue {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        const v = this.bytes[this.take(1)]!;
        // RFC 8949 §3.3: values below 32 must use the one-byte form.
        if (v < 32) this.fail(`simple value ${v} in the two-byte form`, start);
        return new Simple(v);
      }
      case 25:
        return halfToNumber(this.view.getUint16(this.take(2)));
      case 26:
        return this.view.getFloat32(this.take(4));
      case 27:
        return this.view.getFloat64(this.take(8));
      case 31:
        return this.fail('break outside an indefinite-length item', start);
      default:
        if (ai < 20) return new Simple(ai);
        return this.fail(`reserved additional information ${ai}`, start);
    }
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Decodes exactly one data item; trailing bytes, malformed or too deeply nested input fail. */
export function decodeCbor(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): CborValue {
  const r = new Reader(bytes, maxDepth);
  if (bytes.length === 0) r.fail('empty input');
  const v = r.item(0);
  if (r.remaining > 0) r.fail(`${r.remaining} bytes after the data item`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// AWS's CBOR protocol
// ---------------------------------------------------------------------------------------------

export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

// Timestamps are tag 1 over epoch MILLISECONDS (an integer), not RFC 8949's seconds, in both
// directions: aws-sdk-java-v2 AwsCborProtocolFactory.getDefaultTimestampFormats ("CBOR uses epoch
// millis for timestamps rather than epoch seconds with millisecond decimal precision like JSON
// protocols": PAYLOAD -> UNIX_TIMESTAMP_MILLIS) and SdkCborGenerator.writeValue (writeTag(1) then
// instant.toEpochMilli(); the same in SDK v1). Kinesis answers likewise (ApproximateArrivalTimestamp
// as whole milliseconds: aws/aws-sdk-java-v2#184 and #979). Smithy's newer rpcv2Cbor protocol uses
// tag 1 over epoch seconds as a double instead; that is not this protocol.
const MS_PER_SECOND = 1000;

/** The CBOR form of an output: blobs as byte strings, timestamps (epoch seconds) as tag 1 over epoch milliseconds. */
export function toCbor(shape: Shape, v: unknown): CborValue {
  if (v === undefined || v === null) return undefined;
  switch (shape.kind) {
    case 'blob':
      return v instanceof Uint8Array ? v : typeof v === 'string' ? v : undefined;
    case 'double':
      return shape.timestamp && typeof v === 'number' ? new Tagged(1, Math.round(v * MS_PER_SECOND)) : (v as number);
    case 'list':
      return Array.isArray(v) ? v.map((x) => toCbor(shape.member, x) ?? null) : undefined;
    case 'map': {
      const out = emptyMap<CborValue>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const c = toCbor(shape.value, x);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    case 'struct': {
      const out: Record<string, CborValue> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const c = toCbor(member, (v as Record<string, unknown>)[name]);
        if (c !== undefined) out[name] = c;
      }
      return out;
    }
    default:
      return v as CborValue;
  }
}

/**
 * A decoded request body as the raw input the JSON protocol would have produced (checked by the
 * shapes afterwards): timestamps become epoch seconds, other tags are dropped as the SDKs' parser
 * (Jackson) drops them, and blobs stay bytes.
 */
export function fromCbor(shape: Shape, v: CborValue, path = ''): unknown {
  if (v instanceof Tagged) {
    if (shape.kind === 'double' && shape.timestamp && v.tag === 1 && typeof v.value === 'number') return v.value / MS_PER_SECOND;
    return fromCbor(shape, v.value, path);
  }
  if (v instanceof Map) throw new AwsError('SerializationException', `The request body is not valid for ${path || 'the input'}: map keys must be text strings.`);
  switch (shape.kind) {
    case 'double':
      return shape.timestamp && typeof v === 'number' ? v / MS_PER_SECOND : v;
    case 'list':
      return Array.isArray(v) ? v.map((x, i) => fromCbor(shape.member, x, `${path}.${i + 1}`)) : v;
    case 'map': {
      if (!isRecord(v)) return v;
      const out = emptyMap<unknown>();
      for (const [k, x] of Object.entries(v)) out[k] = fromCbor(shape.value, x, `${path}.${k}`);
      return out;
    }
    case 'struct': {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        if (Object.hasOwn(v, name)) out[name] = fromCbor(member, v[name], path ? `${path}.${name}` : name);
      }
      return out;
    }
    default:
      return v;
  }
}

function isRecord(v: CborValue): v is { [key: string]: CborValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date) && !(v instanceof Simple);
}

/** Parses a CBOR request body; an empty body is an empty input, as in JSON. */
export function parseCborBody(shape: Shape, body: Uint8Array): unknown {
  return body.length === 0 ? {} : fromCbor(shape, decodeCbor(body));
}

export type CborWire = Omit<WireResponse, 'body'> & { body: Uint8Array };

export function cborResponse(output: Shape, value: unknown): CborWire {
  return { status: 200, headers: { 'content-type': CBOR_CONTENT_TYPE }, body: encodeCbor(toCbor(output, value) ?? {}) };
}

/** The JSON error (status, `x-amzn-*` headers, `__type` and `message`) with its body in CBOR. */
export function cborError(service: Pick<ServiceSpec, 'signingName' | 'jsonVersion' | 'queryCompatible'>, err: AwsError): CborWire {
  const json = jsonError(service, err);
  const fields = JSON.parse(json.body) as { __type: string; message: string };
  return { status: json.status, headers: { ...json.headers, 'content-type': CBOR_CONTENT_TYPE }, body: encodeCbor({ __type: fields.__type, message: fields.message }) };
}
