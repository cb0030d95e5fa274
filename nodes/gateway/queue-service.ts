// The native QueueService (proto/stratus/v1/queue.proto): SQS over gRPC. Every unary RPC runs
// the SQS action of the same name through the generic machinery of action-grpc.ts (the same
// `runAction` as the HTTP front, requests and responses translated by walking the action's
// shapes), so adding one is a proto change. Receive is the one hand-written RPC: a streaming
// consumer.
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { type GrpcFrontOptions, type GrpcService, actionRunner, actionService, decoded, drained, fromProtoValue, isRecord, toProto } from './action-grpc.js';
import { type Shape, toJson } from './shapes.js';
import { changeMessageVisibilityBatch } from './sqs/actions/change-message-visibility-batch.js';
import { receiveMessage } from './sqs/actions/receive-message.js';
import { type SqsBackend } from './sqs/backend.js';
import { SQS_ACTIONS } from './sqs/service.js';
import { services } from '../grpc/protos.js';

// Other modules (and tests) know these by this module.
export { grpcStatus, protoName } from './action-grpc.js';

export type QueueServiceOptions = GrpcFrontOptions;

/** A stream consumer's receives are long polls of this many seconds (SQS's longest). */
const STREAM_WAIT_SECONDS = 20;
/** Without max_number_of_messages a stream fetches full batches: one receive per message would cost a proposal each. */
const STREAM_BATCH = 10;

function elementShape(s: Shape | undefined): Shape {
  if (s?.kind !== 'list') throw new Error('queue-service: ReceiveMessage output has no Messages list');
  return s.member;
}
const MESSAGE_SHAPE = elementShape(receiveMessage.output.members.Messages);


function fail(call: grpc.ServerWritableStream<unknown, unknown>, status: grpc.StatusObject): void {
  // grpc-js turns an 'error' event into the call's final status (code, details, metadata).
  call.emit('error', Object.assign(new Error(status.details), status));
}

export function queueService(sqs: SqsBackend, o: QueueServiceOptions): GrpcService {
  const runner = actionRunner({ name: 'QueueService', awsService: 'sqs', actions: SQS_ACTIONS, deps: sqs }, o);
  const { context, run, statusOf } = runner;

  /** Makes received messages that never left this server visible again, so no consumer waits out their timeout. */
  const release = async (queueUrl: unknown, handles: string[], requestId: string): Promise<void> => {
    for (let i = 0; i < handles.length; i += 10) {
      const entries = handles.slice(i, i + 10).map((h, k) => ({ Id: `m${k}`, ReceiptHandle: h, VisibilityTimeout: 0 }));
      await run(changeMessageVisibilityBatch, { QueueUrl: queueUrl, Entries: entries }, context(requestId, new AbortController().signal)).catch(() => undefined);
    }
  };

  const receive = (call: grpc.ServerWritableStream<unknown, unknown>): void => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const requestId = randomUUID();
    (async () => {
      const given = fromProtoValue(receiveMessage.input, decoded(call.request, 'Receive'));
      const fields: Record<string, unknown> = isRecord(given) ? given : {};
      const input = { ...fields, MaxNumberOfMessages: fields.MaxNumberOfMessages ?? STREAM_BATCH, WaitTimeSeconds: STREAM_WAIT_SECONDS };
      // Receipt handles of messages not known to have left this server: handed to the stream
      // but not yet taken by the transport, or never written at all. A cancel releases them.
      const pending = new Set<string>();
      while (!abort.signal.aborted) {
        const out = toJson(receiveMessage.output, await run(receiveMessage, input, context(requestId, abort.signal)));
        const messages = isRecord(out) && Array.isArray(out.Messages) ? out.Messages : [];
        const handles = messages.map((m) => (isRecord(m) && typeof m.ReceiptHandle === 'string' ? m.ReceiptHandle : ''));
        for (const h of handles) if (h) pending.add(h);
        for (let i = 0; i < messages.length && !abort.signal.aborted; i++) {
          const h = handles[i]!;
          const ok = call.write(toProto(MESSAGE_SHAPE, messages[i]), (err?: Error | null) => {
            if (!err) pending.delete(h);
          });
          // Backpressure: the next write (and so the next receive) waits until the stream drains.
          if (!ok) await drained(call, abort.signal);
        }
      }
      if (pending.size > 0) await release(fields.QueueUrl, [...pending], requestId);
    })().then(
      () => undefined,
      (err: unknown) => {
        if (!abort.signal.aborted) fail(call, statusOf(err, requestId, 'Receive'));
      },
    );
  };

  return actionService(services().queue.service, runner, SQS_ACTIONS, { Receive: receive });
}
