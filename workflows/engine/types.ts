// The contract between the interpreter (a pure state machine over one execution) and whoever
// hosts it: the Standard executor, which commits every step through Raft before acting on it,
// and the Express runner, which keeps everything in memory.
//
// A host feeds the interpreter inputs (start, a task's outcome, a timer firing, a stop) and gets
// back the execution's next state, the history events of the transitions that happened, and the
// effects to carry out (start a task, arm a timer, cancel one). The interpreter never does I/O,
// never reads a clock and never draws randomness itself: `now` and `random` come with each call,
// so the same state and inputs always give the same step (tests drive it with a fake clock).
import { type Json } from '../language/json.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** What the execution knows about itself: the `$$.Execution` and `$$.StateMachine` context. */
export interface ExecutionInfo {
  /** The execution ARN. */
  id: string;
  name: string;
  /** ISO-8601 with milliseconds, as AWS's context object. */
  startTime: string;
  roleArn: string;
  stateMachineId: string;
  stateMachineName: string;
  redriveCount: number;
  redriveTime?: string;
  /** Opaque: a task's token is this followed by the task's id (the host can route a callback back here from it). */
  taskTokenPrefix: string;
}

/** One step's inputs. `id`s are the ones the interpreter handed out in effects. */
export type EngineInput =
  | { type: 'start'; input: Json }
  | { type: 'taskSucceeded'; id: string; output: Json }
  | { type: 'taskFailed'; id: string; error: string; cause: string }
  /** An activity worker took the task (GetActivityTask), or a callback task was sent. */
  | { type: 'taskStarted'; id: string; workerName?: string }
  | { type: 'taskHeartbeat'; id: string }
  | { type: 'timerFired'; id: string }
  /** StopExecution. */
  | { type: 'stop'; error?: string; cause?: string }
  /** RedriveExecution: restarts failed Map iterations / the failed state from where it failed. */
  | { type: 'redrive' };

/**
 * Work for the host. Task effects are carried out at least once: after a crash the host
 * re-issues every task the committed state still has open (`openTasks`), with the same id
 * and token, and arms every timer it still has (`openTimers`).
 */
export type Effect =
  | {
      type: 'task';
      id: string;
      /** The Task state's Resource, as written (a Lambda ARN, `arn:aws:states:::sqs:sendMessage.waitForTaskToken`, an activity ARN…). */
      resource: string;
      /** The effective parameters (after InputPath/Parameters or Arguments). */
      input: Json;
      /** The callback token (`$$.Task.Token`) when the resource waits for one, or an activity task. */
      token?: string;
      timeoutSeconds?: number;
      heartbeatSeconds?: number;
      /** The state name, for tracing. */
      state: string;
    }
  | { type: 'timer'; id: string; atMs: number }
  | { type: 'cancel'; id: string };

/** An AWS history event as GetExecutionHistory returns it (timestamp in epoch ms here; the gateway formats). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  /** The one `<type>EventDetails` member, keyed by its AWS name (e.g. `stateEnteredEventDetails`), when the type has one. */
  details?: { key: string; value: Record<string, Json> };
}

export interface OpenTask {
  id: string;
  resource: string;
  input: Json;
  token?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  state: string;
}

/** The result of one step. */
export interface Step {
  state: ExecutionState;
  events: HistoryEvent[];
  effects: Effect[];
  /** How many states were entered in this step (a "state transition" in AWS's billing and limits). */
  transitions: number;
}

/**
 * An execution's whole interpreter state: plain JSON, so the Standard executor can commit it and
 * a new executor can load it after a crash. Its inner layout belongs to the interpreter; hosts
 * read only the fields below.
 */
export interface ExecutionState {
  v: 1;
  status: ExecutionStatus;
  /** Set once the execution closed. */
  output?: Json;
  error?: string;
  cause?: string;
  /** The next history event id (events are numbered from 1). */
  nextEventId: number;
  /** Tasks started and not finished: the host re-issues these after a crash. */
  openTasks: OpenTask[];
  /** Timers armed and not fired: the host re-arms these after a crash. */
  openTimers: { id: string; atMs: number }[];
  /** Interpreter-private. */
  inner: Json;
}

/** What each step may use from the outside world. */
export interface StepEnv {
  nowMs: number;
  /** Uniform in [0, 1): States.MathRandom, States.UUID, retry jitter. */
  random: () => number;
}
