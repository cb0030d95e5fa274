// JSONPath-mode input and output processing: InputPath/OutputPath/ItemsPath selection, the
// Parameters/ResultSelector/ItemSelector templates, ResultPath and Assign.
import { type Json, type JsonObject, isJsonObject } from './json.js';
import { StatesError, States } from './errors.js';
import { parseJsonPath } from './jsonpath.js';
import { isIntrinsic, evaluateIntrinsic } from './intrinsics.js';
import { type PathEnv, readPath } from './path-env.js';

export type { PathEnv } from './path-env.js';

/**
 * A path field that selects (InputPath, OutputPath, ItemsPath, *Path fields): undefined → the
 * value itself, null → {} (InputPath/OutputPath). `$$.` reads the context, `$name` a variable.
 * Definite paths give their one value, others an array of matches.
 */
export function selectPath(path: string | null | undefined, value: Json, env: PathEnv): Json {
  if (path === undefined) return value;
  if (path === null) return {};
  const r = readPath(path, value, env);
  if (r.found) return r.value;
  // Jayway's wording, which AWS passes through: "Invalid path '$.x' : No results for path: $['x']".
  throw new StatesError(States.Runtime, `Invalid path '${path}' : ${r.message}`);
}

/** The value of one ".$" field: a path or an intrinsic invocation. */
function dynamicValue(expr: Json, field: string, input: Json, env: PathEnv): Json {
  if (typeof expr !== 'string') {
    throw new StatesError(States.Runtime, `The value for the field '${field}' must be a STRING that contains a JSONPath or an intrinsic function`);
  }
  if (isIntrinsic(expr)) return evaluateIntrinsic(expr, input, env, field);
  const r = readPath(expr, input, env);
  if (r.found) return r.value;
  throw new StatesError(
    States.Runtime,
    `The JSONPath '${expr}' specified for the field '${field}' could not be found in the input '${JSON.stringify(r.source)}'`,
  );
}

/**
 * Parameters / ResultSelector / ItemSelector: keys ending ".$" take a path ($, $$, $var) or an
 * intrinsic and lose the suffix; other values are copied, with objects and arrays walked so
 * nested ".$" keys resolve too.
 */
export function resolveTemplate(template: Json, input: Json, env: PathEnv): Json {
  if (Array.isArray(template)) return template.map((t) => resolveTemplate(t, input, env));
  if (!isJsonObject(template)) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = dynamicValue(value, key, input, env);
    else out[key] = resolveTemplate(value, input, env);
  }
  return out;
}

function cannotApply(step: string | number, node: Json): StatesError {
  const name = typeof step === 'number' ? `[${step}]` : step;
  return new StatesError(States.ResultPathMatchFailure, `Unable to apply step "${name}" to input ${JSON.stringify(node)}`);
}

/**
 * ResultPath: undefined → "$" (the result replaces the input), null → the input unchanged, else
 * the result placed at the reference path inside a copy of the input, creating objects on the
 * way. A step through something that is not an object (or an index outside an array) fails
 * with States.ResultPathMatchFailure.
 */
export function applyResultPath(resultPath: string | null | undefined, input: Json, result: Json): Json {
  if (resultPath === null) return input;
  if (resultPath === undefined) return result;
  let ast;
  try {
    ast = parseJsonPath(resultPath);
  } catch (e) {
    throw new StatesError(States.ResultPathMatchFailure, e instanceof StatesError ? e.cause : String(e));
  }
  if (ast.root.kind !== 'input' || !ast.definite) {
    throw new StatesError(States.ResultPathMatchFailure, `Invalid ResultPath '${resultPath}': a ResultPath must be a reference path starting with $`);
  }
  if (ast.segments.length === 0) return result;
  const copy = structuredClone(input);
  let node: Json = copy;
  ast.segments.forEach((seg, i) => {
    const last = i === ast.segments.length - 1;
    if (seg.kind === 'member') {
      if (!isJsonObject(node)) throw cannotApply(seg.name, node);
      if (last) node[seg.name] = result;
      else {
        if (!Object.hasOwn(node, seg.name)) node[seg.name] = {};
        node = node[seg.name] as Json;
      }
    } else if (seg.kind === 'index') {
      if (!Array.isArray(node)) throw cannotApply(seg.index, node);
      const at = seg.index < 0 ? node.length + seg.index : seg.index;
      if (at < 0 || at >= node.length) throw cannotApply(seg.index, node);
      if (last) node[at] = result;
      else node = node[at] as Json;
    }
  });
  return copy;
}

/**
 * JSONPath-mode Assign: each "name.$" value is a path or intrinsic read against `value` (what `$`
 * means for Assign — the engine chooses: the state's result after ResultSelector for Task, Map and
 * Parallel, its input otherwise), other values are templates. Every expression sees the variables
 * as they were before the state, so assignments do not see each other. Returns the new values.
 */
export function resolveAssign(assign: Record<string, Json>, value: Json, env: PathEnv): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, expr] of Object.entries(assign)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = dynamicValue(expr, key, value, env);
    else out[key] = resolveTemplate(expr, value, env);
  }
  return out;
}
