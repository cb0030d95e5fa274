// The generic half of the native gRPC services (QueueService, FunctionService): each unary RPC
// runs the API action of the same name through `runAction`, exactly as the HTTP front does, so
// the two fronts cannot drift apart in validation or behaviour. Requests and responses are
// translated by walking the action's shapes (proto field = member name in snake_case, camelCase
// as proto-loader hands it over), so an RPC needs no code of its own: adding one is a proto
// change. REST bindings (`location`) mean nothing here: every member is simply a field.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { type AnyAction, type RequestContext, runAction } from './action.js';
import { type ErrorCode, AwsError, asAwsError } from './errors.js';
import { type Shape, emptyMap } from './shapes.js';
import { UnavailableError } from '../cluster/client.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';

export interface GrpcFrontOptions {
  accountId: string;
  region: string;
  /** Read on every request: the HTTP port may be bound only after the service is registered. */
  baseUrl: string;
  log?: (line: string) => void;
}

/** What a service registers with the gRPC server. */
export interface GrpcService {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/**
 * The one table of AWS error codes to gRPC statuses, for every service (documented in the
 * header of each .proto). Codes not here: a Sender fault is INVALID_ARGUMENT, a Receiver fault
 * INTERNAL.
 */
const STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  QueueDoesNotExist: grpc.status.NOT_FOUND,
  ResourceNotFoundException: grpc.status.NOT_FOUND,
  ProvisionedConcurrencyConfigNotFoundException: grpc.status.NOT_FOUND,
  QueueAlreadyExists: grpc.status.ALREADY_EXISTS,
  PurgeQueueInProgress: grpc.status.FAILED_PRECONDITION,
  QueueDeletedRecently: grpc.status.FAILED_PRECONDITION,
  // The handle is well formed; the message is just not in flight any more.
  MessageNotInflight: grpc.status.FAILED_PRECONDITION,
  // Lambda raises this for a name that exists already and for a state that forbids the change
  // (an update in progress, a version an alias still uses): FAILED_PRECONDITION is true of
  // all of them, ALREADY_EXISTS only of the first. aws-error-code and the message tell them apart.
  ResourceConflictException: grpc.status.FAILED_PRECONDITION,
  ResourceInUseException: grpc.status.FAILED_PRECONDITION,
  // A stale RevisionId: read again, then retry the change.
  PreconditionFailedException: grpc.status.FAILED_PRECONDITION,
  // The function's runtime is not one this server runs: its configuration must change first.
  InvalidRuntimeException: grpc.status.FAILED_PRECONDITION,
  OverLimit: grpc.status.RESOURCE_EXHAUSTED,
  RequestThrottled: grpc.status.RESOURCE_EXHAUSTED,
  TooManyRequestsException: grpc.status.RESOURCE_EXHAUSTED,
  CodeStorageExceededException: grpc.status.RESOURCE_EXHAUSTED,
  // Too large is a property of the request, not of the server's load: retrying cannot help.
  RequestTooLargeException: grpc.status.INVALID_ARGUMENT,
  ValidationException: grpc.status.INVALID_ARGUMENT,
  InvalidParameterValueException: grpc.status.INVALID_ARGUMENT,
  InvalidRequestContentException: grpc.status.INVALID_ARGUMENT,
  // AWS calls a bad package its own fault (502); it is the caller's package all the same.
  InvalidZipFileException: grpc.status.INVALID_ARGUMENT,
  MissingAuthenticationToken: grpc.status.UNAUTHENTICATED,
  IncompleteSignature: grpc.status.UNAUTHENTICATED,
  InvalidClientTokenId: grpc.status.UNAUTHENTICATED,
  SignatureDoesNotMatch: grpc.status.UNAUTHENTICATED,
  RequestExpired: grpc.status.UNAUTHENTICATED,
  AccessDenied: grpc.status.PERMISSION_DENIED,
  InvalidSecurity: grpc.status.PERMISSION_DENIED,
  InternalFailure: grpc.status.INTERNAL,
  ServiceException: grpc.status.INTERNAL,
  ServiceUnavailable: grpc.status.UNAVAILABLE,
  ResourceNotReadyException: grpc.status.UNAVAILABLE,
};

/** Metadata keys grpc-js or HTTP/2 own: an error's header must not overwrite them. */
const RESERVED_KEY = /^(grpc-|:)|^(content-type|te|user-agent|host|authorization)$/;

/** Metadata values must be printable ASCII (grpc-js throws otherwise). */
const printable = (s: string): string => s.replace(/[^ -~]/g, '?');

/** ErrorCode: Reason → reason, RetryAfterSeconds → retry-after-seconds. */
const kebab = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '-');

/**
 * The one mapping of errors to gRPC statuses: `<AwsCode>: <message>` as details, the code in
 * metadata `aws-error-code`. An error's extra body fields go in `aws-error-<field>` (Lambda's
 * Reason: `aws-error-reason`), its headers under their own lowercase names (`retry-after`).
 * `aliases` are the service's own names for the generic codes shared code raises (as its HTTP
 * front sends them), so both fronts report the same code.
 */
export function grpcStatus(err: unknown, aliases?: Partial<Record<ErrorCode, ErrorCode>>): grpc.StatusObject {
  const raw = asAwsError(err);
  const alias = aliases?.[raw.code];
  const e = alias === undefined ? raw : new AwsError(alias, raw.message, raw.extra);
  const metadata = new grpc.Metadata();
  metadata.set('aws-error-code', e.code);
  for (const [k, v] of Object.entries(e.extra.fields ?? {})) metadata.set(`aws-error-${kebab(k)}`, printable(String(v)));
  for (const [k, v] of Object.entries(e.extra.headers ?? {})) {
    const key = k.toLowerCase();
    if (/^[a-z0-9_.-]+$/.test(key) && !RESERVED_KEY.test(key) && !key.endsWith('-bin')) metadata.set(key, printable(v));
  }
  if (err instanceof UnavailableError) metadata.set('retry-after-ms', String(err.retryAfterMs));
  else {
    // One rule for clients whatever the service: retry-after-ms, also when the error says seconds.
    const seconds = Number(e.extra.headers?.['Retry-After']);
    if (e.extra.headers?.['Retry-After'] !== undefined && Number.isFinite(seconds)) metadata.set('retry-after-ms', String(Math.round(seconds * 1000)));
  }
  // A code added to ERRORS later still lands sensibly: ours is INTERNAL, the caller's a bad argument.
  const code = STATUS[e.code] ?? (e.spec.fault === 'Receiver' ? grpc.status.INTERNAL : grpc.status.INVALID_ARGUMENT);
  return { code, details: `${e.code}: ${e.message}`, metadata };
}

/** What a request that failed to decode becomes, so the handler can answer it instead of grpc-js (which says INTERNAL). */
class Undecodable {
  constructor(readonly reason: string) {}
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The proto-loader (camelCase) name of a member: QueueUrl → queueUrl, MD5OfBody → md5OfBody, QueueOwnerAWSAccountId → queueOwnerAwsAccountId. */
export function protoName(member: string): string {
  const snake = member
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  // protobufjs's own camelCase rule, so the names match what it produces.
  return snake.slice(0, 1) + snake.slice(1).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A proto value as the input the action's shape checks: structs renamed, bytes as bytes (the
 * check takes them as a REST payload's). Values of an unexpected type pass through untouched,
 * for the shape check to reject.
 */
export function fromProtoValue(shape: Shape, v: unknown): unknown {
  switch (shape.kind) {
    case 'blob':
      // A copy: the decoded Buffer is a view of the whole request, which a kept value (a stored
      // package, a queued message) would otherwise hold on to.
      return v instanceof Uint8Array ? new Uint8Array(v) : v;
    case 'list':
      return Array.isArray(v) ? v.map((x) => fromProtoValue(shape.member, x)) : v;
    case 'map': {
      if (!isRecord(v)) return v;
      // Without a prototype, so a key named __proto__ stays a key.
      const out = emptyMap<unknown>();
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
    // Strings, booleans, and numbers of both kinds (int32, int64 as Number, double) are as the check wants them.
    default:
      return v;
  }
}

/**
 * Whether a field was given. proto3 cannot tell a plain field's default from its absence, so
 * an empty required string is absent (the check reports it missing, as the AWS API would), and
 * so is an empty optional list or map (AWS clients leave those out). A required list or map
 * stays, empty: proto3 cannot express it as missing, so empty means "nothing to change".
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

/**
 * An action's output as the proto response: camelCase names, bytes as bytes. Takes the
 * handler's output or its JSON form (toJson: blobs as base64).
 */
export function toProto(shape: Shape, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (shape.kind) {
    case 'blob':
      return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    case 'list':
      return Array.isArray(v) ? v.map((x) => toProto(shape.member, x)) : v;
    case 'map': {
      if (!isRecord(v)) return v;
      const out = emptyMap<unknown>();
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
export function decoded(request: unknown, method: string): Record<string, unknown> {
  if (request instanceof Undecodable) throw new AwsError('SerializationException', `Cannot decode the request as stratus.v1.${method}Request: ${request.reason}`);
  if (!isRecord(request)) throw new AwsError('SerializationException', `Cannot decode the request as stratus.v1.${method}Request.`);
  return request;
}

/** A service's actions as gRPC sees them. */
export interface ActionServiceSpec<D> {
  /** The proto service's name, for logs: QueueService. */
  name: string;
  /** The AWS service, for spans: sqs. */
  awsService: string;
  actions: ReadonlyMap<string, AnyAction<D>>;
  deps: D;
  /** The service's own names for generic error codes (RestServiceSpec.errorAliases). */
  errorAliases?: Partial<Record<ErrorCode, ErrorCode>>;
}

/** What a hand-written RPC (QueueService.Receive) uses to run actions as the generic ones do. */
export interface ActionRunner<D> {
  context(requestId: string, signal: AbortSignal): RequestContext;
  run(action: AnyAction<D>, input: unknown, ctx: RequestContext): Promise<Record<string, unknown>>;
  /** The error's status; an INTERNAL one is logged with its stack, as nobody else will see it. */
  statusOf(err: unknown, requestId: string, method: string): grpc.StatusObject;
  unary(method: string, action: AnyAction<D>): grpc.handleUnaryCall<unknown, unknown>;
}

export function actionRunner<D>(spec: ActionServiceSpec<D>, o: GrpcFrontOptions): ActionRunner<D> {
  const context = (requestId: string, signal: AbortSignal): RequestContext => ({
    requestId,
    accessKeyId: undefined,
    region: o.region,
    accountId: o.accountId,
    baseUrl: o.baseUrl,
    path: '/',
    signal,
  });

  const run = (action: AnyAction<D>, input: unknown, ctx: RequestContext): Promise<Record<string, unknown>> =>
    withSpan(
      SpanName.AwsRequest,
      { [Attr.AwsService]: spec.awsService, [Attr.AwsOperation]: action.name, [Attr.AwsRequestId]: ctx.requestId, [Attr.AwsProtocol]: 'grpc' },
      async (span) => {
        try {
          return await runAction(action, input, ctx, spec.deps);
        } catch (err) {
          span.setAttribute(Attr.AwsErrorCode, asAwsError(err).code);
          throw err;
        }
      },
    );

  const statusOf = (err: unknown, requestId: string, method: string): grpc.StatusObject => {
    const status = grpcStatus(err, spec.errorAliases);
    if (status.code === grpc.status.INTERNAL) o.log?.(`gateway: ${requestId} grpc ${spec.name}.${method}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return status;
  };

  const unary = (method: string, action: AnyAction<D>) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>): void => {
    const abort = new AbortController();
    // A long poll (ReceiveMessage) or an invocation stops when its caller goes away.
    call.on('cancelled', () => abort.abort());
    const requestId = randomUUID();
    (async () => {
      const input = fromProtoValue(action.input, decoded(call.request, method));
      const out = await run(action, input, context(requestId, abort.signal));
      return toProto(action.output, out);
    })().then(
      (reply) => cb(null, reply),
      (err: unknown) => cb(statusOf(err, requestId, method)),
    );
  };

  return { context, run, statusOf, unary };
}

/**
 * The service as the server registers it: every RPC of `definition` with an action of the same
 * name runs it, `custom` handlers take the RPCs they name, and any other falls to grpc-js's
 * default handler (UNIMPLEMENTED). Requests that fail to decode reach the handler as
 * Undecodable, to be answered as the service's own error.
 */
export function actionService<D>(
  definition: grpc.ServiceDefinition,
  runner: ActionRunner<D>,
  actions: ReadonlyMap<string, AnyAction<D>>,
  custom: Record<string, grpc.UntypedHandleCall> = {},
): GrpcService {
  const implementation: grpc.UntypedServiceImplementation = {};
  const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [method, m] of Object.entries(definition)) {
    const decode = m.requestDeserialize;
    wrapped[method] = {
      ...m,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (err) {
          return new Undecodable(err instanceof Error ? err.message : String(err));
        }
      },
    };
    const own = custom[method];
    const action = actions.get(method);
    if (own) implementation[method] = own;
    else if (action) implementation[method] = runner.unary(method, action);
  }
  return { definition: wrapped, implementation };
}

/** Resolves once the stream has drained or the call is cancelled, whichever is first. */
export function drained(call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
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
