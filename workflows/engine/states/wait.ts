// Wait: Seconds, Timestamp or their Path forms arm a timer; an instant already past goes on at once.
import { type Json } from '../../language/json.js';
import { StatesError, States } from '../../language/errors.js';
import { type WaitState } from '../../language/definition.js';
import { selectPath } from '../../language/payload.js';
import { evalJsonata, isJsonataExpression, jsonataBody, resolveJsonataTemplate } from '../../language/jsonata.js';
import { parseTimestamp, timestampMillis } from '../../language/timestamp.js';
import { bindings, contextObject, pathEnv, type Run, type Scope, timer } from '../run.js';
import { type Frame } from '../frames.js';
import { assignOf, isJsonata, numberField } from '../io.js';
import { finishState, type StateResult } from '../flow.js';

function timestampMs(v: Json, field: string, code: string): number {
  const t = typeof v === 'string' ? parseTimestamp(v) : undefined;
  if (!t) throw new StatesError(code, `The value for the field '${field}' must be a valid ISO-8601 timestamp, but was ${JSON.stringify(v)}`);
  return timestampMillis(t);
}

/** When the Wait ends (epoch ms). */
async function until(run: Run, f: Frame, scope: Scope, state: WaitState, ctx: Json): Promise<number> {
  const now = run.env.nowMs;
  if (isJsonata(scope, state)) {
    if (state.Timestamp !== undefined) {
      const v = isJsonataExpression(state.Timestamp) ? await evalJsonata(jsonataBody(state.Timestamp), bindings(run, scope, f, ctx), 'Timestamp') : state.Timestamp;
      return timestampMs(v, 'Timestamp', States.QueryEvaluationError);
    }
    const s = await numberField(run, scope, f, ctx, 'Seconds', state.Seconds, undefined, f.in);
    return now + (s ?? 0) * 1000;
  }
  const env = pathEnv(run, scope, f, ctx);
  const eff = selectPath(state.InputPath, f.in, env);
  if (state.Timestamp !== undefined) return timestampMs(state.Timestamp, 'Timestamp', States.Runtime);
  if (state.TimestampPath !== undefined) return timestampMs(selectPath(state.TimestampPath, eff, env), 'TimestampPath', States.Runtime);
  const s = await numberField(run, scope, f, ctx, 'Seconds', state.Seconds, state.SecondsPath, eff);
  return now + (s ?? 0) * 1000;
}

export async function actWait(run: Run, f: Frame, scope: Scope, state: WaitState): Promise<StateResult> {
  const at = await until(run, f, scope, state, contextObject(run, f));
  if (at <= run.env.nowMs) return exitWait(run, f, scope, state);
  f.w = { k: 'wait', tm: timer(run, at - run.env.nowMs) };
  return { k: 'wait' };
}

/** The timer fired (or the instant had passed). */
export async function exitWait(run: Run, f: Frame, scope: Scope, state: WaitState): Promise<StateResult> {
  f.w = undefined;
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
