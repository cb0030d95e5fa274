// What crosses the thread boundary between the pool (host) and an execution environment (worker
// thread), by structured clone. Tasks and their results go through piscina; side messages go
// over the worker's parentPort, which piscina re-emits as the pool's 'message' event. The two
// channels are not ordered with each other, so every side message names its task.
import { MessagePort } from 'node:worker_threads';
import { type FunctionErrorBody } from './types.js';
import { type SpanRecord } from '../nodes/telemetry/span-record.js';
import { type TaskTrace } from './worker-tracing.js';

/** The environment's start data (piscina workerData), the same for every thread of a pool. */
export interface EnvironmentData {
  codeDir: string;
  handler: string;
  functionName: string;
  functionVersion: string;
  memoryMb: number;
  timeoutMs: number;
  ephemeralStorageMb: number;
  logGroupName: string;
  /** Each thread makes its private /tmp at `<tmpBase>/env-<threadId>`. */
  tmpBase: string;
}

export interface InvokeTask {
  kind: 'invoke';
  taskId: string;
  requestId: string;
  payload: string;
  invokedFunctionArn: string;
  traceId?: string;
  /** The scheduler span's trace context: the handler runs in this trace. */
  trace?: TaskTrace;
  clientContext?: string;
  identity?: string;
}

/**
 * Provisioned concurrency: initialise the environment, run nothing. Once initialised, the
 * environment says so on `hold` and keeps the task until the host answers there, which it does
 * when every environment of the batch is initialised: a held task keeps its thread busy, so each
 * task of the batch initialises a different thread.
 */
export interface InitTask {
  kind: 'init';
  taskId: string;
  hold: MessagePort;
}

export type Task = InvokeTask | InitTask;

/** An invocation as the environment saw it; its output came before it as 'log' messages. */
export interface WorkerOutcome {
  ok: boolean;
  payload: string;
  error?: FunctionErrorBody;
  initDurationMs?: number;
  durationMs: number;
  maxMemoryUsedMb: number;
  /** Spans finished in the environment during the invocation (sampled traces only). */
  spans?: SpanRecord[];
}

export type TaskResult = { kind: 'invoke'; outcome: WorkerOutcome } | { kind: 'init'; error?: FunctionErrorBody };

export type WorkerMessage =
  /** The environment took the task: from here on a thread exit is this task's fault. */
  | { type: 'accepted'; taskId: string }
  /**
   * The handler is about to run (init is done): the function's timeout counts from here. Times
   * are wall-clock milliseconds with sub-millisecond precision (performance.timeOrigin + now()),
   * comparable across threads where performance.now() alone is not.
   */
  | { type: 'started'; taskId: string; startedAt: number; deadlineMs: number; maxMemoryUsedMb: number; initDurationMs?: number }
  /**
   * Output, sent as it is written so that what an invocation printed survives the thread being
   * killed (timeout, out of memory). `init`: written before the handler ran (init phase).
   */
  | { type: 'log'; taskId: string; init: boolean; text: string }
  /**
   * The task's result, sent on this channel so it arrives after the task's output. With
   * `retire` the environment must not be reused: the task never settles, and the host aborts it,
   * which ends the thread.
   */
  | { type: 'done'; taskId: string; result: TaskResult; retire: boolean }
  /** process.exit() was called; `taskId` when a task was running. */
  | { type: 'exiting'; taskId?: string; code: number }
  /** An error between invocations: the environment exits and is replaced. */
  | { type: 'stray'; text: string };

export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isErrorBody(v: unknown): v is FunctionErrorBody {
  return isRecord(v) && typeof v.errorType === 'string' && typeof v.errorMessage === 'string';
}

function isOutcome(v: unknown): v is WorkerOutcome {
  return (
    isRecord(v) &&
    typeof v.ok === 'boolean' &&
    typeof v.payload === 'string' &&
    typeof v.durationMs === 'number' &&
    typeof v.maxMemoryUsedMb === 'number' &&
    (v.error === undefined || isErrorBody(v.error))
  );
}

export function isTaskResult(v: unknown): v is TaskResult {
  if (!isRecord(v)) return false;
  if (v.kind === 'invoke') return isOutcome(v.outcome);
  return v.kind === 'init' && (v.error === undefined || isErrorBody(v.error));
}

export function isWorkerMessage(v: unknown): v is WorkerMessage {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'accepted':
      return typeof v.taskId === 'string';
    case 'started':
      return (
        typeof v.taskId === 'string' &&
        typeof v.startedAt === 'number' &&
        typeof v.deadlineMs === 'number' &&
        typeof v.maxMemoryUsedMb === 'number' &&
        (v.initDurationMs === undefined || typeof v.initDurationMs === 'number')
      );
    case 'log':
      return typeof v.taskId === 'string' && typeof v.init === 'boolean' && typeof v.text === 'string';
    case 'done':
      return typeof v.taskId === 'string' && typeof v.retire === 'boolean' && isTaskResult(v.result);
    case 'exiting':
      return typeof v.code === 'number' && (v.taskId === undefined || typeof v.taskId === 'string');
    case 'stray':
      return typeof v.text === 'string';
    default:
      return false;
  }
}

export function isEnvironmentData(v: unknown): v is EnvironmentData {
  return (
    isRecord(v) &&
    typeof v.codeDir === 'string' &&
    typeof v.handler === 'string' &&
    typeof v.functionName === 'string' &&
    typeof v.functionVersion === 'string' &&
    typeof v.memoryMb === 'number' &&
    typeof v.timeoutMs === 'number' &&
    typeof v.ephemeralStorageMb === 'number' &&
    typeof v.logGroupName === 'string' &&
    typeof v.tmpBase === 'string'
  );
}

export function isTask(v: unknown): v is Task {
  if (!isRecord(v) || typeof v.taskId !== 'string') return false;
  if (v.kind === 'init') return v.hold instanceof MessagePort;
  return v.kind === 'invoke' && typeof v.requestId === 'string' && typeof v.payload === 'string' && typeof v.invokedFunctionArn === 'string';
}
