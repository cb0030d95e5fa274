// The event stream codec: CRC32 vectors, every header type round-tripped, CRC and size failures,
// reassembly from chunks split at every byte, byte-for-byte agreement with the SDK's own codec
// (@smithy/core/event-streams, which is what @aws-sdk/client-kinesis decodes with), and a real
// KinesisClient consuming a SubscribeToShard stream built from our frames.
import { Readable } from 'node:stream';
import { KinesisClient, ResourceInUseException, SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import { cbor } from '@smithy/core/cbor';
import { EventStreamCodec, Int64 } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import {
  CBOR_CONTENT_TYPE,
  type EventStreamMessage,
  EventStreamDecoder,
  EventStreamError,
  type Headers,
  MAX_MESSAGE_BYTES,
  crc32,
  decodeEventStream,
  decodeMessage,
  encodeMessage,
  errorMessage,
  eventMessage,
  exceptionMessage,
  kinesisEvent,
  kinesisInitialResponse,
  stringHeader,
} from '../../nodes/gateway/protocols/event-stream.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const ALL_TYPES: Headers = {
  't': { type: 'boolean', value: true },
  'f': { type: 'boolean', value: false },
  'byte-min': { type: 'byte', value: -128 },
  'byte-max': { type: 'byte', value: 127 },
  'short-min': { type: 'short', value: -32768 },
  'short-max': { type: 'short', value: 32767 },
  'int-min': { type: 'integer', value: -(2 ** 31) },
  'int-max': { type: 'integer', value: 2 ** 31 - 1 },
  'long-min': { type: 'long', value: -(2n ** 63n) },
  'long-max': { type: 'long', value: 2n ** 63n - 1n },
  'long-neg': { type: 'long', value: -5n },
  'bin': { type: 'binary', value: Uint8Array.of(0, 1, 254, 255) },
  'bin-empty': { type: 'binary', value: new Uint8Array(0) },
  'str': { type: 'string', value: 'héllo ✓ 🙂' },
  'str-empty': { type: 'string', value: '' },
  'ts': { type: 'timestamp', value: new Date('2024-05-06T07:08:09.123Z') },
  'ts-before-epoch': { type: 'timestamp', value: new Date(-1234567) },
  'uuid': { type: 'uuid', value: '0123abcd-4567-89ef-0123-456789abcdef' },
};

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('crc32', () => {
  it('matches the IEEE check values and continues incrementally', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(enc.encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    const all = enc.encode('event stream framing');
    expect(crc32(all.subarray(7), crc32(all.subarray(0, 7)))).toBe(crc32(all));
  });
});

describe('encode/decode', () => {
  it('round-trips every header type, alone and together', () => {
    for (const [name, value] of Object.entries(ALL_TYPES)) {
      const payload = enc.encode(name);
      expect(decodeMessage(encodeMessage({ headers: { [name]: value }, payload }))).toEqual({ headers: { [name]: value }, payload });
    }
    const msg = { headers: ALL_TYPES, payload: enc.encode('{"a":1}') };
    expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
  });

  it('lays out the prelude, headers and trailing CRC as the spec says', () => {
    const bytes = encodeMessage({ headers: { ':x': { type: 'string', value: 'ab' } }, payload: enc.encode('{}') });
    const v = new DataView(bytes.buffer);
    expect(bytes.length).toBe(12 + (1 + 2 + 1 + 2 + 2) + 2 + 4);
    expect(v.getUint32(0)).toBe(bytes.length);
    expect(v.getUint32(4)).toBe(8);
    expect(v.getUint32(8)).toBe(crc32(bytes.subarray(0, 8)));
    expect([...bytes.subarray(12, 20)]).toEqual([2, 0x3a, 0x78, 7, 0, 2, 0x61, 0x62]);
    expect(v.getUint32(bytes.length - 4)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
  });

  it('keeps a header named __proto__ as a header', () => {
    const headers: Headers = {};
    Object.defineProperty(headers, '__proto__', { value: { type: 'string', value: 'x' }, enumerable: true });
    const decoded = decodeMessage(encodeMessage({ headers }));
    expect(Object.keys(decoded.headers)).toEqual(['__proto__']);
    expect(stringHeader(decoded, '__proto__')).toBe('x');
    expect(stringHeader(decoded, 'toString')).toBeUndefined();
  });

  it('rejects values the format cannot carry', () => {
    const bad: Headers[] = [
      { b: { type: 'byte', value: 128 } },
      { s: { type: 'short', value: 1.5 } },
      { i: { type: 'integer', value: 2 ** 31 } },
      { l: { type: 'long', value: 2n ** 63n } },
      { u: { type: 'uuid', value: 'not-a-uuid' } },
      { d: { type: 'timestamp', value: new Date(Number.NaN) } },
      { s: { type: 'string', value: 'x'.repeat(32_768) } },
      { ['n'.repeat(256)]: { type: 'boolean', value: true } },
      { '': { type: 'boolean', value: true } },
    ];
    for (const headers of bad) expect(() => encodeMessage({ headers })).toThrow(EventStreamError);
    expect(() => encodeMessage({ headers: {}, payload: new Uint8Array(MAX_MESSAGE_BYTES) })).toThrow(/over 16777216/);
  });

  it('detects corruption in the prelude, its CRC, the headers, the payload and the message CRC', () => {
    const bytes = eventMessage('SubscribeToShardEvent', '{"Records":[]}');
    for (const at of [0, 5]) expect(() => decodeMessage(flip(bytes, at))).toThrow(/prelude CRC mismatch/);
    expect(() => decodeMessage(flip(bytes, 9))).toThrow(/prelude CRC mismatch/);
    for (const at of [14, bytes.length - 6, bytes.length - 1]) expect(() => decodeMessage(flip(bytes, at))).toThrow(/message CRC mismatch/);
    expect(() => decodeMessage(bytes.subarray(0, bytes.length - 1))).toThrow(/says \d+ bytes but the message has/);
  });

  it('rejects duplicate headers and unknown type tags even with valid CRCs', () => {
    const one = encodeMessage({ headers: { a: { type: 'boolean', value: true } } });
    const headerBytes = one.subarray(12, one.length - 4);
    const reframe = (headers: Uint8Array): Uint8Array => {
      const out = new Uint8Array(16 + headers.length);
      const v = new DataView(out.buffer);
      v.setUint32(0, out.length);
      v.setUint32(4, headers.length);
      v.setUint32(8, crc32(out.subarray(0, 8)));
      out.set(headers, 12);
      v.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)));
      return out;
    };
    expect(() => decodeMessage(reframe(Uint8Array.of(...headerBytes, ...headerBytes)))).toThrow(/appears twice/);
    expect(() => decodeMessage(reframe(Uint8Array.of(1, 0x61, 10)))).toThrow(/unknown value type 10/);
    expect(() => decodeMessage(reframe(Uint8Array.of(1, 0x61, 7, 0, 5, 0x62)))).toThrow(/truncated/);
  });
});

describe('EventStreamDecoder', () => {
  const messages: EventStreamMessage[] = [
    { headers: { ':message-type': { type: 'string', value: 'event' }, n: { type: 'integer', value: 1 } }, payload: enc.encode('{}') },
    { headers: {}, payload: new Uint8Array(0) },
    { headers: { ':message-type': { type: 'string', value: 'event' }, l: { type: 'long', value: 9n } }, payload: enc.encode('third') },
  ];
  const stream = Uint8Array.from(Buffer.concat(messages.map((m) => encodeMessage(m))));

  it('reassembles messages from a stream split at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new EventStreamDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got, `cut at ${cut}`).toEqual(messages);
      expect(d.bufferedBytes).toBe(0);
      d.end();
    }
  });

  it('reassembles messages fed one byte at a time, and all at once', () => {
    const d = new EventStreamDecoder();
    const got: EventStreamMessage[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
    expect(got).toEqual(messages);
    expect(new EventStreamDecoder().push(stream)).toEqual(messages);
  });

  it('stays linear when a large message arrives one byte at a time', () => {
    const big = encodeMessage({ headers: {}, payload: new Uint8Array(512 * 1024).fill(7) });
    const d = new EventStreamDecoder();
    const started = performance.now();
    let got: EventStreamMessage[] = [];
    for (let i = 0; i < big.length; i++) got = d.push(big.subarray(i, i + 1));
    expect(got).toHaveLength(1);
    expect(got[0]!.payload.length).toBe(512 * 1024);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('copies payloads so a reused input buffer cannot change them', () => {
    const buf = stream.slice();
    const [first] = new EventStreamDecoder().push(buf);
    buf.fill(0);
    expect(dec.decode(first!.payload)).toBe('{}');
  });

  it('fails on a truncated stream, and stays failed after a CRC error', () => {
    const d = new EventStreamDecoder();
    d.push(stream.subarray(0, stream.length - 3));
    expect(() => d.end()).toThrow(/ended inside a message \(\d+ bytes pending\)/);

    const bad = new EventStreamDecoder();
    expect(() => bad.push(flip(stream, stream.length - 1))).toThrow(/message CRC mismatch/);
    expect(() => bad.push(encodeMessage({ headers: {} }))).toThrow(/message CRC mismatch/);
  });

  it('refuses a message over 16 MiB as soon as its prelude arrives', () => {
    const prelude = new Uint8Array(12);
    const v = new DataView(prelude.buffer);
    v.setUint32(0, MAX_MESSAGE_BYTES + 1);
    v.setUint32(4, 0);
    v.setUint32(8, crc32(prelude.subarray(0, 8)));
    expect(() => new EventStreamDecoder().push(prelude)).toThrow(/16777217 bytes exceeds the 16777216-byte limit/);
    expect(() => new EventStreamDecoder(20).push(stream)).toThrow(/exceeds the 20-byte limit/);
  });

  it('decodes an async byte stream', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < stream.length; i += 5) yield stream.subarray(i, i + 5);
    }
    const got: EventStreamMessage[] = [];
    for await (const m of decodeEventStream(chunks())) got.push(m);
    expect(got).toEqual(messages);
  });
});

describe('message helpers', () => {
  it('builds event, exception and error frames with the headers SDKs read', () => {
    const ev = decodeMessage(eventMessage('Foo', '{"a":1}', CBOR_CONTENT_TYPE));
    expect(ev.headers).toEqual({
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: 'Foo' },
      ':content-type': { type: 'string', value: CBOR_CONTENT_TYPE },
    });
    const ex = decodeMessage(exceptionMessage('ResourceInUseException', 'busy'));
    expect(stringHeader(ex, ':message-type')).toBe('exception');
    expect(stringHeader(ex, ':exception-type')).toBe('ResourceInUseException');
    expect(stringHeader(ex, ':content-type')).toBe('application/json');
    expect(JSON.parse(dec.decode(ex.payload))).toEqual({ message: 'busy' });
    const er = decodeMessage(errorMessage('InternalError', 'boom'));
    expect(er.headers).toEqual({
      ':message-type': { type: 'string', value: 'error' },
      ':error-code': { type: 'string', value: 'InternalError' },
      ':error-message': { type: 'string', value: 'boom' },
    });
    expect(er.payload.length).toBe(0);
  });

  it('encodes the CBOR exception payload so the SDK CBOR codec reads it', () => {
    for (const message of ['', 'short', 'x'.repeat(23), 'y'.repeat(24), 'é'.repeat(200), 'z'.repeat(70_000)]) {
      const ex = decodeMessage(exceptionMessage('InternalFailureException', message, CBOR_CONTENT_TYPE));
      expect(stringHeader(ex, ':content-type')).toBe(CBOR_CONTENT_TYPE);
      expect(cbor.deserialize(ex.payload)).toEqual({ message });
    }
  });

  it('builds the Kinesis initial-response and SubscribeToShardEvent frames', () => {
    const init = decodeMessage(kinesisInitialResponse());
    expect(stringHeader(init, ':message-type')).toBe('event');
    expect(stringHeader(init, ':event-type')).toBe('initial-response');
    expect(stringHeader(init, ':content-type')).toBe('application/json');
    expect(dec.decode(init.payload)).toBe('{}');
    const ev = decodeMessage(kinesisEvent({ Records: [], ContinuationSequenceNumber: '1', MillisBehindLatest: 0 }));
    expect(stringHeader(ev, ':event-type')).toBe('SubscribeToShardEvent');
    expect(JSON.parse(dec.decode(ev.payload))).toEqual({ Records: [], ContinuationSequenceNumber: '1', MillisBehindLatest: 0 });
  });
});

describe('agreement with @smithy/core EventStreamCodec', () => {
  const smithy = new EventStreamCodec((b) => dec.decode(b), (s) => enc.encode(s));
  type MessageHeaders = Parameters<EventStreamCodec['encode']>[0]['headers'];

  function toSmithy(headers: Headers): MessageHeaders {
    const out: MessageHeaders = {};
    for (const [name, h] of Object.entries(headers)) {
      out[name] = h.type === 'long' ? { type: 'long', value: Int64.fromNumber(Number(h.value)) } : h;
    }
    return out;
  }

  // Int64.fromNumber goes through a double, so keep longs within 2^53 for the byte comparison.
  const exact: Headers = { ...ALL_TYPES, 'long-min': { type: 'long', value: -(2n ** 53n) }, 'long-max': { type: 'long', value: 2n ** 53n - 1n } };

  it('produces the same bytes for the same headers and payload', () => {
    const payload = enc.encode('{"x":[1,2,3]}');
    expect(encodeMessage({ headers: exact, payload })).toEqual(smithy.encode({ headers: toSmithy(exact), body: payload }));
    expect(kinesisInitialResponse()).toEqual(
      smithy.encode({
        headers: {
          ':message-type': { type: 'string', value: 'event' },
          ':event-type': { type: 'string', value: 'initial-response' },
          ':content-type': { type: 'string', value: 'application/json' },
        },
        body: enc.encode('{}'),
      }),
    );
  });

  it('decodes what we encode', () => {
    const out = smithy.decode(encodeMessage({ headers: ALL_TYPES, payload: enc.encode('p') }));
    expect(dec.decode(out.body)).toBe('p');
    for (const [name, h] of Object.entries(ALL_TYPES)) {
      const theirs = out.headers[name]!;
      expect(theirs.type).toBe(h.type);
      // Its Int64.valueOf() rounds through a double, so compare the raw eight bytes instead.
      if (theirs.type === 'long') expect(Buffer.from(theirs.value.bytes).readBigInt64BE()).toBe(h.value);
      else expect(theirs.value).toEqual(h.value);
    }
  });

  it('we decode what it encodes', () => {
    const bytes = smithy.encode({ headers: toSmithy(exact), body: enc.encode('q') });
    expect(decodeMessage(bytes)).toEqual({ headers: exact, payload: enc.encode('q') });
  });

  it('rejects our corrupted frames too', () => {
    const bytes = kinesisInitialResponse();
    expect(() => smithy.decode(flip(bytes, bytes.length - 2))).toThrow(/checksum/);
  });
});

describe('KinesisClient reading our SubscribeToShard stream', () => {
  function clientReturning(frames: Uint8Array[]): KinesisClient {
    const body = Buffer.concat(frames);
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 7) chunks.push(body.subarray(i, i + 7));
    return new KinesisClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async () => ({
          response: { statusCode: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'r1' }, body: Readable.from(chunks) },
        }),
      },
    });
  }
  const input = { ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1', ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' as const } };

  it('consumes initial-response, yields events, then throws the modeled exception', async () => {
    const client = clientReturning([
      kinesisInitialResponse(),
      kinesisEvent({
        Records: [{ SequenceNumber: '49', Data: Buffer.from('hello').toString('base64'), PartitionKey: 'pk', ApproximateArrivalTimestamp: 1_700_000_000.5 }],
        ContinuationSequenceNumber: '49',
        MillisBehindLatest: 0,
      }),
      kinesisEvent({
        Records: [],
        ContinuationSequenceNumber: '50',
        MillisBehindLatest: 7,
        ChildShards: [{ ShardId: 'shardId-000000000001', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' } }],
      }),
      exceptionMessage('ResourceInUseException', 'another subscription is active'),
    ]);
    const out = await client.send(new SubscribeToShardCommand(input));
    const events: unknown[] = [];
    let thrown: unknown;
    try {
      for await (const e of out.EventStream!) events.push(e);
    } catch (err) {
      thrown = err;
    }
    expect(events).toHaveLength(2);
    const [first, second] = events as [
      { SubscribeToShardEvent: { Records: { Data: Uint8Array; ApproximateArrivalTimestamp: Date; PartitionKey: string }[]; ContinuationSequenceNumber: string } },
      { SubscribeToShardEvent: { MillisBehindLatest: number; ChildShards: { ShardId: string }[] } },
    ];
    expect(dec.decode(first.SubscribeToShardEvent.Records[0]!.Data)).toBe('hello');
    expect(first.SubscribeToShardEvent.Records[0]!.ApproximateArrivalTimestamp.getTime()).toBe(1_700_000_000_500);
    expect(first.SubscribeToShardEvent.ContinuationSequenceNumber).toBe('49');
    expect(second.SubscribeToShardEvent.MillisBehindLatest).toBe(7);
    expect(second.SubscribeToShardEvent.ChildShards[0]!.ShardId).toBe('shardId-000000000001');
    expect(thrown).toBeInstanceOf(ResourceInUseException);
    expect((thrown as Error).message).toBe('another subscription is active');
  });

  it('surfaces an unmodeled error frame with its code and message', async () => {
    const client = clientReturning([kinesisInitialResponse(), errorMessage('InternalError', 'boom')]);
    const out = await client.send(new SubscribeToShardCommand(input));
    await expect(async () => {
      for await (const _ of out.EventStream!) void _;
    }).rejects.toMatchObject({ name: 'InternalError', message: 'boom' });
  });
});
