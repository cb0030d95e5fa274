// A small promise-based client of stratus.v1.QueueService for tests and tools. Requests and
// replies are the proto-loader objects (camelCase fields, bytes as Buffer).
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, services } from '../../nodes/grpc/protos.js';

export interface AttributeValueOut {
  dataType: string;
  stringValue?: string;
  binaryValue?: Buffer;
}

export interface MessageOut {
  messageId: string;
  receiptHandle: string;
  md5OfBody: string;
  body: string;
  attributes: Record<string, string>;
  md5OfMessageAttributes?: string;
  messageAttributes: Record<string, AttributeValueOut>;
}

export interface BatchResult {
  successful: { id: string }[];
  failed: { id: string; senderFault: boolean; code: string; message: string }[];
}

type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

const identity = (b: Buffer): Buffer => b;

export class QueueClient {
  readonly raw: grpc.Client;

  constructor(address: string) {
    const Ctor = services().queue;
    this.raw = new Ctor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  /** Calls a unary RPC by its client method name (createQueue, sendMessage, ...). */
  call<T>(method: string, req: object, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const f = (this.raw as unknown as Record<string, Unary | undefined>)[method];
      if (!f) throw new Error(`QueueService has no method ${method}`);
      f.call(this.raw, req, { deadline: new Date(Date.now() + timeoutMs) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
    });
  }

  /** Sends bytes as they are as an RPC's request: for requests no proto-loader client would encode. */
  callRaw(rpc: string, bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.raw.makeUnaryRequest(`/stratus.v1.QueueService/${rpc}`, identity, identity, bytes, { deadline: new Date(Date.now() + timeoutMs) }, (err, reply) =>
        err ? reject(err) : resolve(reply ?? Buffer.alloc(0)),
      );
    });
  }

  createQueue(queueName: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}) {
    return this.call<{ queueUrl: string }>('createQueue', { queueName, attributes, tags });
  }

  sendMessage(queueUrl: string, messageBody: string, more: object = {}) {
    return this.call<{ messageId: string; md5OfMessageBody: string; md5OfMessageAttributes?: string }>('sendMessage', { queueUrl, messageBody, ...more });
  }

  receiveMessage(queueUrl: string, more: object = {}) {
    return this.call<{ messages: MessageOut[] }>('receiveMessage', { queueUrl, ...more });
  }

  /** The streaming consumer: 'data' per message, until cancel(). */
  receive(req: object): grpc.ClientReadableStream<MessageOut> {
    return (this.raw as unknown as { receive(req: object): grpc.ClientReadableStream<MessageOut> }).receive(req);
  }

  close(): void {
    this.raw.close();
  }
}
