// Filter expressions inside JSONPath brackets: `[?(@.price < 10 && @.tags)]`. Semantics follow
// Jayway (what AWS runs): a comparison between values of different types is false, a missing
// operand makes every comparison but != false, and a bare path tests that the path exists.
import { type Json } from './json.js';
import { deepEqual } from './values.js';
import { StatesError, States } from './errors.js';
import { type JsonPathAst, type Cursor, parsePathAt, readQuoted, evaluateSegments } from './jsonpath.js';

export type Operand =
  | { kind: 'path'; path: JsonPathAst; current: boolean }
  | { kind: 'literal'; value: Json }
  | { kind: 'regex'; regex: RegExp };

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~';

export type FilterExpr =
  | { kind: 'and'; left: FilterExpr; right: FilterExpr }
  | { kind: 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'exists'; operand: Operand }
  | { kind: 'compare'; op: ComparisonOp; left: Operand; right: Operand };

function fail(c: Cursor, why: string): StatesError {
  return new StatesError(States.Runtime, `Invalid JSONPath '${c.text}': ${why} at position ${c.pos}`);
}

export function parseFilter(c: Cursor): FilterExpr {
  return parseOr(c);
}

function parseOr(c: Cursor): FilterExpr {
  let left = parseAnd(c);
  for (;;) {
    c.skipSpace();
    if (!c.startsWith('||')) return left;
    c.pos += 2;
    left = { kind: 'or', left, right: parseAnd(c) };
  }
}

function parseAnd(c: Cursor): FilterExpr {
  let left = parseUnary(c);
  for (;;) {
    c.skipSpace();
    if (!c.startsWith('&&')) return left;
    c.pos += 2;
    left = { kind: 'and', left, right: parseUnary(c) };
  }
}

function parseUnary(c: Cursor): FilterExpr {
  c.skipSpace();
  if (c.peek() === '!' && c.peek(1) !== '=') {
    c.pos++;
    return { kind: 'not', expr: parseUnary(c) };
  }
  if (c.peek() === '(') {
    c.pos++;
    const inner = parseOr(c);
    c.skipSpace();
    if (c.peek() !== ')') throw fail(c, "expected ')'");
    c.pos++;
    return inner;
  }
  const left = parseOperand(c);
  c.skipSpace();
  const op = (['==', '!=', '<=', '>=', '=~', '<', '>'] as const).find((o) => c.startsWith(o));
  if (!op) {
    if (left.kind !== 'path' && !(left.kind === 'literal' && typeof left.value === 'boolean')) {
      throw fail(c, 'expected a comparison');
    }
    return { kind: 'exists', operand: left };
  }
  c.pos += op.length;
  c.skipSpace();
  const right = op === '=~' ? parseRegex(c) : parseOperand(c);
  return { kind: 'compare', op, left, right };
}

function parseRegex(c: Cursor): Operand {
  if (c.peek() !== '/') throw fail(c, 'expected a /regex/');
  c.pos++;
  let body = '';
  while (!c.eof() && c.peek() !== '/') {
    if (c.peek() === '\\') body += c.text[c.pos++] ?? '';
    body += c.text[c.pos++] ?? '';
  }
  if (c.eof()) throw fail(c, 'unterminated regex');
  c.pos++;
  let flags = '';
  while (/[imsu]/.test(c.peek())) flags += c.text[c.pos++];
  try {
    return { kind: 'regex', regex: new RegExp(`^(?:${body})$`, flags) };
  } catch {
    throw fail(c, 'invalid regex');
  }
}

function parseOperand(c: Cursor): Operand {
  c.skipSpace();
  const ch = c.peek();
  if (ch === '@' || ch === '$') {
    const current = ch === '@';
    return { kind: 'path', path: parsePathAt(c, true), current };
  }
  if (ch === "'" || ch === '"') return { kind: 'literal', value: readQuoted(c) };
  const rest = c.text.slice(c.pos);
  const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
  if (num) {
    c.pos += num[0].length;
    return { kind: 'literal', value: Number(num[0]) };
  }
  for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
    if (rest.startsWith(word)) {
      c.pos += word.length;
      return { kind: 'literal', value };
    }
  }
  throw fail(c, `unexpected '${ch}'`);
}

/** undefined: the operand names nothing. */
function operandValue(o: Operand, item: Json, root: Json): Json | undefined {
  if (o.kind === 'literal') return o.value;
  if (o.kind === 'regex') return undefined;
  const matches = evaluateSegments(o.path.segments, o.current ? item : root, root);
  if (o.path.definite) return matches[0];
  return matches;
}

function compare(op: ComparisonOp, left: Json | undefined, right: Json | undefined, regex: RegExp | undefined): boolean {
  if (op === '=~') return typeof left === 'string' && regex !== undefined && regex.test(left);
  if (op === '!=') return left === undefined || right === undefined || !deepEqual(left, right);
  if (left === undefined || right === undefined) return false;
  if (op === '==') return deepEqual(left, right);
  const ordered =
    (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!ordered) return false;
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

export function evalFilter(e: FilterExpr, item: Json, root: Json): boolean {
  switch (e.kind) {
    case 'and':
      return evalFilter(e.left, item, root) && evalFilter(e.right, item, root);
    case 'or':
      return evalFilter(e.left, item, root) || evalFilter(e.right, item, root);
    case 'not':
      return !evalFilter(e.expr, item, root);
    case 'exists': {
      if (e.operand.kind === 'literal') return e.operand.value === true;
      const v = operandValue(e.operand, item, root);
      return v !== undefined && !(Array.isArray(v) && e.operand.kind === 'path' && !e.operand.path.definite && v.length === 0);
    }
    case 'compare': {
      const regex = e.right.kind === 'regex' ? e.right.regex : undefined;
      return compare(e.op, operandValue(e.left, item, root), operandValue(e.right, item, root), regex);
    }
  }
}
