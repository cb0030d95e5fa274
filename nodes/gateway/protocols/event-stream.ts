// The AWS event stream framing (`application/vnd.amazon.eventstream`, Smithy's "Amazon Event
// Stream Specification"): how AWS services push events over one long-lived HTTP response. Kinesis
// SubscribeToShard is our user; the codec is generic. Integers are big-endian:
//   u32 total_length | u32 headers_length | u32 prelude_crc (CRC32 of the 8 bytes before it)
//   headers | payload | u32 message_crc (CRC32 of every byte before it)
// A header is u8 name length (1..255), UTF-8 name, u8 type tag, value. Tags: 0 true, 1 false (no
// value bytes), 2 int8, 3 int16, 4 int32, 5 int64, 6 bytes and 7 string (u16 length prefix),
// 8 timestamp (int64 milliseconds, not seconds), 9 uuid (16 raw bytes).
//
// What clients check (@smithy/core/event-streams, which every JS SDK v3 client decodes with; the
// Java SDK v2's EventStreamAsyncResponseTransformer; the Smithy spec):
// - Both CRCs; a mismatch ends the stream.
// - `:message-type`. `event`: dispatched on `:event-type`, the stream union's member name (unknown
//   names are skipped). `exception`: `:exception-type` names a modeled error member, the payload is
//   that error structure (Kinesis errors have a lowercase `message`); the JS SDK throws an instance
//   of the error class, or a plain Error holding the raw payload if the name is not in the union.
//   `error`: unmodeled; the JS SDK reads `:error-code` and `:error-message` without a null check.
// - `:content-type` is ignored by the JS SDK (the protocol codec parses JSON or CBOR regardless) but
//   the spec requires it and other SDKs choose a payload codec from it.
// - The Java SDK calls getString() on every header, so protocol frames use string headers only.
//
// Why `initial-response`: in RPC protocols (awsJson1_0/1_1, rpcv2Cbor) the HTTP body *is* the
// event stream, so the output's non-stream members travel as a first event with `:event-type:
// initial-response` whose payload is the output structure minus the stream member; for
// SubscribeToShardOutput (only `EventStream`) that is `{}`. The JS SDK merges a leading
// initial-response into the command output and does not yield it (older generated clients skip it
// as unknown); the Java SDK, and so the KCL, only calls responseReceived when it arrives. So:
//   HTTP 200, content-type: application/vnd.amazon.eventstream, x-amzn-RequestId
//   event initial-response (application/json) {}
//   event SubscribeToShardEvent (application/json) {"Records":[{"SequenceNumber","Data":<base64>,
//     "PartitionKey","ApproximateArrivalTimestamp":<epoch seconds>,"EncryptionType"?}],
//     "ContinuationSequenceNumber","MillisBehindLatest","ChildShards"?:[{"ShardId","ParentShards",
//     "HashKeyRange":{"StartingHashKey","EndingHashKey"}}]}   ... repeated
//   optionally exception <member> {"message": ...}, <member> one of the union's errors:
//     ResourceNotFoundException, ResourceInUseException, KMSDisabledException,
//     KMSInvalidStateException, KMSAccessDeniedException, KMSNotFoundException, KMSOptInRequired,
//     KMSThrottlingException, InternalFailureException.
// Errors known before streaming starts, and any outside that union (LimitExceededException...),
// are ordinary awsJson1_1 HTTP error responses instead.
//
// Limits: aws-c-event-stream (the CRT, used by several SDKs) caps a message at 16 MiB and its
// headers at 128 KiB, tighter than the spec's 24 MiB payload; encoders keep to those so every
// client can read us, and the decoder refuses frames over 16 MiB by default rather than buffer
// whatever a corrupt length prefix claims.

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';
export const JSON_CONTENT_TYPE = 'application/json';
export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';
export type PayloadContentType = typeof JSON_CONTENT_TYPE | typeof CBOR_CONTENT_TYPE;

export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const MAX_HEADERS_BYTES = 128 * 1024;
const MAX_HEADER_VALUE_BYTES = 32_767;
const PRELUDE_BYTES = 12;
const OVERHEAD_BYTES = PRELUDE_BYTES + 4;

export type HeaderValue =
  | { type: 'boolean'; value: boolean }
  | { type: 'byte'; value: number }
  | { type: 'short'; value: number }
  | { type: 'integer'; value: number }
  | { type: 'long'; value: bigint }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'timestamp'; value: Date }
  | { type: 'uuid'; value: string };

export type Headers = Record<string, HeaderValue>;

export interface EventStreamMessage {
  headers: Headers;
  payload: Uint8Array;
}

export class EventStreamError extends Error {
  override name = 'EventStreamError';
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** IEEE CRC32 (zlib's); pass a previous result to continue over more bytes. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function checkInt(name: string, value: number, bits: 8 | 16 | 32): number {
  const limit = 2 ** (bits - 1);
  if (!Number.isInteger(value) || value < -limit || value >= limit) {
    throw new EventStreamError(`header ${name}: ${value} is not a ${bits}-bit signed integer`);
  }
  return value;
}

/** A tag byte followed by `size` value bytes written by `write` (which sees offset 1 onwards). */
function fixed(tag: number, size: number, write: (v: DataView) => void): Uint8Array {
  const out = new Uint8Array(1 + size);
  out[0] = tag;
  write(view(out));
  return out;
}

function lengthPrefixed(name: string, tag: number, bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_HEADER_VALUE_BYTES) {
    throw new EventStreamError(`header ${name}: value is ${bytes.length} bytes, over ${MAX_HEADER_VALUE_BYTES}`);
  }
  const out = fixed(tag, 2 + bytes.length, (v) => v.setUint16(1, bytes.length));
  out.set(bytes, 3);
  return out;
}

function encodeValue(name: string, header: HeaderValue): Uint8Array {
  switch (header.type) {
    case 'boolean':
      return Uint8Array.of(header.value ? 0 : 1);
    case 'byte':
      return fixed(2, 1, (v) => v.setInt8(1, checkInt(name, header.value, 8)));
    case 'short':
      return fixed(3, 2, (v) => v.setInt16(1, checkInt(name, header.value, 16)));
    case 'integer':
      return fixed(4, 4, (v) => v.setInt32(1, checkInt(name, header.value, 32)));
    case 'long':
      if (BigInt.asIntN(64, header.value) !== header.value) {
        throw new EventStreamError(`header ${name}: ${header.value} is not a 64-bit signed integer`);
      }
      return fixed(5, 8, (v) => v.setBigInt64(1, header.value));
    case 'binary':
      return lengthPrefixed(name, 6, header.value);
    case 'string':
      return lengthPrefixed(name, 7, utf8.encode(header.value));
    case 'timestamp': {
      const ms = header.value.getTime();
      if (Number.isNaN(ms)) throw new EventStreamError(`header ${name}: invalid Date`);
      return fixed(8, 8, (v) => v.setBigInt64(1, BigInt(ms)));
    }
    case 'uuid': {
      if (!UUID.test(header.value)) throw new EventStreamError(`header ${name}: ${JSON.stringify(header.value)} is not a UUID`);
      const out = new Uint8Array(17);
      out[0] = 9;
      out.set(Buffer.from(header.value.replace(/-/g, ''), 'hex'), 1);
      return out;
    }
  }
}

export function encodeHeaders(headers: Headers): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, header] of Object.entries(headers)) {
    const nameBytes = utf8.encode(name);
    if (nameBytes.length < 1 || nameBytes.length > 255) {
      throw new EventStreamError(`header name must be 1..255 UTF-8 bytes, got ${nameBytes.length}`);
    }
    parts.push(Uint8Array.of(nameBytes.length), nameBytes, encodeValue(name, header));
  }
  return concat(parts);
}

export function encodeMessage(message: { headers: Headers; payload?: Uint8Array }): Uint8Array {
  const headers = encodeHeaders(message.headers);
  if (headers.length > MAX_HEADERS_BYTES) throw new EventStreamError(`event stream headers are ${headers.length} bytes, over ${MAX_HEADERS_BYTES}`);
  const payload = message.payload ?? EMPTY;
  const total = OVERHEAD_BYTES + headers.length + payload.length;
  if (total > MAX_MESSAGE_BYTES) throw new EventStreamError(`event stream message would be ${total} bytes, over ${MAX_MESSAGE_BYTES}`);
  const out = new Uint8Array(total);
  const v = view(out);
  v.setUint32(0, total);
  v.setUint32(4, headers.length);
  v.setUint32(8, crc32(out.subarray(0, 8)));
  out.set(headers, PRELUDE_BYTES);
  out.set(payload, PRELUDE_BYTES + headers.length);
  v.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new EventStreamError(`${what} is not valid UTF-8`);
  }
}

function decodeHeaders(bytes: Uint8Array): Headers {
  const v = view(bytes);
  const out: Headers = {};
  let at = 0;
  const take = (n: number): number => {
    if (at + n > bytes.length) throw new EventStreamError('event stream header section is truncated');
    const start = at;
    at += n;
    return start;
  };
  while (at < bytes.length) {
    const nameLength = bytes[take(1)]!;
    if (nameLength === 0) throw new EventStreamError('event stream header with an empty name');
    const nameAt = take(nameLength);
    const name = text(bytes.subarray(nameAt, nameAt + nameLength), 'header name');
    const tag = bytes[take(1)]!;
    let value: HeaderValue;
    switch (tag) {
      case 0:
      case 1:
        value = { type: 'boolean', value: tag === 0 };
        break;
      case 2:
        value = { type: 'byte', value: v.getInt8(take(1)) };
        break;
      case 3:
        value = { type: 'short', value: v.getInt16(take(2)) };
        break;
      case 4:
        value = { type: 'integer', value: v.getInt32(take(4)) };
        break;
      case 5:
        value = { type: 'long', value: v.getBigInt64(take(8)) };
        break;
      case 6:
      case 7: {
        const length = v.getUint16(take(2));
        const start = take(length);
        const raw = bytes.subarray(start, start + length);
        value = tag === 6 ? { type: 'binary', value: raw.slice() } : { type: 'string', value: text(raw, `header ${name}`) };
        break;
      }
      case 8:
        value = { type: 'timestamp', value: new Date(Number(v.getBigInt64(take(8)))) };
        break;
      case 9: {
        const start = take(16);
        const h = Buffer.from(bytes.buffer, bytes.byteOffset + start, 16).toString('hex');
        value = { type: 'uuid', value: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
        break;
      }
      default:
        throw new EventStreamError(`header ${name}: unknown value type ${tag}`);
    }
    if (Object.hasOwn(out, name)) throw new EventStreamError(`header ${name} appears twice`);
    // Not `out[name] = value`: a header literally named `__proto__` must stay a header.
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Validates a 12-byte prelude and returns the lengths it announces. */
function readPrelude(prelude: Uint8Array, maxMessageBytes: number): { total: number; headersLength: number } {
  const v = view(prelude);
  const total = v.getUint32(0);
  const headersLength = v.getUint32(4);
  const expected = v.getUint32(8);
  const actual = crc32(prelude.subarray(0, 8));
  if (expected !== actual) throw new EventStreamError(`event stream prelude CRC mismatch: message says ${hex(expected)}, computed ${hex(actual)}`);
  if (total > maxMessageBytes) throw new EventStreamError(`event stream message of ${total} bytes exceeds the ${maxMessageBytes}-byte limit`);
  if (total < OVERHEAD_BYTES || headersLength > total - OVERHEAD_BYTES) {
    throw new EventStreamError(`event stream prelude is inconsistent: total ${total} bytes, headers ${headersLength} bytes`);
  }
  return { total, headersLength };
}

/** Decodes exactly one complete message, verifying both CRCs. The result does not alias `bytes`. */
export function decodeMessage(bytes: Uint8Array, maxMessageBytes = MAX_MESSAGE_BYTES): EventStreamMessage {
  if (bytes.length < OVERHEAD_BYTES) throw new EventStreamError(`event stream message of ${bytes.length} bytes is too short`);
  const { total, headersLength } = readPrelude(bytes.subarray(0, PRELUDE_BYTES), maxMessageBytes);
  if (total !== bytes.length) throw new EventStreamError(`event stream prelude says ${total} bytes but the message has ${bytes.length}`);
  const expected = view(bytes).getUint32(total - 4);
  const actual = crc32(bytes.subarray(0, total - 4));
  if (expected !== actual) throw new EventStreamError(`event stream message CRC mismatch: message says ${hex(expected)}, computed ${hex(actual)}`);
  const headersEnd = PRELUDE_BYTES + headersLength;
  return { headers: decodeHeaders(bytes.subarray(PRELUDE_BYTES, headersEnd)), payload: bytes.slice(headersEnd, total - 4) };
}

/**
 * Reassembles messages from arbitrarily split chunks. The prelude is checked as soon as its 12
 * bytes arrive, so a corrupt or oversized length fails fast instead of waiting for data that will
 * never come. Any error is final: the stream cannot be resynchronised, so later pushes rethrow it.
 */
export class EventStreamDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Total length of the message being assembled, once its prelude has arrived; 0 before. */
  private pending = 0;
  private failure: EventStreamError | undefined;

  constructor(private readonly maxMessageBytes = MAX_MESSAGE_BYTES) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk and returns every message it completes, in order. */
  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const messages: EventStreamMessage[] = [];
    try {
      for (;;) {
        // The prelude is read once per message, so a large one arriving in tiny chunks stays linear.
        if (this.pending === 0 && this.buffered >= PRELUDE_BYTES) this.pending = readPrelude(this.peek(PRELUDE_BYTES), this.maxMessageBytes).total;
        if (this.pending === 0 || this.buffered < this.pending) break;
        const bytes = this.take(this.pending);
        this.pending = 0;
        messages.push(decodeMessage(bytes, this.maxMessageBytes));
      }
    } catch (err) {
      this.failure = err instanceof EventStreamError ? err : new EventStreamError(String(err));
      this.chunks = [];
      this.buffered = 0;
      this.pending = 0;
      throw this.failure;
    }
    return messages;
  }

  /** Call when the byte stream ends; a partial message left over means it was cut short. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.buffered > 0) {
      this.failure = new EventStreamError(`event stream ended inside a message (${this.buffered} bytes pending)`);
      throw this.failure;
    }
  }

  private peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    for (const chunk of this.chunks) {
      if (filled === n) break;
      const used = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
    }
    return out;
  }

  /** Removes and returns the next `n` buffered bytes, copied so messages never alias callers' chunks. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let whole = 0;
    while (filled < n) {
      const chunk = this.chunks[whole]!;
      const used = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.length) whole++;
      else this.chunks[whole] = chunk.subarray(used);
    }
    this.chunks.splice(0, whole);
    this.buffered -= n;
    return out;
  }
}

/** Decodes a byte stream (e.g. an HTTP/2 response body) into messages. */
export async function* decodeEventStream(
  source: AsyncIterable<Uint8Array>,
  maxMessageBytes = MAX_MESSAGE_BYTES,
): AsyncGenerator<EventStreamMessage, void, undefined> {
  const decoder = new EventStreamDecoder(maxMessageBytes);
  for await (const chunk of source) yield* decoder.push(chunk);
  decoder.end();
}

/** The value of a string header, or undefined if it is absent or of another type. */
export function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const h = Object.hasOwn(message.headers, name) ? message.headers[name] : undefined;
  return h?.type === 'string' ? h.value : undefined;
}

const str = (value: string): HeaderValue => ({ type: 'string', value });
const bytesOf = (payload: Uint8Array | string): Uint8Array => (typeof payload === 'string' ? utf8.encode(payload) : payload);

/** A modeled event: `:event-type` is the name of the stream union member it carries. */
export function eventMessage(eventType: string, payload: Uint8Array | string, contentType: string = JSON_CONTENT_TYPE): Uint8Array {
  return encodeMessage({
    headers: { ':message-type': str('event'), ':event-type': str(eventType), ':content-type': str(contentType) },
    payload: bytesOf(payload),
  });
}

function cborText(s: string): Uint8Array {
  const b = utf8.encode(s);
  const n = b.length;
  const head = n < 24 ? [0x60 | n] : n < 0x100 ? [0x78, n] : n < 0x10000 ? [0x79, n >>> 8, n & 0xff] : [0x7a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return concat([Uint8Array.from(head), b]);
}

/**
 * A modeled error from the stream's union (`:exception-type` is the member name). The payload is
 * the error structure `{"message": ...}` in the protocol's own encoding; the CBOR form is a
 * one-entry map, small enough to write by hand.
 */
export function exceptionMessage(exceptionType: string, message: string, contentType: PayloadContentType = JSON_CONTENT_TYPE): Uint8Array {
  const payload = contentType === CBOR_CONTENT_TYPE ? concat([Uint8Array.of(0xa1), cborText('message'), cborText(message)]) : JSON.stringify({ message });
  return encodeMessage({
    headers: { ':message-type': str('exception'), ':exception-type': str(exceptionType), ':content-type': str(contentType) },
    payload: bytesOf(payload),
  });
}

/** An unmodeled error; it carries no payload, only the two headers every SDK reads. */
export function errorMessage(errorCode: string, message: string): Uint8Array {
  return encodeMessage({
    headers: { ':message-type': str('error'), ':error-code': str(errorCode), ':error-message': str(message) },
  });
}

/**
 * The first frame of every SubscribeToShard response (awsJson1_1): an `initial-response` event
 * carrying SubscribeToShardOutput without its EventStream member, which leaves `{}`.
 */
export function kinesisInitialResponse(): Uint8Array {
  return eventMessage('initial-response', '{}');
}

/**
 * A SubscribeToShardEvent frame (awsJson1_1). `payload` must already be in wire form: Records[].Data
 * base64, ApproximateArrivalTimestamp in epoch seconds, plus ContinuationSequenceNumber,
 * MillisBehindLatest and, at a shard's end, ChildShards.
 */
export function kinesisEvent(payload: object): Uint8Array {
  return eventMessage('SubscribeToShardEvent', JSON.stringify(payload));
}
