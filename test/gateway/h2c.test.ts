// HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on one port: the server alone with an echo
// handler, then the real gateway (embedded node, SigV4 on) driven by the SDK v3 clients with
// NodeHttp2Handler, as the Kinesis client does by default.
import { type IncomingMessage, type ServerResponse, request } from 'node:http';
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { type AddressInfo, connect as tcpConnect } from 'node:net';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueUrlCommand, QueueDoesNotExist, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H2cServer } from '../../nodes/gateway/h2c.js';
import { ROOT, startEmbedded } from '../compat/targets.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  httpVersion: string;
  host: string | undefined;
  distinct: NodeJS.Dict<string[]>;
  body: string;
}

/** Answers with what it saw, setting the headers HTTP/2 forbids (they must be dropped, not fail). */
function echo(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method, url: req.url, httpVersion: req.httpVersion, host: req.headers.host, distinct: { ...req.headersDistinct }, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      const text = JSON.stringify(s);
      res.setHeader('keep-alive', 'timeout=5');
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-echo': 'yes', connection: 'keep-alive' });
      res.end(text);
    });
  };
}

function http1(port: number, path: string, body: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function http2(session: ClientHttp2Session, path: string, body: string | Buffer, headers: Record<string, string | string[]> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string; rstCode: number | undefined }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, ...headers });
    let status = 0;
    let got: Record<string, unknown> = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      got = h;
    });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('close', () => resolve({ status, headers: got, body: Buffer.concat(chunks).toString(), rstCode: stream.rstCode }));
    stream.on('error', reject);
    // A GET's stream is ended with its headers.
    if (!stream.writableEnded) stream.end(body);
  });
}

function h2session(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = connect(`http://127.0.0.1:${port}`);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

describe('H2cServer', () => {
  let server: H2cServer;
  let port: number;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = new H2cServer(echo(seen));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves HTTP/1.1 and HTTP/2 on the same port, both reaching the handler with method, path, headers and body', async () => {
    const session = await h2session(port);
    try {
      const [one, two] = await Promise.all([
        http1(port, '/one?x=1', 'body one', { 'x-rep': ['a', 'b'], 'x-amz-target': 'T.One' }),
        http2(session, '/two?y=2', 'body two', { 'x-rep': ['a', 'b'], 'x-amz-target': 'T.Two' }),
      ]);
      expect(one.status).toBe(201);
      expect(two.status).toBe(201);
      const s1 = JSON.parse(one.body) as Seen;
      const s2 = JSON.parse(two.body) as Seen;
      expect(s1).toMatchObject({ method: 'POST', url: '/one?x=1', httpVersion: '1.1', host: `127.0.0.1:${port}`, body: 'body one' });
      expect(s2).toMatchObject({ method: 'POST', url: '/two?y=2', httpVersion: '2.0', host: `127.0.0.1:${port}`, body: 'body two' });
      for (const s of [s1, s2]) {
        expect(s.distinct['x-rep']).toEqual(['a', 'b']);
        expect(s.distinct['x-amz-target']).toEqual([s === s1 ? 'T.One' : 'T.Two']);
        expect(s.distinct.host).toEqual([`127.0.0.1:${port}`]);
        expect(Object.keys(s.distinct).filter((k) => k.startsWith(':'))).toEqual([]);
      }
      // Connection-specific headers the handler set are dropped over HTTP/2, kept over HTTP/1.1.
      expect(two.headers).toMatchObject({ 'x-echo': 'yes', 'content-type': 'application/json' });
      expect(two.headers).not.toHaveProperty('connection');
      expect(two.headers).not.toHaveProperty('keep-alive');
      expect(one.headers).toMatchObject({ 'x-echo': 'yes', connection: 'keep-alive' });
      // Many requests at once on one HTTP/2 connection.
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => http2(session, `/n/${i}`, String(i))));
      expect(many.map((r) => (JSON.parse(r.body) as Seen).body)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    } finally {
      session.close();
    }
  });

  it('waits for more bytes when the first ones could still be the HTTP/2 preface', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const sock = tcpConnect(port, '127.0.0.1', () => {
        // 'P' is the preface's first byte; 'POST' parts ways at the second.
        sock.write('P');
        setTimeout(() => sock.write(`OST /split HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`), 50);
      });
      let got = '';
      sock.on('data', (c: Buffer) => {
        got += c.toString();
        if (got.endsWith('}')) {
          sock.destroy();
          resolve(got);
        }
      });
      sock.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 201/);
    expect(text).toContain('"url":"/split"');
  });

  it('closes idle connections of both kinds on close(), and idle HTTP/2 sessions after keepAliveTimeout', async () => {
    const s = new H2cServer(echo([]));
    s.keepAliveTimeout = 300;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const p = (s.address() as AddressInfo).port;
    const idle = await h2session(p);
    await http2(idle, '/a', 'x');
    const idleClosed = new Promise<number>((resolve) => idle.once('close', () => resolve(Date.now())));
    const t0 = Date.now();
    expect((await idleClosed) - t0).toBeGreaterThanOrEqual(200);

    // Now idle connections would stay for a minute: close() must not wait for that.
    s.keepAliveTimeout = 60_000;
    const h2 = await h2session(p);
    await http2(h2, '/b', 'x');
    await http1(p, '/c', 'x'); // leaves a keep-alive HTTP/1.1 connection idle
    const h2Closed = new Promise<void>((resolve) => h2.once('close', () => resolve()));
    const started = Date.now();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    expect(Date.now() - started).toBeLessThan(2000);
    await h2Closed;
  });
});

describe('the gateway over HTTP/2 (embedded node, SigV4)', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let sqs2: SQSClient;

  beforeAll(async () => {
    t = await startEmbedded();
    sqs2 = new SQSClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttp2Handler() });
  });
  afterAll(async () => {
    sqs2?.destroy();
    await t?.stop();
  });

  it('answers the SQS JSON protocol from the SDK with NodeHttp2Handler, and HTTP/1.1 clients alike', async () => {
    const { QueueUrl } = await sqs2.send(new CreateQueueCommand({ QueueName: 'over-h2' }));
    // The queue URL is built from the request's host: over HTTP/2 that is :authority.
    expect(QueueUrl).toMatch(new RegExp(`^${t.endpoint}/\\d{12}/over-h2$`));
    await sqs2.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello over h2' }));
    const got = await sqs2.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['hello over h2']);
    await expect(sqs2.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    // The same port, HTTP/1.1.
    const sqs1 = t.client();
    expect((await sqs1.send(new GetQueueUrlCommand({ QueueName: 'over-h2' }))).QueueUrl).toBe(QueueUrl);
    sqs1.destroy();
  });

  it('answers Lambda (restJson1) over HTTP/2', async () => {
    const lambda2 = new LambdaClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttp2Handler() });
    try {
      expect((await lambda2.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
      await expect(lambda2.send(new GetFunctionCommand({ FunctionName: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    } finally {
      lambda2.destroy();
    }
  });

  it('refuses an oversized body over HTTP/2 with 413, then resets the stream instead of reading the rest', async () => {
    const { port } = new URL(t.endpoint);
    const session = await h2session(Number(port));
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues', 'content-length': String(64 * 1024 * 1024) });
      const response = new Promise<{ status: number; headers: Record<string, unknown> }>((resolve) => stream.once('response', (h) => resolve({ status: Number(h[':status']), headers: h })));
      const body: Buffer[] = [];
      stream.on('data', (c: Buffer) => body.push(c));
      // The client's own unsent bytes keep its side of the stream from 'close'; 'end' comes with the reset.
      const ended = new Promise<number>((resolve) => stream.once('end', () => resolve(stream.rstCode ?? -1)));
      stream.on('error', () => undefined);
      // Sends the first chunk only: the answer must not wait for the other 64 MiB.
      stream.write(Buffer.alloc(64 * 1024, 0x20));
      const r = await response;
      expect(r.status).toBe(413);
      expect(r.headers).not.toHaveProperty('connection');
      expect(await ended).toBe(constants.NGHTTP2_NO_ERROR);
      expect(stream.closed).toBe(true);
      expect(JSON.parse(Buffer.concat(body).toString())).toMatchObject({ __type: 'com.amazonaws.sqs#RequestEntityTooLarge' });
      stream.destroy();
      // The connection itself stays usable.
      const next = await http2(session, '/health', '', { ':method': 'GET' });
      expect(next.status).toBe(200);
    } finally {
      session.close();
    }
  });
});
