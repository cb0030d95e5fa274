// Input and output processing shared by the state types, in both query languages.
import { type Json, isJsonObject } from '../language/json.js';
import { StatesError, States } from '../language/errors.js';
import { type Catcher, type QueryLanguage, type State } from '../language/definition.js';
import { applyResultPath, resolveAssign, resolveTemplate, selectPath } from '../language/payload.js';
import { evalJsonata, isJsonataExpression, jsonataBody, resolveJsonataTemplate } from '../language/jsonata.js';
import { bindings, pathEnv, type Run, type Scope } from './run.js';
import { type Frame, type Vars } from './frames.js';

export function langOf(scope: Scope, state: State): QueryLanguage {
  return state.QueryLanguage ?? scope.ql ?? 'JSONPath';
}

export function isJsonata(scope: Scope, state: State): boolean {
  return langOf(scope, state) === 'JSONata';
}

/**
 * A numeric field that JSONata may write as an expression (TimeoutSeconds, Seconds,
 * MaxConcurrency, ToleratedFailure*), or its JSONPath `*Path` twin read from `pathInput`.
 */
export async function numberField(
  run: Run,
  scope: Scope,
  f: Frame,
  ctx: Json,
  field: string,
  literal: number | string | undefined,
  path: string | undefined,
  pathInput: Json,
): Promise<number | undefined> {
  let v: Json | undefined;
  if (path !== undefined) v = selectPath(path, pathInput, pathEnv(run, scope, f, ctx));
  else if (typeof literal === 'string' && isJsonataExpression(literal)) v = await evalJsonata(jsonataBody(literal), bindings(run, scope, f, ctx), field);
  else v = literal;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    const code = path !== undefined ? States.Runtime : States.QueryEvaluationError;
    throw new StatesError(code, `The value for the field '${path !== undefined ? `${field}Path` : field}' must be a non-negative number, but was ${JSON.stringify(v)}`);
  }
  return v;
}

/** JSONPath: the state's effective input (InputPath). */
export function inputPath(run: Run, scope: Scope, f: Frame, state: { InputPath?: string | null }, ctx: Json): Json {
  return selectPath(state.InputPath, f.in, pathEnv(run, scope, f, ctx));
}

/** Assign: JSONPath reads `$` from `value`; JSONata binds $states.result / errorOutput. */
export async function assignOf(
  run: Run,
  scope: Scope,
  f: Frame,
  jsonata: boolean,
  assign: Record<string, Json> | undefined,
  ctx: Json,
  value: Json,
  extra?: { result?: Json; errorOutput?: Json },
): Promise<Vars | undefined> {
  if (assign === undefined) return undefined;
  if (!jsonata) return resolveAssign(assign, value, pathEnv(run, scope, f, ctx));
  const r = await resolveJsonataTemplate(assign, bindings(run, scope, f, ctx, extra), 'Assign');
  if (!isJsonObject(r)) throw new StatesError(States.QueryEvaluationError, 'Assign must evaluate to an object');
  return r;
}

/** The parts of Task, Parallel and Map that shape their result. */
export interface ResultFields {
  ResultSelector?: Json;
  ResultPath?: string | null;
  OutputPath?: string | null;
  Output?: Json;
  Assign?: Record<string, Json>;
}

/**
 * Task/Parallel/Map output from their raw result: JSONPath ResultSelector → ResultPath (into the
 * raw input) → OutputPath, Assign reading the selected result; JSONata Output (default: the
 * result) and Assign with $states.result. Both see the variables as they were before the state.
 */
export async function resultOutput(
  run: Run,
  scope: Scope,
  f: Frame,
  state: ResultFields & State,
  ctx: Json,
  result: Json,
): Promise<{ out: Json; vars: Vars | undefined }> {
  if (isJsonata(scope, state)) {
    const b = bindings(run, scope, f, ctx, { result });
    const out = state.Output === undefined ? result : await resolveJsonataTemplate(state.Output, b, 'Output');
    const vars = await assignOf(run, scope, f, true, state.Assign, ctx, result, { result });
    return { out, vars };
  }
  const env = pathEnv(run, scope, f, ctx);
  const selected = state.ResultSelector === undefined ? result : resolveTemplate(state.ResultSelector, result, env);
  const vars = await assignOf(run, scope, f, false, state.Assign, ctx, selected);
  const placed = applyResultPath(state.ResultPath, f.in, selected);
  return { out: selectPath(state.OutputPath, placed, env), vars };
}

/** JSONPath-mode Parameters/Arguments-less effective input for Task/Parallel (InputPath → Parameters); JSONata Arguments. */
export async function effectiveParameters(
  run: Run,
  scope: Scope,
  f: Frame,
  state: State & { InputPath?: string | null; Parameters?: Json; Arguments?: Json },
  ctx: Json,
): Promise<Json> {
  if (isJsonata(scope, state)) {
    return state.Arguments === undefined ? f.in : resolveJsonataTemplate(state.Arguments, bindings(run, scope, f, ctx), 'Arguments');
  }
  const env = pathEnv(run, scope, f, ctx);
  const eff = selectPath(state.InputPath, f.in, env);
  return state.Parameters === undefined ? eff : resolveTemplate(state.Parameters, eff, env);
}

/** A Catcher's output and variables from the error output {Error, Cause}. */
export async function catchOutput(
  run: Run,
  scope: Scope,
  f: Frame,
  state: State,
  c: Catcher,
  ctx: Json,
  errorOutput: Json,
): Promise<{ out: Json; vars: Vars | undefined }> {
  if (isJsonata(scope, state)) {
    const b = bindings(run, scope, f, ctx, { errorOutput });
    const out = c.Output === undefined ? errorOutput : await resolveJsonataTemplate(c.Output, b, 'Catch/Output');
    return { out, vars: await assignOf(run, scope, f, true, c.Assign, ctx, errorOutput, { errorOutput }) };
  }
  const vars = await assignOf(run, scope, f, false, c.Assign, ctx, errorOutput);
  return { out: applyResultPath(c.ResultPath, f.in, errorOutput), vars };
}
