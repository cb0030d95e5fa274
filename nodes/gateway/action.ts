// An API action: its input and output shapes (the declarative validation) and its handler. The
// HTTP front (every AWS protocol) and the gRPC front both call `runAction`, so validation and
// behaviour are the same whichever way a request arrives.
import { type ErrorCode } from './errors.js';
import { type Infer, type StructShape, checkAny } from './shapes.js';

export interface RequestContext {
  requestId: string;
  /** The caller's access key, or undefined when authentication is off. */
  accessKeyId: string | undefined;
  region: string;
  accountId: string;
  /** Base URL clients used to reach this gateway (for queue URLs), e.g. http://127.0.0.1:4566. */
  baseUrl: string;
  /** The request's path when it names a resource (Query protocol: POST to a queue URL). */
  path: string;
  /** Aborted when the client goes away: long polls stop early. */
  signal: AbortSignal;
}

/** Constraint for action shapes: loose on purpose, so inferring an action's types never expands every shape. */
type StructLike = { kind: 'struct'; members: object };

/**
 * Where a REST (restJson1) operation lives: Smithy's @http trait. The URI template holds
 * `{Label}` segments (one path segment each), `{Label+}` (greedy: the rest of the path) and an
 * optional literal query (`?List=ALL`, `?find=LayerVersion`) that a request must carry to match.
 */
export interface HttpBinding {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  uri: string;
  /** Success status; a `statusCode` output member overrides it per response. Default 200. */
  code?: number;
  /** Request bodies above this are refused (413) before they are read; default the service's. */
  maxBodyBytes?: number;
}

export interface Action<I extends StructLike, O extends StructLike, D = unknown> {
  name: string;
  input: I;
  output: O;
  /** Required for the actions of a REST service; ignored by the JSON and Query protocols. */
  http?: HttpBinding;
  handler: (input: Infer<I>, ctx: RequestContext, deps: D) => Promise<Infer<O>>;
}

/** Keeps the action's literal types so the handler's input is typed from its shape. */
export function defineAction<D>() {
  return <I extends StructLike, O extends StructLike>(a: Action<I, O, D>): AnyAction<D> => a as unknown as AnyAction<D>;
}

/** An action with its types erased, as services store them. */
export interface AnyAction<D> {
  name: string;
  input: StructShape;
  output: StructShape;
  http?: HttpBinding;
  handler: (input: never, ctx: RequestContext, deps: D) => Promise<unknown>;
}

/**
 * A service the HTTP front dispatches by `X-Amz-Target` (JSON 1.0/1.1) or by `Action=` (Query),
 * as SQS. `protocol` is left out by such services; it only tells them apart from REST ones.
 */
export interface ServiceSpec<D = unknown> {
  protocol?: 'rpc';
  /** SigV4 signing name, e.g. 'sqs'. */
  signingName: string;
  /** Bodies above this are refused; default the HTTP front's. */
  maxBodyBytes?: number;
  /** X-Amz-Target prefix for the JSON protocols, e.g. 'AmazonSQS'. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  /** Whether JSON errors also carry x-amzn-query-error (services that moved from Query to JSON). */
  queryCompatible: boolean;
  /** The service's own names for generic errors shared code raises (as RestServiceSpec's). */
  errorAliases?: Partial<Record<ErrorCode, ErrorCode>>;
  /**
   * Also accept AWS's CBOR variant of the JSON protocol (`application/x-amz-cbor-1.1`), which the
   * Java SDK and the KCL send to Kinesis by default; answered in CBOR.
   */
  cbor?: boolean;
  /**
   * Query actions AWS serves without a signature when the request carries none: SNS's
   * ConfirmSubscription and Unsubscribe, reached from the links in the messages it sends.
   */
  anonymousActions?: ReadonlySet<string>;
  /** Query protocol API version and XML namespace. */
  queryVersion: string;
  xmlNamespace: string;
  actions: ReadonlyMap<string, AnyAction<D>>;
  deps: D;
}

/**
 * A restJson1 service, as Lambda: each action's `http` binding is its route, and the front
 * chooses the service by the SigV4 scope's service name, else by which service's routes match.
 */
export interface RestServiceSpec<D = unknown> {
  protocol: 'rest-json';
  /** SigV4 signing name, e.g. 'lambda'. */
  signingName: string;
  /** Bodies above this are refused (an action's own limit wins); default the HTTP front's. */
  maxBodyBytes?: number;
  /**
   * The service's names for the generic errors shared code raises: shapes.ts reports every
   * invalid value as InvalidParameterValue, the front an oversized body as RequestEntityTooLarge,
   * a crash as InternalFailure. SQS's wire names for those are not Lambda's, and the SDK only
   * builds its typed exceptions from the service's own names.
   */
  errorAliases?: Partial<Record<ErrorCode, ErrorCode>>;
  /** Every action must carry `http`. */
  actions: ReadonlyMap<string, AnyAction<D>>;
  deps: D;
}

/** Any service the HTTP front serves. */
export type AnyServiceSpec<D = unknown> = ServiceSpec<D> | RestServiceSpec<D>;

export function isRestService<D>(s: AnyServiceSpec<D>): s is RestServiceSpec<D> {
  return s.protocol === 'rest-json';
}

export async function runAction<D>(action: AnyAction<D>, raw: unknown, ctx: RequestContext, deps: D): Promise<Record<string, unknown>> {
  const input = checkAny(action.input, raw);
  // The shape was just checked, so the input has the type the handler was declared with.
  const handler = action.handler as (i: unknown, c: RequestContext, d: D) => Promise<unknown>;
  return (await handler(input, ctx, deps)) as Record<string, unknown>;
}

export function actionMap<D>(actions: AnyAction<D>[]): ReadonlyMap<string, AnyAction<D>> {
  return new Map(actions.map((a) => [a.name, a]));
}

/** A service with its dependency type hidden: its actions only ever receive its own deps. */
export function eraseService<D>(s: ServiceSpec<D>): ServiceSpec<unknown>;
export function eraseService<D>(s: RestServiceSpec<D>): RestServiceSpec<unknown>;
export function eraseService<D>(s: AnyServiceSpec<D>): AnyServiceSpec<unknown> {
  return s as unknown as AnyServiceSpec<unknown>;
}

/**
 * An action whose output is an event stream (Kinesis SubscribeToShard): the front answers 200
 * with `application/vnd.amazon.eventstream` and writes each frame the producer yields, until it
 * ends or the client goes away (the signal aborts). Errors found before the stream starts are
 * thrown by the handler as usual and answered as ordinary errors.
 */
export const EVENT_STREAM: unique symbol = Symbol('stratus.eventStream');
export interface EventStreamOutput {
  [EVENT_STREAM]: (signal: AbortSignal) => AsyncIterable<Uint8Array>;
}

export function isEventStream(v: unknown): v is EventStreamOutput {
  return typeof v === 'object' && v !== null && EVENT_STREAM in v;
}
