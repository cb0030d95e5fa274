// Conversions between the data plane's ApiRequest/ApiResponse and the two event shapes edge hooks
// see: CloudFront Functions (viewer-*) and Lambda@Edge (origin-*). What a hook hands back is
// untrusted: every field is checked here, and anything malformed is an EdgeEventError (the caller
// answers 503/502).
import { STATUS_CODES } from 'node:http';
import { type ApiRequest, type ApiResponse } from '../types.js';

export class EdgeEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EdgeEventError';
  }
}

export interface EdgeConfig {
  distributionDomainName: string;
  distributionId: string;
  requestId: string;
}

type CfValue = { value: string; multiValue?: { value: string }[] };
type CfMap = Record<string, CfValue>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cfMapOf(entries: [string, string[]][]): CfMap {
  const out: CfMap = {};
  for (const [name, values] of entries) {
    if (values.length === 0) continue;
    out[name] = values.length === 1 ? { value: values[0]! } : { value: values[0]!, multiValue: values.map((value) => ({ value })) };
  }
  return out;
}

function parseQuery(raw: string): [string, string[]][] {
  const byName = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw)) byName.set(k, [...(byName.get(k) ?? []), v]);
  return [...byName];
}

function parseCookies(headers: Record<string, string[]>): [string, string[]][] {
  const byName = new Map<string, string[]>();
  for (const line of headers['cookie'] ?? []) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const k = part.slice(0, eq).trim();
      byName.set(k, [...(byName.get(k) ?? []), part.slice(eq + 1).trim()]);
    }
  }
  return [...byName];
}

/** Values of a CloudFront Functions map entry (`multiValue` wins when present). */
function cfValues(name: string, v: unknown, where: string): string[] {
  if (!isObject(v)) throw new EdgeEventError(`${where}.${name} must be an object with a value`);
  if (Array.isArray(v.multiValue)) return v.multiValue.map((m: unknown) => (isObject(m) && m.value !== undefined ? String(m.value) : ''));
  if (v.value === undefined) throw new EdgeEventError(`${where}.${name}.value is missing`);
  return [String(v.value)];
}

function cfEntries(map: unknown, where: string): [string, string[]][] {
  if (map === undefined || map === null) return [];
  if (!isObject(map)) throw new EdgeEventError(`${where} must be an object`);
  return Object.entries(map).map(([k, v]) => [k, cfValues(k, v, where)]);
}

function headerEntries(headers: Record<string, string[]>): [string, string[]][] {
  return Object.entries(headers)
    .filter(([k]) => k.toLowerCase() !== 'cookie')
    .map(([k, v]) => [k.toLowerCase(), v]);
}

function cfRequest(req: ApiRequest): Record<string, unknown> {
  return {
    method: req.method,
    uri: req.rawPath,
    querystring: cfMapOf(parseQuery(req.rawQuery)),
    headers: cfMapOf(headerEntries(req.headers)),
    cookies: cfMapOf(parseCookies(req.headers)),
  };
}

function cfResponse(res: ApiResponse): Record<string, unknown> {
  const setCookies: [string, string[]][] = [];
  const headers: [string, string[]][] = [];
  for (const [k, v] of Object.entries(res.headers)) {
    if (k.toLowerCase() === 'set-cookie') {
      for (const line of v) {
        const eq = line.indexOf('=');
        if (eq > 0) setCookies.push([line.slice(0, eq).trim(), [line.slice(eq + 1)]]);
      }
    } else headers.push([k.toLowerCase(), v]);
  }
  return {
    statusCode: res.status,
    statusDescription: STATUS_CODES[res.status] ?? '',
    headers: cfMapOf(headers),
    cookies: cfMapOf(setCookies),
    body: { encoding: 'text', data: res.body.toString('utf8') },
  };
}

/** The CloudFront Functions event (version 1.0) for a viewer-request or viewer-response hook. */
export function viewerEvent(eventType: 'viewer-request' | 'viewer-response', config: EdgeConfig, req: ApiRequest, res?: ApiResponse): Record<string, unknown> {
  return {
    version: '1.0',
    context: { distributionDomainName: config.distributionDomainName, distributionId: config.distributionId, eventType, requestId: config.requestId },
    viewer: { ip: req.sourceIp },
    request: cfRequest(req),
    ...(res ? { response: cfResponse(res) } : {}),
  };
}

/** Query string text from a CloudFront Functions querystring map (or a plain string, which CloudFront also accepts). */
function queryOf(q: unknown): string {
  if (typeof q === 'string') return q.startsWith('?') ? q.slice(1) : q;
  const params = new URLSearchParams();
  for (const [k, values] of cfEntries(q, 'request.querystring')) for (const v of values) params.append(k, v);
  return params.toString();
}

function decodedPath(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

/** The request a viewer-request hook handed back, applied over the original. */
export function requestFromViewer(out: Record<string, unknown>, req: ApiRequest): ApiRequest {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of cfEntries(out.headers, 'request.headers')) headers[k.toLowerCase()] = v;
  const cookies = cfEntries(out.cookies, 'request.cookies');
  if (cookies.length > 0) headers['cookie'] = [cookies.flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)).join('; ')];
  const uri = out.uri === undefined ? req.rawPath : String(out.uri);
  if (!uri.startsWith('/')) throw new EdgeEventError(`request.uri must start with "/" (got "${uri}")`);
  const method = out.method === undefined ? req.method : String(out.method).toUpperCase();
  return { ...req, method, rawPath: uri, path: decodedPath(uri), rawQuery: out.querystring === undefined ? req.rawQuery : queryOf(out.querystring), headers };
}

function statusOf(v: unknown, where: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599) throw new EdgeEventError(`${where} must be an HTTP status code (got ${JSON.stringify(v)})`);
  return n;
}

/** The response a viewer hook returned (from viewer-request: an early answer). */
export function responseFromViewer(out: Record<string, unknown>, original?: ApiResponse): ApiResponse {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of cfEntries(out.headers, 'response.headers')) headers[k.toLowerCase()] = v;
  const cookies = cfEntries(out.cookies, 'response.cookies');
  if (cookies.length > 0) headers['set-cookie'] = cookies.flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`));
  let body = original?.body ?? Buffer.alloc(0);
  if (typeof out.body === 'string') body = Buffer.from(out.body);
  else if (isObject(out.body)) body = Buffer.from(String(out.body.data ?? ''), out.body.encoding === 'base64' ? 'base64' : 'utf8');
  return { status: statusOf(out.statusCode, 'response.statusCode'), headers, body };
}

/** A viewer hook's return value: a request (has `uri` or `method` and no `statusCode`) or a response. */
export function isResponseShape(out: Record<string, unknown>): boolean {
  return out.statusCode !== undefined;
}

// ---------- Lambda@Edge (origin-*) ----------

type LeHeaders = Record<string, { key: string; value: string }[]>;

function leHeaders(headers: Record<string, string[]>): LeHeaders {
  const out: LeHeaders = {};
  for (const [k, values] of Object.entries(headers)) {
    const lower = k.toLowerCase();
    out[lower] = [...(out[lower] ?? []), ...values.map((value) => ({ key: k, value }))];
  }
  return out;
}

function headersFromLe(h: unknown, where: string): Record<string, string[]> {
  if (h === undefined || h === null) return {};
  if (!isObject(h)) throw new EdgeEventError(`${where} must be an object`);
  const out: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(h)) {
    if (!Array.isArray(list)) throw new EdgeEventError(`${where}.${k} must be a list of {key, value}`);
    out[k.toLowerCase()] = list.map((e: unknown) => (isObject(e) && e.value !== undefined ? String(e.value) : ''));
  }
  return out;
}

/** The Lambda@Edge event for an origin-request or origin-response hook. */
export function originEvent(eventType: 'origin-request' | 'origin-response', config: EdgeConfig, req: ApiRequest, res?: ApiResponse): Record<string, unknown> {
  const request = {
    clientIp: req.sourceIp,
    headers: leHeaders(req.headers),
    method: req.method,
    querystring: req.rawQuery,
    uri: req.rawPath,
    ...(eventType === 'origin-request' && req.body.length > 0 ? { body: { inputTruncated: false, action: 'read-only', encoding: 'base64', data: req.body.toString('base64') } } : {}),
  };
  const response = res ? { status: String(res.status), statusDescription: STATUS_CODES[res.status] ?? '', headers: leHeaders(res.headers) } : undefined;
  return { Records: [{ cf: { config: { distributionDomainName: config.distributionDomainName, distributionId: config.distributionId, eventType, requestId: config.requestId }, request, ...(response ? { response } : {}) } }] };
}

/** An origin-request function's answer: a request (has `uri`) to continue, or a response (has `status`) to answer early. */
export function outcomeFromOrigin(out: unknown, req: ApiRequest): { req: ApiRequest } | { res: ApiResponse } {
  if (!isObject(out)) throw new EdgeEventError('the function must return a request or a response object');
  if (out.status !== undefined) return { res: responseFromOrigin(out) };
  const uri = out.uri === undefined ? req.rawPath : String(out.uri);
  if (!uri.startsWith('/')) throw new EdgeEventError(`request.uri must start with "/" (got "${uri}")`);
  let body = req.body;
  if (isObject(out.body) && out.body.action === 'replace') body = Buffer.from(String(out.body.data ?? ''), out.body.encoding === 'base64' ? 'base64' : 'utf8');
  return {
    req: {
      ...req,
      method: out.method === undefined ? req.method : String(out.method).toUpperCase(),
      rawPath: uri,
      path: decodedPath(uri),
      rawQuery: out.querystring === undefined ? req.rawQuery : String(out.querystring),
      headers: out.headers === undefined ? req.headers : headersFromLe(out.headers, 'request.headers'),
      body,
    },
  };
}

/** A Lambda@Edge response object (`status`, `headers`, optional `body` + `bodyEncoding`). */
export function responseFromOrigin(out: unknown, original?: ApiResponse): ApiResponse {
  if (!isObject(out)) throw new EdgeEventError('the function must return a response object');
  let body = original?.body ?? Buffer.alloc(0);
  if (out.body !== undefined) body = Buffer.from(String(out.body), out.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  const headers = out.headers === undefined && original ? original.headers : headersFromLe(out.headers, 'response.headers');
  return { status: statusOf(out.status, 'response.status'), headers, body };
}
