// JSONata mode: "{% expr %}" strings evaluated with the jsonata package, `$states` bound to the
// state's input/context/result/errorOutput and each workflow variable bound as `$name`, plus the
// functions Step Functions adds ($partition, $range, $hash, $random with a seed, $uuid, $parse).
import jsonata from 'jsonata';
import { type Json, type JsonObject, isJsonObject } from './json.js';
import { StatesError, States } from './errors.js';
import { registerStepFunctionsFunctions } from './jsonata-functions.js';

export interface JsonataBindings {
  input: Json;
  context: Json;
  variables: Record<string, Json>;
  result?: Json;
  errorOutput?: Json;
  /** Uniform in [0, 1): unseeded $random and $uuid draw from it. */
  random: () => number;
  /** Epoch milliseconds for $now()/$millis(); absent: jsonata's own clock. Lets replays pin time. */
  now?: () => number;
}

/** Guards against runaway expressions (deep recursion, endless loops). */
export const JSONATA_LIMITS = { stack: 2000, timeoutMs: 10_000 } as const;

/** A string that is exactly "{% ... %}" (no space outside the delimiters, as AWS requires). */
export function isJsonataExpression(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 4 && v.startsWith('{%') && v.endsWith('%}');
}

/** The expression inside "{% ... %}". */
export function jsonataBody(v: string): string {
  return v.slice(2, -2).trim();
}

function queryError(expression: string, field: string | undefined, tail: string): StatesError {
  const where = field ? ` specified for the field '${field}'` : '';
  return new StatesError(States.QueryEvaluationError, `The JSONata expression '${expression}'${where} ${tail}`);
}

function describe(e: unknown): string {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(message);
    return typeof code === 'string' ? `${code}: ${text}` : text;
  }
  return String(e);
}

/** jsonata's lambdas and built-ins are objects that reference their (cyclic) environments. */
function isJsonataFunction(v: unknown): boolean {
  return (
    typeof v === 'function' ||
    (typeof v === 'object' && v !== null && ('_jsonata_lambda' in v || '_jsonata_function' in v))
  );
}

/** jsonata hands back sequences, undefined members and functions; a state carries plain JSON. */
function toJson(v: unknown): Json | undefined {
  if (v === undefined || isJsonataFunction(v)) return undefined;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v) {
      const j = toJson(x);
      if (j !== undefined) out.push(j);
    }
    return out;
  }
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const j = toJson(x);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }
  return undefined;
}

/**
 * Evaluates one expression (the text inside "{% %}"). Any failure, and a result that is
 * undefined, is States.QueryEvaluationError worded as AWS does; `field` names where the
 * expression was written ("Output", "Arguments/Input/x", "Choices[1]/Condition").
 */
export async function evalJsonata(expression: string, b: JsonataBindings, field?: string): Promise<Json> {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, { stack: JSONATA_LIMITS.stack, timeout: JSONATA_LIMITS.timeoutMs });
  } catch (e) {
    throw queryError(expression, field, `could not be parsed. ${describe(e)}`);
  }
  registerStepFunctionsFunctions(compiled, b);
  const states: JsonObject = { input: b.input, context: b.context };
  if (b.result !== undefined) states.result = b.result;
  if (b.errorOutput !== undefined) states.errorOutput = b.errorOutput;
  const bindings: Record<string, unknown> = { ...b.variables, states };
  let raw: unknown;
  try {
    raw = await compiled.evaluate(undefined, bindings);
  } catch (e) {
    throw queryError(expression, field, `threw an error during evaluation. ${describe(e)}`);
  }
  if (isJsonataFunction(raw)) throw queryError(expression, field, 'returned a function, which is not a JSON value.');
  const value = toJson(raw);
  if (value === undefined) throw queryError(expression, field, 'returned nothing (undefined).');
  return value;
}

/**
 * Walks a JSONata-mode field (Output, Arguments, Assign values, Items...): every "{% %}" string,
 * however deep, is evaluated; everything else is copied. `field` prefixes the error locations:
 * "/" before each object key, "[i]" for each array index. Evaluation is sequential and in
 * document order, so unseeded $random/$uuid draws are reproducible.
 */
export async function resolveJsonataTemplate(template: Json, b: JsonataBindings, field?: string): Promise<Json> {
  if (isJsonataExpression(template)) return evalJsonata(jsonataBody(template), b, field);
  if (Array.isArray(template)) {
    const out: Json[] = [];
    for (let i = 0; i < template.length; i++) {
      out.push(await resolveJsonataTemplate(template[i] as Json, b, `${field ?? ''}[${i}]`));
    }
    return out;
  }
  if (isJsonObject(template)) {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(template)) {
      out[key] = await resolveJsonataTemplate(value, b, field ? `${field}/${key}` : key);
    }
    return out;
  }
  return template;
}
