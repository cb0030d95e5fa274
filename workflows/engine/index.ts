// The interpreter's entry points: a pure step function over one execution's state.
import { type Json } from '../language/json.js';
import { States } from '../language/errors.js';
import { type StateMachineDefinition } from '../language/definition.js';
import {
  type Effect,
  type EngineInput,
  type ExecutionInfo,
  type ExecutionState,
  type ExecutionStatus,
  type OpenTask,
  type Step,
  type StepEnv,
} from './types.js';
import { collectOpen, type Frame, type Inner, type TimerRef } from './frames.js';
import { emit, HistoryLimit, type Run, type Scope } from './run.js';
import { type Outcome, startFrame } from './flow.js';
import { deliver } from './deliver.js';
import { abortFrame } from './abort.js';
import { redriveFrame } from './redrive.js';
import { errorDetails } from './task-events.js';

export { testState, type TestStateOptions, type TestStateOutcome } from './test-state.js';

/** AWS's history quota. */
export const MAX_HISTORY_EVENTS = 25_000;

export interface StepOptions {
  /** History quota (default 25,000): the execution fails when it would need more events. */
  maxEvents?: number;
  /** A host limit on the execution's duration (Express: 300 s), besides the definition's TimeoutSeconds. */
  maxDurationSeconds?: number;
  /**
   * Reuse `state` instead of copying it: for hosts that never look at the state they passed
   * in again (it is modified). Default: the input state is left untouched.
   */
  inPlace?: boolean;
}

/** A new execution: RUNNING, nothing started; the host writes ExecutionStarted as event 1 and feeds { type: 'start' }. */
export function newExecution(): ExecutionState {
  const inner: Inner = { seq: 0 };
  return { v: 1, status: 'RUNNING', nextEventId: 2, openTasks: [], openTimers: [], inner: inner as unknown as Json };
}

const REDRIVABLE: ReadonlySet<ExecutionStatus> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

function isOpen(state: ExecutionState, id: string): boolean {
  return state.openTasks.some((t) => t.id === id) || state.openTimers.some((t) => t.id === id);
}

/** Whether `input` can change `state` at all (late, duplicate and out-of-place inputs cannot). */
function applies(state: ExecutionState, input: EngineInput): boolean {
  switch (input.type) {
    case 'start':
      return state.status === 'RUNNING' && (state.inner as unknown as Inner).root === undefined;
    case 'stop':
      return state.status === 'RUNNING';
    case 'redrive':
      return REDRIVABLE.has(state.status) && (state.inner as unknown as Inner).root !== undefined;
    default:
      return state.status === 'RUNNING' && isOpen(state, input.id);
  }
}

export async function step(
  definition: StateMachineDefinition,
  info: ExecutionInfo,
  state: ExecutionState,
  input: EngineInput,
  env: StepEnv,
  opts: StepOptions = {},
): Promise<Step> {
  if (!applies(state, input)) return { state, events: [], effects: [], transitions: 0 };
  // What was open before the step: its effects are the difference (kept aside: in place, the step rewrites these lists).
  const before = { openTasks: [...state.openTasks], openTimers: [...state.openTimers] };
  const st: ExecutionState = opts.inPlace ? state : structuredClone(state);
  const inner = st.inner as unknown as Inner;
  const run: Run = {
    def: definition,
    info,
    env,
    st,
    inner,
    events: [],
    transitions: 0,
    maxEvents: opts.maxEvents ?? MAX_HISTORY_EVENTS,
    region: info.id.split(':')[3] || 'us-east-1',
    tasks: new Map(st.openTasks.map((t) => [t.id, t])),
  };
  const scope: Scope = { m: definition, ql: definition.QueryLanguage, outer: {} };
  try {
    const changed = await apply(run, scope, input, opts);
    if (!changed) return { state, events: [], effects: [], transitions: 0 };
  } catch (e) {
    if (!(e instanceof HistoryLimit)) throw e;
    if (inner.root) abortFrame(run, inner.root, scope, false);
    close(run, 'FAILED', States.Runtime, `The execution reached the maximum number of history events (${run.maxEvents}).`);
  }
  return { state: st, events: run.events, effects: settleOpen(run, before, input), transitions: run.transitions };
}

/** Runs one input; false when it turned out to change nothing. */
async function apply(run: Run, scope: Scope, input: EngineInput, opts: StepOptions): Promise<boolean> {
  const inner = run.inner;
  switch (input.type) {
    case 'start': {
      inner.in = input.input;
      // AWS gives the first state's Entered event previousEventId 0, like ExecutionStarted.
      const root: Frame = { s: run.def.StartAt, in: input.input, p: 0, t: run.env.nowMs };
      inner.root = root;
      armExecutionTimer(run, opts, Date.parse(run.info.startTime));
      await finish(run, await startFrame(run, root, scope));
      return true;
    }
    case 'stop':
      if (inner.root) abortFrame(run, inner.root, scope, false);
      close(run, 'ABORTED', input.error ?? '', input.cause ?? '');
      return true;
    case 'redrive': {
      const root = inner.root as Frame;
      run.st.status = 'RUNNING';
      delete run.st.error;
      delete run.st.cause;
      root.p = emit(run, run.st.nextEventId - 1, 'ExecutionRedriven', 'executionRedrivenEventDetails', { redriveCount: run.info.redriveCount });
      armExecutionTimer(run, opts, run.env.nowMs);
      await finish(run, await redriveFrame(run, root, scope));
      return true;
    }
    default: {
      if (inner.xt?.id === input.id) {
        if (input.type !== 'timerFired') return false;
        if (inner.root) abortFrame(run, inner.root, scope, false);
        close(run, 'TIMED_OUT', States.Timeout, 'The execution timed out.');
        return true;
      }
      if (!inner.root) return false;
      const d = await deliver(run, inner.root, scope, input);
      if (d === null || d === 'noop') return false;
      await finish(run, d);
      return true;
    }
  }
}

function armExecutionTimer(run: Run, opts: StepOptions, fromMs: number): void {
  const limits = [run.def.TimeoutSeconds, opts.maxDurationSeconds].filter((x): x is number => typeof x === 'number' && x > 0);
  if (limits.length === 0) return;
  const from = Number.isFinite(fromMs) ? fromMs : run.env.nowMs;
  run.inner.seq += 1;
  run.inner.xt = { id: `x${run.inner.seq}`, at: from + Math.min(...limits) * 1000 };
}

/** The execution's top branch waited, ended or failed. */
async function finish(run: Run, o: Outcome): Promise<void> {
  if (o.k === 'wait') return;
  if (o.k === 'fail') {
    close(run, 'FAILED', o.error, o.cause);
    return;
  }
  const text = JSON.stringify(o.out);
  emit(run, run.st.nextEventId - 1, 'ExecutionSucceeded', 'executionSucceededEventDetails', { output: text, outputDetails: { truncated: false } }, true);
  run.st.status = 'SUCCEEDED';
  run.st.output = o.out;
  // Nothing can resume a succeeded execution: drop the tree so the committed state stays small.
  delete run.inner.root;
  delete run.inner.in;
  delete run.inner.xt;
}

const CLOSING: Record<string, string> = { FAILED: 'ExecutionFailed', ABORTED: 'ExecutionAborted', TIMED_OUT: 'ExecutionTimedOut' };

function close(run: Run, status: 'FAILED' | 'ABORTED' | 'TIMED_OUT', error: string, cause: string): void {
  const type = CLOSING[status] as string;
  const key = `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;
  emit(run, run.st.nextEventId - 1, type, key, errorDetails(error, cause), true);
  run.st.status = status;
  if (error !== '') run.st.error = error;
  else delete run.st.error;
  if (cause !== '') run.st.cause = cause;
  else delete run.st.cause;
  delete run.inner.xt;
}

/** Rebuilds openTasks/openTimers from the tree and turns the difference into effects. */
function settleOpen(run: Run, before: Pick<ExecutionState, 'openTasks' | 'openTimers'>, input: EngineInput): Effect[] {
  const taskIds: string[] = [];
  const timers: TimerRef[] = [];
  collectOpen(run.inner, taskIds, timers);
  const tasks = taskIds.map((id) => run.tasks.get(id)).filter((t): t is OpenTask => t !== undefined);
  run.st.openTasks = tasks;
  run.st.openTimers = timers.map((t) => ({ id: t.id, atMs: t.at }));
  const done = 'id' in input ? input.id : undefined;
  const nowTasks = new Set(taskIds);
  const nowTimers = new Set(timers.map((t) => t.id));
  const effects: Effect[] = [];
  for (const t of before.openTasks) if (!nowTasks.has(t.id) && t.id !== done) effects.push({ type: 'cancel', id: t.id });
  for (const t of before.openTimers) if (!nowTimers.has(t.id) && t.id !== done) effects.push({ type: 'cancel', id: t.id });
  const wasTask = new Set(before.openTasks.map((t) => t.id));
  const wasTimer = new Set(before.openTimers.map((t) => t.id));
  for (const t of tasks) if (!wasTask.has(t.id)) effects.push({ type: 'task', ...t });
  for (const t of timers) if (!wasTimer.has(t.id)) effects.push({ type: 'timer', id: t.id, atMs: t.at });
  return effects;
}
