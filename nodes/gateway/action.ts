// An API action: its input and output shapes (the declarative validation) and its handler. The
// HTTP front (every AWS protocol) and the gRPC front both call `runAction`, so validation and
// behaviour are the same whichever way a request arrives.
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

export interface Action<I extends StructLike, O extends StructLike, D = unknown> {
  name: string;
  input: I;
  output: O;
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
  handler: (input: never, ctx: RequestContext, deps: D) => Promise<unknown>;
}

/** A service as the HTTP front dispatches it. */
export interface ServiceSpec<D = unknown> {
  /** SigV4 signing name, e.g. 'sqs'. */
  signingName: string;
  /** X-Amz-Target prefix for the JSON protocols, e.g. 'AmazonSQS'. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  /** Whether JSON errors also carry x-amzn-query-error (services that moved from Query to JSON). */
  queryCompatible: boolean;
  /** Query protocol API version and XML namespace. */
  queryVersion: string;
  xmlNamespace: string;
  actions: ReadonlyMap<string, AnyAction<D>>;
  deps: D;
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
export function eraseService<D>(s: ServiceSpec<D>): ServiceSpec<unknown> {
  return s as unknown as ServiceSpec<unknown>;
}
