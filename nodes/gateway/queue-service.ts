// The native QueueService (proto/stratus/v1/queue.proto): SQS over gRPC. Every unary RPC runs
// the SQS action of the same name through `runAction`, exactly as the HTTP front does, so the
// two fronts cannot drift apart in validation or behaviour. Requests and responses are
// translated generically by walking the action's shapes (proto field = member name in
// snake_case, camelCase as proto-loader hands it over), so an RPC needs no code of its own:
// adding one is a proto change. Receive is the one hand-written RPC: a streaming consumer.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { type AnyAction, type RequestContext, runAction } from './action.js';
import { type ErrorCode, AwsError, asAwsError } from './errors.js';
import { type Shape, toJson } from './shapes.js';
import { changeMessageVisibilityBatch } from './sqs/actions/change-message-visibility-batch.js';
import { receiveMessage } from './sqs/actions/receive-message.js';
import { type SqsBackend } from './sqs/backend.js';
import { SQS_ACTIONS } from './sqs/service.js';
import { UnavailableError } from '../cluster/client.js';
import { services } from '../grpc/protos.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';

export interface QueueServiceOptions {
  accountId: string;
  region: string;
  /** Read on every request: the HTTP port may be bound only after the service is registered. */
  baseUrl: string;
  log?: (line: string) => void;
}

/** A stream consumer's receives are long polls of this many seconds (SQS's longest). */
const STREAM_WAIT_SECONDS = 20;
/** Without max_number_of_messages a stream fetches full batches: one receive per message would cost a proposal each. */
const STREAM_BATCH = 10;

const STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  QueueDoesNotExist: grpc.status.NOT_FOUND,
  ResourceNotFoundException: grpc.status.NOT_FOUND,
  QueueAlreadyExists: grpc.status.ALREADY_EXISTS,
  PurgeQueueInProgress: grpc.status.FAILED_PRECONDITION,
  QueueDeletedRecently: grpc.status.FAILED_PRECONDITION,
  // The handle is well formed; the message is just not in flight any more.
  MessageNotInflight: grpc.status.FAILED_PRECONDITION,
  OverLimit: grpc.status.RESOURCE_EXHAUSTED,
  RequestThrottled: grpc.status.RESOURCE_EXHAUSTED,
  MissingAuthenticationToken: grpc.status.UNAUTHENTICATED,
  IncompleteSignature: grpc.status.UNAUTHENTICATED,
  InvalidClientTokenId: grpc.status.UNAUTHENTICATED,
  SignatureDoesNotMatch: grpc.status.UNAUTHENTICATED,
  RequestExpired: grpc.status.UNAUTHENTICATED,
  AccessDenied: grpc.status.PERMISSION_DENIED,
  InvalidSecurity: grpc.status.PERMISSION_DENIED,
  InternalFailure: grpc.status.INTERNAL,
  ServiceUnavailable: grpc.status.UNAVAILABLE,
};

/** The one mapping of errors to gRPC statuses: `<AwsCode>: <message>`, the code in metadata too. */
export function grpcStatus(err: unknown): grpc.StatusObject {
  const e = asAwsError(err);
  const metadata = new grpc.Metadata();
  metadata.set('aws-error-code', e.code);
  if (err instanceof UnavailableError) metadata.set('retry-after-ms', String(err.retryAfterMs));
  // A code added to ERRORS later still lands sensibly: ours is INTERNAL, the caller's a bad argument.
  const code = STATUS[e.code] ?? (e.spec.fault === 'Receiver' ? grpc.status.INTERNAL : grpc.status.INVALID_ARGUMENT);
  return { code, details: `${e.code}: ${e.message}`, metadata };
}

/** What a request that failed to decode becomes, so the handler can answer it instead of grpc-js (which says INTERNAL). */
class Undecodable {
  constructor(readonly reason: string) {}
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The proto-loader (camelCase) name of an SQS member: QueueUrl → queueUrl, MD5OfBody → md5OfBody, QueueOwnerAWSAccountId → queueOwnerAwsAccountId. */
export function protoName(member: string): string {
  const snake = member
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  // protobufjs's own camelCase rule, so the names match what it produces.
  return snake.slice(0, 1) + snake.slice(1).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A proto value as the JSON the action's shape checks: bytes as base64, structs renamed.
 * Values of an unexpected type pass through untouched, for the shape check to reject.
 */
function fromProtoValue(shape: Shape, v: unknown): unknown {
  switch (shape.kind) {
    case 'blob':
      return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v;
    case 'list':
      return Array.isArray(v) ? v.map((x) => fromProtoValue(shape.member, x)) : v;
    case 'map': {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = fromProtoValue(shape.value, x);
      return out;
    }
    case 'struct': {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const x = fromProtoField(member, v[protoName(name)]);
        if (x !== undefined) out[name] = x;
      }
      return out;
    }
    default:
      return v;
  }
}

/**
 * Whether a field was given. proto3 cannot tell a plain field's default from its absence, so
 * an empty required string is absent (the check reports it missing, as SQS would), and so is
 * an empty optional list or map (SQS clients leave those out). A required list or map stays,
 * empty: proto3 cannot express it as missing, so empty means "nothing to change".
 * `optional` fields are undefined when unset: proto-loader gives no default to oneof members.
 */
function fromProtoField(shape: Shape, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (shape.required && shape.kind === 'string' && v === '') return undefined;
  if (!shape.required && (shape.kind === 'list' || shape.kind === 'map')) {
    if ((Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0)) return undefined;
  }
  return fromProtoValue(shape, v);
}

/** An action's JSON-form output (see toJson) as the proto response: camelCase names, base64 back to bytes. */
function toProto(shape: Shape, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (shape.kind) {
    case 'blob':
      return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    case 'list':
      return Array.isArray(v) ? v.map((x) => toProto(shape.member, x)) : v;
    case 'map': {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = toProto(shape.value, x);
      return out;
    }
    case 'struct': {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const x = toProto(member, v[name]);
        if (x !== undefined) out[protoName(name)] = x;
      }
      return out;
    }
    default:
      return v;
  }
}

/** The decoded request, or SerializationException (INVALID_ARGUMENT) when it could not be decoded. */
function decoded(request: unknown, method: string): Record<string, unknown> {
  if (request instanceof Undecodable) throw new AwsError('SerializationException', `Cannot decode the request as stratus.v1.${method}Request: ${request.reason}`);
  if (!isRecord(request)) throw new AwsError('SerializationException', `Cannot decode the request as stratus.v1.${method}Request.`);
  return request;
}

function elementShape(s: Shape | undefined): Shape {
  if (s?.kind !== 'list') throw new Error('queue-service: ReceiveMessage output has no Messages list');
  return s.member;
}
const MESSAGE_SHAPE = elementShape(receiveMessage.output.members.Messages);

/** Resolves once the stream has drained or the call is cancelled, whichever is first. */
function drained(call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done);
  });
}

function fail(call: grpc.ServerWritableStream<unknown, unknown>, status: grpc.StatusObject): void {
  // grpc-js turns an 'error' event into the call's final status (code, details, metadata).
  call.emit('error', Object.assign(new Error(status.details), status));
}

export function queueService(sqs: SqsBackend, o: QueueServiceOptions): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const context = (requestId: string, signal: AbortSignal): RequestContext => ({
    requestId,
    accessKeyId: undefined,
    region: o.region,
    accountId: o.accountId,
    baseUrl: o.baseUrl,
    path: '/',
    signal,
  });

  const run = (action: AnyAction<SqsBackend>, input: unknown, ctx: RequestContext): Promise<Record<string, unknown>> =>
    withSpan(
      SpanName.AwsRequest,
      { [Attr.AwsService]: 'sqs', [Attr.AwsOperation]: action.name, [Attr.AwsRequestId]: ctx.requestId, [Attr.AwsProtocol]: 'grpc' },
      async (span) => {
        try {
          return await runAction(action, input, ctx, sqs);
        } catch (err) {
          span.setAttribute(Attr.AwsErrorCode, asAwsError(err).code);
          throw err;
        }
      },
    );

  const statusOf = (err: unknown, requestId: string, method: string): grpc.StatusObject => {
    const status = grpcStatus(err);
    if (status.code === grpc.status.INTERNAL) o.log?.(`gateway: ${requestId} grpc QueueService.${method}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return status;
  };

  const unary = (method: string, action: AnyAction<SqsBackend>) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>): void => {
    const abort = new AbortController();
    // A long-polling ReceiveMessage stops when its caller goes away.
    call.on('cancelled', () => abort.abort());
    const requestId = randomUUID();
    (async () => {
      const input = fromProtoValue(action.input, decoded(call.request, method));
      const out = await run(action, input, context(requestId, abort.signal));
      return toProto(action.output, toJson(action.output, out));
    })().then(
      (reply) => cb(null, reply),
      (err: unknown) => cb(statusOf(err, requestId, method)),
    );
  };

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

  const implementation: grpc.UntypedServiceImplementation = {};
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [method, m] of Object.entries(services().queue.service)) {
    const decode = m.requestDeserialize;
    definition[method] = {
      ...m,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (err) {
          return new Undecodable(err instanceof Error ? err.message : String(err));
        }
      },
    };
    const action = SQS_ACTIONS.get(method);
    if (method === 'Receive') implementation[method] = receive;
    else if (action) implementation[method] = unary(method, action);
    // An RPC with no action falls to grpc-js's default handler: UNIMPLEMENTED.
  }
  return { definition, implementation };
}
