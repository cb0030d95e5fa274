// SQS's Query protocol as Debian's awscli 2.9.19 and the older SDKs speak it, with raw signed
// form POSTs: parameter names, flattened XML lists and maps, the error document, and the legacy
// style of POSTing to the queue URL itself. Wire forms from scratch/sqs-reference.md §1, §3b, §4.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQS_NS, type RawResponse, elements, entries, query, signedSend, text, unescapeXml } from './raw-http.js';
import { type SqsTarget, startEmbedded } from './targets.js';

const md5 = (s: string | Uint8Array): string => createHash('md5').update(s).digest('hex');

/** MD5OfMessageAttributes written from the reference's algorithm (§5), independently of the server's. */
function md5OfAttributes(attrs: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>): string {
  const h = createHash('md5');
  const field = (b: Uint8Array): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len);
    h.update(b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    field(Buffer.from(name));
    field(Buffer.from(a.DataType));
    if (a.StringValue !== undefined) {
      h.update(Uint8Array.of(1));
      field(Buffer.from(a.StringValue));
    } else {
      h.update(Uint8Array.of(2));
      field(a.BinaryValue!);
    }
  }
  return h.digest('hex');
}

let seq = 0;
const uniq = (p: string): string => `${p}-${process.pid}-${Date.now() % 100000}-${++seq}`;

/** A 200 answer's `<ActionResult>` content, after checking the envelope around it. */
function result(r: RawResponse, action: string): string {
  expect(r.status, r.body).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/xml/);
  const requestId = r.headers['x-amzn-requestid'];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.body).toMatch(new RegExp(`^<\\?xml version="1\\.0"\\?><${action}Response xmlns="${SQS_NS.replace(/\./g, '\\.')}">`));
  expect(r.body.endsWith(`<ResponseMetadata><RequestId>${String(requestId)}</RequestId></ResponseMetadata></${action}Response>`)).toBe(true);
  return elements(r.body, `${action}Result`)[0] ?? '';
}

/** A Query error document: status, `<Type>`, `<Code>`, `<Message>`, and the request id twice. */
function queryError(r: RawResponse): { status: number; type: string | undefined; code: string | undefined; message: string | undefined } {
  expect(r.headers['content-type']).toMatch(/^text\/xml/);
  const requestId = String(r.headers['x-amzn-requestid']);
  expect(r.body).toMatch(new RegExp(`^<\\?xml version="1\\.0"\\?><ErrorResponse xmlns="${SQS_NS.replace(/\./g, '\\.')}"><Error><Type>`));
  expect(text(r.body, 'RequestId')).toBe(requestId);
  const err = elements(r.body, 'Error')[0] ?? '';
  return { status: r.status, type: text(err, 'Type'), code: text(err, 'Code'), message: text(err, 'Message') };
}

interface XmlMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  MD5OfMessageAttributes: string | undefined;
  Attributes: Record<string, string>;
  MessageAttributes: Record<string, { DataType: string | undefined; StringValue: string | undefined; BinaryValue: string | undefined }>;
}

function messages(res: string): XmlMessage[] {
  return elements(res, 'Message').map((m) => {
    const attrs = entries(m, 'Attribute');
    const mattrs: XmlMessage['MessageAttributes'] = {};
    for (const [name, v] of Object.entries(entries(m, 'MessageAttribute'))) {
      mattrs[name] = { DataType: text(v, 'DataType'), StringValue: text(v, 'StringValue'), BinaryValue: text(v, 'BinaryValue') };
    }
    return {
      MessageId: text(m, 'MessageId')!,
      ReceiptHandle: text(m, 'ReceiptHandle')!,
      MD5OfBody: text(m, 'MD5OfBody')!,
      Body: text(m, 'Body')!,
      MD5OfMessageAttributes: text(m, 'MD5OfMessageAttributes'),
      Attributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, unescapeXml(v)])),
      MessageAttributes: mattrs,
    };
  });
}

describe('SQS Query protocol (raw signed form POSTs)', () => {
  let target: SqsTarget;
  let e: string;
  beforeAll(async () => {
    target = await startEmbedded();
    e = target.endpoint;
  }, 60_000);
  afterAll(async () => target?.stop(), 30_000);

  /** Receives until `n` messages came back (a standard queue may answer with fewer per call). */
  async function receiveAll(url: string, n: number, extra: Record<string, string> = {}, path = '/'): Promise<XmlMessage[]> {
    const got: XmlMessage[] = [];
    const until = Date.now() + 15_000;
    while (got.length < n && Date.now() < until) {
      const params: Record<string, string> = { MaxNumberOfMessages: '10', WaitTimeSeconds: '1', ...extra };
      if (path === '/') params.QueueUrl = url;
      got.push(...messages(result(await query(e, 'ReceiveMessage', params, path), 'ReceiveMessage')));
    }
    return got;
  }

  it('creates a queue with attributes and tags, finds it and lists it', async () => {
    const name = uniq('qp');
    const created = await query(e, 'CreateQueue', {
      QueueName: name,
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '40',
      'Attribute.2.Name': 'DelaySeconds',
      'Attribute.2.Value': '0',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'core',
      'Tag.2.Key': 'env',
      'Tag.2.Value': 'test & <dev>',
    });
    const url = text(result(created, 'CreateQueue'), 'QueueUrl');
    expect(url).toBe(`${e}/000000000000/${name}`);

    expect(text(result(await query(e, 'GetQueueUrl', { QueueName: name }), 'GetQueueUrl'), 'QueueUrl')).toBe(url);

    const tags = result(await query(e, 'ListQueueTags', { QueueUrl: url! }), 'ListQueueTags');
    expect(Object.fromEntries(Object.entries(entries(tags, 'Tag', 'Key')).map(([k, v]) => [k, unescapeXml(v)]))).toEqual({ team: 'core', env: 'test & <dev>' });

    const attrs = result(await query(e, 'GetQueueAttributes', { QueueUrl: url!, 'AttributeName.1': 'VisibilityTimeout', 'AttributeName.2': 'QueueArn' }), 'GetQueueAttributes');
    expect(entries(attrs, 'Attribute')).toEqual({ VisibilityTimeout: '40', QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}` });

    const other = uniq('qp');
    await query(e, 'CreateQueue', { QueueName: other });
    const listed = result(await query(e, 'ListQueues', { QueueNamePrefix: 'qp-' }), 'ListQueues');
    // Flattened: <QueueUrl> repeated directly inside the result, no wrapper, no <member>.
    expect(listed).not.toMatch(/<member>|<QueueUrls>/);
    const urls = elements(listed, 'QueueUrl');
    expect(urls).toContain(url);
    expect(urls).toContain(`${e}/000000000000/${other}`);

    // botocore sends an empty list as the bare member name with no value; AWS ignores it.
    const none = await query(e, 'GetQueueAttributes', { QueueUrl: url!, AttributeNames: '' });
    expect(result(none, 'GetQueueAttributes')).toBe('');
  });

  it('sends with message attributes, sends a batch, receives with All attributes, deletes', async () => {
    const name = uniq('msgs');
    const url = text(result(await query(e, 'CreateQueue', { QueueName: name }), 'CreateQueue'), 'QueueUrl')!;
    const body = 'hello <&> "quoted" \'single\' ✓ \r\n tab\t 😀';
    const sent = result(
      await query(e, 'SendMessage', {
        QueueUrl: url,
        MessageBody: body,
        'MessageAttribute.1.Name': 'color',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'blue & <green>',
        'MessageAttribute.2.Name': 'raw',
        'MessageAttribute.2.Value.DataType': 'Binary',
        'MessageAttribute.2.Value.BinaryValue': Buffer.from([1, 2, 3, 250, 251]).toString('base64'),
        'MessageAttribute.3.Name': 'n',
        'MessageAttribute.3.Value.DataType': 'Number.int',
        'MessageAttribute.3.Value.StringValue': '42',
      }),
      'SendMessage',
    );
    const expectedAttrMd5 = md5OfAttributes({
      color: { DataType: 'String', StringValue: 'blue & <green>' },
      raw: { DataType: 'Binary', BinaryValue: Uint8Array.of(1, 2, 3, 250, 251) },
      n: { DataType: 'Number.int', StringValue: '42' },
    });
    expect(text(sent, 'MD5OfMessageBody')).toBe(md5(body));
    expect(text(sent, 'MD5OfMessageAttributes')).toBe(expectedAttrMd5);
    const messageId = text(sent, 'MessageId');
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    // Standard queue: no SequenceNumber, no system-attribute digest.
    expect(text(sent, 'SequenceNumber')).toBeUndefined();
    expect(text(sent, 'MD5OfMessageSystemAttributes')).toBeUndefined();

    const batch = result(
      await query(e, 'SendMessageBatch', {
        QueueUrl: url,
        'SendMessageBatchRequestEntry.1.Id': 'a',
        'SendMessageBatchRequestEntry.1.MessageBody': 'one',
        'SendMessageBatchRequestEntry.1.DelaySeconds': '0',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 's',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'x',
        'SendMessageBatchRequestEntry.2.Id': 'b',
        'SendMessageBatchRequestEntry.2.MessageBody': 'two',
        'SendMessageBatchRequestEntry.3.Id': 'bad',
        'SendMessageBatchRequestEntry.3.MessageBody': 'nul\u0000',
      }),
      'SendMessageBatch',
    );
    const ok = elements(batch, 'SendMessageBatchResultEntry');
    expect(ok.map((x) => text(x, 'Id')).sort()).toEqual(['a', 'b']);
    const a = ok.find((x) => text(x, 'Id') === 'a')!;
    expect(text(a, 'MD5OfMessageBody')).toBe(md5('one'));
    expect(text(a, 'MD5OfMessageAttributes')).toBe(md5OfAttributes({ s: { DataType: 'String', StringValue: 'x' } }));
    const failed = elements(batch, 'BatchResultErrorEntry');
    expect(failed).toHaveLength(1);
    expect(text(failed[0]!, 'Id')).toBe('bad');
    expect(text(failed[0]!, 'SenderFault')).toBe('true');
    expect(text(failed[0]!, 'Code')).toBe('InvalidMessageContents');

    const got = await receiveAll(url, 3, { 'AttributeName.1': 'All', 'MessageAttributeName.1': 'All' });
    expect(got.map((m) => m.Body).sort()).toEqual([body, 'one', 'two'].sort());
    const first = got.find((m) => m.MessageId === messageId)!;
    expect(first.Body).toBe(body);
    expect(first.MD5OfBody).toBe(md5(body));
    expect(first.MD5OfMessageAttributes).toBe(expectedAttrMd5);
    expect(first.Attributes.ApproximateReceiveCount).toBe('1');
    expect(first.Attributes.SenderId).toBeDefined();
    expect(Number(first.Attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(first.Attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(first.MessageAttributes).toEqual({
      color: { DataType: 'String', StringValue: 'blue & <green>', BinaryValue: undefined },
      raw: { DataType: 'Binary', StringValue: undefined, BinaryValue: Buffer.from([1, 2, 3, 250, 251]).toString('base64') },
      n: { DataType: 'Number.int', StringValue: '42', BinaryValue: undefined },
    });
    const two = got.find((m) => m.Body === 'two')!;
    // Nothing asked for and nothing there: no attribute elements at all.
    expect(two.MessageAttributes).toEqual({});
    expect(two.MD5OfMessageAttributes).toBeUndefined();

    for (const m of got) {
      const del = await query(e, 'DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      // Unit output: no <DeleteMessageResult> element.
      expect(result(del, 'DeleteMessage')).toBe('');
      expect(del.body).not.toMatch(/DeleteMessageResult/);
    }

    const empty = await query(e, 'ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: '0' });
    expect(messages(result(empty, 'ReceiveMessage'))).toEqual([]);
    // An operation with an output shape answers with its (empty) result element, as AWS does.
    expect(empty.body).toMatch(/<ReceiveMessageResult(\/>|><\/ReceiveMessageResult>)/);

    const counts = entries(
      result(
        await query(e, 'GetQueueAttributes', { QueueUrl: url, 'AttributeName.1': 'All' }),
        'GetQueueAttributes',
      ),
      'Attribute',
    );
    expect(counts).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0', VisibilityTimeout: '30' });
  });

  it('answers a nonexistent queue with the Query error document and wording', async () => {
    const missing = queryError(await query(e, 'GetQueueUrl', { QueueName: 'no-such-queue-anywhere' }));
    expect(missing).toEqual({
      status: 400,
      type: 'Sender',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      message: 'The specified queue does not exist for this wsdl version.',
    });
    const send = queryError(await query(e, 'SendMessage', { QueueUrl: `${e}/000000000000/no-such-queue-anywhere`, MessageBody: 'x' }));
    expect(send).toEqual(missing);
    // The document carries <Detail/> as AWS's does.
    const raw = await query(e, 'GetQueueUrl', { QueueName: 'no-such-queue-anywhere' });
    expect(raw.body).toMatch(/<Message>[^<]*<\/Message><Detail\/><\/Error><RequestId>/);
  });

  it('reports validation failures with Query codes', async () => {
    const url = text(result(await query(e, 'CreateQueue', { QueueName: uniq('val') }), 'CreateQueue'), 'QueueUrl')!;
    expect(queryError(await query(e, 'SendMessage', { QueueUrl: url }))).toEqual({
      status: 400,
      type: 'Sender',
      code: 'MissingParameter',
      message: 'The request must contain the parameter MessageBody.',
    });
    expect(queryError(await query(e, 'ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: '11' }))).toEqual({
      status: 400,
      type: 'Sender',
      code: 'InvalidParameterValue',
      message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    });
    const clash = queryError(await query(e, 'CreateQueue', { QueueName: url.split('/').pop()!, 'Attribute.1.Name': 'DelaySeconds', 'Attribute.1.Value': '5' }));
    expect(clash.code).toBe('QueueAlreadyExists');
    expect(clash.message).toBe('A queue already exists with the same name and a different value for attribute DelaySeconds');
    const badAttr = queryError(await query(e, 'GetQueueAttributes', { QueueUrl: url, 'AttributeName.1': 'Nope' }));
    expect([badAttr.code, badAttr.message]).toEqual(['InvalidAttributeName', 'Unknown Attribute Nope.']);
    const garbage = queryError(await query(e, 'DeleteMessage', { QueueUrl: url, ReceiptHandle: 'garbage' }));
    expect([garbage.status, garbage.code, garbage.message]).toEqual([404, 'ReceiptHandleIsInvalid', 'The input receipt handle "garbage" is not a valid receipt handle.']);
  });

  it('accepts the legacy style: POST to the queue URL without a QueueUrl parameter', async () => {
    const name = uniq('legacy');
    const url = text(result(await query(e, 'CreateQueue', { QueueName: name }), 'CreateQueue'), 'QueueUrl')!;
    const path = `/000000000000/${name}`;
    const sent = result(await query(e, 'SendMessage', { MessageBody: 'via path' }, path), 'SendMessage');
    expect(text(sent, 'MD5OfMessageBody')).toBe(md5('via path'));
    const attrs = entries(result(await query(e, 'GetQueueAttributes', { 'AttributeName.1': 'QueueArn' }, path), 'GetQueueAttributes'), 'Attribute');
    expect(attrs.QueueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${name}`);
    const [m] = await receiveAll(url, 1, {}, path);
    expect(m?.Body).toBe('via path');
    expect(result(await query(e, 'DeleteMessage', { ReceiptHandle: m!.ReceiptHandle }, path), 'DeleteMessage')).toBe('');

    // An explicit QueueUrl wins over the path.
    const other = uniq('legacy');
    const otherUrl = text(result(await query(e, 'CreateQueue', { QueueName: other }), 'CreateQueue'), 'QueueUrl')!;
    result(await query(e, 'SendMessage', { QueueUrl: otherUrl, MessageBody: 'explicit' }, path), 'SendMessage');
    expect((await receiveAll(otherUrl, 1))[0]?.Body).toBe('explicit');

    // A path naming no queue is a nonexistent queue, and `/` still needs the parameter.
    const gone = queryError(await query(e, 'SendMessage', { MessageBody: 'x' }, '/000000000000/no-such-legacy-queue'));
    expect([gone.code, gone.message]).toEqual(['AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist for this wsdl version.']);
    const bare = queryError(await query(e, 'SendMessage', { MessageBody: 'x' }));
    expect([bare.code, bare.message]).toEqual(['MissingParameter', 'The request must contain the parameter QueueUrl.']);
  });

  it('accepts a signed GET with the parameters in the query string', async () => {
    const name = uniq('get');
    await query(e, 'CreateQueue', { QueueName: name });
    const qs = new URLSearchParams({ Action: 'GetQueueUrl', Version: '2012-11-05', QueueName: name }).toString();
    const r = await signedSend(e, { method: 'GET', path: `/?${qs}` });
    expect(text(result(r, 'GetQueueUrl'), 'QueueUrl')).toBe(`${e}/000000000000/${name}`);
  });
});
