// SigV4 verification against requests signed by the SDK's own signer (and, end to end, by an
// unmodified SQSClient), plus every rejection with the code, status and wording AWS uses.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, type SignedRequest, parseAuthScope, verifySigV4 } from '../../nodes/gateway/protocols/sigv4.js';

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const lookup = async (id: string): Promise<string | undefined> => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined);
const NOW = Date.UTC(2024, 4, 17, 10, 30, 0);
const MIN = 60_000;

function signer(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = KEY): SignatureV4 {
  return new SignatureV4({ service: 'sqs', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
}

interface Draft {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

// The query goes on the wire as the SDK's HTTP handlers write it: each name and value escaped
// with encodeURIComponent plus !'()*.
const escape = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function wire(r: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string>; body?: unknown }): SignedRequest {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v ?? '']) parts.push(`${escape(k)}=${escape(one)}`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, rawPath: r.path, rawQuery: parts.join('&'), headers, body: Buffer.from(typeof r.body === 'string' ? r.body : '') };
}

function draft(d: Draft): { method: string; protocol: string; hostname: string; port: number; path: string; query: Record<string, string | string[]>; headers: Record<string, string>; body?: string } {
  return { method: d.method, protocol: 'http:', hostname: 'localhost', port: 4566, path: d.path, query: d.query ?? {}, headers: { host: 'localhost:4566', ...d.headers }, ...(d.body !== undefined ? { body: d.body } : {}) };
}

async function sign(d: Draft, at = NOW, s = signer()): Promise<SignedRequest> {
  return wire(await s.sign(draft(d), { signingDate: new Date(at) }));
}

async function presign(d: Draft, expiresIn: number, at = NOW): Promise<SignedRequest> {
  return wire(await signer().presign(draft(d), { signingDate: new Date(at), expiresIn }));
}

async function rejection(req: SignedRequest, now = NOW, lk = lookup): Promise<AuthError> {
  const err = await verifySigV4(req, lk, now).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(err)}`);
  return err;
}

const jsonPost: Draft = {
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
  body: '{"QueueUrl":"http://localhost:4566/000000000000/q","MessageBody":"héllo {\\"a\\": 1}"}',
};

describe('verifySigV4 accepts what AWS clients sign', () => {
  it('matches a published AWS test vector (get-vanilla, signed independently of any SDK)', async () => {
    const req: SignedRequest = {
      method: 'GET',
      rawPath: '/',
      rawQuery: '',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: Buffer.alloc(0),
    };
    const p = await verifySigV4(req, async () => 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', Date.UTC(2015, 7, 30, 12, 36));
    expect(p).toEqual({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'service' });
  });

  it('a JSON-protocol POST', async () => {
    const req = await sign(jsonPost);
    expect(req.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifySigV4(req, lookup, NOW)).toEqual({ accessKeyId: KEY.accessKeyId, region: 'us-east-1', service: 'sqs' });
    // The derived key is cached; a second request must verify the same way.
    await expect(verifySigV4(await sign(jsonPost), lookup, NOW)).resolves.toMatchObject({ service: 'sqs' });
  });

  it('a form-encoded Query-protocol POST', async () => {
    const body = 'Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq&MessageBody=a%20b%2Bc%26d';
    const req = await sign({ method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    await expect(verifySigV4(req, lookup, NOW)).resolves.toMatchObject({ accessKeyId: KEY.accessKeyId });
  });

  it('a GET whose query needs sorting and encoding', async () => {
    const query = { Action: 'ListQueues', QueueNamePrefix: 'a b*c~d/é', 'Attribute.1': ["it's", '(x)'], Empty: '', Zeta: '!' };
    const req = await sign({ method: 'GET', path: '/', query });
    expect(req.rawQuery).toContain('QueueNamePrefix=a%20b%2Ac~d%2F%C3%A9');
    await expect(verifySigV4(req, lookup, NOW)).resolves.toMatchObject({ region: 'us-east-1' });
  });

  it('a path with characters that need encoding, and one that needs normalising', async () => {
    for (const path of ['/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations', '/q/a%20b/%C3%A9/x!y', '/a//b/./c/../d/']) {
      const req = await sign({ method: 'POST', path, body: '{}' });
      await expect(verifySigV4(req, lookup, NOW), path).resolves.toMatchObject({ service: 'sqs' });
    }
  });

  it('UNSIGNED-PAYLOAD, a session token, padded and repeated header values', async () => {
    const unsigned = await sign({ ...jsonPost, headers: { ...jsonPost.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    await expect(verifySigV4({ ...unsigned, body: Buffer.from('anything') }, lookup, NOW)).resolves.toBeDefined();

    const withToken = await sign(jsonPost, NOW, signer({ ...KEY, sessionToken: 'FQoGZXIvYXdzEJr//////////token' }));
    expect(withToken.headers['x-amz-security-token']).toBeDefined();
    await expect(verifySigV4(withToken, lookup, NOW)).resolves.toBeDefined();

    // The signer collapses blanks; the server sees them raw, and Node's headersDistinct splits repeats.
    const spaced = await sign({ ...jsonPost, headers: { ...jsonPost.headers, 'x-custom': '  a   b  ', 'x-multi': 'one,two' } });
    spaced.headers['x-custom'] = '  a   b  ';
    spaced.headers['x-multi'] = [' one', 'two '];
    await expect(verifySigV4(spaced, lookup, NOW)).resolves.toBeDefined();
  });

  it('a presigned URL within its lifetime', async () => {
    const req = await presign({ method: 'GET', path: '/000000000000/q', query: { Action: 'ReceiveMessage' } }, 300);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.rawQuery).toContain('X-Amz-Signature=');
    await expect(verifySigV4(req, lookup, NOW + 299_000)).resolves.toMatchObject({ accessKeyId: KEY.accessKeyId });
  });

  it('checks the scope against what the endpoint serves when asked to', async () => {
    const req = await sign(jsonPost);
    await expect(verifySigV4(req, lookup, NOW, { region: 'us-east-1', service: 'sqs' })).resolves.toBeDefined();
    const err = await verifySigV4(req, lookup, NOW, { region: 'eu-west-1', service: 'sns' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'sns'.",
    });
  });
});

describe('verifySigV4 rejects', () => {
  it('a tampered body, a tampered signed header, a wrong secret', async () => {
    const req = await sign(jsonPost);
    const body = await rejection({ ...req, body: Buffer.from(req.body.toString().replace('héllo', 'hello')) });
    expect(body).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(body.message).toMatch(/^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'POST\n\/\n/);

    const header = await rejection({ ...req, headers: { ...req.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } });
    expect(header.code).toBe('SignatureDoesNotMatch');
    // An unsigned header may change freely.
    await expect(verifySigV4({ ...req, headers: { ...req.headers, 'user-agent': 'other' } }, lookup, NOW)).resolves.toBeDefined();

    const wrong = await rejection(req, NOW, async () => 'not-the-secret-at-all-0000000000000000000');
    expect(wrong.code).toBe('SignatureDoesNotMatch');
  });

  it('an unknown access key id', async () => {
    const err = await rejection(await sign(jsonPost, NOW, signer({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: KEY.secretAccessKey })));
    expect(err).toMatchObject({ code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid.' });
  });

  it('clock skew over 15 minutes either way, and accepts 14', async () => {
    await expect(verifySigV4(await sign(jsonPost, NOW + 14 * MIN), lookup, NOW)).resolves.toBeDefined();
    await expect(verifySigV4(await sign(jsonPost, NOW - 14 * MIN), lookup, NOW)).resolves.toBeDefined();
    await expect(verifySigV4(await sign(jsonPost, NOW - 15 * MIN), lookup, NOW)).resolves.toBeDefined();

    const ahead = await rejection(await sign(jsonPost, NOW + 16 * MIN), NOW);
    expect(ahead).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: 'Signature not yet current: 20240517T104600Z is still later than 20240517T104500Z (20240517T103000Z + 15 min.)',
    });
    const behind = await rejection(await sign(jsonPost, NOW - 16 * MIN), NOW);
    expect(behind).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: 'Signature expired: 20240517T101400Z is now earlier than 20240517T101500Z (20240517T103000Z - 15 min.)',
    });
  });

  it('a request with no authentication at all', async () => {
    const req = await sign(jsonPost);
    const { authorization: _dropped, ...headers } = req.headers;
    expect(await rejection({ ...req, headers })).toMatchObject({ code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' });
    expect(await rejection({ ...req, headers: { ...headers, authorization: '  ' } })).toMatchObject({ code: 'MissingAuthenticationToken' });
  });

  it('malformed Authorization headers', async () => {
    const req = await sign(jsonPost);
    const auth = String(req.headers.authorization);
    const cred = /Credential=([^,]+)/.exec(auth)?.[1] ?? '';
    const withAuth = (authorization: string): SignedRequest => ({ ...req, headers: { ...req.headers, authorization } });

    const partial = await rejection(withAuth(`AWS4-HMAC-SHA256 Credential=${cred}`));
    expect(partial).toMatchObject({
      code: 'IncompleteSignature',
      status: 400,
      message: `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=${cred}`,
    });
    const bearer = await rejection(withAuth('Bearer eyJhbGciOi'));
    expect(bearer.message).toBe(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer eyJhbGciOi",
    );
    const spaced = await rejection(withAuth(auth.replace('/2024', ' /2024')));
    expect(spaced.code).toBe('IncompleteSignature');
    expect(spaced.message).toMatch(/^'\/20240517\/us-east-1\/sqs\/aws4_request' not a valid key=value pair \(missing equal-sign\) in Authorization header: 'AWS4-HMAC-SHA256 /);
    expect(await rejection(withAuth(auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')))).toMatchObject({
      code: 'IncompleteSignature',
      message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
    });
    expect(await rejection(withAuth(auth.replace('/aws4_request', '')))).toMatchObject({ code: 'IncompleteSignature', status: 400 });
    expect(() => parseAuthScope('AKID/20240517/us-east-1/sqs')).toThrow(/exactly 5 slash-delimited elements/);

    const { 'x-amz-date': _d, ...noDate } = req.headers;
    expect((await rejection({ ...req, headers: noDate })).message).toMatch(/^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\./);
    expect(await rejection({ ...req, headers: { ...req.headers, 'x-amz-date': '2024-05-17T10:30:00Z' } })).toMatchObject({
      code: 'IncompleteSignature',
      message: "Date must be in ISO-8601 'basic format'. Got '2024-05-17T10:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
  });

  it('a host header left out of the signature, and a scope dated another day', async () => {
    const s = signer();
    const unsignedHost = wire(await s.sign(draft(jsonPost), { signingDate: new Date(NOW), unsignableHeaders: new Set(['host']) }));
    expect(await rejection(unsignedHost)).toMatchObject({ code: 'SignatureDoesNotMatch', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." });

    const req = await sign(jsonPost);
    const err = await rejection({ ...req, headers: { ...req.headers, 'x-amz-date': '20240516T235959Z' } }, Date.UTC(2024, 4, 17, 0, 5));
    expect(err.message).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240517' != '20240516', from '20240516T235959Z'.",
    );
  });

  it('presigned URLs: expired, tampered, incomplete, over-long, malformed', async () => {
    const d: Draft = { method: 'GET', path: '/000000000000/q', query: { Action: 'ReceiveMessage' } };
    const req = await presign(d, 300);
    expect(await rejection(req, NOW + 301_000)).toMatchObject({ code: 'RequestExpired', status: 400, message: 'Request has expired.' });
    expect(await rejection({ ...req, rawQuery: req.rawQuery.replace('ReceiveMessage', 'DeleteQueue') })).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(await rejection({ ...req, rawQuery: req.rawQuery.replace(/&?X-Amz-Signature=[0-9a-f]+/, '') })).toMatchObject({
      code: 'IncompleteSignature',
      message: "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    });
    expect(await rejection({ ...req, rawQuery: req.rawQuery.replace('X-Amz-Expires=300', 'X-Amz-Expires=604801') })).toMatchObject({ code: 'IncompleteSignature' });
    expect(await rejection({ ...req, rawQuery: `${req.rawQuery}&bad=%G1` })).toMatchObject({ code: 'MalformedQueryString' });
    // Header and query authentication together is refused outright.
    const both = await sign(d);
    expect(await rejection({ ...both, rawQuery: `${both.rawQuery}&X-Amz-Algorithm=AWS4-HMAC-SHA256` })).toMatchObject({ code: 'IncompleteSignature' });
    // A URL dated well ahead of the server's clock is not yet valid.
    expect((await rejection(await presign(d, 3600, NOW + 16 * MIN))).message).toMatch(/^Signature not yet current/);
  });
});

describe('an unmodified SQSClient', () => {
  let url = '';
  // How far the server's clock runs ahead of this machine's: a client with a wrong clock, seen from
  // a right one. The Date header carries the same clock, as a gateway's does.
  let serverAheadMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const signed: SignedRequest = {
        method: req.method ?? 'GET',
        rawPath: q < 0 ? target : target.slice(0, q),
        rawQuery: q < 0 ? '' : target.slice(q + 1),
        headers: req.headersDistinct,
        body: Buffer.concat(chunks),
      };
      const now = Date.now() + serverAheadMs;
      const date = new Date(now).toUTCString();
      verifySigV4(signed, lookup, now, { region: 'us-east-1', service: 'sqs' }).then(
        () => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', date });
          res.end('{"QueueUrls":["http://localhost/000000000000/ok"]}');
        },
        (e: unknown) => {
          const err = e instanceof AuthError ? e : new AuthError('InternalFailure', String(e), 500);
          res.writeHead(err.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${err.code};Sender`, date });
          res.end(JSON.stringify({ __type: `com.amazon.coral.service#${err.code}`, message: err.message }));
        },
      );
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = (credentials = KEY): SQSClient => new SQSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 2 });

  it('verifies, and corrects a 16-minute clock skew either way from the rejection', async () => {
    const ok = await client().send(new ListQueuesCommand({ QueueNamePrefix: 'o k/é' }));
    expect(ok.QueueUrls).toEqual(['http://localhost/000000000000/ok']);

    for (const ahead of [16 * MIN, -16 * MIN]) {
      serverAheadMs = ahead;
      try {
        const skewed = client();
        const out = await skewed.send(new ListQueuesCommand({}));
        // The first attempt is refused as skewed; the SDK adopts the server's clock and retries.
        expect(out.$metadata.attempts).toBe(2);
        expect(Math.abs(skewed.config.systemClockOffset - ahead)).toBeLessThan(MIN);
      } finally {
        serverAheadMs = 0;
      }
    }
  });

  it('surfaces the AWS error name to the caller', async () => {
    const err = await client({ ...KEY, accessKeyId: 'AKIAUNKNOWNKEY000000' })
      .send(new ListQueuesCommand({}))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
  });
});
