// Map (inline; a DISTRIBUTED Map also runs inline here): one iteration of the ItemProcessor per
// item, at most MaxConcurrency at once (inline Map is capped at 40, as AWS caps it); the output
// is the iteration outputs in item order. Failures within ToleratedFailureCount/Percentage leave
// {Error, Cause} as the item's output; past them (or with no tolerance) the Map fails.
import { type Json } from '../../language/json.js';
import { StatesError, States } from '../../language/errors.js';
import { type MapState, type SubMachine } from '../../language/definition.js';
import { resolveTemplate, selectPath } from '../../language/payload.js';
import { resolveJsonataTemplate } from '../../language/jsonata.js';
import { asStatesError, bindings, contextObject, emit, emitF, pathEnv, type Run, type Scope, varsOf } from '../run.js';
import { type Frame, type MapWait } from '../frames.js';
import { isJsonata, langOf, numberField, resultOutput } from '../io.js';
import { finishState, type Outcome, startFrame, type StateResult } from '../flow.js';
import { abortFrame } from '../abort.js';
import { redriveFrame } from '../redrive.js';

const INLINE_MAX_CONCURRENCY = 40;
const DISTRIBUTED_MAX_CONCURRENCY = 10_000;

function processor(state: MapState): SubMachine {
  const p = state.ItemProcessor ?? state.Iterator;
  if (!p) throw new StatesError(States.Runtime, 'A Map state needs an ItemProcessor');
  return p;
}

export function iterationScope(scope: Scope, f: Frame, state: MapState): Scope {
  const m = processor(state);
  return { m, ql: m.QueryLanguage ?? langOf(scope, state), outer: varsOf(scope, f) };
}

function selectorOf(scope: Scope, state: MapState): Json | undefined {
  return state.ItemSelector ?? (isJsonata(scope, state) ? undefined : state.Parameters);
}

export async function actMap(run: Run, f: Frame, scope: Scope, state: MapState): Promise<StateResult> {
  const ctx = contextObject(run, f);
  const jsonata = isJsonata(scope, state);
  let eff: Json;
  let items: Json;
  if (jsonata) {
    eff = f.in;
    items = state.Items === undefined ? f.in : await resolveJsonataTemplate(state.Items, bindings(run, scope, f, ctx), 'Items');
  } else {
    const env = pathEnv(run, scope, f, ctx);
    eff = selectPath(state.InputPath, f.in, env);
    items = selectPath(state.ItemsPath, eff, env);
  }
  if (!Array.isArray(items)) {
    throw new StatesError(
      jsonata ? States.QueryEvaluationError : States.Runtime,
      `The ${jsonata ? 'Items' : 'ItemsPath'} field of Map state '${f.s}' must resolve to a JSON array, but was ${JSON.stringify(items)}`,
    );
  }
  const max = await numberField(run, scope, f, ctx, 'MaxConcurrency', state.MaxConcurrency, state.MaxConcurrencyPath, eff);
  const tolN = await numberField(run, scope, f, ctx, 'ToleratedFailureCount', state.ToleratedFailureCount, state.ToleratedFailureCountPath, eff);
  const tolP = await numberField(run, scope, f, ctx, 'ToleratedFailurePercentage', state.ToleratedFailurePercentage, state.ToleratedFailurePercentagePath, eff);
  const limit = processor(state).ProcessorConfig?.Mode === 'DISTRIBUTED' ? DISTRIBUTED_MAX_CONCURRENCY : INLINE_MAX_CONCURRENCY;
  emitF(run, f, 'MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
  const w: MapWait = {
    k: 'map',
    items,
    next: 0,
    run: {},
    nrun: 0,
    outs: new Array<Json>(items.length).fill(null),
    ok: 0,
    bad: 0,
    max: max === undefined || max === 0 || max > limit ? limit : Math.floor(max),
  };
  if (tolN !== undefined) w.tolN = tolN;
  if (tolP !== undefined) w.tolP = tolP;
  if (selectorOf(scope, state) !== undefined) w.eff = eff;
  f.w = w;
  return pump(run, f, scope, state, w);
}

/** Starts iterations while there is room; completes the Map once every item is done. */
export async function pump(run: Run, f: Frame, scope: Scope, state: MapState, w: MapWait): Promise<StateResult> {
  const n = w.items.length;
  while (w.nrun < w.max && w.next < n) {
    const i = w.next;
    w.next += 1;
    const r = await startIteration(run, f, scope, state, w, i);
    if (r) return r;
  }
  if (w.nrun === 0 && w.next >= n) return completeMap(run, f, scope, state, w);
  return { k: 'wait' };
}

async function startIteration(run: Run, f: Frame, scope: Scope, state: MapState, w: MapWait, i: number): Promise<StateResult | undefined> {
  const item = w.items[i] as Json;
  let input: Json = item;
  const selector = selectorOf(scope, state);
  if (selector !== undefined) {
    try {
      const ctx = contextObject(run, f, { item: { index: i, value: item } });
      input = isJsonata(scope, state)
        ? await resolveJsonataTemplate(selector, bindings(run, scope, f, ctx), 'ItemSelector')
        : resolveTemplate(selector, w.eff ?? f.in, pathEnv(run, scope, f, ctx));
    } catch (e) {
      const s = asStatesError(e);
      // Not started: a redrive tries this item again.
      w.next = i;
      return failMap(run, f, scope, state, w, s.error, s.cause);
    }
  }
  const started = emit(run, w.lp ?? f.p, 'MapIterationStarted', 'mapIterationStartedEventDetails', { name: f.s, index: i });
  const kid: Frame = { s: processor(state).StartAt, in: input, p: started, t: run.env.nowMs };
  w.run[i] = kid;
  w.nrun += 1;
  return onIteration(run, f, scope, state, w, i, await startFrame(run, kid, iterationScope(scope, f, state)));
}

function tolerated(w: MapWait): boolean {
  if (w.tolN === undefined && w.tolP === undefined) return false;
  if (w.tolN !== undefined && w.bad > w.tolN) return false;
  if (w.tolP !== undefined && (w.bad * 100) / w.items.length > w.tolP) return false;
  return true;
}

/** An iteration waited, ended or failed; a StateResult when that decided the Map. */
export async function onIteration(run: Run, f: Frame, scope: Scope, state: MapState, w: MapWait, i: number, o: Outcome): Promise<StateResult | undefined> {
  if (o.k === 'wait') return undefined;
  const kid = w.run[i];
  if (!kid) return undefined;
  const detail = { name: f.s, index: i };
  if (o.k === 'end') {
    emit(run, kid.p, 'MapIterationSucceeded', 'mapIterationSucceededEventDetails', detail);
    w.lp = kid.p;
    w.outs[i] = o.out;
    w.ok += 1;
  } else {
    emit(run, kid.p, 'MapIterationFailed', 'mapIterationFailedEventDetails', detail);
    w.bad += 1;
    if (!tolerated(w)) {
      // The failed iteration stays in `run` so a redrive re-runs it.
      w.fk = [String(i)];
      const exceeded = w.tolN !== undefined || w.tolP !== undefined;
      f.p = kid.p;
      return exceeded
        ? failMap(run, f, scope, state, w, States.ExceedToleratedFailureThreshold, 'The specified tolerated failure threshold was exceeded')
        : failMap(run, f, scope, state, w, o.error, o.cause);
    }
    w.outs[i] = { Error: o.error, Cause: o.cause };
    w.lp = kid.p;
  }
  delete w.run[i];
  w.nrun -= 1;
  return undefined;
}

function failMap(run: Run, f: Frame, scope: Scope, state: MapState, w: MapWait, error: string, cause: string): StateResult {
  w.f = 1;
  const fk = new Set(w.fk ?? []);
  const inner = iterationScope(scope, f, state);
  for (const [key, kid] of Object.entries(w.run)) {
    if (fk.has(key)) continue;
    abortFrame(run, kid, inner, true);
    emit(run, kid.p, 'MapIterationAborted', 'mapIterationAbortedEventDetails', { name: f.s, index: Number(key) });
  }
  // MapStateFailed follows the failed iteration's last state event (f.p), as AWS writes it.
  emitF(run, f, 'MapStateFailed');
  return { k: 'fail', error, cause };
}

async function completeMap(run: Run, f: Frame, scope: Scope, state: MapState, w: MapWait): Promise<StateResult> {
  // AWS chains both MapStateSucceeded and MapStateExited to the last iteration event.
  f.p = run.st.nextEventId - 1;
  emit(run, f.p, 'MapStateSucceeded');
  const { out, vars } = await resultOutput(run, scope, f, state, contextObject(run, f), w.outs);
  return finishState(run, f, state, out, vars);
}

/** Redrive: re-run the iterations that failed or were aborted, then carry on with the rest. */
export async function redriveMap(run: Run, f: Frame, scope: Scope, state: MapState, w: MapWait): Promise<StateResult> {
  delete w.f;
  w.bad -= w.fk?.length ?? 0;
  delete w.fk;
  const inner = iterationScope(scope, f, state);
  for (const [key, kid] of Object.entries(w.run)) {
    const i = Number(key);
    kid.p = emit(run, kid.p, 'MapIterationStarted', 'mapIterationStartedEventDetails', { name: f.s, index: i });
    const r = await onIteration(run, f, scope, state, w, i, await redriveFrame(run, kid, inner));
    if (r) return r;
  }
  return pump(run, f, scope, state, w);
}
