// Parameter mapping. REST integrations map `integration.request.*` from `method.request.*`,
// `context.*`, `stageVariables.*` or 'static' values, and method responses map
// `method.response.header.*` from `integration.response.*`; HTTP APIs use
// `append|overwrite|remove:header.x` keys with `$request.*` / `$response.*` expressions, which may
// be combined in one string as `${request.path.a}-${request.path.b}`.
import { type Json } from '../../../../workflows/language/json.js';
import { queryJsonPath } from '../../../../workflows/language/jsonpath.js';

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

export interface MethodRequest {
  /** Header values as received (several per name possible); names compare without case. */
  headers: Record<string, string[]>;
  querystring: Record<string, string[]>;
  path: Record<string, string>;
  body: string;
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

export interface IntegrationRequestParams {
  header: Record<string, string[]>;
  querystring: Record<string, string[]>;
  path: Record<string, string>;
}

const last = (values: string[] | undefined): string | undefined => (values && values.length ? values[values.length - 1] : undefined);

function headerValues(headers: Record<string, string[]>, name: string): string[] | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** A dotted `context.a.b` lookup: strings as-is, other scalars as text, objects as JSON. */
function dotted(root: Record<string, unknown>, path: string): string | undefined {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return asText(node);
}

function asText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The value at `$.{path}` of a JSON body (`method.request.body.a.b` reads `$.a.b`): strings as-is,
 * others as JSON text; undefined when absent or when the body is not JSON.
 */
export function bodyPath(body: string, path: string): string | undefined {
  let root: Json;
  try {
    root = JSON.parse(body) as Json;
  } catch {
    return undefined;
  }
  const expr = path.startsWith('$') ? path : path.startsWith('[') ? `$${path}` : `$.${path}`;
  let matches: Json[];
  try {
    matches = queryJsonPath(expr, root);
  } catch {
    throw new MappingError(`Invalid mapping expression specified: ${path}`);
  }
  if (matches.length === 0) return undefined;
  return asText(matches.length === 1 ? matches[0] : matches);
}

/** One REST `method.request.*` / `context.*` / `stageVariables.*` / 'static' source, as values. */
export function methodRequestValue(source: string, req: MethodRequest): string[] | undefined {
  const s = source.trim();
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return [s.slice(1, -1)];
  if (s.startsWith('context.')) return wrap(dotted(req.context, s.slice('context.'.length)));
  if (s.startsWith('stageVariables.')) return wrap(req.stageVariables[s.slice('stageVariables.'.length)]);
  if (s === 'method.request.body') return [req.body];
  if (s.startsWith('method.request.body.')) return wrap(bodyPath(req.body, s.slice('method.request.body.'.length)));
  const m = /^method\.request\.(header|multivalueheader|querystring|multivaluequerystring|path)\.(.+)$/.exec(s);
  if (!m) throw new MappingError(`Invalid mapping expression specified: ${source}`);
  const name = m[2]!;
  switch (m[1]) {
    case 'header':
      return wrap(last(headerValues(req.headers, name)));
    case 'multivalueheader':
      return headerValues(req.headers, name);
    case 'querystring':
      return wrap(last(req.querystring[name]));
    case 'multivaluequerystring':
      return req.querystring[name];
    default:
      return wrap(req.path[name]);
  }
}

const wrap = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : [v]);

/**
 * REST `requestParameters` of an integration: `integration.request.{header|querystring|path}.X`
 * (and the `multivalue` forms) from their sources. Absent sources leave the target unset (AWS
 * sends nothing). Throws MappingError on an expression AWS would reject.
 */
export function mapIntegrationRequest(mappings: Record<string, string> | undefined, req: MethodRequest): IntegrationRequestParams {
  const out: IntegrationRequestParams = { header: {}, querystring: {}, path: {} };
  for (const [target, source] of Object.entries(mappings ?? {})) {
    const m = /^integration\.request\.(header|multivalueheader|querystring|multivaluequerystring|path)\.(.+)$/.exec(target);
    if (!m) throw new MappingError(`Invalid mapping expression specified: ${target}`);
    const values = methodRequestValue(source, req);
    if (values === undefined || values.length === 0) continue;
    const name = m[2]!;
    switch (m[1]) {
      // A multi-value source keeps all its values whichever target form names it.
      case 'header':
      case 'multivalueheader':
        out.header[name] = values;
        break;
      case 'querystring':
      case 'multivaluequerystring':
        out.querystring[name] = values;
        break;
      default:
        out.path[name] = values[values.length - 1]!;
    }
  }
  return out;
}

export interface IntegrationResponseInput {
  headers: Record<string, string[]>;
  body: string;
  context?: Record<string, unknown>;
  stageVariables?: Record<string, string>;
}

/**
 * REST integration response `responseParameters`: `method.response.header.X` from
 * `integration.response.{header|multivalueheader}.Y`, `integration.response.body[.JSONPath]`,
 * `context.*`, `stageVariables.*` or 'static'. Multi-value headers join with commas.
 */
export function mapMethodResponseHeaders(mappings: Record<string, string> | undefined, res: IntegrationResponseInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [target, source] of Object.entries(mappings ?? {})) {
    const m = /^method\.response\.header\.(.+)$/.exec(target);
    if (!m) throw new MappingError(`Invalid mapping expression specified: ${target}`);
    const value = integrationResponseValue(source, res);
    if (value !== undefined) out[m[1]!] = value;
  }
  return out;
}

export function integrationResponseValue(source: string, res: IntegrationResponseInput): string | undefined {
  const s = source.trim();
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1);
  if (s.startsWith('context.')) return dotted(res.context ?? {}, s.slice('context.'.length));
  if (s.startsWith('stageVariables.')) return (res.stageVariables ?? {})[s.slice('stageVariables.'.length)];
  if (s === 'integration.response.body') return res.body;
  if (s.startsWith('integration.response.body.')) return bodyPath(res.body, s.slice('integration.response.body.'.length));
  const m = /^integration\.response\.(header|multivalueheader)\.(.+)$/.exec(s);
  if (!m) throw new MappingError(`Invalid mapping expression specified: ${source}`);
  const values = headerValues(res.headers, m[2]!);
  if (!values || values.length === 0) return undefined;
  return m[1] === 'header' ? values[values.length - 1] : values.join(',');
}

// ---- HTTP APIs ----

export interface HttpMappingSource {
  /** `$request.*` for request mappings, `$response.*` for response mappings. */
  kind: 'request' | 'response';
  headers: Record<string, string[]>;
  querystring?: Record<string, string[]>;
  path?: Record<string, string>;
  /** The request path without the stage (`$request.path`). */
  rawPath?: string;
  body: string;
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

/**
 * An HTTP API mapping value: one `$request.x.y` expression, a string mixing `${request.x.y}`
 * pieces with text, or a static string. Multi-valued headers/querystrings join with commas (as AWS).
 */
export function evaluateHttpValue(value: string, src: HttpMappingSource): string {
  const whole = /^\$((?:request|response|context|stageVariables)(?:\.[^\s${}]+)?)$/.exec(value);
  if (whole) return httpExpression(whole[1]!, src) ?? '';
  return value.replace(/\$\{([^}]+)\}/g, (_, expr: string) => httpExpression(expr.trim(), src) ?? '');
}

function httpExpression(expr: string, src: HttpMappingSource): string | undefined {
  const dot = expr.indexOf('.');
  const head = dot < 0 ? expr : expr.slice(0, dot);
  const rest = dot < 0 ? '' : expr.slice(dot + 1);
  if (head === 'context') return dotted(src.context, rest);
  if (head === 'stageVariables') return src.stageVariables[rest];
  if (head !== src.kind) throw new MappingError(`Invalid mapping expression: $${expr}`);
  const d = rest.indexOf('.');
  const where = d < 0 ? rest : rest.slice(0, d);
  const name = d < 0 ? '' : rest.slice(d + 1);
  switch (where) {
    case 'header': {
      const v = headerValues(src.headers, name);
      return v && v.length ? v.join(',') : undefined;
    }
    case 'querystring': {
      const v = src.querystring?.[name];
      return v && v.length ? v.join(',') : undefined;
    }
    case 'path':
      return name === '' ? src.rawPath : src.path?.[name];
    case 'body':
      if (name === '') return src.body;
      if (name.includes('..') || name.includes('?(')) throw new MappingError(`Invalid mapping expression: $${expr}`);
      return bodyPath(src.body, name);
    default:
      throw new MappingError(`Invalid mapping expression: $${expr}`);
  }
}

export interface HttpRequestTarget {
  headers: Record<string, string[]>;
  querystring: Record<string, string[]>;
  /** Set by `overwrite:path`. */
  path?: string;
}

function setMulti(map: Record<string, string[]>, name: string, op: string, value: string | undefined, caseless: boolean): void {
  const key = caseless ? (Object.keys(map).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name) : name;
  if (op === 'remove') {
    delete map[key];
    return;
  }
  if (value === undefined) return;
  if (op === 'append') map[key] = [...(map[key] ?? []), value];
  else {
    if (key !== name) delete map[key];
    map[name] = [value];
  }
}

/**
 * HTTP API request parameter mapping applied to a copy of the outgoing request. Every value is
 * read from the original request (`src`), so mappings do not see each other's results.
 */
export function applyHttpRequestMapping(mappings: Record<string, string> | undefined, src: HttpMappingSource, target: HttpRequestTarget): HttpRequestTarget {
  const out: HttpRequestTarget = {
    headers: Object.fromEntries(Object.entries(target.headers).map(([k, v]) => [k, [...v]])),
    querystring: Object.fromEntries(Object.entries(target.querystring).map(([k, v]) => [k, [...v]])),
    ...(target.path !== undefined ? { path: target.path } : {}),
  };
  for (const [key, value] of Object.entries(mappings ?? {})) {
    if (key === 'overwrite:path') {
      out.path = evaluateHttpValue(value, src);
      continue;
    }
    const m = /^(append|overwrite|remove):(header|querystring)\.(.+)$/.exec(key);
    if (!m) throw new MappingError(`Invalid mapping key: ${key}`);
    const v = m[1] === 'remove' ? undefined : evaluateHttpValue(value, src);
    setMulti(m[2] === 'header' ? out.headers : out.querystring, m[3]!, m[1]!, v, m[2] === 'header');
  }
  return out;
}

export interface HttpResponseTarget {
  statusCode: number;
  headers: Record<string, string[]>;
}

/**
 * HTTP API response parameter mapping for one status code's map: `overwrite:statuscode` and
 * `append|overwrite|remove:header.x` with `$response.header.x` / `$response.body.x` values.
 */
export function applyHttpResponseMapping(mappings: Record<string, string> | undefined, src: HttpMappingSource, target: HttpResponseTarget): HttpResponseTarget {
  const out: HttpResponseTarget = { statusCode: target.statusCode, headers: Object.fromEntries(Object.entries(target.headers).map(([k, v]) => [k, [...v]])) };
  for (const [key, value] of Object.entries(mappings ?? {})) {
    if (key === 'overwrite:statuscode') {
      const code = Number(evaluateHttpValue(value, src));
      if (!Number.isInteger(code) || code < 100 || code > 599) throw new MappingError(`Invalid status code: ${value}`);
      out.statusCode = code;
      continue;
    }
    const m = /^(append|overwrite|remove):header\.(.+)$/.exec(key);
    if (!m) throw new MappingError(`Invalid mapping key: ${key}`);
    setMulti(out.headers, m[2]!, m[1]!, m[1] === 'remove' ? undefined : evaluateHttpValue(value, src), true);
  }
  return out;
}

/**
 * The response mapping of an HTTP API integration for a status code: `responseParameters` is keyed
 * by status code (e.g. "200", "500").
 */
export function responseMappingFor(responseParameters: Record<string, Record<string, string>> | undefined, statusCode: number): Record<string, string> | undefined {
  return responseParameters?.[String(statusCode)];
}
