// AWS's front checks a Kinesis request against the API model before the service sees it and
// answers every constraint the request breaks in one ValidationException, worded as below
// (kinesalite and moto recorded AWS's wording). The shared checker (shapes.ts) knows neither the
// model's patterns nor its list sizes, and answers in SQS's words (InvalidParameterValue), which
// no Kinesis SDK knows. So every Kinesis action checks its whole input shape in its handler
// (withModelChecks: both fronts get patterns and sizes), and the HTTP front runs the actions
// with constraint-free copies of their input shapes (withLooseInput), which still decode the
// types (base64 blobs, numbers), so that all violations reach that check and AWS's words.
import { type AnyAction, type RequestContext } from '../action.js';
import { AwsError } from '../errors.js';
import { type Shape, type StructShape } from '../shapes.js';

/** Constraints of Kinesis's model that the shared shapes cannot carry. */
export interface ModelConstraints {
  /** Matched against the whole string, as AWS matches it. */
  pattern?: string;
  /** Entries of a list or map. */
  minItems?: number;
  maxItems?: number;
  /** Lengths of a map's keys. */
  keyMin?: number;
  keyMax?: number;
}

type WithModel = { model?: ModelConstraints };

/** The shape with the model's extra constraints attached (they travel with spreads of it). */
export function constrained<S extends Shape>(shape: S, model: ModelConstraints): S {
  return { ...shape, model };
}

/** AWS reports at most this many violations in one answer. */
const MAX_REPORTED = 10;

const CHECKED = new WeakSet<object>();

export function withModelChecks<D>(action: AnyAction<D>): AnyAction<D> {
  const strict = action.input;
  const handler = action.handler as (input: unknown, ctx: RequestContext, deps: D) => Promise<unknown>;
  const checked: AnyAction<D> = {
    ...action,
    handler: async (input: unknown, ctx: RequestContext, deps: D): Promise<unknown> => {
      const errors: string[] = [];
      violations(strict, input, '', errors);
      if (errors.length > 0) {
        const shown = errors.slice(0, MAX_REPORTED);
        throw new AwsError('ValidationException', `${shown.length} validation error${shown.length > 1 ? 's' : ''} detected: ${shown.join('; ')}`);
      }
      return handler(input, ctx, deps);
    },
  };
  CHECKED.add(checked);
  return checked;
}

/** The action with its input's constraints left to its own handler (withModelChecks). */
export function withLooseInput<D>(action: AnyAction<D>): AnyAction<D> {
  if (!CHECKED.has(action)) throw new Error(`${action.name}: only an action that checks its own input may run with a loose shape`);
  return { ...action, input: loosen(action.input) as StructShape };
}

function loosen(s: Shape): Shape {
  const copy: Shape = { ...s };
  delete copy.required;
  switch (copy.kind) {
    case 'string':
      delete copy.min;
      delete copy.max;
      delete copy.enum;
      return copy;
    case 'integer':
    case 'double':
      delete copy.min;
      delete copy.max;
      return copy;
    case 'list':
      return { ...copy, member: loosen(copy.member) };
    case 'map':
      return { ...copy, value: loosen(copy.value) };
    case 'struct':
      return { ...copy, members: Object.fromEntries(Object.entries(copy.members).map(([k, m]) => [k, loosen(m)])) };
    default:
      return copy;
  }
}

/** Smithy counts a string's length in code points, not UTF-16 units. */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** How AWS shows a value in a violation: quoted scalars, lists and maps spelled out, structures and blobs left out. */
function shown(shape: Shape, v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return `'${String(v)}'`;
  if (shape.kind === 'list' && Array.isArray(v) && shape.member.kind !== 'struct') return `'[${v.map(String).join(', ')}]'`;
  if (shape.kind === 'map' && typeof v === 'object' && v !== null) {
    return `'{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join(', ')}}'`;
  }
  return undefined;
}

function violations(shape: Shape, v: unknown, path: string, out: string[]): void {
  const fail = (constraint: string): void => {
    const value = shown(shape, v);
    out.push(`Value ${value === undefined ? '' : `${value} `}at '${path}' failed to satisfy constraint: ${constraint}`);
  };
  const model = (shape as WithModel).model;
  switch (shape.kind) {
    case 'struct': {
      if (typeof v !== 'object' || v === null) return;
      const rec = v as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members)) {
        const p = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
        const x = rec[name];
        if (x === undefined || x === null) {
          if (member.required) out.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        violations(member, x, p, out);
      }
      return;
    }
    case 'string': {
      if (typeof v !== 'string') return;
      if (shape.enum && !shape.enum.includes(v)) fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      if (model?.pattern !== undefined && !new RegExp(`^(?:${model.pattern})$`, 'u').test(v)) fail(`Member must satisfy regular expression pattern: ${model.pattern}`);
      if (shape.min !== undefined || shape.max !== undefined) {
        const n = codePoints(v);
        if (shape.min !== undefined && n < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && n > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      }
      return;
    }
    case 'integer':
    case 'double': {
      if (typeof v !== 'number') return;
      if (shape.min !== undefined && v < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && v > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case 'list': {
      if (!Array.isArray(v)) return;
      if (model?.minItems !== undefined && v.length < model.minItems) fail(`Member must have length greater than or equal to ${model.minItems}`);
      if (model?.maxItems !== undefined && v.length > model.maxItems) fail(`Member must have length less than or equal to ${model.maxItems}`);
      v.forEach((x, i) => violations(shape.member, x, `${path}.${i + 1}.member`, out));
      return;
    }
    case 'map': {
      if (typeof v !== 'object' || v === null) return;
      const entries = Object.entries(v as Record<string, unknown>);
      if (model?.minItems !== undefined && entries.length < model.minItems) fail(`Member must have length greater than or equal to ${model.minItems}`);
      if (model?.maxItems !== undefined && entries.length > model.maxItems) fail(`Member must have length less than or equal to ${model.maxItems}`);
      const { keyMin, keyMax } = model ?? {};
      if ((keyMin !== undefined || keyMax !== undefined) && entries.some(([k]) => (keyMin !== undefined && codePoints(k) < keyMin) || (keyMax !== undefined && codePoints(k) > keyMax))) {
        fail(`Map keys must satisfy constraint: [Member must have length less than or equal to ${keyMax ?? 'inf'}, Member must have length greater than or equal to ${keyMin ?? 0}]`);
      }
      const val = shape.value;
      if (val.kind === 'string' && (val.min !== undefined || val.max !== undefined)) {
        const bad = entries.some(([, x]) => typeof x === 'string' && ((val.min !== undefined && codePoints(x) < val.min) || (val.max !== undefined && codePoints(x) > val.max)));
        if (bad) fail(`Map value must satisfy constraint: [Member must have length less than or equal to ${val.max ?? 'inf'}, Member must have length greater than or equal to ${val.min ?? 0}]`);
      }
      return;
    }
    default:
      return;
  }
}
