// CBOR: the codec against RFC 8949 Appendix A and malformed input, the shape mapping of AWS's
// CBOR protocol, and that protocol end to end behind the HTTP front (over HTTP/1.1 and HTTP/2),
// SigV4-signed with the Smithy signer the SDKs use.
import { request } from 'node:http';
import { connect } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceSpec, actionMap, defineAction, eraseService } from '../../nodes/gateway/action.js';
import { AwsError } from '../../nodes/gateway/errors.js';
import { H2cServer } from '../../nodes/gateway/h2c.js';
import { httpFront } from '../../nodes/gateway/http.js';
import { CBOR_CONTENT_TYPE, type CborValue, Simple, Tagged, decodeCbor, encodeCbor, fromCbor, toCbor } from '../../nodes/gateway/protocols/cbor.js';
import { verifySigV4 } from '../../nodes/gateway/protocols/sigv4.js';
import { t } from '../../nodes/gateway/shapes.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const obj = (o: Record<string, CborValue>): Record<string, CborValue> => o;

// RFC 8949 Appendix A: the value, its encoding, and whether our encoder produces exactly that
// (JavaScript has one number type: 1.0 encodes as the integer 1; indefinite lengths are decode-only).
const APPENDIX_A: [CborValue, string, boolean][] = [
  [0, '00', true],
  [1, '01', true],
  [10, '0a', true],
  [23, '17', true],
  [24, '1818', true],
  [25, '1819', true],
  [100, '1864', true],
  [1000, '1903e8', true],
  [1000000, '1a000f4240', true],
  [1000000000000, '1b000000e8d4a51000', true],
  [18446744073709551615n, '1bffffffffffffffff', true],
  [18446744073709551616n, 'c249010000000000000000', true],
  [-18446744073709551616n, '3bffffffffffffffff', true],
  [-18446744073709551617n, 'c349010000000000000000', true],
  [-1, '20', true],
  [-10, '29', true],
  [-100, '3863', true],
  [-1000, '3903e7', true],
  [0, 'f90000', false],
  [-0, 'f98000', true],
  [1, 'f93c00', false],
  [1.1, 'fb3ff199999999999a', true],
  [1.5, 'f93e00', true],
  [65504, 'f97bff', false],
  [100000, 'fa47c35000', false],
  [3.4028234663852886e38, 'fa7f7fffff', true],
  [1.0e300, 'fb7e37e43c8800759c', true],
  [5.960464477539063e-8, 'f90001', true],
  [0.00006103515625, 'f90400', true],
  [-4, 'f9c400', false],
  [-4.1, 'fbc010666666666666', true],
  [Infinity, 'f97c00', true],
  [NaN, 'f97e00', true],
  [-Infinity, 'f9fc00', true],
  [Infinity, 'fa7f800000', false],
  [NaN, 'fa7fc00000', false],
  [-Infinity, 'faff800000', false],
  [Infinity, 'fb7ff0000000000000', false],
  [NaN, 'fb7ff8000000000000', false],
  [-Infinity, 'fbfff0000000000000', false],
  [false, 'f4', true],
  [true, 'f5', true],
  [null, 'f6', true],
  [undefined, 'f7', true],
  [new Simple(16), 'f0', true],
  [new Simple(255), 'f8ff', true],
  [new Tagged(0, '2013-03-21T20:04:00Z'), 'c074323031332d30332d32315432303a30343a30305a', true],
  [new Tagged(1, 1363896240), 'c11a514b67b0', true],
  [new Tagged(1, 1363896240.5), 'c1fb41d452d9ec200000', true],
  [new Tagged(23, hex('01020304')), 'd74401020304', true],
  [new Tagged(24, hex('6449455446')), 'd818456449455446', true],
  [new Tagged(32, 'http://www.example.com'), 'd82076687474703a2f2f7777772e6578616d706c652e636f6d', true],
  [new Uint8Array(0), '40', true],
  [hex('01020304'), '4401020304', true],
  ['', '60', true],
  ['a', '6161', true],
  ['IETF', '6449455446', true],
  ['"\\', '62225c', true],
  ['\u00fc', '62c3bc', true],
  ['\u6c34', '63e6b0b4', true],
  ['\ud800\udd51', '64f0908591', true],
  [[], '80', true],
  [[1, 2, 3], '83010203', true],
  [[1, [2, 3], [4, 5]], '8301820203820405', true],
  [Array.from({ length: 25 }, (_, i) => i + 1), '98190102030405060708090a0b0c0d0e0f101112131415161718181819', true],
  [obj({}), 'a0', true],
  [
    new Map<CborValue, CborValue>([
      [1, 2],
      [3, 4],
    ]),
    'a201020304',
    true,
  ],
  [obj({ a: 1, b: [2, 3] }), 'a26161016162820203', true],
  [['a', obj({ b: 'c' })], '826161a161626163', true],
  [obj({ a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }), 'a56161614161626142616361436164614461656145', true],
  [hex('0102030405'), '5f42010243030405ff', false],
  ['streaming', '7f657374726561646d696e67ff', false],
  [[], '9fff', false],
  [[1, [2, 3], [4, 5]], '9f018202039f0405ffff', false],
  [[1, [2, 3], [4, 5]], '9f01820203820405ff', false],
  [[1, [2, 3], [4, 5]], '83018202039f0405ff', false],
  [[1, [2, 3], [4, 5]], '83019f0203ff820405', false],
  [Array.from({ length: 25 }, (_, i) => i + 1), '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff', false],
  [obj({ a: 1, b: [2, 3] }), 'bf61610161629f0203ffff', false],
  [['a', obj({ b: 'c' })], '826161bf61626163ff', false],
  [obj({ Fun: true, Amt: -2 }), 'bf6346756ef563416d7421ff', false],
];

/** Plain objects for comparison: decoded maps have no prototype. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [plain(k), plain(x)]));
  if (v instanceof Tagged) return new Tagged(v.tag, plain(v.value) as CborValue);
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof Simple)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

describe('CBOR codec (RFC 8949 Appendix A)', () => {
  it.each(APPENDIX_A.map(([v, h, enc]) => ({ v, h, enc })))('decodes $h', ({ v, h }) => {
    const got = decodeCbor(hex(h));
    if (typeof v === 'number' && Number.isNaN(v)) expect(Number.isNaN(got)).toBe(true);
    else if (Object.is(v, -0)) expect(Object.is(got, -0)).toBe(true);
    else expect(plain(got)).toEqual(v);
  });

  it.each(APPENDIX_A.filter(([, , enc]) => enc).map(([v, h]) => ({ v, h })))('encodes $h', ({ v, h }) => {
    expect(toHex(encodeCbor(v))).toBe(h);
  });

  it('encodes dates as tag 1 over epoch seconds and round-trips the other types', () => {
    expect(toHex(encodeCbor(new Date(1363896240000)))).toBe('c11a514b67b0');
    expect(toHex(encodeCbor(new Date(1363896240500)))).toBe('c1fb41d452d9ec200000');
    const value = obj({
      blob: hex('00ff10'),
      nested: [obj({ deep: [[[obj({ x: -123456789012 })]]] }), 0.1, -2.5, 'ü水𐅑'],
      big: 2n ** 70n,
      neg: -(2n ** 70n),
      half: 0.5,
      single: 0.15625,
      tagged: new Tagged(1000, obj({ a: null })),
      ['__proto__']: 'a key like any other',
    });
    const back = decodeCbor(encodeCbor(value));
    expect(plain(back)).toEqual(plain(value));
    expect(Object.getPrototypeOf(back)).toBe(null);
    expect((back as Record<string, CborValue>)['__proto__']).toBe('a key like any other');
  });
});

describe('CBOR codec: malformed input', () => {
  const cases: [string, string, RegExp][] = [
    ['empty input', '', /empty input/],
    ['truncated argument', '18', /unexpected end of data/],
    ['truncated string', '6461', /exceeds the data/],
    ['truncated array', '830102', /declared length 3 exceeds the data/],
    ['truncated map', 'a16161', /unexpected end of data/],
    ['reserved additional information', '1c', /reserved additional information 28/],
    ['reserved simple', 'fc', /reserved additional information 28/],
    ['lone break', 'ff', /break outside/],
    ['indefinite integer', '1f', /indefinite length on major type 0/],
    ['indefinite tag', 'df00', /indefinite length on major type 6/],
    ['unterminated indefinite array', '9f0102', /unexpected end of data/],
    ['invalid UTF-8', '62c328', /not valid UTF-8/],
    ['chunk of another type', '5f6161ff', /another major type/],
    ['nested indefinite chunk', '7f7f6161ffff', /nested indefinite-length string/],
    ['split UTF-8 in chunks', '7f61c361bcff', /not valid UTF-8/],
    ['trailing bytes', '0000', /1 bytes after the data item/],
    ['length beyond the data', '5affffffff00', /declared length 4294967295 exceeds the data/],
    ['64-bit array length', '9bffffffffffffffff', /exceeds the data/],
    ['map count beyond the data', 'a30102', /exceeds the data/],
    ['duplicate key', 'a2616101616102', /duplicate map key "a"/],
    ['two-byte simple below 32', 'f810', /simple value 16 in the two-byte form/],
    ['tag 1 over text', 'c16161', /tag 1 \(epoch date\) must enclose a number/],
    ['tag 0 over a number', 'c001', /tag 0 .* must enclose a text string/],
    ['bignum over an integer', 'c201', /tag 2 \(bignum\) must enclose a byte string/],
  ];

  it.each(cases.map(([name, h, message]) => ({ name, h, message })))('$name', ({ h, message }) => {
    let err: unknown;
    try {
      decodeCbor(hex(h));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AwsError);
    expect((err as AwsError).code).toBe('SerializationException');
    expect((err as AwsError).message).toMatch(/^The request body is not valid CBOR: /);
    expect((err as AwsError).message).toMatch(message);
  });

  it('limits nesting depth, for arrays, maps and tags alike', () => {
    const deep = (open: string, n: number): Uint8Array => hex(open.repeat(n) + '00');
    expect(decodeCbor(deep('81', 63))).toBeDefined();
    expect(() => decodeCbor(deep('81', 64))).not.toThrow();
    expect(() => decodeCbor(deep('81', 65))).toThrow(/nested deeper than 64 levels/);
    expect(() => decodeCbor(hex('a16161'.repeat(100) + '00'))).toThrow(/nested deeper than 64 levels/);
    expect(() => decodeCbor(hex('c1'.repeat(100) + '00'))).toThrow(/nested deeper than 64 levels/);
    expect(() => decodeCbor(deep('81', 5), 4)).toThrow(/nested deeper than 4 levels/);
    // An attack's worth of nesting fails as bad input, not as a stack overflow.
    expect(() => decodeCbor(deep('9f', 100_000))).toThrow(AwsError);
  });
});

describe('AWS CBOR shape mapping', () => {
  const shape = t.struct({
    Data: t.blob(),
    At: t.double({ timestamp: true }),
    Ratio: t.double(),
    Items: t.list(t.struct({ When: t.double({ timestamp: true }), Key: t.string() })),
    Tags: t.map(t.string()),
  });

  it('writes blobs as byte strings and timestamps as tag 1 over epoch milliseconds', () => {
    const out = toCbor(shape, { Data: hex('0102'), At: 1700000000.123, Ratio: 0.5, Items: [{ When: 1.5, Key: 'k' }], Tags: { a: 'b' } });
    expect(plain(out)).toEqual({ Data: hex('0102'), At: new Tagged(1, 1700000000123), Ratio: 0.5, Items: [{ When: new Tagged(1, 1500), Key: 'k' }], Tags: { a: 'b' } });
    // c1 1b 0000018bcfe5687b: tag 1, then the milliseconds as an unsigned integer, as the Java SDK writes them.
    expect(toHex(encodeCbor(new Tagged(1, 1700000000123)))).toBe('c11b0000018bcfe5687b');
  });

  it('reads timestamps (tagged or not) back as epoch seconds, drops other tags, keeps blobs as bytes', () => {
    const decoded = decodeCbor(encodeCbor({ Data: new Tagged(24, hex('0102')), At: new Tagged(1, 1700000000123), Ratio: new Tagged(99, 0.5), Items: [{ When: 1500, Key: 'k', Extra: 1 }], Tags: { a: 'b' }, Unknown: 'x' }));
    expect(fromCbor(shape, decoded)).toEqual({ Data: hex('0102'), At: 1700000000.123, Ratio: 0.5, Items: [{ When: 1.5, Key: 'k' }], Tags: { a: 'b' } });
    expect(() => fromCbor(shape, decodeCbor(hex('a16454616773a10101')))).toThrow(/map keys must be text strings/);
  });
});

// ---------------------------------------------------------------------------------------------
// The protocol behind the HTTP front
// ---------------------------------------------------------------------------------------------

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const action = defineAction<null>();
const putThing = action({
  name: 'PutThing',
  input: t.struct({ Name: t.string({ required: true, min: 1, max: 16 }), Data: t.blob({ required: true }), At: t.double({ timestamp: true }) }),
  output: t.struct({ Name: t.string(), Data: t.blob(), At: t.double({ timestamp: true }), Size: t.integer() }),
  async handler(input) {
    if (input.Name === 'missing') throw new AwsError('UnknownOperationException', 'no such thing');
    return { Name: input.Name, Data: input.Data, At: input.At ?? 1700000000.5, Size: input.Data.length };
  },
});
const base = { signingName: 'toy', jsonVersion: '1.1' as const, queryCompatible: false, queryVersion: '2020-01-01', xmlNamespace: 'urn:toy', actions: actionMap([putThing]), deps: null };
const cborToy: ServiceSpec = eraseService({ ...base, targetPrefix: 'Toy_20200101', cbor: true });
const jsonOnly: ServiceSpec = eraseService({ ...base, signingName: 'plain', targetPrefix: 'Plain_20200101' });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function signed(port: number, service: string, target: string, contentType: string, body: Uint8Array): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: KEY, sha256: Hash.bind(null, 'sha256') });
  const s = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': contentType, 'x-amz-target': target, 'content-length': String(body.length) },
    body,
  });
  return s.headers;
}

function post1(port: number, headers: Record<string, string>, body: Uint8Array): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post2(port: number, headers: Record<string, string>, body: Uint8Array): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    // The host header travels as :authority in HTTP/2.
    const { host: _host, ...rest } = headers;
    const stream = session.request({ ':method': 'POST', ':path': '/', ...rest });
    let status = 0;
    let got: Record<string, string | string[] | undefined> = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      got = h;
    });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      session.close();
      resolve({ status, headers: got, body: Buffer.concat(chunks) });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('AWS CBOR protocol through the HTTP front', () => {
  let server: H2cServer;
  let port: number;

  beforeAll(async () => {
    const authenticate = (req: Parameters<typeof verifySigV4>[0]) => verifySigV4(req, async (id) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined), Date.now());
    server = new H2cServer(httpFront({ services: [cborToy, jsonOnly], authenticate, region: 'us-east-1', accountId: '123456789012', maxBodyBytes: 4096, log: () => undefined }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  for (const [proto, post] of [
    ['HTTP/1.1', post1],
    ['HTTP/2', post2],
  ] as const) {
    describe(proto, () => {
      const call = async (input: CborValue | Uint8Array, o: { target?: string; service?: string; contentType?: string } = {}): Promise<Reply> => {
        const body = input instanceof Uint8Array ? input : encodeCbor(input);
        const headers = await signed(port, o.service ?? 'toy', o.target ?? 'Toy_20200101.PutThing', o.contentType ?? CBOR_CONTENT_TYPE, body);
        return post(port, headers, body);
      };

      it('answers a CBOR request in CBOR: bytes stay bytes, timestamps are tagged milliseconds', async () => {
        const r = await call({ Name: 'thing', Data: hex('00ff7f'), At: new Tagged(1, 1700000000123) });
        expect(r.status).toBe(200);
        expect(r.headers['content-type']).toBe(CBOR_CONTENT_TYPE);
        expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
        expect(plain(decodeCbor(r.body))).toEqual({ Name: 'thing', Data: hex('00ff7f'), At: new Tagged(1, 1700000000123), Size: 3 });
        // An untagged number in a timestamp member is milliseconds too.
        const untagged = await call({ Name: 'thing', Data: hex('01'), At: 1700000000000 });
        expect(plain(decodeCbor(untagged.body))).toMatchObject({ At: new Tagged(1, 1700000000000) });
      });

      it('answers bad input with a CBOR error: __type, message, status and headers as in JSON', async () => {
        const r = await call({ Name: 'x'.repeat(17), Data: hex('01') });
        expect(r.status).toBe(400);
        expect(r.headers['content-type']).toBe(CBOR_CONTENT_TYPE);
        expect(r.headers['x-amzn-errortype']).toBe('InvalidParameterValueException');
        expect(plain(decodeCbor(r.body))).toEqual({ __type: 'com.amazonaws.toy#InvalidParameterValueException', message: expect.stringMatching(/Name .* at most 16 characters/) });

        const missing = await call({ Name: 'thing' });
        expect(missing.status).toBe(400);
        expect(plain(decodeCbor(missing.body))).toMatchObject({ __type: 'com.amazonaws.toy#MissingRequiredParameterException', message: 'The request must contain the parameter Data.' });

        const wrongType = await call({ Name: 'thing', Data: 42 });
        expect(plain(decodeCbor(wrongType.body))).toMatchObject({ message: expect.stringMatching(/Data is invalid/) });

        const unknownOp = await call({}, { target: 'Toy_20200101.Nope' });
        expect(unknownOp.status).toBe(400);
        expect(plain(decodeCbor(unknownOp.body))).toMatchObject({ __type: 'com.amazonaws.toy#UnknownOperationException' });
      });

      it('answers malformed CBOR with a CBOR SerializationException', async () => {
        const r = await call(hex('a26161016162'));
        expect(r.status).toBe(400);
        expect(r.headers['content-type']).toBe(CBOR_CONTENT_TYPE);
        expect(plain(decodeCbor(r.body))).toEqual({ __type: 'com.amazonaws.toy#SerializationException', message: expect.stringMatching(/not valid CBOR: unexpected end of data/) });
      });

      it('keeps JSON working, and refuses CBOR for a service that does not take it', async () => {
        const json = await call(new Uint8Array(Buffer.from(JSON.stringify({ Name: 'j', Data: 'AQI=', At: 1700000000.25 }))), { contentType: 'application/x-amz-json-1.1' });
        expect(json.status).toBe(200);
        expect(json.headers['content-type']).toBe('application/x-amz-json-1.1');
        expect(JSON.parse(json.body.toString())).toEqual({ Name: 'j', Data: 'AQI=', At: 1700000000.25, Size: 2 });

        const refused = await call({ Name: 'thing', Data: hex('01') }, { service: 'plain', target: 'Plain_20200101.PutThing' });
        expect(refused.status).toBe(400);
        expect(refused.headers['content-type']).toBe('application/x-amz-json-1.1');
        expect(JSON.parse(refused.body.toString())).toMatchObject({ __type: 'com.amazonaws.plain#SerializationException', message: expect.stringMatching(/Unsupported content type application\/x-amz-cbor-1.1/) });
      });
    });
  }
});
