// Paths, payload templates and variable assignments: the parts of a state that hold small
// languages of their own (JSONPath, reference paths, intrinsic functions, JSONata strings).
// Parsing is H1's (jsonpath.ts, intrinsics.ts); this file only decides which form a field takes.
import { type QueryLanguage } from './definition.js';
import { isIntrinsic, parseIntrinsic } from './intrinsics.js';
import { isJsonObject } from './json.js';
import { isValidReferencePath, parseJsonPath } from './jsonpath.js';
import { at, Codes, type Collector } from './validate-context.js';

/** Payload templates deeper than this are left unchecked: nothing real nests so far, and recursion must stay bounded. */
const MAX_TEMPLATE_DEPTH = 64;

interface Roots {
  /** `$$.` — the context object. */
  context?: boolean;
  /** `$name` — a workflow variable. */
  variables?: boolean;
}

/** The path rewritten onto the plain `$` root, or undefined when its root is not allowed here. */
function rooted(path: string, roots: Roots): string | undefined {
  if (path.startsWith('$$')) return roots.context ? path.slice(1) : undefined;
  const variable = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(path);
  if (variable) return roots.variables ? '$' + path.slice(variable[0].length) : undefined;
  return path;
}

function parses(path: string): boolean {
  try {
    parseJsonPath(path);
    return true;
  } catch {
    return false;
  }
}

/** A JSONPath that selects (filters and wildcards allowed), such as a `.$` template value. */
export function isSelectPath(path: string, roots: Roots = { context: true, variables: true }): boolean {
  const p = rooted(path, roots);
  return p !== undefined && p.startsWith('$') && parses(p);
}

export function isReferencePath(path: string, roots: Roots): boolean {
  const p = rooted(path, roots);
  return p !== undefined && p.startsWith('$') && isValidReferencePath(p);
}

function isIntrinsicCall(text: string): boolean {
  if (!isIntrinsic(text)) return false;
  try {
    parseIntrinsic(text);
    return true;
  } catch {
    return false;
  }
}

/** InputPath / OutputPath: null (discard) or a JSONPath. */
export function checkSelectPathField(c: Collector, v: unknown, loc: string): void {
  if (v === null) return;
  if (!c.string(v, loc)) return;
  if (!isSelectPath(v)) c.schema('Value must be a valid JSONPath.', loc);
}

/** A reference path field: Choice Variable, `*Path` comparators and numeric/timestamp `*Path` fields, ItemsPath. */
export function checkReferencePathField(c: Collector, v: unknown, loc: string, roots: Roots): void {
  if (!c.string(v, loc)) return;
  if (!v.startsWith('$')) c.schema("Value is not a Reference Path: Reference path didn't start with '$'", loc);
  else if (!isReferencePath(v, roots)) c.schema('Value is not a Reference Path', loc);
}

/** ResultPath: null (keep the input) or a reference path into the state's own input. */
export function checkResultPath(c: Collector, v: unknown, loc: string): void {
  if (v === null) return;
  checkReferencePathField(c, v, loc, {});
}

/** ErrorPath / CausePath: a reference path or an intrinsic function giving a string. */
export function checkPathOrIntrinsic(c: Collector, v: unknown, loc: string): void {
  if (!c.string(v, loc)) return;
  if (isIntrinsicCall(v)) return;
  checkReferencePathField(c, v, loc, { context: true, variables: true });
}

/** Parameters / ResultSelector / ItemSelector in JSONPath mode: `.$` keys hold a path or an intrinsic. */
export function checkTemplate(c: Collector, template: unknown, loc: string, depth = 0): void {
  if (depth > MAX_TEMPLATE_DEPTH) return;
  if (Array.isArray(template)) {
    template.forEach((item, i) => checkTemplate(c, item, at(loc, i), depth + 1));
    return;
  }
  if (!isJsonObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    const here = at(loc, key);
    if (key.endsWith('.$')) {
      if (typeof value !== 'string' || !(isSelectPath(value) || isIntrinsicCall(value))) {
        c.schema(`The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`, here);
      }
    } else if (typeof value === 'string' && (value.startsWith('$.') || value === '$' || isIntrinsicCall(value))) {
      c.warn(Codes.NoDollar, `The value for the field '${key}' looks like a JSONPath or intrinsic function, but the field name does not end with '.$'`, here);
    } else {
      checkTemplate(c, value, here, depth + 1);
    }
  }
}

/** Strings that open a JSONata expression must close it; the expression itself is checked when it runs. */
export function checkJsonataStrings(c: Collector, v: unknown, loc: string, depth = 0): void {
  if (depth > MAX_TEMPLATE_DEPTH) return;
  if (typeof v === 'string') {
    if (v.startsWith('{%') && !(v.endsWith('%}') && v.length >= 4)) c.schema('JSONata string must start with {% and end with %}', loc);
    return;
  }
  if (Array.isArray(v)) v.forEach((item, i) => checkJsonataStrings(c, item, at(loc, i), depth + 1));
  else if (isJsonObject(v)) for (const [k, item] of Object.entries(v)) checkJsonataStrings(c, item, at(loc, k), depth + 1);
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Assign: variable names, and values as the state's language reads them. */
export function checkAssign(c: Collector, v: unknown, loc: string, language: QueryLanguage): void {
  if (!c.object(v, loc)) return;
  for (const [key, value] of Object.entries(v)) {
    const here = at(loc, key);
    const name = language === 'JSONPath' && key.endsWith('.$') ? key.slice(0, -2) : key;
    if (name === 'states') c.error(Codes.ReservedVariableName, "Cannot assign to reserved variable '$states'.", here);
    else if (!VARIABLE_NAME.test(name)) c.error(Codes.InvalidVariableName, `Invalid variable name '${name}': the variable name contains invalid characters.`, here);
    if (language === 'JSONata') checkJsonataStrings(c, value, here);
    else checkTemplate(c, { [key]: value }, loc);
  }
}
