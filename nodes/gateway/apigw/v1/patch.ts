// API Gateway v1's PatchOperation (op add/remove/replace/move/copy/test, a JSON-Pointer-like
// path with `~1` for a `/` inside a segment, a string value), applied through a table of the
// paths an action accepts. Every Update* action declares its table; the rules turn the string
// values into typed fields, so the documents stay typed.
import { AwsError } from '../../errors.js';

export interface PatchOp {
  op?: string;
  path?: string;
  value?: string;
  from?: string;
}

/** One patchable path: `*` segments match one (unescaped) segment each, passed to the callbacks as `args`. */
export interface PatchRule<T> {
  /** add and replace (AWS treats them alike on scalar members). */
  set?: (doc: T, value: string | undefined, args: string[], path: string) => void;
  /** `value` names the item for list-like paths (`/stages`, `/apiStages`). */
  remove?: (doc: T, args: string[], path: string, value: string | undefined) => void;
  /** The current value, for copy, move and test. */
  get?: (doc: T, args: string[]) => string | undefined;
}

export type PatchRules<T> = Record<string, PatchRule<T>>;

export const badRequest = (message: string): AwsError => new AwsError('ApigwBadRequestException', message);

/** `~1` stands for `/` and `~0` for `~` inside a segment (JSON Pointer). */
export const unescapeSegment = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');
export const escapeSegment = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The path's segments, unescaped (`/a/b~1c` → ['a', 'b/c']). */
export function segments(path: string): string[] {
  return path.split('/').slice(1).map(unescapeSegment);
}

function match(pattern: string, raw: string[]): string[] | undefined {
  const want = pattern.split('/').slice(1);
  // A trailing `**` takes the rest of the path, one argument per segment.
  const greedy = want[want.length - 1] === '**';
  if (greedy ? raw.length < want.length - 1 : raw.length !== want.length) return undefined;
  const args: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const w = want[i];
    if (w === '**') {
      args.push(...raw.slice(i).map(unescapeSegment));
      return args;
    }
    if (w === '*') args.push(unescapeSegment(raw[i]!));
    else if (w !== raw[i]) return undefined;
  }
  return args;
}

function find<T>(rules: PatchRules<T>, path: string, op: string): { rule: PatchRule<T>; args: string[] } {
  if (!path.startsWith('/')) throw badRequest(`Invalid patch path '${path}' specified for op '${op}'. Must start with '/'`);
  const raw = path.split('/').slice(1);
  for (const [pattern, rule] of Object.entries(rules)) {
    const args = match(pattern, raw);
    if (args) return { rule, args };
  }
  throw badRequest(`Invalid patch path '${path}' specified for op '${op}'. Must be one of: [${Object.keys(rules).join(', ')}]`);
}

const unsupported = (path: string, op: string): AwsError => badRequest(`Invalid patch path '${path}' specified for op '${op}'. Please choose supported operations`);

/** Applies the operations in order to `doc` (the caller passes a private copy). */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[], rules: PatchRules<T>): T {
  for (const o of ops) {
    const op = o.op ?? 'replace';
    const path = o.path ?? '';
    const { rule, args } = find(rules, path, op);
    switch (op) {
      case 'add':
      case 'replace':
        if (!rule.set) throw unsupported(path, op);
        rule.set(doc, o.value, args, path);
        break;
      case 'remove':
        if (!rule.remove) throw unsupported(path, op);
        rule.remove(doc, args, path, o.value);
        break;
      case 'copy':
      case 'move': {
        if (o.from === undefined) throw badRequest(`Invalid patch operation specified: '${op}' requires 'from'`);
        const source = find(rules, o.from, op);
        if (!source.rule.get || !rule.set) throw unsupported(path, op);
        rule.set(doc, source.rule.get(doc, source.args), args, path);
        if (op === 'move') {
          if (!source.rule.remove) throw unsupported(o.from, op);
          source.rule.remove(doc, source.args, o.from, undefined);
        }
        break;
      }
      case 'test':
        if (!rule.get) throw unsupported(path, op);
        if (rule.get(doc, args) !== o.value) throw badRequest(`Patch test failed: ${path} is not ${JSON.stringify(o.value)}`);
        break;
      default:
        throw badRequest(`Invalid patch operation specified: ${op}`);
    }
  }
  return doc;
}

// ---------- value parsers (patch values are always strings) ----------

export function parseBool(v: string | undefined, path: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value '${v ?? ''}' for ${path}: expected true or false`);
}

export function parseNumber(v: string | undefined, path: string, min: number, max: number, integer = false): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw badRequest(`Invalid value '${v ?? ''}' for ${path}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

export function parseEnum<E extends string>(v: string | undefined, path: string, allowed: readonly E[]): E {
  if (v !== undefined && (allowed as readonly string[]).includes(v)) return v as E;
  throw badRequest(`Invalid value '${v ?? ''}' for ${path}: must be one of ${allowed.join(', ')}`);
}

export function required(v: string | undefined, path: string): string {
  if (v === undefined) throw badRequest(`Invalid patch operation specified: a value is required for ${path}`);
  return v;
}

// ---------- rule builders for the common member kinds ----------

type StringKeys<T> = { [K in keyof T]-?: T[K] extends string | undefined ? K : never }[keyof T];
type MapKeys<T> = { [K in keyof T]-?: T[K] extends Record<string, string> ? K : never }[keyof T];

/** An optional string member: set it, or remove it (when `removable`). */
export function stringRule<T>(key: StringKeys<T>, opts: { removable?: boolean; check?: (v: string, path: string) => void } = {}): PatchRule<T> {
  const rec = (d: T): Record<string, unknown> => d as unknown as Record<string, unknown>;
  return {
    set: (d, v, _a, path) => {
      const s = required(v, path);
      opts.check?.(s, path);
      rec(d)[key as string] = s;
    },
    ...(opts.removable !== false ? { remove: (d: T) => void delete rec(d)[key as string] } : {}),
    get: (d) => rec(d)[key as string] as string | undefined,
  };
}

/** `/{member}/{key}` entries of a string map (request parameters, templates, variables). */
export function mapEntryRule<T>(key: MapKeys<T>, check?: (k: string, v: string, path: string) => void): PatchRule<T> {
  const map = (d: T): Record<string, string> => d[key] as unknown as Record<string, string>;
  return {
    set: (d, v, args, path) => {
      const value = v ?? '';
      check?.(args[0]!, value, path);
      map(d)[args[0]!] = value;
    },
    remove: (d, args) => void delete map(d)[args[0]!],
    get: (d, args) => map(d)[args[0]!],
  };
}
