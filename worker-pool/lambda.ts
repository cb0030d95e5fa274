// Host side of Lambda's conventions: the variables an environment starts with, the bodies of
// failures the runtime itself reports (timeout, out of memory, exit), and the START/END/REPORT
// lines around an invocation's output.
import { dirname } from 'node:path';
import { type EnvironmentSpec, type FunctionErrorBody, type InvokeOutcome } from './types.js';

/**
 * The environment's whole process.env: the function's variables, then the runtime's reserved
 * ones over them (Lambda does not let a function set those). Nothing of the host's: the worker
 * gets this object instead of a copy of the host's environment. TMPDIR,
 * AWS_LAMBDA_LOG_STREAM_NAME (both per environment) and _X_AMZN_TRACE_ID (per invocation) are
 * set inside the environment.
 */
export function environmentVariables(spec: EnvironmentSpec, initializationType: 'on-demand' | 'provisioned-concurrency'): Record<string, string> {
  return {
    ...spec.env,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    LAMBDA_TASK_ROOT: spec.codeDir,
    _HANDLER: spec.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    // Lambda's PATH starts with its Node's directory; here that is the host's node.
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    ...(spec.endpointUrl !== undefined ? { AWS_ENDPOINT_URL: spec.endpointUrl } : {}),
    ...(spec.credentials ? { AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey } : {}),
  };
}

/** Why the runtime (not the handler) ended an invocation. */
export type PlatformFailure = { kind: 'timeout' } | { kind: 'oom' } | { kind: 'exit'; code: number | undefined };

export function platformBody(f: PlatformFailure, requestId: string, timeoutSec: number): FunctionErrorBody {
  switch (f.kind) {
    case 'timeout':
      return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSec.toFixed(2)} seconds` };
    case 'oom':
      return { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` };
    case 'exit':
      return {
        errorType: 'Runtime.ExitError',
        errorMessage: f.code === undefined ? `RequestId: ${requestId} Error: Runtime exited without providing a reason` : `RequestId: ${requestId} Error: Runtime exited with error: exit status ${f.code}`,
      };
  }
}

/** The platform's own log lines for such a failure, as they appear in the function's log stream. */
export function platformLogLines(f: PlatformFailure, body: FunctionErrorBody, requestId: string, timeoutSec: number): string {
  if (f.kind === 'timeout') return `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSec.toFixed(2)} seconds\n`;
  return `${body.errorMessage}\n${body.errorType}\n`;
}

export interface Measured {
  payload: string;
  error?: FunctionErrorBody;
  initDurationMs?: number;
  durationMs: number;
  maxMemoryUsedMb: number;
}

/** Raw writes need not end a line; START and END always start one. */
function line(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** The outcome with its log text: init output, START, output, END, REPORT. */
export function outcome(spec: EnvironmentSpec, requestId: string, m: Measured, initLogs: string, logs: string): InvokeOutcome {
  const billed = Math.max(1, Math.ceil(m.durationMs));
  const report =
    `REPORT RequestId: ${requestId}\tDuration: ${m.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\t` +
    `Memory Size: ${spec.memoryMb} MB\tMax Memory Used: ${m.maxMemoryUsedMb} MB\t` +
    (m.initDurationMs !== undefined ? `Init Duration: ${m.initDurationMs.toFixed(2)} ms\t` : '') +
    '\n';
  return {
    payload: m.payload,
    ...(m.error !== undefined ? { functionError: 'Unhandled' as const, error: m.error } : {}),
    logs: `${line(initLogs)}START RequestId: ${requestId} Version: ${spec.functionVersion}\n${line(logs)}END RequestId: ${requestId}\n${report}`,
    ...(m.initDurationMs !== undefined ? { initDurationMs: m.initDurationMs } : {}),
    durationMs: m.durationMs,
    billedDurationMs: billed,
    maxMemoryUsedMb: m.maxMemoryUsedMb,
  };
}
