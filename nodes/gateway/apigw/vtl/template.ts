// Mapping templates: Velocity (the `velocityjs` engine) with API Gateway's variables: `$input`
// (the body, JSONPath reads of it, the request's parameters), `$util`, `$context` (with
// `requestOverride`/`responseOverride`, which a template may set) and `$stageVariables`.
import { Compile, parse } from 'velocityjs';
import { type Json } from '../../../../workflows/language/json.js';
import { queryJsonPath } from '../../../../workflows/language/jsonpath.js';

export interface TemplateInput {
  /** The request (or integration response) body as text. */
  body: string;
  /** `$input.params()`: path, querystring and header values (header lookups ignore case). */
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

export interface TemplateOverrides {
  status?: number;
  headers: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

export interface TemplateResult {
  output: string;
  overrides: TemplateOverrides;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const MAX_COMPILED = 500;
const compiled = new Map<string, Compile>();

function compile(template: string): Compile {
  let c = compiled.get(template);
  if (c) return c;
  try {
    c = new Compile(parse(template));
  } catch (err) {
    throw new TemplateError(`Invalid mapping template: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Templates come from deployments, which are few; a bound keeps a pathological API in check.
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(template, c);
  return c;
}

function parseBody(body: string): Json {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as Json;
  } catch {
    throw new TemplateError('Invalid JSON in request body');
  }
}

/** `$input.path(p)`: the value at a JSONPath (one node as itself, several as a list). */
function pathValue(root: Json, path: string): unknown {
  let matches: Json[];
  try {
    matches = queryJsonPath(path, root);
  } catch (err) {
    throw new TemplateError(`Invalid JSONPath ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (matches.length === 0) return undefined;
  return matches.length === 1 && !/\[\*\]|\.\.|\[\?/.test(path) ? matches[0] : matches;
}

const hex4 = (c: string): string => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');

/**
 * AWS's `$util.escapeJavaScript` (Apache Commons Lang's escapeJavaScript): backslash escapes for
 * quotes (single ones too, which makes the result invalid JSON, as AWS warns), `/`, control
 * characters, and `\uXXXX` for everything outside printable ASCII.
 */
export function escapeJavaScript(s: string): string {
  return s.replace(/[\\'"/\u0000-\u001f\u007f-\uffff]/g, (c) => {
    switch (c) {
      case '\\':
      case "'":
      case '"':
      case '/':
        return `\\${c}`;
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        // DEL is printable-ASCII adjacent but Commons Lang passes it through.
        return c === '\u007f' ? c : `\\u${hex4(c)}`;
    }
  });
}

/** `$util.urlEncode`: Java's URLEncoder (UTF-8): spaces as `+`, only `.-*_` left unescaped. */
export function urlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `$util.urlDecode`: Java's URLDecoder (`+` is a space). */
export function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new TemplateError(`URLDecoder: Illegal hex characters in escape (%) pattern: ${s}`);
  }
}

/** A header map whose reads ignore case (`$input.params().header.get('x-foo')`), listing names as sent. */
function caselessHeaders(headers: Record<string, string>): Record<string, string> {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return new Proxy({ ...headers }, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !(prop in target)) {
        const v = lower.get(prop.toLowerCase());
        if (v !== undefined) return v;
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

export function renderTemplate(template: string, input: TemplateInput): TemplateResult {
  let root: Json | undefined;
  const body = (): Json => (root ??= parseBody(input.body));
  const lowerHeaders = new Map(Object.entries(input.params.header).map(([k, v]) => [k.toLowerCase(), v]));
  const params = { path: { ...input.params.path }, querystring: { ...input.params.querystring }, header: caselessHeaders(input.params.header) };
  const $input = {
    body: input.body,
    json: (path: string): string => JSON.stringify(pathValue(body(), path) ?? null),
    // A missing value renders as nothing (AWS), not as the reference's text (plain Velocity).
    path: (path: string): unknown => pathValue(body(), path) ?? '',
    params: (name?: string): unknown => {
      if (name === undefined) return params;
      return input.params.path[name] ?? input.params.querystring[name] ?? lowerHeaders.get(name.toLowerCase()) ?? '';
    },
  };
  const $util = {
    escapeJavaScript: (s: unknown): string => escapeJavaScript(String(s ?? '')),
    parseJson: (s: unknown): unknown => {
      try {
        return JSON.parse(String(s)) as unknown;
      } catch {
        throw new TemplateError('Invalid JSON passed to $util.parseJson');
      }
    },
    urlEncode: (s: unknown): string => urlEncode(String(s ?? '')),
    urlDecode: (s: unknown): string => urlDecode(String(s ?? '')),
    base64Encode: (s: unknown): string => Buffer.from(String(s ?? ''), 'utf8').toString('base64'),
    base64Decode: (s: unknown): string => Buffer.from(String(s ?? ''), 'base64').toString('utf8'),
  };
  const requestOverride = { header: {} as Record<string, string>, querystring: {} as Record<string, string>, path: {} as Record<string, string> };
  const responseOverride: { status?: unknown; header: Record<string, string> } = { header: {} };
  const context = { ...input.context, requestOverride, responseOverride };
  let output: string;
  try {
    output = compile(template).render({ input: $input, util: $util, context, stageVariables: input.stageVariables });
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(`Execution failed due to an error in the mapping template: ${err instanceof Error ? err.message : String(err)}`);
  }
  const status = Number(responseOverride.status);
  return {
    output,
    overrides: {
      ...(Number.isInteger(status) && status >= 100 && status <= 599 ? { status } : {}),
      headers: { ...requestOverride.header, ...responseOverride.header },
      querystring: requestOverride.querystring,
      path: requestOverride.path,
    },
  };
}
