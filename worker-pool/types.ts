// The worker pool's public shapes: what a scheduler hands in to run a Node.js Lambda handler, and
// what it gets back. Everything a Lambda API response needs (payload, X-Amz-Function-Error, the
// log tail, REPORT figures) is in InvokeOutcome.

import { type SpanRecord } from '../nodes/telemetry/span-record.js';
import { type TaskTrace } from './worker-tracing.js';

export interface EnvironmentSpec {
  /** Identity: same key, same pool of warm environments (function ARN + version + config revision). */
  key: string;
  /** Absolute directory of the extracted code (LAMBDA_TASK_ROOT); the handler module is relative to it. */
  codeDir: string;
  /** `index.handler`, `src/app.main`: module path (extension .js, .mjs or .cjs found on disk), then export. */
  handler: string;
  /** `nodejs18.x` | `nodejs20.x` | `nodejs22.x`; all run on the host's Node, the name goes into AWS_EXECUTION_ENV. */
  runtime: string;
  functionName: string;
  functionVersion: string;
  memoryMb: number;
  timeoutSec: number;
  /** Cap of each environment's private /tmp. */
  ephemeralStorageMb: number;
  region: string;
  accountId: string;
  /** `/aws/lambda/<name>` */
  logGroupName: string;
  /** The function's own Environment.Variables (already decrypted). */
  env: Record<string, string>;
  /** Most concurrent (on-demand) environments for this spec. */
  maxEnvironments: number;
  /** A warm on-demand environment with no work for this long is shut down. */
  idleMs: number;
  /** Exported as AWS_ENDPOINT_URL so SDK clients in the handler reach Stratus. */
  endpointUrl?: string;
  /** Exported as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: the handler's SDK clients sign with them. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface InvokeRequest {
  requestId: string;
  /** JSON text of the event. */
  payload: string;
  invokedFunctionArn: string;
  /** X-Ray's header for `_X_AMZN_TRACE_ID` when the invocation carries no trace context. */
  traceId?: string;
  /** The invocation's trace context (the scheduler's span): the handler runs in this trace. */
  trace?: TaskTrace;
  /** Decoded ClientContext JSON text (context.clientContext). */
  clientContext?: string;
  /** Cognito identity JSON text (context.identity); rarely given. */
  identity?: string;
  /** Already aborted: the invocation is dropped (reported as a timeout). Aborted later: it runs to its end, as Lambda's do. */
  signal?: AbortSignal;
}

export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface InvokeOutcome {
  /** JSON text Lambda returns: the handler's result, or the error body. */
  payload: string;
  /** Set when the invocation failed (the X-Amz-Function-Error header). */
  functionError?: 'Unhandled';
  error?: FunctionErrorBody;
  /** This invocation's log text: init output (cold start), START, output, END, REPORT. */
  logs: string;
  /** Present only when this invocation initialised its environment (a cold start). */
  initDurationMs?: number;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
  /** Spans the environment finished (sampled traces): the scheduler adds them to its own. */
  spans?: SpanRecord[];
}
