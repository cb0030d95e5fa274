// The mapping around a REST method's (non-proxy) integration: on the way in, the request template
// chosen by Content-Type under the passthrough behaviour and the `integration.request.*`
// parameter mappings; on the way out, the integration response chosen by selection pattern, its
// header mappings and template, and the binary conversions both ways (contentHandling).
import { type IntegrationDoc, type IntegrationResponseDoc } from '../../model.js';
import { renderTemplate } from '../../vtl/template.js';
import { queryValues } from '../events/proxy-v1.js';
import { type ApiRequest, type ApiResponse, GatewayFailure } from '../types.js';

/** What the mapping steps read: the request and what the pipeline learned about it. */
export interface MappingScope {
  req: ApiRequest;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  /** `$context`. */
  context: Record<string, unknown>;
  binaryMediaTypes: string[];
}

export const lastValues = (values: Record<string, string[]>): Record<string, string> => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v[v.length - 1] ?? '']));

/** `${stageVariables.x}` in URIs and function ARNs. */
export function withStageVariables(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, name: string) => vars[name] ?? '');
}

/** The media type of a Content-Type or Accept value, lower case, without parameters. */
export function mediaType(value: string | undefined, fallback = 'application/json'): string {
  return (value ?? fallback).split(',')[0]!.split(';')[0]!.trim().toLowerCase() || fallback;
}

export function isBinary(contentType: string, types: string[]): boolean {
  return types.some((t) => {
    const type = t.toLowerCase();
    return type === '*/*' || type === contentType || (type.endsWith('/*') && contentType.startsWith(type.slice(0, -1)));
  });
}

export function requestContentType(req: ApiRequest): string {
  return mediaType(req.headers['content-type']?.[0]);
}

/** The request body as templates and text integrations see it: binary payloads as base64 (AWS's CONVERT_TO_TEXT). */
export function requestBodyText(s: MappingScope, integration: IntegrationDoc): string {
  const binary = isBinary(requestContentType(s.req), s.binaryMediaTypes);
  if (binary && integration.contentHandling === 'CONVERT_TO_TEXT') return s.req.body.toString('base64');
  return s.req.body.toString('utf8');
}

/** The passthrough body: bytes as received, converted when the integration asks for it. */
export function passthroughBody(s: MappingScope, integration: IntegrationDoc): Buffer {
  const binary = isBinary(requestContentType(s.req), s.binaryMediaTypes);
  if (binary && integration.contentHandling === 'CONVERT_TO_TEXT') return Buffer.from(s.req.body.toString('base64'));
  if (!binary && integration.contentHandling === 'CONVERT_TO_BINARY') return Buffer.from(s.req.body.toString('utf8'), 'base64');
  return s.req.body;
}

function templateParams(s: MappingScope): { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> } {
  return { path: s.pathParameters, querystring: lastValues(queryValues(s.req.rawQuery)), header: lastValues(s.req.headers) };
}

/**
 * The request template for the request's Content-Type under the passthrough behaviour; undefined
 * when the body passes through untransformed. AWS answers 415 when no template matches and the
 * behaviour forbids passing through.
 */
export function requestTemplate(s: MappingScope, integration: IntegrationDoc): string | undefined {
  const templates = integration.requestTemplates;
  const own = templates[requestContentType(s.req)];
  if (own !== undefined) return own;
  const none = Object.keys(templates).length === 0;
  switch (integration.passthroughBehavior) {
    case 'WHEN_NO_MATCH':
      return undefined;
    case 'WHEN_NO_TEMPLATES':
      if (none) return undefined;
      throw new GatewayFailure('UNSUPPORTED_MEDIA_TYPE');
    case 'NEVER':
      throw new GatewayFailure('UNSUPPORTED_MEDIA_TYPE');
  }
}

export interface Rendered {
  output: string;
  status?: number;
  headers: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

/** Renders a mapping template; a template error is AWS's 500 with the error in the log. */
export function render(template: string, body: string, s: MappingScope): Rendered {
  try {
    const r = renderTemplate(template, { body, params: templateParams(s), context: s.context, stageVariables: s.stageVariables });
    return { output: r.output, ...(r.overrides.status !== undefined ? { status: r.overrides.status } : {}), headers: r.overrides.headers, querystring: r.overrides.querystring, path: r.overrides.path };
  } catch (err) {
    throw new GatewayFailure('DEFAULT_5XX', 'Internal server error', {}, `Execution failed due to configuration error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function lookup(o: unknown, path: string): unknown {
  let cur = o;
  for (const part of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

export interface MappedParameters {
  headers: Record<string, string>;
  query: Record<string, string>;
  path: Record<string, string>;
}

/**
 * `integration.request.{header|querystring|path}.X` from `method.request.*` values, `'literal'`s,
 * `stageVariables.*` and `context.*`; unset sources map to nothing (AWS drops them).
 */
export function mapRequestParameters(s: MappingScope, mappings: Record<string, string>): MappedParameters {
  const out: MappedParameters = { headers: {}, query: {}, path: {} };
  const query = queryValues(s.req.rawQuery);
  for (const [target, source] of Object.entries(mappings)) {
    let v: string | undefined;
    if (source.length >= 2 && source.startsWith("'") && source.endsWith("'")) v = source.slice(1, -1);
    else if (source.startsWith('method.request.path.')) v = s.pathParameters[source.slice(20)];
    else if (source.startsWith('method.request.querystring.')) v = query[source.slice(27)]?.at(-1);
    else if (source.startsWith('method.request.multivaluequerystring.')) v = query[source.slice(37)]?.join(',');
    else if (source.startsWith('method.request.header.')) v = s.req.headers[source.slice(22).toLowerCase()]?.at(-1);
    else if (source.startsWith('method.request.multivalueheader.')) v = s.req.headers[source.slice(32).toLowerCase()]?.join(',');
    else if (source === 'method.request.body') v = s.req.body.toString('utf8');
    else if (source.startsWith('stageVariables.')) v = s.stageVariables[source.slice(15)];
    else if (source.startsWith('context.')) {
      const c = lookup(s.context, source.slice(8));
      v = c === undefined || c === null ? undefined : String(c);
    }
    if (v === undefined) continue;
    const m = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(target);
    if (!m) continue;
    if (m[1] === 'header') out.headers[m[2]!] = v;
    else if (m[1] === 'querystring') out.query[m[2]!] = v;
    else out.path[m[2]!] = v;
  }
  return out;
}

/** The integration URI with `{name}` / `{name+}` placeholders filled (mapped path values first, then the method's). */
export function fillUri(uri: string, path: Record<string, string>, fallback: Record<string, string>): string {
  return uri.replace(/\{([A-Za-z0-9_.-]+)\+?\}/g, (_, name: string) => {
    const v = path[name] ?? fallback[name] ?? '';
    return v.split('/').map(encodeURIComponent).join('/');
  });
}

/** The integration response for `selector` (a status code, or an error message for AWS/Lambda): a matching selectionPattern, else the default. */
export function selectResponse(responses: Record<string, IntegrationResponseDoc>, selector: string): IntegrationResponseDoc | undefined {
  let fallback: IntegrationResponseDoc | undefined;
  for (const r of Object.values(responses)) {
    if (r.selectionPattern === undefined || r.selectionPattern === '') {
      fallback ??= r;
      continue;
    }
    try {
      // Java's matches(): the pattern must match the whole selector.
      if (new RegExp(`^(?:${r.selectionPattern})$`, 's').test(selector)) return r;
    } catch {
      // An invalid pattern never matches.
    }
  }
  return fallback;
}

/**
 * The method response from the integration's answer: the integration response `selector`
 * picks, its header mappings (`method.response.header.X` from literals, integration response
 * headers and body), its template for the client's Accept, and its contentHandling.
 */
export function mapResponse(s: MappingScope, integration: IntegrationDoc, res: ApiResponse, selector: string): ApiResponse {
  const chosen = selectResponse(integration.integrationResponses, selector);
  if (!chosen) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, 'Execution failed due to configuration error: No match for output mapping and no default output mapping configured');
  const headers: Record<string, string[]> = { 'content-type': ['application/json'] };
  const backendHeaders = lastValues(Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), v])));
  let bodyJson: unknown;
  for (const [target, source] of Object.entries(chosen.responseParameters)) {
    const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
    if (name === undefined) continue;
    let v: string | undefined;
    if (source.length >= 2 && source.startsWith("'") && source.endsWith("'")) v = source.slice(1, -1);
    else if (source.startsWith('integration.response.header.')) v = backendHeaders[source.slice(28).toLowerCase()];
    else if (source.startsWith('integration.response.multivalueheader.')) v = res.headers[source.slice(38).toLowerCase()]?.join(',');
    else if (source === 'integration.response.body') v = res.body.toString('utf8');
    else if (source.startsWith('integration.response.body.')) {
      try {
        bodyJson ??= JSON.parse(res.body.toString('utf8')) as unknown;
        const x = lookup(bodyJson, source.slice(26));
        v = x === undefined || x === null ? undefined : typeof x === 'object' ? JSON.stringify(x) : String(x);
      } catch {
        v = undefined;
      }
    } else if (source.startsWith('stageVariables.')) v = s.stageVariables[source.slice(15)];
    else if (source.startsWith('context.')) {
      const c = lookup(s.context, source.slice(8));
      v = c === undefined || c === null ? undefined : String(c);
    }
    if (v !== undefined) headers[name] = [v];
  }
  const accept = mediaType(s.req.headers.accept?.[0]);
  const template = chosen.responseTemplates[accept] ?? chosen.responseTemplates['application/json'] ?? Object.values(chosen.responseTemplates)[0];
  let body = res.body;
  let status = Number(chosen.statusCode);
  if (template !== undefined && template !== '') {
    const r = render(template, res.body.toString('utf8'), s);
    body = Buffer.from(r.output);
    if (r.status !== undefined) status = r.status;
    for (const [k, v] of Object.entries(r.headers)) headers[k] = [v];
  } else {
    const ct = res.headers['content-type'] ?? res.headers['Content-Type'];
    if (ct) headers['content-type'] = ct;
    if (chosen.contentHandling === 'CONVERT_TO_TEXT') body = Buffer.from(body.toString('base64'));
    else if (chosen.contentHandling === 'CONVERT_TO_BINARY') body = Buffer.from(body.toString('utf8'), 'base64');
  }
  return { status, headers, body };
}
