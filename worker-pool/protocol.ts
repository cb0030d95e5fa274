// What crosses the thread boundary between the pool and an execution environment (structured
// clone): the environment's start data, one invocation, and its outcome. Errors cross as plain
// data (errorType, errorMessage, trace), as Lambda returns them.

export interface EnvironmentData {
  codeDir: string;
  handler: string;
  functionName: string;
  functionVersion: string;
  memoryMb: number;
  ephemeralStorageMb: number;
  logGroupName: string;
  logStreamName: string;
  /** This environment's private /tmp lives under here. */
  tmpBase: string;
  /** Provisioned environments are initialised before any request: no cold start to report. */
  provisioned: boolean;
}

export interface Invocation {
  /** 'ping' only makes sure the environment is initialised (provisioned concurrency). */
  kind: 'invoke' | 'ping';
  requestId: string;
  payload: string;
  invokedFunctionArn: string;
  deadlineMs: number;
  traceId?: string;
  clientContext?: string;
}

export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface Outcome {
  ok: boolean;
  /** JSON text of the result, or of the error body. */
  payload: string;
  error?: FunctionErrorBody;
  /** Output of this invocation in the runtime's log format (without START/END/REPORT). */
  logs: string;
  initDurationMs?: number;
  durationMs: number;
  maxMemoryUsedMb: number;
}
