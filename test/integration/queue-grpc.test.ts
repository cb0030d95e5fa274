// The native QueueService end to end on the embedded server: the unary RPCs (which run the SQS
// actions), the streaming consumer, and errors as gRPC statuses with the AWS code in metadata.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoName } from '../../nodes/gateway/queue-service.js';
import { SQS_ACTIONS } from '../../nodes/gateway/sqs/service.js';
import { services } from '../../nodes/grpc/protos.js';
import { startEmbedded } from '../compat/targets.js';
import { type BatchResult, type MessageOut, QueueClient } from './queue-client.js';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;

let target: Embedded | undefined;
let c: QueueClient;

beforeAll(async () => {
  target = await startEmbedded();
  c = new QueueClient(target.node.grpcAddress);
}, 60_000);

afterAll(async () => {
  c?.close();
  await target?.stop();
});

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

const awsCode = (e: grpc.ServiceError): unknown => e.metadata.get('aws-error-code')[0];

/** The first n messages of a stream, in arrival order. */
function take(stream: grpc.ClientReadableStream<MessageOut>, n: number): Promise<MessageOut[]> {
  return new Promise((resolve, reject) => {
    const got: MessageOut[] = [];
    const onData = (m: MessageOut): void => {
      got.push(m);
      if (got.length === n) {
        stream.off('data', onData);
        stream.off('error', reject);
        resolve(got);
      }
    };
    stream.on('data', onData);
    stream.on('error', reject);
  });
}

/** Settles when the stream ends, with the status it ended with. */
function ended(stream: grpc.ClientReadableStream<MessageOut>): Promise<grpc.StatusObject> {
  return new Promise((resolve) => {
    stream.on('error', () => undefined);
    stream.once('status', resolve);
  });
}

function fieldNames(method: grpc.MethodDefinition<object, object>, which: 'requestType' | 'responseType'): string[] {
  const t = (method as unknown as Record<string, { type?: { field?: { name: string }[] } } | undefined>)[which];
  return (t?.type?.field ?? []).map((f) => f.name).sort();
}

describe('QueueService', () => {
  it('has one RPC per SQS action it names, with the action members as fields', () => {
    const defs = services().queue.service;
    for (const [method, def] of Object.entries(defs)) {
      const action = SQS_ACTIONS.get(method === 'Receive' ? 'ReceiveMessage' : method);
      expect(action, method).toBeDefined();
      const members = (names: string[]) => names.map(protoName).sort();
      const request = fieldNames(def, 'requestType');
      if (method === 'Receive') {
        expect(request.filter((f) => !members(Object.keys(action!.input.members)).includes(f)), method).toEqual([]);
      } else {
        expect(request, method).toEqual(members(Object.keys(action!.input.members)));
        expect(fieldNames(def, 'responseType'), method).toEqual(members(Object.keys(action!.output.members)));
      }
    }
  });

  it('creates a queue, sends with attributes, receives and deletes', async () => {
    const { queueUrl } = await c.createQueue('grpc-basic', { VisibilityTimeout: '45' }, { team: 'core' });
    expect(queueUrl).toBe(`${target!.endpoint}/000000000000/grpc-basic`);
    expect(await c.call('getQueueUrl', { queueName: 'grpc-basic' })).toEqual({ queueUrl });
    expect((await c.call<{ queueUrls: string[] }>('listQueues', { queueNamePrefix: 'grpc-basic' })).queueUrls).toEqual([queueUrl]);
    expect(await c.call('listQueueTags', { queueUrl })).toEqual({ tags: { team: 'core' } });
    const attrs = await c.call<{ attributes: Record<string, string> }>('getQueueAttributes', { queueUrl, attributeNames: ['VisibilityTimeout', 'QueueArn'] });
    expect(attrs.attributes).toEqual({ VisibilityTimeout: '45', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:grpc-basic' });

    const binary = Buffer.from([0, 1, 2, 254, 255]);
    const messageAttributes = {
      s: { dataType: 'String', stringValue: 'hello' },
      n: { dataType: 'Number', stringValue: '42' },
      b: { dataType: 'Binary', binaryValue: binary },
    };
    const sent = await c.sendMessage(queueUrl, 'body one', { messageAttributes });
    expect(sent.messageId).toMatch(/^[0-9a-f-]{36}$/);
    // The same message through the AWS front digests the same (the SDK checks its digests too).
    const viaSdk = await target!.client().send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'body one',
        MessageAttributes: {
          s: { DataType: 'String', StringValue: 'hello' },
          n: { DataType: 'Number', StringValue: '42' },
          b: { DataType: 'Binary', BinaryValue: binary },
        },
      }),
    );
    expect(sent.md5OfMessageBody).toBe(viaSdk.MD5OfMessageBody);
    expect(sent.md5OfMessageAttributes).toBe(viaSdk.MD5OfMessageAttributes);

    const got = await c.receiveMessage(queueUrl, { maxNumberOfMessages: 10, waitTimeSeconds: 5, messageAttributeNames: ['All'], messageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(got.messages.length).toBeGreaterThanOrEqual(1);
    const m = got.messages.find((x) => x.messageId === sent.messageId)!;
    expect(m).toMatchObject({ body: 'body one', md5OfBody: sent.md5OfMessageBody, attributes: { ApproximateReceiveCount: '1' } });
    expect(m.messageAttributes.s).toMatchObject({ dataType: 'String', stringValue: 'hello' });
    expect(m.messageAttributes.n).toMatchObject({ dataType: 'Number', stringValue: '42' });
    expect(m.messageAttributes.b!.dataType).toBe('Binary');
    expect(Buffer.from(m.messageAttributes.b!.binaryValue!).equals(binary)).toBe(true);

    const handles = got.messages.map((x) => x.receiptHandle);
    expect(await c.call('deleteMessage', { queueUrl, receiptHandle: handles[0] })).toEqual({});
    const rest = await c.call<BatchResult>('deleteMessageBatch', { queueUrl, entries: [...handles.slice(1), 'not-a-handle'].map((h, i) => ({ id: `e${i}`, receiptHandle: h })) });
    expect(rest.successful).toHaveLength(handles.length - 1);
    expect(rest.failed).toEqual([{ id: `e${handles.length - 1}`, senderFault: true, code: 'ReceiptHandleIsInvalid', message: expect.any(String) }]);

    const batch = await c.call<{ successful: { id: string; messageId: string }[] } & Pick<BatchResult, 'failed'>>('sendMessageBatch', {
      queueUrl,
      entries: [{ id: 'a', messageBody: 'x' }, { id: 'b', messageBody: 'y', delaySeconds: 0 }],
    });
    expect(batch.successful.map((s) => s.id).sort()).toEqual(['a', 'b']);
    expect(batch.failed).toEqual([]);
    expect(await c.call('purgeQueue', { queueUrl })).toEqual({});
    expect(await c.call('deleteQueue', { queueUrl })).toEqual({});
  });

  it('streams messages sent after the stream started, until cancelled', async () => {
    const { queueUrl } = await c.createQueue('grpc-stream');
    const stream = c.receive({ queueUrl, maxNumberOfMessages: 2, visibilityTimeout: 60, messageAttributeNames: ['All'] });
    const first = take(stream, 5);
    await c.sendMessage(queueUrl, 'm0', { messageAttributes: { k: { dataType: 'Binary', binaryValue: Buffer.from([7, 8]) } } });
    await c.call('sendMessageBatch', { queueUrl, entries: ['m1', 'm2', 'm3', 'm4'].map((b) => ({ id: b, messageBody: b })) });
    const got = await first;
    expect(got.map((m) => m.body).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(Buffer.from(got.find((m) => m.body === 'm0')!.messageAttributes.k!.binaryValue!)).toEqual(Buffer.from([7, 8]));
    // At least once: the consumer deletes what it processed by receipt handle.
    const del = await c.call<BatchResult>('deleteMessageBatch', { queueUrl, entries: got.map((m, i) => ({ id: `d${i}`, receiptHandle: m.receiptHandle })) });
    expect(del.failed).toEqual([]);

    const status = ended(stream);
    stream.cancel();
    expect((await status).code).toBe(grpc.status.CANCELLED);
    // The cancelled stream takes nothing more: a later message goes to the next receiver.
    await c.sendMessage(queueUrl, 'after');
    const later = await c.receiveMessage(queueUrl, { waitTimeSeconds: 10 });
    expect(later.messages.map((m) => m.body)).toEqual(['after']);
  });

  it('maps AWS errors to gRPC statuses with the code in metadata', async () => {
    const missing = await failure(c.call('getQueueUrl', { queueName: 'no-such-queue' }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.details).toBe('QueueDoesNotExist: The specified queue does not exist.');
    expect(awsCode(missing)).toBe('QueueDoesNotExist');
    const sendMissing = await failure(c.sendMessage(`${target!.endpoint}/000000000000/no-such-queue`, 'x'));
    expect([sendMissing.code, awsCode(sendMissing)]).toEqual([grpc.status.NOT_FOUND, 'QueueDoesNotExist']);

    const { queueUrl } = await c.createQueue('grpc-errors', { VisibilityTimeout: '10' });
    const tooMany = await failure(c.receiveMessage(queueUrl, { maxNumberOfMessages: 11 }));
    expect(tooMany.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(awsCode(tooMany)).toBe('InvalidParameterValue');
    expect(tooMany.details).toMatch(/^InvalidParameterValue: Value 11 for parameter MaxNumberOfMessages is invalid/);
    const noUrl = await failure(c.call('receiveMessage', {}));
    expect([noUrl.code, noUrl.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'MissingParameter: The request must contain the parameter QueueUrl.']);
    const exists = await failure(c.createQueue('grpc-errors', { VisibilityTimeout: '20' }));
    expect([exists.code, awsCode(exists)]).toEqual([grpc.status.ALREADY_EXISTS, 'QueueAlreadyExists']);

    const stream = c.receive({ queueUrl: 'no-such-queue' });
    expect((await ended(stream)).code).toBe(grpc.status.NOT_FOUND);
  });

  it('answers a malformed request with INVALID_ARGUMENT and keeps serving', async () => {
    // A message_attributes entry that claims 3 bytes and carries 1: it cannot be decoded.
    const truncated = await failure(c.callRaw('SendMessage', Buffer.from([0x22, 0x03, 0x0a, 0x01])));
    expect(truncated.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(awsCode(truncated)).toBe('SerializationException');
    // queue_url (a string) sent as a number: decodes to nothing useful, still the caller's fault.
    const wrongType = await failure(c.callRaw('SendMessage', Buffer.from([0x08, 0x05, 0x10, 0x07])));
    expect(wrongType.code).toBe(grpc.status.INVALID_ARGUMENT);
    const stream = c.receive({});
    stream.on('error', () => undefined);
    expect((await ended(stream)).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await c.call<{ queueUrls: string[] }>('listQueues', { queueNamePrefix: 'grpc-errors' })).toEqual({ queueUrls: [`${target!.endpoint}/000000000000/grpc-errors`] });
  });
});
