// Calling a Stratus function from the data plane: AWS_PROXY and AWS Lambda integrations, Lambda
// authorizers and origin hooks. Integration URIs name the function the way API Gateway does
// (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`);
// a bare function ARN or name is accepted too.
import { Throttled } from '../../../scheduler/scheduler.js';
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';

export interface FunctionCallResult {
  payload: string;
  /** Set when the function failed (`Unhandled`); the payload is then its error object. */
  functionError?: string;
  /** The function version that ran. */
  version: string;
}

export type FunctionCallFailure = 'not-found' | 'throttled' | 'timeout' | 'unavailable';

export class FunctionCallFailed extends Error {
  constructor(
    readonly reason: FunctionCallFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FunctionCallFailed';
  }
}

const INVOCATIONS_URI = /^arn:aws:apigateway:[^:]*:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

/** The function an integration or authorizer URI names (ARN, possibly qualified), or the input when it is not such a URI. */
export function functionRefOfUri(uri: string): string {
  return INVOCATIONS_URI.exec(uri)?.[1] ?? uri;
}

export interface CallOptions {
  requestId: string;
  /** The caller going away aborts the wait (the invocation itself runs to its own end). */
  signal?: AbortSignal;
  /** Past this the call fails with reason `timeout` (API Gateway: 29 s by default). */
  timeoutMs?: number;
  traceHeader?: string;
}

/** Runs `ref` (an integration URI, ARN or name) synchronously with `payload` (JSON text). */
export async function invokeFunction(backend: ApigwBackend, ref: string, payload: string, o: CallOptions): Promise<FunctionCallResult> {
  const lambda = backend.deps.lambda;
  if (!lambda) throw new FunctionCallFailed('unavailable', 'functions are not served by this gateway');
  let target;
  try {
    const id = lambda.id(functionRefOfUri(ref), undefined, { accountId: backend.opts.accountId });
    const f = await lambda.function(id.name, id.qualifier);
    target = lambda.resolve(f, id.qualifier);
  } catch (err) {
    if (err instanceof AwsError) throw new FunctionCallFailed('not-found', err.message);
    throw err;
  }
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (o.timeoutMs === undefined) return;
    timer = setTimeout(() => {
      abort.abort();
      reject(new FunctionCallFailed('timeout', `Endpoint request timed out after ${o.timeoutMs} ms`));
    }, o.timeoutMs);
  });
  try {
    const r = await Promise.race([
      lambda.scheduler.invoke(target, { requestId: o.requestId, payload, signal: abort.signal, ...(o.traceHeader !== undefined ? { traceId: o.traceHeader } : {}) }),
      timedOut,
    ]);
    return { payload: r.payload, version: target.version, ...(r.functionError !== undefined ? { functionError: r.functionError } : {}) };
  } catch (err) {
    if (err instanceof Throttled) throw new FunctionCallFailed('throttled', `Rate Exceeded. (${err.reason})`);
    if (err instanceof FunctionCallFailed) throw err;
    if (err instanceof AwsError) throw new FunctionCallFailed('unavailable', err.message);
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}
