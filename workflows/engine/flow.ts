// Moving a frame through its states: enter a state, run what can run now, follow Next until the
// frame waits, ends or fails; Retry before Catch when a state fails.
import { type Json } from '../language/json.js';
import { States } from '../language/errors.js';
import { type Catcher, type Retrier, type State } from '../language/definition.js';
import { asStatesError, contextObject, emitF, payloadText, type Run, type Scope, timer } from './run.js';
import { type Frame, type Vars } from './frames.js';
import { catchOutput } from './io.js';
import { actPass, actSucceed, actFail } from './states/simple.js';
import { actChoice } from './states/choice.js';
import { actWait } from './states/wait.js';
import { actTask } from './states/task.js';
import { actParallel } from './states/parallel.js';
import { actMap } from './states/map.js';

/** What one state did. `text` carries the output's JSON text so the next Entered event reuses it. */
export type StateResult =
  | { k: 'next'; next: string; out: Json; text?: string }
  | { k: 'end'; out: Json }
  | { k: 'wait' }
  | { k: 'fail'; error: string; cause: string; final?: boolean };

/** What a frame (a branch) did. */
export type Outcome = { k: 'wait' } | { k: 'end'; out: Json } | { k: 'fail'; error: string; cause: string };

export function failure(e: unknown, final?: boolean): StateResult {
  const s = asStatesError(e);
  return final ? { k: 'fail', error: s.error, cause: s.cause, final } : { k: 'fail', error: s.error, cause: s.cause };
}

/** A state's work (also what a retry re-runs, without a new Entered event). */
export async function act(run: Run, f: Frame, scope: Scope, state: State): Promise<StateResult> {
  try {
    switch (state.Type) {
      case 'Pass':
        return await actPass(run, f, scope, state);
      case 'Succeed':
        return await actSucceed(run, f, scope, state);
      case 'Fail':
        return await actFail(run, f, scope, state);
      case 'Choice':
        return await actChoice(run, f, scope, state);
      case 'Wait':
        return await actWait(run, f, scope, state);
      case 'Task':
        return await actTask(run, f, scope, state);
      case 'Parallel':
        return await actParallel(run, f, scope, state);
      case 'Map':
        return await actMap(run, f, scope, state);
    }
  } catch (e) {
    const r = failure(e);
    // AWS says where a state's own processing failed (a path that matches nothing, a bad value).
    if (r.k === 'fail' && r.error === States.Runtime && f.e !== undefined) r.cause = `An error occurred while executing the state '${f.s}' (entered at the event id #${f.e}). ${r.cause}`;
    return r;
  }
}

/** Enters the frame's current state (f.s with input f.in) and runs it. */
export async function enterState(run: Run, f: Frame, scope: Scope, inputText?: string): Promise<StateResult> {
  const state = scope.m.States[f.s];
  if (!state) return { k: 'fail', error: States.Runtime, cause: `State '${f.s}' does not exist`, final: true };
  run.transitions += 1;
  f.t = run.env.nowMs;
  f.w = undefined;
  f.r = undefined;
  f.rc = undefined;
  const input = inputText ?? JSON.stringify(f.in);
  f.e = emitF(run, f, `${state.Type}StateEntered`, 'stateEnteredEventDetails', { name: f.s, input, inputDetails: { truncated: false } });
  return act(run, f, scope, state);
}

/** Starts a new frame at its current state and runs it as far as it goes. */
export async function startFrame(run: Run, f: Frame, scope: Scope): Promise<Outcome> {
  return drive(run, f, scope, await enterState(run, f, scope));
}

/** Follows a frame from a state's result until it waits, ends or fails. */
export async function drive(run: Run, f: Frame, scope: Scope, first: StateResult): Promise<Outcome> {
  let res = first;
  for (;;) {
    if (res.k === 'fail') {
      const state = scope.m.States[f.s];
      if (!res.final && state) res = await handleError(run, f, scope, state, res.error, res.cause);
      if (res.k === 'fail') {
        // A failed Parallel/Map keeps its children so a redrive resumes only what failed.
        const w = f.w;
        if (!(w && (w.k === 'par' || w.k === 'map') && w.f)) f.w = { k: 'failed' };
        return { k: 'fail', error: res.error, cause: res.cause };
      }
    }
    if (res.k === 'wait') return { k: 'wait' };
    if (res.k === 'end') {
      f.w = undefined;
      return { k: 'end', out: res.out };
    }
    f.s = res.next;
    f.in = res.out;
    res = await enterState(run, f, scope, res.text);
  }
}

/** Writes the Exited event, stores the state's variables and says where to go. */
export function finishState(run: Run, f: Frame, state: State, out: Json, vars: Vars | undefined, next?: string): StateResult {
  let text: string;
  try {
    text = payloadText(out, f.s);
  } catch (e) {
    return failure(e);
  }
  const details: Record<string, Json> = { name: f.s, output: text, outputDetails: { truncated: false } };
  if (vars) {
    const shown: Record<string, Json> = {};
    for (const [k, v] of Object.entries(vars)) shown[k] = JSON.stringify(v);
    details.assignedVariables = shown;
    details.assignedVariablesDetails = { truncated: false };
    f.v = f.v ? Object.assign(f.v, vars) : { ...vars };
  }
  emitF(run, f, `${state.Type}StateExited`, 'stateExitedEventDetails', details);
  const to = next ?? ('Next' in state ? state.Next : undefined);
  if (to !== undefined && state.Type !== 'Succeed') return { k: 'next', next: to, out, text };
  return { k: 'end', out };
}

/** Whether a Retrier/Catcher's ErrorEquals covers an error. */
export function errorMatches(list: string[], error: string): boolean {
  // States.Runtime always fails the execution; States.ALL does not cover DataLimitExceeded.
  if (error === States.Runtime) return false;
  for (const e of list) {
    if (e === error) return true;
    if (e === States.ALL && error !== States.DataLimitExceeded) return true;
    if (e === States.TaskFailed && error !== States.Timeout && error !== States.DataLimitExceeded) return true;
  }
  return false;
}

/** Seconds before retry attempt `n` (0-based) of a retrier. */
export function retryDelaySeconds(r: Retrier, n: number, random: () => number): number {
  let d = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n;
  if (r.MaxDelaySeconds !== undefined) d = Math.min(d, r.MaxDelaySeconds);
  if (r.JitterStrategy === 'FULL') d *= random();
  return d;
}

function retriersOf(state: State): Retrier[] | undefined {
  return state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map' ? state.Retry : undefined;
}

function catchersOf(state: State): Catcher[] | undefined {
  return state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map' ? state.Catch : undefined;
}

/** Retry (the first retrier that matches, while it has attempts left), else Catch, else fail. */
export async function handleError(run: Run, f: Frame, scope: Scope, state: State, error: string, cause: string): Promise<StateResult> {
  const retriers = retriersOf(state);
  if (retriers) {
    const i = retriers.findIndex((r) => errorMatches(r.ErrorEquals, error));
    const r = retriers[i];
    if (r) {
      const used = f.r?.[i] ?? 0;
      if (used < (r.MaxAttempts ?? 3)) {
        const counts = f.r ?? retriers.map(() => 0);
        counts[i] = used + 1;
        f.r = counts;
        f.rc = (f.rc ?? 0) + 1;
        f.w = { k: 'retry', tm: timer(run, retryDelaySeconds(r, used, run.env.random) * 1000) };
        return { k: 'wait' };
      }
    }
  }
  const c = catchersOf(state)?.find((x) => errorMatches(x.ErrorEquals, error));
  if (!c) return { k: 'fail', error, cause, final: true };
  try {
    const ctx = contextObject(run, f);
    const { out, vars } = await catchOutput(run, scope, f, state, c, ctx, { Error: error, Cause: cause });
    const res = finishState(run, f, state, out, vars, c.Next);
    return res.k === 'fail' ? { ...res, final: true } : res;
  } catch (e) {
    return failure(e, true);
  }
}
