// The shape of a conformance case and the small builders the case files share. A case is data
// (a definition, an input, scripted fake resources and what AWS says should come out) so the
// same case can run through the plain host and the crash-recovering one.
import { type ExecutionStatus } from '../../../workflows/engine/types.js';
import { type Json, type JsonObject } from '../../../workflows/language/json.js';

/** Thrown by a fake resource: the task fails at once with this error and cause. */
export class TaskFailure extends Error {
  readonly error: string;
  override readonly cause: string;
  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.error = error;
    this.cause = cause;
  }
}

/**
 * What the outside world does with a task over virtual time, each step relative to the moment
 * the task was issued: an activity worker picking it up, heartbeats, SendTaskSuccess/Failure
 * or a function that takes a while to answer. No final step means the task never answers.
 */
export type ScriptStep =
  | { afterMs: number; kind: 'started'; workerName?: string }
  | { afterMs: number; kind: 'heartbeat' }
  | { afterMs: number; kind: 'success'; output: Json }
  | { afterMs: number; kind: 'failure'; error: string; cause: string };

export class TaskScript {
  constructor(readonly steps: ScriptStep[]) {}
}

export const script = {
  /** Answers with `output` after `ms` of virtual time. */
  after(ms: number, output: Json): TaskScript {
    return new TaskScript([{ afterMs: ms, kind: 'success', output }]);
  },
  failAfter(ms: number, error: string, cause: string): TaskScript {
    return new TaskScript([{ afterMs: ms, kind: 'failure', error, cause }]);
  },
  /** Never answers: only a timeout (or a stop) ends the task. */
  hang(): TaskScript {
    return new TaskScript([]);
  },
  steps(...steps: ScriptStep[]): TaskScript {
    return new TaskScript(steps);
  },
};

/** What a fake resource learns about one invocation. */
export interface TaskCall {
  id: string;
  resource: string;
  state: string;
  token?: string;
  /** Virtual ms since the execution started. */
  atMs: number;
  /** 1-based count of invocations of this resource so far (retries included). */
  call: number;
}

/** A fake resource: a result now, a script over virtual time, or throw TaskFailure. */
export type Handler = (input: Json, call: TaskCall) => Json | TaskScript;

export interface Expect {
  status: ExecutionStatus;
  output?: Json;
  /** For outputs AWS leaves random (MathRandom, UUID…): returns a problem or undefined. */
  outputCheck?: (output: Json) => string | undefined;
  error?: string;
  cause?: string;
  /** Virtual ms since start at which each task invocation happened, in order. */
  invocationTimesMs?: number[];
  /** Bounds [min, max] on the gap between successive invocations (jitter). */
  invocationGapsWithinMs?: Array<[number, number]>;
  /** The effective input each task received, in invocation order. */
  invocationInputs?: Json[];
  /** Most tasks open at once. */
  maxConcurrency?: number;
  /** Virtual ms from start to the end of the execution. */
  elapsedMs?: number;
  /** The exact history event types. */
  eventTypes?: string[];
  /** These event types appear in this order (others may come between). */
  eventTypesInclude?: string[];
}

export interface Case {
  name: string;
  definition: JsonObject;
  input: Json;
  resources?: Record<string, Handler>;
  expect: Expect;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export function lambdaArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

export function activityArn(name: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:activity:${name}`;
}

/** A machine of one state (named "S") that ends the execution. */
export function single(state: JsonObject, extra: JsonObject = {}): JsonObject {
  const terminal = state['Type'] === 'Succeed' || state['Type'] === 'Fail' || state['Type'] === 'Choice';
  return { ...extra, StartAt: 'S', States: { S: terminal ? state : { ...state, End: true } } };
}

/** A Pass state computing `Parameters` — the usual way to observe a template or intrinsic. */
export function passParams(parameters: JsonObject, extra: JsonObject = {}): JsonObject {
  return single({ Type: 'Pass', Parameters: parameters, ...extra });
}

/** A Pass state ending the machine with a fixed result: marks which branch a Choice or Catch took. */
export function marker(name: string): JsonObject {
  return { Type: 'Pass', Result: name, End: true };
}

/** A resource that answers with its input (after `ms`, when given). */
export function echo(ms = 0): Handler {
  return (input) => (ms > 0 ? script.after(ms, input) : input);
}

/** A resource that fails with these errors in order, then answers `output`. */
export function failThen(errors: string[], output: Json): Handler {
  return (_input, call) => {
    const error = errors[call.call - 1];
    if (error !== undefined) throw new TaskFailure(error, `attempt ${call.call} failed`);
    return output;
  };
}

/** A resource that always fails. */
export function alwaysFail(error: string, cause: string): Handler {
  return () => {
    throw new TaskFailure(error, cause);
  };
}
