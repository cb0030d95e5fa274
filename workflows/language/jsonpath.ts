// JSONPath as Step Functions reads it. AWS evaluates paths with Jayway JsonPath, so the syntax
// and the results follow Jayway: definite paths (only members and single indexes) name one node
// and fail when it is missing; anything else (wildcards, slices, unions, `..`, filters) collects
// every match into an array and silently skips what is missing.
import { type Json, isJsonObject } from './json.js';
import { StatesError, States } from './errors.js';
import { type FilterExpr, parseFilter, evalFilter } from './jsonpath-filter.js';

/** What a path starts from: the state's data (`$`), the context object (`$$`) or a variable (`$name`). */
export type JsonPathRoot = { kind: 'input' } | { kind: 'context' } | { kind: 'variable'; name: string };

export type JsonPathSegment =
  | { kind: 'member'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number | undefined }
  | { kind: 'union'; keys: (string | number)[] }
  | { kind: 'descend'; selector: JsonPathSegment }
  | { kind: 'filter'; expr: FilterExpr };

export interface JsonPathAst {
  text: string;
  root: JsonPathRoot;
  segments: JsonPathSegment[];
  /** Only members and single indexes: the path names at most one node. */
  definite: boolean;
}

function syntaxError(path: string, why: string): StatesError {
  return new StatesError(States.Runtime, `Invalid JSONPath '${path}': ${why}`);
}

const VARIABLE_START = /[A-Za-z_]/;
const VARIABLE_CHAR = /[A-Za-z0-9_]/;

/** A small cursor shared with the filter parser (filters embed paths and literals). */
export class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
  eof(): boolean {
    return this.pos >= this.text.length;
  }
  skipSpace(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
}

/** Parses a whole path; the text must be nothing but the path. */
export function parseJsonPath(path: string): JsonPathAst {
  if (typeof path !== 'string' || path.length === 0) throw syntaxError(String(path), 'empty path');
  const c = new Cursor(path);
  const ast = parsePathAt(c, false);
  if (!c.eof()) throw syntaxError(path, `unexpected '${c.peek()}' at position ${c.pos}`);
  return ast;
}

/** Parses `$...`, `$$...`, `$name...` or (in filters, `embedded`) `@...`, stopping where the path ends. */
export function parsePathAt(c: Cursor, embedded: boolean): JsonPathAst {
  const start = c.pos;
  let root: JsonPathRoot;
  if (c.peek() === '@' && embedded) {
    c.pos++;
    root = { kind: 'input' };
  } else if (c.peek() !== '$') {
    throw syntaxError(c.text, 'a path starts with $');
  } else if (c.peek(1) === '$') {
    c.pos += 2;
    root = { kind: 'context' };
  } else if (VARIABLE_START.test(c.peek(1))) {
    c.pos++;
    let name = '';
    while (VARIABLE_CHAR.test(c.peek())) name += c.text[c.pos++];
    root = { kind: 'variable', name };
  } else {
    c.pos++;
    root = { kind: 'input' };
  }
  const segments: JsonPathSegment[] = [];
  for (;;) {
    const ch = c.peek();
    if (ch === '.') {
      if (c.peek(1) === '.') {
        c.pos += 2;
        const next = c.peek();
        let selector: JsonPathSegment;
        if (next === '[') selector = parseBracket(c);
        else if (next === '*') {
          c.pos++;
          selector = { kind: 'wildcard' };
        } else selector = { kind: 'member', name: readDotName(c, embedded) };
        segments.push({ kind: 'descend', selector });
      } else {
        c.pos++;
        if (c.peek() === '*') {
          c.pos++;
          segments.push({ kind: 'wildcard' });
        } else segments.push({ kind: 'member', name: readDotName(c, embedded) });
      }
    } else if (ch === '[') {
      segments.push(parseBracket(c));
    } else break;
  }
  const definite = segments.every((s) => s.kind === 'member' || s.kind === 'index');
  return { text: c.text.slice(start, c.pos), root, segments, definite };
}

function readDotName(c: Cursor, embedded: boolean): string {
  // Jayway takes everything up to the next '.' or '['; inside a filter the expression's own
  // punctuation and spaces end the name too.
  const stop = embedded ? /[.[\]\s)<>=!&|,]/ : /[.[\]]/;
  let name = '';
  while (!c.eof() && !stop.test(c.peek())) name += c.text[c.pos++];
  if (name === '') throw syntaxError(c.text, `missing property name at position ${c.pos}`);
  return name;
}

/** Reads a quoted string ('...' or "...") with backslash escapes; the cursor is on the quote. */
export function readQuoted(c: Cursor): string {
  const quote = c.peek();
  c.pos++;
  let out = '';
  while (!c.eof() && c.peek() !== quote) {
    if (c.peek() === '\\' && c.pos + 1 < c.text.length) {
      const e = c.text[c.pos + 1] ?? '';
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      c.pos += 2;
    } else out += c.text[c.pos++];
  }
  if (c.eof()) throw syntaxError(c.text, 'unterminated string');
  c.pos++;
  return out;
}

function readInt(c: Cursor): number | undefined {
  c.skipSpace();
  const m = /^-?\d+/.exec(c.text.slice(c.pos));
  if (!m) return undefined;
  c.pos += m[0].length;
  c.skipSpace();
  return Number(m[0]);
}

function expect(c: Cursor, ch: string): void {
  c.skipSpace();
  if (c.peek() !== ch) throw syntaxError(c.text, `expected '${ch}' at position ${c.pos}`);
  c.pos++;
}

function parseBracket(c: Cursor): JsonPathSegment {
  c.pos++; // '['
  c.skipSpace();
  const ch = c.peek();
  if (ch === '*') {
    c.pos++;
    expect(c, ']');
    return { kind: 'wildcard' };
  }
  if (ch === '?') {
    c.pos++;
    c.skipSpace();
    expect(c, '(');
    const expr = parseFilter(c);
    expect(c, ')');
    expect(c, ']');
    return { kind: 'filter', expr };
  }
  if (ch === "'" || ch === '"') {
    const keys: string[] = [readQuoted(c)];
    c.skipSpace();
    while (c.peek() === ',') {
      c.pos++;
      c.skipSpace();
      if (c.peek() !== "'" && c.peek() !== '"') throw syntaxError(c.text, `expected a quoted name at position ${c.pos}`);
      keys.push(readQuoted(c));
      c.skipSpace();
    }
    expect(c, ']');
    return keys.length === 1 ? { kind: 'member', name: keys[0] ?? '' } : { kind: 'union', keys };
  }
  const first = readInt(c);
  if (c.peek() === ':') {
    c.pos++;
    const end = readInt(c);
    let step: number | undefined;
    if (c.peek() === ':') {
      c.pos++;
      step = readInt(c);
      if (step === 0) throw syntaxError(c.text, 'slice step cannot be 0');
    }
    expect(c, ']');
    return { kind: 'slice', start: first, end, step };
  }
  if (first === undefined) throw syntaxError(c.text, `unexpected '${c.peek()}' at position ${c.pos}`);
  const indexes = [first];
  while (c.peek() === ',') {
    c.pos++;
    const n = readInt(c);
    if (n === undefined) throw syntaxError(c.text, `expected an index at position ${c.pos}`);
    indexes.push(n);
  }
  expect(c, ']');
  return indexes.length === 1 ? { kind: 'index', index: first } : { kind: 'union', keys: indexes };
}

/** Reference paths name one node: members and indexes only (no filters, wildcards, slices, unions or `..`). */
export function isValidReferencePath(path: string): boolean {
  try {
    return parseJsonPath(path).definite;
  } catch {
    return false;
  }
}

/** Every match of `path` in `root`, in document order (the root marker itself is not consulted). */
export function queryJsonPath(path: string, root: Json): Json[] {
  return evaluateSegments(parseJsonPath(path).segments, root, root);
}

/** Applies segments to `node`; `root` is what `$` means inside filters. */
export function evaluateSegments(segments: JsonPathSegment[], node: Json, root: Json): Json[] {
  let current: Json[] = [node];
  for (const seg of segments) {
    const next: Json[] = [];
    for (const value of current) applySegment(seg, value, root, next);
    current = next;
  }
  return current;
}

function childrenOf(value: Json): Json[] {
  if (Array.isArray(value)) return value;
  if (isJsonObject(value)) return Object.values(value);
  return [];
}

function normIndex(i: number, length: number): number {
  return i < 0 ? length + i : i;
}

function applySegment(seg: JsonPathSegment, value: Json, root: Json, out: Json[]): void {
  switch (seg.kind) {
    case 'member':
      if (isJsonObject(value) && Object.hasOwn(value, seg.name)) out.push(value[seg.name] as Json);
      return;
    case 'index':
      if (Array.isArray(value)) {
        const i = normIndex(seg.index, value.length);
        if (i >= 0 && i < value.length) out.push(value[i] as Json);
      }
      return;
    case 'wildcard':
      out.push(...childrenOf(value));
      return;
    case 'slice': {
      if (!Array.isArray(value)) return;
      const n = value.length;
      const step = seg.step ?? 1;
      const clamp = (i: number): number => Math.min(Math.max(normIndex(i, n), step > 0 ? 0 : -1), step > 0 ? n : n - 1);
      if (step > 0) {
        const from = seg.start === undefined ? 0 : clamp(seg.start);
        const to = seg.end === undefined ? n : clamp(seg.end);
        for (let i = from; i < to; i += step) out.push(value[i] as Json);
      } else {
        const from = seg.start === undefined ? n - 1 : clamp(seg.start);
        const to = seg.end === undefined ? -1 : clamp(seg.end);
        for (let i = from; i > to; i += step) out.push(value[i] as Json);
      }
      return;
    }
    case 'union':
      for (const key of seg.keys) {
        if (typeof key === 'string') applySegment({ kind: 'member', name: key }, value, root, out);
        else applySegment({ kind: 'index', index: key }, value, root, out);
      }
      return;
    case 'descend':
      descend(seg.selector, value, root, out);
      return;
    case 'filter':
      // Jayway applies a filter to each element of an array, or to an object itself.
      if (Array.isArray(value)) {
        for (const item of value) if (evalFilter(seg.expr, item, root)) out.push(item);
      } else if (isJsonObject(value)) {
        if (evalFilter(seg.expr, value, root)) out.push(value);
      }
      return;
  }
}

function descend(selector: JsonPathSegment, value: Json, root: Json, out: Json[]): void {
  // Pre-order: the node's own matches first, then each child's subtree.
  if (selector.kind === 'filter') {
    if (Array.isArray(value)) applySegment(selector, value, root, out);
  } else applySegment(selector, value, root, out);
  for (const child of childrenOf(value)) {
    if (Array.isArray(child) || isJsonObject(child)) descend(selector, child, root, out);
  }
}

/** Jayway's normalized form of a definite prefix, as its error messages print it: $['a'][0]. */
export function normalizedPath(segments: JsonPathSegment[], prefix = '$'): string {
  let s = prefix;
  for (const seg of segments) {
    if (seg.kind === 'member') s += `['${seg.name}']`;
    else if (seg.kind === 'index') s += `[${seg.index}]`;
  }
  return s;
}

/**
 * Walks a definite path. Returns the value, or where it stopped: Jayway says "No results for
 * path" when the last step is missing and "Missing property in path" when an earlier one is.
 */
export function resolveDefinite(
  segments: JsonPathSegment[],
  node: Json,
): { found: true; value: Json } | { found: false; message: string } {
  let current = node;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as JsonPathSegment;
    const out: Json[] = [];
    applySegment(seg, current, current, out);
    if (out.length === 0) {
      const last = i === segments.length - 1;
      return {
        found: false,
        message: last
          ? `No results for path: ${normalizedPath(segments)}`
          : `Missing property in path ${normalizedPath(segments.slice(0, i + 1))}`,
      };
    }
    current = out[0] as Json;
  }
  return { found: true, value: current };
}
