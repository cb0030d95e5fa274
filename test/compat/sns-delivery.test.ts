// SNS delivery end to end on the embedded server: fan-out to many queues and to functions, raw
// and non-raw message shapes, filter policies on attributes and on the body, MessageStructure
// json, queue policies (AWS: a queue must allow the topic), dead-letter queues, HTTP endpoints
// (confirmation handshake, SNS's headers, the delivery policy's retries), FIFO order and
// deduplication, and functions whose destinations and dead-letter targets are topics.
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddPermissionCommand, CreateFunctionCommand, InvokeCommand, type LambdaClient, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, GetSubscriptionAttributesCommand, PublishBatchCommand, PublishCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from './lambda-fixtures.js';
import { lambdaClient } from './lambda-suite.js';
import { drain, nothingMore, snsClient, topicQueue } from './sns-fixtures.js';
import { startEmbedded } from './targets.js';
import { seen, until } from '../scheduler/esm-fixtures.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
/** Records each SNS record it gets (one JSON line) in $OUT; fails when the message says so. */
const SNS_RECORDER = zip({
  'index.mjs': `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  for (const r of event.Records) {
    appendFileSync(process.env.OUT, JSON.stringify({ id: r.Sns.MessageId, text: r.Sns.Message, source: r.EventSource, sub: r.EventSubscriptionArn, subject: r.Sns.Subject, attrs: r.Sns.MessageAttributes, type: r.Sns.Type }) + '\\n');
    if (r.Sns.Message.startsWith('fail')) throw new Error('asked to fail');
  }
  return 'ok';
};
`,
});
const FAILS = zip({ 'index.mjs': `export const handler = async () => { throw new Error('always'); };\n` });

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('SNS delivery', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let sns: SNSClient;
  let sqs: SQSClient;
  let lambda: LambdaClient;
  let dir: string;

  const topic = async (name: string, attributes: Record<string, string> = {}): Promise<string> => (await sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
  const sub = async (topicArn: string, protocol: string, endpoint: string, attributes: Record<string, string> = {}): Promise<string> =>
    (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true }))).SubscriptionArn!;
  const recorder = async (name: string, code = SNS_RECORDER): Promise<{ out: string; arn: string }> => {
    const out = join(dir, `${name}.jsonl`);
    const r = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: code }, Timeout: 3, Environment: { Variables: { OUT: out } } }));
    return { out, arn: r.FunctionArn! };
  };
  const allowSns = (fn: string, topicArn: string): Promise<unknown> =>
    lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: `sns-${fn}`, Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: topicArn }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-sns-'));
    t = await startEmbedded();
    sns = snsClient(t.endpoint);
    sqs = t.client();
    lambda = lambdaClient(t.endpoint);
  }, 30_000);
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    lambda?.destroy();
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('fans one publish out to many queues, raw and as SNS notifications', async () => {
    const arn = await topic('fanout');
    const queues = await Promise.all(Array.from({ length: 12 }, (_, i) => topicQueue(sqs, `fan-${i}`, [arn])));
    for (const [i, q] of queues.entries()) await sub(arn, 'sqs', q.arn, { RawMessageDelivery: String(i % 2 === 0) });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      ids.push((await sns.send(new PublishCommand({ TopicArn: arn, Message: `hello ${n}`, Subject: 'greeting', MessageAttributes: { n: { DataType: 'Number', StringValue: String(n) }, tag: { DataType: 'String', StringValue: 'x' } } }))).MessageId!);
    }
    for (const [i, q] of queues.entries()) {
      const got = await drain(sqs, q.url, 5, 15_000, true);
      expect(got).toHaveLength(5);
      if (i % 2 === 0) {
        expect(got.map((m) => m.Body).sort()).toEqual(['hello 0', 'hello 1', 'hello 2', 'hello 3', 'hello 4']);
        // Raw delivery carries the message attributes as SQS message attributes.
        expect(got[0]!.MessageAttributes!.tag).toMatchObject({ DataType: 'String', StringValue: 'x' });
        expect(got[0]!.MessageAttributes!.n!.DataType).toBe('Number');
      } else {
        const n = JSON.parse(got[0]!.Body!) as Record<string, unknown>;
        expect(Object.keys(n)).toEqual(['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);
        expect(n).toMatchObject({ Type: 'Notification', TopicArn: arn, Subject: 'greeting', SignatureVersion: '1' });
        expect(ids).toContain(n.MessageId);
        expect(n.MessageAttributes).toMatchObject({ tag: { Type: 'String', Value: 'x' } });
        expect(String(n.Timestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(String(n.UnsubscribeURL)).toContain('Action=Unsubscribe');
        if (i === 1) {
          // The signature verifies with the key served at SigningCertURL, over AWS's string to sign.
          const pem = await (await fetch(String(n.SigningCertURL))).text();
          const signed = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].map((k) => `${k}\n${String(n[k])}\n`).join('');
          expect(verify('RSA-SHA1', Buffer.from(signed), pem, Buffer.from(String(n.Signature), 'base64'))).toBe(true);
        }
      }
    }
  });

  it('delivers nothing to a queue whose policy does not allow the topic, and dead-letters it when asked', async () => {
    const arn = await topic('no-policy');
    const closed = await topicQueue(sqs, 'closed', []);
    const dlq = await topicQueue(sqs, 'closed-dlq', [arn]);
    await sub(arn, 'sqs', closed.arn, { RawMessageDelivery: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) });
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'knock knock' }));
    const dead = await drain(sqs, dlq.url, 1, 15_000, true);
    expect(dead.map((m) => m.Body)).toEqual(['knock knock']);
    expect(dead[0]!.MessageAttributes!.ErrorCode!.StringValue).toBe('AccessDenied');
    expect(await nothingMore(sqs, closed.url, 1)).toEqual([]);
  });

  it('filters on message attributes and on the message body', async () => {
    const arn = await topic('filtered');
    const red = await topicQueue(sqs, 'f-red', [arn]);
    const big = await topicQueue(sqs, 'f-big', [arn]);
    const body = await topicQueue(sqs, 'f-body', [arn]);
    const all = await topicQueue(sqs, 'f-all', [arn]);
    await sub(arn, 'sqs', red.arn, { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ color: ['red'], size: [{ exists: true }] }) });
    await sub(arn, 'sqs', big.arn, { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ size: [{ numeric: ['>=', 10] }], color: [{ 'anything-but': ['blue'] }] }) });
    await sub(arn, 'sqs', body.arn, { RawMessageDelivery: 'true', FilterPolicyScope: 'MessageBody', FilterPolicy: JSON.stringify({ order: { kind: [{ prefix: 'exp' }] } }) });
    await sub(arn, 'sqs', all.arn, { RawMessageDelivery: 'true' });
    const cases: [string, Record<string, [string, string]>][] = [
      ['red-small', { color: ['String', 'red'], size: ['Number', '3'] }],
      ['red-big', { color: ['String', 'red'], size: ['Number', '12'] }],
      ['blue-big', { color: ['String', 'blue'], size: ['Number', '50'] }],
      ['red-nosize', { color: ['String', 'red'] }],
      ['{"order":{"kind":"express"}}', {}],
      ['{"order":{"kind":"standard"}}', {}],
    ];
    for (const [msg, attrs] of cases) {
      const MessageAttributes = Object.fromEntries(Object.entries(attrs).map(([k, [DataType, StringValue]]) => [k, { DataType, StringValue }]));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: msg, MessageAttributes }));
    }
    expect((await drain(sqs, all.url, 6)).map((m) => m.Body).sort()).toEqual(cases.map(([m]) => m).sort());
    // Everything published has reached the unfiltered queue; the others get their matches only.
    expect((await drain(sqs, red.url, 2)).map((m) => m.Body).sort()).toEqual(['red-big', 'red-small']);
    expect((await drain(sqs, big.url, 1)).map((m) => m.Body)).toEqual(['red-big']);
    expect((await drain(sqs, body.url, 1)).map((m) => m.Body)).toEqual(['{"order":{"kind":"express"}}']);
    for (const q of [red, big, body]) expect(await nothingMore(sqs, q.url, 1)).toEqual([]);
  });

  it('sends each protocol its own body with MessageStructure json', async () => {
    const arn = await topic('structured');
    const q = await topicQueue(sqs, 'structured-q', [arn]);
    const fn = await recorder('structured-fn');
    await allowSns('structured-fn', arn);
    await sub(arn, 'sqs', q.arn, { RawMessageDelivery: 'true' });
    await sub(arn, 'lambda', fn.arn);
    await sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }) }));
    expect((await drain(sqs, q.url, 1)).map((m) => m.Body)).toEqual(['for queues']);
    const got = await until('the function', () => (seen(fn.out).length > 0 ? seen(fn.out) : undefined));
    expect(got[0]!.text).toBe('for everyone');
  });

  it('invokes functions asynchronously with the SNS event, only with their permission', async () => {
    const arn = await topic('to-functions');
    const fns = await Promise.all(['fn-a', 'fn-b', 'fn-c'].map((n) => recorder(n)));
    await allowSns('fn-a', arn);
    await allowSns('fn-b', arn);
    const subs: string[] = [];
    for (const f of fns) subs.push(await sub(arn, 'lambda', f.arn));
    for (let i = 0; i < 4; i++) await sns.send(new PublishCommand({ TopicArn: arn, Message: `event ${i}`, Subject: 'S', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    for (const [i, f] of fns.slice(0, 2).entries()) {
      const got = await until(`${f.arn} invoked`, () => (seen(f.out).length >= 4 ? seen(f.out) : undefined));
      expect(got.map((s) => (s as unknown as { text: string }).text).sort()).toEqual(['event 0', 'event 1', 'event 2', 'event 3']);
      expect(got[0]).toMatchObject({ source: 'aws:sns', sub: subs[i], subject: 'S', type: 'Notification', attrs: { k: { Type: 'String', Value: 'v' } } });
    }
    // fn-c never gave SNS permission: AWS drops the message (no dead-letter queue configured).
    expect(seen(fns[2]!.out)).toEqual([]);
  });

  it('confirms an HTTP subscription, posts notifications with SNS headers, and retries by the delivery policy', async () => {
    const hits: Hit[] = [];
    let failuresLeft = 0;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hits.push({ headers: req.headers, body });
        const isNotification = req.headers['x-amz-sns-message-type'] === 'Notification';
        if (isNotification && failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(500).end();
        } else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const arn = await topic('hooks', { DeliveryPolicy: JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 3, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, backoffFunction: 'linear' } } }) });
      const endpoint = `http://127.0.0.1:${port}/hook`;
      const pending = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: endpoint }));
      expect(pending.SubscriptionArn).toBe('pending confirmation');
      const confirmation = await until('the confirmation', () => hits.find((h) => h.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation'));
      const c = JSON.parse(confirmation.body) as { SubscribeURL: string; Token: string; TopicArn: string; Type: string };
      expect(c).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn: arn });
      expect(confirmation.headers['x-amz-sns-subscription-arn']).toBeUndefined();
      // Visiting SubscribeURL (unsigned, as a browser or an endpoint would) confirms.
      const visit = await fetch(c.SubscribeURL);
      expect(visit.status).toBe(200);
      const confirmedArn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await visit.text())![1]!;
      expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmedArn }))).Attributes!.PendingConfirmation).toBe('false');

      failuresLeft = 2;
      const id = (await sns.send(new PublishCommand({ TopicArn: arn, Message: 'to the hook' }))).MessageId!;
      const notes = await until('three attempts', () => {
        const n = hits.filter((h) => h.headers['x-amz-sns-message-type'] === 'Notification');
        return n.length >= 3 ? n : undefined;
      });
      for (const h of notes) {
        expect(h.headers).toMatchObject({ 'x-amz-sns-message-id': id, 'x-amz-sns-topic-arn': arn, 'x-amz-sns-subscription-arn': confirmedArn, 'user-agent': 'Amazon Simple Notification Service Agent' });
        expect(JSON.parse(h.body)).toMatchObject({ Type: 'Notification', Message: 'to the hook', MessageId: id });
      }
    } finally {
      server.close();
    }
  });

  it('dead-letters what an HTTP endpoint never took once the retries are spent', async () => {
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.headers['x-amz-sns-message-type'] === 'Notification' ? 503 : 200).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const arn = await topic('broken-hook');
      const dlq = await topicQueue(sqs, 'hook-dlq', [arn]);
      const s = await sub(arn, 'http', `http://127.0.0.1:${port}/x`, {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }),
        DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 1 } }),
      });
      // Confirm through the API with the token the endpoint would have received: read it back from the catalog view.
      const token = await until('a confirmation token', async () => {
        const p = await t.node.lambda!.backend.placement.current(0);
        return p.subscriptions.find((x) => s.endsWith(x.id))?.token;
      });
      await fetch(`${t.endpoint}/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=${encodeURIComponent(arn)}&Token=${token}`);
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'nobody home' }));
      const dead = await drain(sqs, dlq.url, 1, 20_000, true);
      expect(JSON.parse(dead[0]!.Body!)).toMatchObject({ Type: 'Notification', Message: 'nobody home' });
      expect(dead[0]!.MessageAttributes!.ErrorCode!.StringValue).toBe('EndpointUnavailable');
    } finally {
      server.close();
    }
  });

  it('keeps order per message group from a FIFO topic to FIFO queues, and deduplicates', async () => {
    const arn = await topic('ordered.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const qs = await Promise.all([0, 1].map((i) => topicQueue(sqs, `ordered-${i}.fifo`, [arn], { FifoQueue: 'true' })));
    for (const q of qs) await sub(arn, 'sqs', q.arn, { RawMessageDelivery: 'true' });
    const sent: string[] = [];
    for (let b = 0; b < 4; b++) {
      const entries = Array.from({ length: 10 }, (_, i) => {
        const n = b * 10 + i;
        sent.push(`g${n % 3}-${n}`);
        return { Id: `e${i}`, Message: `g${n % 3}-${n}`, MessageGroupId: `g${n % 3}` };
      });
      const r = await sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: entries }));
      expect(r.Failed ?? []).toEqual([]);
    }
    // The same content again within five minutes: accepted, not delivered twice.
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'g0-0', MessageGroupId: 'g0' }));
    for (const q of qs) {
      const got = (await drain(sqs, q.url, 40, 20_000, true)).map((m) => m.Body!);
      expect([...got].sort()).toEqual([...sent].sort());
      for (const g of ['g0', 'g1', 'g2']) expect(got.filter((b) => b.startsWith(`${g}-`))).toEqual(sent.filter((b) => b.startsWith(`${g}-`)));
      expect(await nothingMore(sqs, q.url, 1)).toEqual([]);
    }
  });

  it('lets function destinations and dead-letter configs target topics', async () => {
    const arn = await topic('lambda-failures');
    const q = await topicQueue(sqs, 'lambda-failures-q', [arn]);
    await sub(arn, 'sqs', q.arn, { RawMessageDelivery: 'true' });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'always-fails', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: FAILS }, Timeout: 3 }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'always-fails', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: arn } } }));
    await lambda.send(new InvokeCommand({ FunctionName: 'always-fails', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
    const got = await drain(sqs, q.url, 1, 20_000);
    const record = JSON.parse(got[0]!.Body!) as { requestContext: { condition: string }; requestPayload: unknown };
    expect(record.requestContext.condition).toBe('RetriesExhausted');
    expect(record.requestPayload).toEqual({ n: 1 });
  });
});
