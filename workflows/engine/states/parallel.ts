// Parallel: every branch starts on the same input; the output is the branch outputs in branch
// order. The first branch to fail aborts the others and fails the state with its error.
import { type Json } from '../../language/json.js';
import { type ParallelState } from '../../language/definition.js';
import { contextObject, emit, emitF, type Run, type Scope, varsOf } from '../run.js';
import { type Frame, type ParWait } from '../frames.js';
import { effectiveParameters, langOf, resultOutput } from '../io.js';
import { finishState, type Outcome, startFrame, type StateResult } from '../flow.js';
import { abortFrame } from '../abort.js';
import { redriveFrame } from '../redrive.js';

export function branchScope(scope: Scope, f: Frame, state: ParallelState, i: number): Scope {
  const m = state.Branches[i];
  if (!m) throw new Error(`Parallel state '${f.s}' has no branch ${i}`);
  return { m, ql: m.QueryLanguage ?? langOf(scope, state), outer: varsOf(scope, f) };
}

export async function actParallel(run: Run, f: Frame, scope: Scope, state: ParallelState): Promise<StateResult> {
  const input = await effectiveParameters(run, scope, f, state, contextObject(run, f));
  emitF(run, f, 'ParallelStateStarted');
  const n = state.Branches.length;
  const w: ParWait = { k: 'par', kids: new Array<Frame | null>(n).fill(null), outs: new Array<Json>(n).fill(null), left: n };
  f.w = w;
  if (n === 0) return completeParallel(run, f, scope, state, w);
  for (let i = 0; i < n; i++) {
    const br = state.Branches[i];
    if (!br) continue;
    const kid: Frame = { s: br.StartAt, in: input, p: f.p, t: run.env.nowMs };
    w.kids[i] = kid;
    const r = await onBranch(run, f, scope, state, w, i, await startFrame(run, kid, branchScope(scope, f, state, i)));
    if (r.k !== 'wait') return r;
  }
  return { k: 'wait' };
}

/** A branch waited, ended or failed. */
export async function onBranch(run: Run, f: Frame, scope: Scope, state: ParallelState, w: ParWait, i: number, o: Outcome): Promise<StateResult> {
  if (o.k === 'wait') return o;
  if (o.k === 'end') {
    w.outs[i] = o.out;
    w.kids[i] = null;
    w.left -= 1;
    return w.left === 0 ? completeParallel(run, f, scope, state, w) : { k: 'wait' };
  }
  const failed = w.kids[i];
  w.f = 1;
  w.kids.forEach((kid, j) => {
    if (kid && j !== i) abortFrame(run, kid, branchScope(scope, f, state, j), true);
  });
  // ParallelStateFailed follows the failed branch's last event, as MapStateFailed does.
  if (failed) f.p = failed.p;
  emitF(run, f, 'ParallelStateFailed');
  return { k: 'fail', error: o.error, cause: o.cause };
}

async function completeParallel(run: Run, f: Frame, scope: Scope, state: ParallelState, w: ParWait): Promise<StateResult> {
  // AWS chains both ParallelStateSucceeded and ParallelStateExited to the last branch event.
  f.p = run.st.nextEventId - 1;
  emit(run, f.p, 'ParallelStateSucceeded');
  const { out, vars } = await resultOutput(run, scope, f, state, contextObject(run, f), w.outs);
  return finishState(run, f, state, out, vars);
}

/** Redrive: resume the branches that failed or were aborted; finished ones keep their output. */
export async function redriveParallel(run: Run, f: Frame, scope: Scope, state: ParallelState, w: ParWait): Promise<StateResult> {
  delete w.f;
  for (let i = 0; i < w.kids.length; i++) {
    const kid = w.kids[i];
    if (!kid) continue;
    const r = await onBranch(run, f, scope, state, w, i, await redriveFrame(run, kid, branchScope(scope, f, state, i)));
    if (r.k !== 'wait') return r;
  }
  return w.left === 0 ? completeParallel(run, f, scope, state, w) : { k: 'wait' };
}
