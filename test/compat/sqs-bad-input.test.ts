// Hostile and broken requests against the embedded server's AWS front, as raw HTTP: malformed
// and mistyped bodies, wrong content types, unknown actions, oversized bodies, forbidden
// characters, and every way to fail SigV4. Each must be a well-formed AWS error (codes and
// wording per scratch/sqs-reference.md), and none may disturb the data already stored.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM, JSON_10, type RawResponse, elements, json, query, send, sign, signedSend, text } from './raw-http.js';
import { type SqsTarget, startEmbedded } from './targets.js';

const REQUEST_ID = /^[0-9a-f-]{36}$/;

interface JsonError {
  status: number;
  type: string;
  message: string;
  queryError: string | undefined;
}

/** A JSON-protocol error: its status, `__type` suffix, message and x-amzn-query-error header. */
function jsonError(r: RawResponse): JsonError {
  expect(r.headers['x-amzn-requestid']).toMatch(REQUEST_ID);
  expect(r.headers['content-type']).toBe(JSON_10);
  const body = JSON.parse(r.body) as { __type: string; message: string };
  expect(body.__type).toMatch(/^com\.amazonaws\.sqs#/);
  const h = r.headers['x-amzn-query-error'];
  return { status: r.status, type: body.__type.split('#')[1]!, message: body.message, queryError: Array.isArray(h) ? h[0] : h };
}

/** A Query-protocol error document's status, code and message. */
function xmlError(r: RawResponse): { status: number; code: string | undefined; message: string | undefined } {
  expect(r.headers['x-amzn-requestid']).toMatch(REQUEST_ID);
  expect(r.body).toMatch(/^<\?xml version="1\.0"\?><ErrorResponse /);
  expect(text(r.body, 'RequestId')).toBe(r.headers['x-amzn-requestid']);
  return { status: r.status, code: text(r.body, 'Code'), message: text(r.body, 'Message') };
}

const unsigned = (endpoint: string, action: string, body: string): Promise<RawResponse> =>
  send(endpoint, { headers: { 'content-type': JSON_10, 'x-amz-target': `AmazonSQS.${action}` }, body });

/**
 * Streams `total` bytes of body in paced chunks (declaring the length up front, or chunked when
 * `declare` is false) and stops writing as soon as an answer arrives, as a client would. Resolves
 * with the answer and how much of the body was written by then.
 */
function oversized(endpoint: string, headers: Record<string, string>, total: number, declare: boolean): Promise<{ res: RawResponse; written: number }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...headers, ...(declare ? { 'content-length': String(total) } : {}) } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ res: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }, written });
          req.destroy();
        });
        res.on('error', reject);
      },
    );
    // The server closes the connection once it has answered; a write racing that close fails harmlessly.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = (): void => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', () => setTimeout(pump, 1));
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('bad input against the AWS front (auth on)', () => {
  let target: SqsTarget;
  let e: string;
  let keepUrl: string;
  const kept: { id: string; body: string }[] = [];

  beforeAll(async () => {
    target = await startEmbedded();
    e = target.endpoint;
    const created = await json(e, 'CreateQueue', { QueueName: `keep-${process.pid}` });
    expect(created.status, created.body).toBe(200);
    keepUrl = (JSON.parse(created.body) as { QueueUrl: string }).QueueUrl;
    for (const body of ['before one', 'before two ✓', 'before three']) {
      const r = await json(e, 'SendMessage', { QueueUrl: keepUrl, MessageBody: body });
      expect(r.status, r.body).toBe(200);
      kept.push({ id: (JSON.parse(r.body) as { MessageId: string }).MessageId, body });
    }
  }, 60_000);
  afterAll(async () => target?.stop(), 30_000);

  it('answers a malformed JSON body with SerializationException', async () => {
    const r = jsonError(await json(e, 'CreateQueue', '{"QueueName": "x",'));
    expect(r).toMatchObject({ status: 400, type: 'SerializationException', queryError: 'SerializationException;Sender' });
    expect(r.message).toMatch(/not valid JSON/);
  });

  it('answers a JSON body that is not UTF-8 with SerializationException', async () => {
    const body = Buffer.concat([Buffer.from('{"QueueName":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const r = jsonError(await json(e, 'CreateQueue', body));
    expect(r).toMatchObject({ status: 400, type: 'SerializationException' });
    expect(r.message).toMatch(/UTF-8/);
  });

  it('refuses wrong content types clearly', async () => {
    const plain = await signedSend(e, { headers: { 'content-type': 'text/plain', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
    const p = jsonError(plain);
    expect(p).toMatchObject({ status: 400, type: 'SerializationException' });
    expect(p.message).toMatch(/text\/plain/);
    expect(p.message).toMatch(/application\/x-amz-json-1\.0/);

    // No X-Amz-Target, so the Query protocol, but not a form either.
    const notForm = xmlError(await signedSend(e, { headers: { 'content-type': 'text/plain' }, body: 'Action=ListQueues&Version=2012-11-05' }));
    expect(notForm.status).toBe(400);
    expect(notForm.code).toBe('InvalidParameterValue');
    expect(notForm.message).toMatch(/text\/plain/);

    const noAction = xmlError(await signedSend(e, { headers: { 'content-type': FORM }, body: 'Version=2012-11-05&QueueName=x' }));
    expect(noAction).toEqual({ status: 400, code: 'MissingAction', message: 'The request must contain the parameter Action.' });
  });

  it('answers unknown operations', async () => {
    const nope = jsonError(await json(e, 'Nope', {}));
    expect(nope).toMatchObject({ status: 400, type: 'UnknownOperationException' });
    const prefix = jsonError(await signedSend(e, { headers: { 'content-type': JSON_10, 'x-amz-target': 'AmazonSNS.Publish' }, body: '{}' }));
    expect(prefix).toMatchObject({ status: 400, type: 'UnknownOperationException' });
    const action = xmlError(await query(e, 'Nope'));
    expect(action).toEqual({ status: 400, code: 'InvalidAction', message: 'The action Nope is not valid for this endpoint.' });
  });

  it('refuses a body over the 4 MiB limit with 413, without reading it all', async () => {
    const total = 5 * 1024 * 1024;
    const headers = { 'content-type': JSON_10, 'x-amz-target': 'AmazonSQS.SendMessage' };
    // Declared length: refused from the headers alone, long before the body could be read.
    const declared = await oversized(e, headers, total, true);
    expect(declared.res.status).toBe(413);
    expect(jsonError(declared.res)).toMatchObject({ status: 413, type: 'RequestEntityTooLarge' });
    expect(declared.written).toBeLessThan(total);
    // Chunked, no length: refused once the limit is passed, still with an answer.
    const chunked = await oversized(e, headers, total, false);
    expect(chunked.res.status).toBe(413);
    expect(jsonError(chunked.res)).toMatchObject({ status: 413, type: 'RequestEntityTooLarge' });
    // The Query protocol gets its own error shape.
    const form = await oversized(e, { 'content-type': FORM }, total, true);
    expect(xmlError(form.res)).toMatchObject({ status: 413, code: 'RequestEntityTooLarge' });
  });

  it('refuses characters SQS forbids in a message body', async () => {
    const url = (JSON.parse((await json(e, 'CreateQueue', { QueueName: `chars-${process.pid}` })).body) as { QueueUrl: string }).QueueUrl;
    // Written by hand: JSON escapes for NUL and a lone surrogate, and U+FFFE as raw UTF-8.
    for (const escaped of ['a\\u0000b', 'a\\ud800b', 'a\\udc00', 'a\uFFFEb', 'bell\\u0007']) {
      const r = jsonError(await json(e, 'SendMessage', `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"${escaped}"}`));
      expect(r).toMatchObject({ status: 400, type: 'InvalidMessageContents', queryError: 'InvalidMessageContents;Sender' });
      expect(r.message).toBe('Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
    }
    // A well-formed surrogate pair (an astral character) is fine.
    expect((await json(e, 'SendMessage', `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"ok \\ud83d\\ude00"}`)).status).toBe(200);
    // The Query protocol: NUL percent-encoded.
    const q = xmlError(await query(e, 'SendMessage', { QueueUrl: url, MessageBody: 'nul\u0000' }));
    expect([q.status, q.code]).toEqual([400, 'InvalidMessageContents']);
    // A lone surrogate cannot be percent-encoded UTF-8: the form itself is malformed.
    const lone = xmlError(
      await signedSend(e, { headers: { 'content-type': FORM }, body: `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(url)}&MessageBody=%ED%A0%80` }),
    );
    expect(lone.code).toBe('MalformedQueryString');
  });

  it('answers bodies of the wrong shape with InvalidParameterValue', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['SendMessage', [], /for parameter request is invalid\. Reason: Must be a structure\./],
      ['SendMessage', 'null', /Must be a structure/],
      ['SendMessage', '"text"', /Must be a structure/],
      ['ReceiveMessage', { QueueUrl: keepUrl, MaxNumberOfMessages: 'ten' }, /^Value ten for parameter MaxNumberOfMessages is invalid\. Reason: Must be an integer\.$/],
      ['ReceiveMessage', { QueueUrl: keepUrl, MaxNumberOfMessages: 2.5 }, /MaxNumberOfMessages is invalid/],
      ['SendMessage', { QueueUrl: keepUrl, MessageBody: 42 }, /^Value 42 for parameter MessageBody is invalid\. Reason: Must be a string\.$/],
      ['SendMessage', { QueueUrl: ['x'], MessageBody: 'x' }, /parameter QueueUrl is invalid/],
      ['CreateQueue', { QueueName: 'x', Attributes: ['VisibilityTimeout'] }, /parameter Attributes is invalid\. Reason: Must be a map\./],
      ['CreateQueue', { QueueName: 'x', Attributes: { VisibilityTimeout: 30 } }, /parameter Attributes\.VisibilityTimeout is invalid/],
      ['ReceiveMessage', { QueueUrl: keepUrl, MessageAttributeNames: 'All' }, /parameter MessageAttributeNames is invalid\. Reason: Must be a list\./],
      ['SendMessage', { QueueUrl: keepUrl, MessageBody: 'x', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'not base64!' } } }, /Must be base64-encoded binary/],
    ];
    for (const [action, body, message] of cases) {
      const r = jsonError(await json(e, action, typeof body === 'string' ? body : JSON.stringify(body)));
      expect(r, JSON.stringify(body)).toMatchObject({ status: 400, type: 'InvalidParameterValueException', queryError: 'InvalidParameterValue;Sender' });
      expect(r.message).toMatch(message);
    }
  });

  it('answers a missing required member with MissingParameter', async () => {
    const r = jsonError(await json(e, 'SendMessage', { QueueUrl: keepUrl }));
    expect(r).toEqual({ status: 400, type: 'MissingRequiredParameterException', message: 'The request must contain the parameter MessageBody.', queryError: 'MissingParameter;Sender' });
    const nested = jsonError(await json(e, 'SendMessageBatch', { QueueUrl: keepUrl, Entries: [{ Id: 'a' }] }));
    expect(nested).toMatchObject({ status: 400, type: 'MissingRequiredParameterException', queryError: 'MissingParameter;Sender' });
    expect(nested.message).toMatch(/MessageBody/);
    // An explicit null is as absent as a missing key.
    const nul = jsonError(await json(e, 'GetQueueUrl', { QueueName: null }));
    expect(nul).toMatchObject({ type: 'MissingRequiredParameterException', message: 'The request must contain the parameter QueueName.' });
  });

  it('treats names that are also Object.prototype keys as plain names', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const create = jsonError(await json(e, 'CreateQueue', `{"QueueName":"proto-x","Attributes":{${JSON.stringify(name)}:"1"}}`));
      expect(create, name).toEqual({ status: 400, type: 'InvalidAttributeName', message: `Unknown Attribute ${name}.`, queryError: 'InvalidAttributeName;Sender' });
      const set = jsonError(await json(e, 'SetQueueAttributes', `{"QueueUrl":${JSON.stringify(keepUrl)},"Attributes":{${JSON.stringify(name)}:"1"}}`));
      expect(set.type, name).toBe('InvalidAttributeName');
      const get = jsonError(await json(e, 'GetQueueAttributes', { QueueUrl: keepUrl, AttributeNames: [name] }));
      expect([get.type, get.message], name).toEqual(['InvalidAttributeName', `Unknown Attribute ${name}.`]);
      const form = xmlError(await query(e, 'CreateQueue', { QueueName: 'proto-x', 'Attribute.1.Name': name, 'Attribute.1.Value': '1' }));
      expect([form.code, form.message], name).toEqual(['InvalidAttributeName', `Unknown Attribute ${name}.`]);
    }

    // As message attribute names and tag keys they are valid, and must come back like any other.
    // (A `__proto__` tag key is not asserted: the meta group's codec, below the gateway, drops it.)
    const created = await json(e, 'CreateQueue', '{"QueueName":"proto-ok","tags":{"constructor":"c","toString":"s"}}');
    expect(created.status, created.body).toBe(200);
    const url = (JSON.parse(created.body) as { QueueUrl: string }).QueueUrl;
    const tags = await json(e, 'ListQueueTags', { QueueUrl: url });
    expect(JSON.parse(tags.body)).toEqual({ Tags: { constructor: 'c', toString: 's' } });
    const attrs = '{"__proto__":{"DataType":"String","StringValue":"p"},"constructor":{"DataType":"String","StringValue":"c"}}';
    const sent = await json(e, 'SendMessage', `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"x","MessageAttributes":${attrs}}`);
    expect(sent.status, sent.body).toBe(200);
    const got = await json(e, 'ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'], WaitTimeSeconds: 2 });
    const m = (JSON.parse(got.body) as { Messages: { MessageAttributes: unknown; MD5OfMessageAttributes: string }[] }).Messages[0]!;
    expect(m.MessageAttributes).toEqual(JSON.parse(attrs));
    expect(m.MD5OfMessageAttributes).toBe((JSON.parse(sent.body) as { MD5OfMessageAttributes: string }).MD5OfMessageAttributes);
    const named = await json(e, 'ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['__proto__'], VisibilityTimeout: 0 });
    expect(named.status).toBe(200);
  });

  it('decodes a form with a hundred thousand list entries in linear time', async () => {
    const entries = Array.from({ length: 140_000 }, (_, i) => `AttributeName.${i + 1}=All`).join('&');
    const body = `Action=ReceiveMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(keepUrl)}&VisibilityTimeout=0&${entries}`;
    expect(body.length).toBeLessThan(4 * 1024 * 1024);
    const started = Date.now();
    const r = await signedSend(e, { headers: { 'content-type': FORM }, body });
    expect(r.status, r.body.slice(0, 300)).toBe(200);
    // Quadratic decoding took minutes here; linear takes well under a second.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('verifies a signed header that arrives repeated (AWS joins the values with commas)', async () => {
    const s = await sign(e, { headers: { 'content-type': JSON_10, 'x-amz-target': 'AmazonSQS.ListQueues', 'x-stratus-test': 'a,b' }, body: '{}' });
    const r = await send(e, { ...s, headers: { ...s.headers, 'x-stratus-test': ['a', 'b'] } });
    expect(r.status, r.body).toBe(200);
  });

  it('refuses unsigned, badly signed and skewed requests', async () => {
    const none = jsonError(await unsigned(e, 'ListQueues', '{}'));
    expect(none).toEqual({ status: 403, type: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token', queryError: 'MissingAuthenticationToken;Sender' });
    const noneQuery = xmlError(await send(e, { headers: { 'content-type': FORM }, body: 'Action=ListQueues&Version=2012-11-05' }));
    expect(noneQuery).toEqual({ status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });

    const wrong = jsonError(await json(e, 'ListQueues', {}, { secretAccessKey: 'not-the-secret-0000000000000000000000000' }));
    expect(wrong).toMatchObject({ status: 403, type: 'SignatureDoesNotMatch' });
    expect(wrong.message).toMatch(/^The request signature we calculated does not match the signature you provided\./);

    // Signed, then the body changed on the way.
    const good = await sign(e, { headers: { 'content-type': JSON_10, 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
    const tampered = jsonError(await send(e, { ...good, body: '[]' }));
    expect(tampered).toMatchObject({ status: 403, type: 'SignatureDoesNotMatch' });

    // Not SigV4 at all.
    const partial = jsonError(await send(e, { headers: { 'content-type': JSON_10, 'x-amz-target': 'AmazonSQS.ListQueues', authorization: 'AWS4-HMAC-SHA256 Credential=abc' }, body: '{}' }));
    expect(partial).toMatchObject({ status: 400, type: 'IncompleteSignature', queryError: 'IncompleteSignature;Sender' });

    // 20 minutes either way is outside AWS's 15-minute window. The answer carries the server's
    // Date, from which the SDKs correct their clock and retry.
    const past = await json(e, 'ListQueues', {}, { signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(past.headers.date).toBeDefined();
    const p = jsonError(past);
    expect(p).toMatchObject({ status: 403, type: 'SignatureDoesNotMatch', queryError: 'SignatureDoesNotMatch;Sender' });
    expect(p.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const future = jsonError(await json(e, 'ListQueues', {}, { signingDate: new Date(Date.now() + 20 * 60_000) }));
    expect(future).toMatchObject({ status: 403, type: 'SignatureDoesNotMatch' });
    expect(future.message).toMatch(/^Signature not yet current: /);
    // Query clients get the same codes in XML.
    const skewedForm = await sign(e, { headers: { 'content-type': FORM }, body: 'Action=ListQueues&Version=2012-11-05' }, { signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(xmlError(await send(e, skewedForm))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('does not fail on a malformed escape in the request path', async () => {
    const r = await signedSend(e, { path: '/%zz', headers: { 'content-type': JSON_10, 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
    expect(r.status, r.body).toBe(200);
  });

  it('still answers after all that, with the messages stored before it intact', async () => {
    const listed = await json(e, 'ListQueues', {});
    expect(listed.status).toBe(200);
    expect((JSON.parse(listed.body) as { QueueUrls: string[] }).QueueUrls).toContain(keepUrl);
    const got: { MessageId: string; Body: string }[] = [];
    const until = Date.now() + 15_000;
    while (got.length < kept.length && Date.now() < until) {
      const r = await json(e, 'ReceiveMessage', { QueueUrl: keepUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
      expect(r.status, r.body).toBe(200);
      got.push(...((JSON.parse(r.body) as { Messages?: { MessageId: string; Body: string }[] }).Messages ?? []));
    }
    expect(got.map((m) => ({ id: m.MessageId, body: m.Body })).sort((a, b) => a.body.localeCompare(b.body))).toEqual([...kept].sort((a, b) => a.body.localeCompare(b.body)));
  });
});

describe('the AWS front with --auth off', () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startEmbedded(['--auth', 'off']);
  }, 60_000);
  afterAll(async () => target?.stop(), 30_000);

  it('accepts unsigned requests in both protocols', async () => {
    const e = target.endpoint;
    const created = await unsigned(e, 'CreateQueue', JSON.stringify({ QueueName: 'open' }));
    expect(created.status, created.body).toBe(200);
    const url = (JSON.parse(created.body) as { QueueUrl: string }).QueueUrl;
    expect((await unsigned(e, 'SendMessage', JSON.stringify({ QueueUrl: url, MessageBody: 'no auth' }))).status).toBe(200);
    const form = await send(e, { headers: { 'content-type': FORM }, body: new URLSearchParams({ Action: 'ReceiveMessage', Version: '2012-11-05', QueueUrl: url, WaitTimeSeconds: '2' }).toString() });
    expect(form.status, form.body).toBe(200);
    expect(text(elements(form.body, 'Message')[0] ?? '', 'Body')).toBe('no auth');
    // Nothing is verified: a signature with the wrong secret passes as well.
    const wrong = await json(e, 'ListQueues', {}, { secretAccessKey: 'not-the-secret-0000000000000000000000000' });
    expect(wrong.status).toBe(200);
    // Bad input is still bad input.
    expect(jsonError(await unsigned(e, 'SendMessage', JSON.stringify({ QueueUrl: url }))).type).toBe('MissingRequiredParameterException');
  });
});
