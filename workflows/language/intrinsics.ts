// Intrinsic functions of JSONPath mode: `States.Format('{} x', $.a)` in a ".$" field. This file
// parses an invocation and resolves its arguments; intrinsic-functions.ts holds the functions.
import { type Json } from './json.js';
import { StatesError, States } from './errors.js';
import { parseJsonPath } from './jsonpath.js';
import { type PathEnv, readPath } from './path-env.js';
import { INTRINSICS } from './intrinsic-functions.js';

/** A string literal keeps where its unescaped `{}` were, since only those are Format placeholders. */
export type IntrinsicArg =
  | { kind: 'literal'; value: Json; formatParts?: string[] }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  name: string;
  args: IntrinsicArg[];
}

/** AWS allows at most 10 intrinsic functions nested in one field. */
export const MAX_INTRINSIC_NESTING = 10;

export function isIntrinsic(text: string): boolean {
  return typeof text === 'string' && text.startsWith('States.');
}

function syntax(text: string, why: string): StatesError {
  return new StatesError(States.Runtime, `The intrinsic function '${text}' is invalid: ${why}`);
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  space(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }
}

export function parseIntrinsic(text: string): IntrinsicCall {
  const p = new Parser(text);
  p.space();
  const call = parseCall(p, 1);
  p.space();
  if (p.pos !== text.length) throw syntax(text, `unexpected '${p.peek()}' at position ${p.pos}`);
  return call;
}

function parseCall(p: Parser, depth: number): IntrinsicCall {
  if (depth > MAX_INTRINSIC_NESTING) {
    throw syntax(p.text, `more than ${MAX_INTRINSIC_NESTING} nested intrinsic functions`);
  }
  const m = /^States\.[A-Za-z0-9]+/.exec(p.text.slice(p.pos));
  if (!m) throw syntax(p.text, `expected a States.* function at position ${p.pos}`);
  const name = m[0];
  p.pos += name.length;
  if (!Object.hasOwn(INTRINSICS, name)) {
    throw new StatesError(States.IntrinsicFailure, `The intrinsic function '${name}' is not supported`);
  }
  p.space();
  if (p.peek() !== '(') throw syntax(p.text, `expected '(' after ${name}`);
  p.pos++;
  const args: IntrinsicArg[] = [];
  p.space();
  if (p.peek() === ')') {
    p.pos++;
    return { name, args };
  }
  for (;;) {
    p.space();
    args.push(parseArg(p, depth));
    p.space();
    const ch = p.peek();
    p.pos++;
    if (ch === ')') return { name, args };
    if (ch !== ',') throw syntax(p.text, ch === '' ? `missing ')'` : `unexpected '${ch}' at position ${p.pos - 1}`);
  }
}

function parseArg(p: Parser, depth: number): IntrinsicArg {
  const ch = p.peek();
  if (ch === "'") return parseString(p);
  if (ch === '$') return parsePathArg(p);
  const rest = p.text.slice(p.pos);
  if (rest.startsWith('States.')) return { kind: 'call', call: parseCall(p, depth + 1) };
  const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
  if (num) {
    p.pos += num[0].length;
    return { kind: 'literal', value: Number(num[0]) };
  }
  for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
    if (rest.startsWith(word) && !/[A-Za-z0-9_]/.test(rest[word.length] ?? '')) {
      p.pos += word.length;
      return { kind: 'literal', value };
    }
  }
  throw syntax(p.text, ch === '' ? 'missing argument' : `unexpected '${ch}' at position ${p.pos}`);
}

function parseString(p: Parser): IntrinsicArg {
  p.pos++; // opening quote
  const parts: string[] = [''];
  let value = '';
  for (;;) {
    const ch = p.peek();
    if (ch === '') throw syntax(p.text, 'unterminated string literal');
    p.pos++;
    if (ch === "'") break;
    if (ch === '\\') {
      const e = p.peek();
      // Only the reserved characters may be escaped; a lone backslash is an error (AWS docs).
      if (e !== "'" && e !== '{' && e !== '}' && e !== '\\') {
        throw syntax(p.text, `invalid escape '\\${e}' at position ${p.pos - 1}`);
      }
      p.pos++;
      value += e;
      parts[parts.length - 1] += e;
    } else if (ch === '{' && p.peek() === '}') {
      p.pos++;
      value += '{}';
      parts.push('');
    } else {
      value += ch;
      parts[parts.length - 1] += ch;
    }
  }
  return { kind: 'literal', value, formatParts: parts };
}

function parsePathArg(p: Parser): IntrinsicArg {
  // A path runs to the next top-level ',' or ')' — brackets and quotes may hold either.
  const start = p.pos;
  let depth = 0;
  let quote = '';
  while (p.pos < p.text.length) {
    const ch = p.peek();
    if (quote) {
      if (ch === '\\') p.pos++;
      else if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || (ch === ')' && depth > 0)) depth--;
    else if (depth === 0 && (ch === ',' || ch === ')' || /\s/.test(ch))) break;
    p.pos++;
  }
  const path = p.text.slice(start, p.pos);
  parseJsonPath(path); // syntax errors surface at parse time
  return { kind: 'path', path };
}

/** Where an intrinsic runs: the path arguments read `input`, `env.context` and `env.variables`. */
export interface IntrinsicScope {
  input: Json;
  env: PathEnv;
  /** The ".$" field holding the call, for AWS's error messages. */
  field?: string;
}

/** A resolved argument: its value, and for a Format template literal its placeholder split. */
export interface ArgValue {
  value: Json;
  formatParts?: string[];
}

function resolveArg(arg: IntrinsicArg, scope: IntrinsicScope): ArgValue {
  switch (arg.kind) {
    case 'literal':
      return arg.formatParts ? { value: arg.value, formatParts: arg.formatParts } : { value: arg.value };
    case 'call':
      return { value: callIntrinsic(arg.call, scope) };
    case 'path': {
      const r = readPath(arg.path, scope.input, scope.env);
      if (r.found) return { value: r.value };
      const where = scope.field ? ` specified for the field '${scope.field}'` : '';
      throw new StatesError(
        States.Runtime,
        `The JSONPath '${arg.path}'${where} could not be found in the input '${JSON.stringify(r.source)}'`,
      );
    }
  }
}

export function callIntrinsic(call: IntrinsicCall, scope: IntrinsicScope): Json {
  const fn = INTRINSICS[call.name];
  if (!fn) throw new StatesError(States.IntrinsicFailure, `The intrinsic function '${call.name}' is not supported`);
  const args = call.args.map((a) => resolveArg(a, scope));
  return fn(args, scope.env);
}

/**
 * Runs an intrinsic invocation. Function failures are States.IntrinsicFailure; a path argument
 * that matches nothing is States.Runtime, as for any other ".$" path.
 */
export function evaluateIntrinsic(text: string, input: Json, env: PathEnv, field?: string): Json {
  const scope: IntrinsicScope = field === undefined ? { input, env } : { input, env, field };
  return callIntrinsic(parseIntrinsic(text), scope);
}
