// Pass, Succeed and Fail: states that finish as soon as they are entered.
import { type Json } from '../../language/json.js';
import { StatesError, States } from '../../language/errors.js';
import { type FailState, type PassState, type SucceedState } from '../../language/definition.js';
import { applyResultPath, resolveTemplate, selectPath } from '../../language/payload.js';
import { evaluateIntrinsic, isIntrinsic } from '../../language/intrinsics.js';
import { resolveJsonataTemplate } from '../../language/jsonata.js';
import { bindings, contextObject, pathEnv, type Run, type Scope } from '../run.js';
import { type Frame } from '../frames.js';
import { assignOf, isJsonata } from '../io.js';
import { finishState, type StateResult } from '../flow.js';

export async function actPass(run: Run, f: Frame, scope: Scope, state: PassState): Promise<StateResult> {
  const ctx = contextObject(run, f);
  if (isJsonata(scope, state)) {
    const out = state.Output === undefined ? f.in : await resolveJsonataTemplate(state.Output, bindings(run, scope, f, ctx), 'Output');
    return finishState(run, f, state, out, await assignOf(run, scope, f, true, state.Assign, ctx, f.in));
  }
  const env = pathEnv(run, scope, f, ctx);
  const eff = selectPath(state.InputPath, f.in, env);
  const params = state.Parameters === undefined ? eff : resolveTemplate(state.Parameters, eff, env);
  const result = state.Result === undefined ? params : state.Result;
  const vars = await assignOf(run, scope, f, false, state.Assign, ctx, result);
  // ResultPath merges into the raw input, not the InputPath-filtered one.
  const placed = applyResultPath(state.ResultPath, f.in, result);
  return finishState(run, f, state, selectPath(state.OutputPath, placed, env), vars);
}

export async function actSucceed(run: Run, f: Frame, scope: Scope, state: SucceedState): Promise<StateResult> {
  const ctx = contextObject(run, f);
  if (isJsonata(scope, state)) {
    const out = state.Output === undefined ? f.in : await resolveJsonataTemplate(state.Output, bindings(run, scope, f, ctx), 'Output');
    return finishState(run, f, state, out, await assignOf(run, scope, f, true, state.Assign, ctx, f.in));
  }
  const env = pathEnv(run, scope, f, ctx);
  const eff = selectPath(state.InputPath, f.in, env);
  const vars = await assignOf(run, scope, f, false, state.Assign, ctx, eff);
  return finishState(run, f, state, selectPath(state.OutputPath, eff, env), vars);
}

/** Fail: Error/Cause literal, from a path or intrinsic (JSONPath), or from an expression (JSONata). */
export async function actFail(run: Run, f: Frame, scope: Scope, state: FailState): Promise<StateResult> {
  const ctx = contextObject(run, f);
  let error: Json | undefined = state.Error;
  let cause: Json | undefined = state.Cause;
  if (isJsonata(scope, state)) {
    const b = bindings(run, scope, f, ctx);
    if (error !== undefined) error = await resolveJsonataTemplate(error, b, 'Error');
    if (cause !== undefined) cause = await resolveJsonataTemplate(cause, b, 'Cause');
  } else {
    const env = pathEnv(run, scope, f, ctx);
    const read = (p: string): Json => (isIntrinsic(p) ? evaluateIntrinsic(p, f.in, env) : selectPath(p, f.in, env));
    if (state.ErrorPath !== undefined) error = read(state.ErrorPath);
    if (state.CausePath !== undefined) cause = read(state.CausePath);
  }
  if ((error !== undefined && typeof error !== 'string') || (cause !== undefined && typeof cause !== 'string')) {
    const e = new StatesError(States.Runtime, `The Error and Cause of Fail state '${f.s}' must be strings`);
    return { k: 'fail', error: e.error, cause: e.cause, final: true };
  }
  return { k: 'fail', error: error ?? '', cause: cause ?? '', final: true };
}
