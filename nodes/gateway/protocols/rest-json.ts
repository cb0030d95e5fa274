// The AWS restJson1 protocol, as Lambda speaks it: the operation is chosen by method and path
// (`POST /2015-03-31/functions/{FunctionName}/invocations`), input members come from URI labels,
// query parameters, headers and the body (a JSON object, or one member as the raw payload), and
// outputs go back the same way (headers, the status code, a JSON body or a raw payload). Errors
// carry `x-amzn-ErrorType: <Code>` and a JSON body `{"Type": "User"|"Service", "message": …}`:
// the SDKs take the code from that header and the message from `message` or `Message`.
import { type IncomingHttpHeaders } from 'node:http';
import { type AnyAction, type HttpBinding, type RestServiceSpec } from '../action.js';
import { AwsError } from '../errors.js';
import { type Shape, type StructShape, emptyMap, toJson } from '../shapes.js';
import { type WireResponse, parseJsonBody } from './aws-json.js';

/** A response whose body may be bytes: a blob payload leaves as it is, not as text. */
export type RestWire = Omit<WireResponse, 'body'> & { body: string | Uint8Array };

/** Query parameters in order of appearance; a repeated key keeps every value (lists). */
export type QueryParams = Map<string, string[]>;

const JSON_TYPE = 'application/json';

// ---------------------------------------------------------------------------------------------
// Routes

type Segment = { kind: 'literal'; value: string } | { kind: 'label'; name: string } | { kind: 'greedy'; name: string };

interface Route<D> {
  action: AnyAction<D>;
  method: HttpBinding['method'];
  segments: Segment[];
  /** The template's literal query: each key must be present, with this value when one is given. */
  query: ReadonlyArray<readonly [string, string | undefined]>;
  greedy: number;
}

export interface RouteMatch<D> {
  action: AnyAction<D>;
  /** Label values, percent-decoded (a greedy label's segments joined by '/'). */
  labels: Record<string, string>;
}

/** Splits `/a/{B}/c?x=1&y` into segments and the literal query. */
export function parseUriTemplate(uri: string): { segments: Segment[]; query: [string, string | undefined][] } {
  const q = uri.indexOf('?');
  const path = q < 0 ? uri : uri.slice(0, q);
  if (!path.startsWith('/')) throw new Error(`URI template ${uri} must start with '/'`);
  const segments: Segment[] = [];
  for (const part of path === '/' ? [] : path.slice(1).split('/')) {
    const label = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    if (label) segments.push(label[2] ? { kind: 'greedy', name: label[1]! } : { kind: 'label', name: label[1]! });
    else if (part.includes('{') || part.includes('}')) throw new Error(`URI template ${uri}: a label must be a whole segment`);
    else segments.push({ kind: 'literal', value: part });
  }
  if (segments.filter((s) => s.kind === 'greedy').length > 1) throw new Error(`URI template ${uri} has more than one greedy label`);
  const query: [string, string | undefined][] = [];
  if (q >= 0) {
    for (const pair of uri.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      query.push(eq < 0 ? [pair, undefined] : [pair.slice(0, eq), pair.slice(eq + 1)]);
    }
  }
  return { segments, query };
}

const RANK = { literal: 2, label: 1, greedy: 0 } as const;

/**
 * Most specific first, as AWS routes: left to right, a literal segment beats a label, which beats
 * a greedy label; then the route demanding more literal query parameters
 * (`…/provisioned-concurrency?List=ALL` before `…/provisioned-concurrency`).
 */
function bySpecificity<D>(a: Route<D>, b: Route<D>): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const d = RANK[b.segments[i]!.kind] - RANK[a.segments[i]!.kind];
    if (d !== 0) return d;
  }
  return b.query.length - a.query.length || b.segments.length - a.segments.length;
}

function routeKey<D>(r: Route<D>): string {
  const path = r.segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'label' ? '{}' : '{+}')).join('/');
  const query = [...r.query].map(([k, v]) => `${k}=${v ?? ''}`).sort().join('&');
  return `${r.method} /${path}?${query}`;
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The route table of one REST service, compiled from its actions' `http` bindings. */
export class RestRouter<D> {
  private readonly routes: Route<D>[] = [];

  constructor(actions: Iterable<AnyAction<D>>) {
    const seen = new Map<string, string>();
    for (const action of actions) {
      if (!action.http) throw new Error(`REST action ${action.name} has no http binding`);
      const { segments, query } = parseUriTemplate(action.http.uri);
      const route: Route<D> = { action, method: action.http.method, segments, query, greedy: segments.findIndex((s) => s.kind === 'greedy') };
      for (const s of segments) {
        if (s.kind === 'literal') continue;
        const member = action.input.members[s.name];
        if (!member || member.location !== 'uri') throw new Error(`${action.name}: URI label {${s.name}} is not a 'uri' member of its input`);
      }
      // Two actions on one route would make which one runs depend on declaration order.
      const key = routeKey(route);
      const other = seen.get(key);
      if (other !== undefined) throw new Error(`${action.name} and ${other} have the same route ${key}`);
      seen.set(key, action.name);
      this.routes.push(route);
    }
    this.routes.sort(bySpecificity);
  }

  /** The most specific route for a request, or undefined. `rawPath` is still percent-encoded. */
  match(method: string, rawPath: string, query: QueryParams): RouteMatch<D> | undefined {
    if (!rawPath.startsWith('/')) return undefined;
    // One trailing slash is tolerated: older SDKs sent `/2015-03-31/functions/`.
    const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    const raw = trimmed === '/' ? [] : trimmed.slice(1).split('/');
    const decoded = raw.map(decodeSegment);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      if (!route.query.every(([k, v]) => query.has(k) && (v === undefined || query.get(k)!.includes(v)))) continue;
      const labels = matchSegments(route, raw, decoded);
      if (labels) return { action: route.action, labels };
    }
    return undefined;
  }
}

function matchSegments<D>(route: Route<D>, raw: string[], decoded: (string | undefined)[]): Record<string, string> | undefined {
  const segs = route.segments;
  if (route.greedy < 0 ? raw.length !== segs.length : raw.length < segs.length) return undefined;
  const labels: Record<string, string> = {};
  // Segments after a greedy label align with the end of the path.
  const tailShift = raw.length - segs.length;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg.kind === 'greedy') {
      const value = decodeSegment(raw.slice(i, i + tailShift + 1).join('/'));
      if (value === undefined || value === '') return undefined;
      labels[seg.name] = value;
      continue;
    }
    const at = route.greedy >= 0 && i > route.greedy ? i + tailShift : i;
    const value = decoded[at];
    if (value === undefined) return undefined;
    if (seg.kind === 'literal' ? value !== seg.value : value === '') return undefined;
    if (seg.kind === 'label') labels[seg.name] = value;
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Decodes a query string, keeping repeated keys; a malformed escape is the caller's error. */
export function parseQueryParams(rawQuery: string): QueryParams {
  const out: QueryParams = new Map();
  if (rawQuery === '') return out;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      // '+' is a space, as in the Query protocol's forms; SDKs send a plus as %2B.
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = decodeURIComponent((eq < 0 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '));
    } catch {
      throw new AwsError('InvalidQueryParameter', `The query string contains a malformed escape: ${pair.slice(0, 64)}`);
    }
    const values = out.get(key);
    if (values) values.push(value);
    else out.set(key, [value]);
  }
  return out;
}

export interface RestRequest {
  labels: Record<string, string>;
  query: QueryParams;
  /** Lowercase names (Node's `req.headers`: a repeated header's values joined by ', '). */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** A bound string as the member's shape wants it: lists split, scalars as they are (checkAny parses numbers). */
function fromText(shape: Shape, values: string[], separator?: string): unknown {
  if (shape.kind === 'list') return separator === undefined ? values : values.flatMap((v) => (v.trim() === '' ? [] : v.split(separator).map((x) => x.trim())));
  return values[0];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  const v = parseJsonBody(body);
  if (!isObject(v)) throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  return v;
}

/**
 * Gathers an operation's raw input from where each member is bound; runAction then checks it
 * against the shape, so a bad integer in a header fails exactly as one in the body would. An
 * empty body is an empty input; a body the operation has no members for is ignored.
 */
export function decodeRestInput(input: StructShape, r: RestRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const members = Object.entries(input.members);
  // Parameters named by a member; the others go to an httpQueryParams map, if there is one.
  const isQueryMap = (m: Shape): boolean => m.kind === 'map' && m.locationName === undefined;
  const boundQuery = new Set(members.filter(([, m]) => m.location === 'querystring' && !isQueryMap(m)).map(([n, m]) => m.locationName ?? n));
  let body: Record<string, unknown> | undefined;
  const jsonBody = (): Record<string, unknown> => (body ??= r.body.length === 0 ? {} : parseJsonObject(r.body));

  for (const [name, m] of members) {
    const key = m.locationName ?? name;
    let v: unknown;
    switch (m.location) {
      case 'uri':
        v = r.labels[key];
        break;
      case 'querystring':
        if (m.kind === 'map' && isQueryMap(m)) {
          // httpQueryParams: every parameter no other member names.
          const map = emptyMap<unknown>();
          for (const [k, values] of r.query) if (!boundQuery.has(k)) map[k] = fromText(m.value, values);
          v = Object.keys(map).length > 0 ? map : undefined;
        } else {
          const values = r.query.get(key);
          v = values ? fromText(m, values) : undefined;
        }
        break;
      case 'header': {
        const h = headerValue(r.headers, key);
        v = h === undefined ? undefined : fromText(m, [h], ',');
        break;
      }
      case 'headers-prefix': {
        if (m.kind !== 'map') throw new Error(`member ${name}: headers-prefix binds a map`);
        const prefix = key.toLowerCase();
        const map = emptyMap<unknown>();
        for (const [h, hv] of Object.entries(r.headers)) {
          if (h.startsWith(prefix) && hv !== undefined) map[h.slice(prefix.length)] = fromText(m.value, [Array.isArray(hv) ? hv.join(', ') : hv], ',');
        }
        v = Object.keys(map).length > 0 ? map : undefined;
        break;
      }
      case 'payload':
        if (r.body.length === 0) v = undefined;
        else if (m.kind === 'blob') v = new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.length);
        else if (m.kind === 'string') v = r.body.toString('utf8');
        else v = parseJsonObject(r.body);
        break;
      case 'statusCode':
        v = undefined;
        break;
      case undefined:
        // A body member's JSON key is its locationName when set (Smithy's @jsonName: API
        // Gateway's PutIntegration sends `integrationHttpMethod` as `httpMethod`).
        v = jsonBody()[key];
        break;
    }
    if (v !== undefined) out[name] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Responses

// Node refuses to write these into a header (it would throw mid-response).
const BAD_HEADER_CHARS = /[^\t\x20-\x7e\x80-\xff]/;

function headerText(shape: Shape, v: unknown, member: string): string {
  let s: string;
  if (Array.isArray(v)) s = v.map((x) => headerText(shape.kind === 'list' ? shape.member : shape, x, member)).join(', ');
  else if (v instanceof Uint8Array) s = Buffer.from(v).toString('base64');
  else s = String(v);
  if (BAD_HEADER_CHARS.test(s)) throw new Error(`output member ${member} cannot be sent as a header: it holds control characters`);
  return s;
}

/**
 * Encodes an action's output: header members as headers, a `statusCode` member as the status
 * (else the action's code), then either the payload member raw (blobs as
 * application/octet-stream unless the shape names a mediaType; a header member bound to
 * Content-Type sets it per response) or the remaining members as a JSON object. A 204 has no body.
 */
export function restResponse(action: AnyAction<unknown>, value: Record<string, unknown>): RestWire {
  let status = action.http?.code ?? 200;
  const headers: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  let hasBodyMembers = false;
  let payload: { shape: Shape; value: unknown } | undefined;
  for (const [name, m] of Object.entries(action.output.members)) {
    const v = value[name];
    const key = m.locationName ?? name;
    switch (m.location) {
      case 'statusCode':
        if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599) status = v;
        break;
      case 'header':
        if (v !== undefined && v !== null) headers[key.toLowerCase()] = headerText(m, v, name);
        break;
      case 'headers-prefix':
        if (isObject(v)) for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) headers[`${key}${k}`.toLowerCase()] = headerText(m.kind === 'map' ? m.value : m, x, name);
        break;
      case 'payload':
        payload = { shape: m, value: v };
        break;
      case 'uri':
      case 'querystring':
        break; // input-only bindings: nothing of a response goes there
      case undefined: {
        hasBodyMembers = true;
        const x = toJson(m, v);
        if (x !== undefined) body[key] = x;
        break;
      }
    }
  }
  if (status === 204) {
    delete headers['content-type'];
    return { status, headers, body: '' };
  }
  if (payload) {
    const { shape, value: v } = payload;
    if (v === undefined || v === null) return { status, headers, body: '' };
    if (shape.kind === 'blob' && v instanceof Uint8Array) {
      headers['content-type'] ??= shape.mediaType ?? 'application/octet-stream';
      return { status, headers, body: v };
    }
    if (shape.kind === 'string') {
      headers['content-type'] ??= shape.mediaType ?? 'text/plain';
      return { status, headers, body: String(v) };
    }
    headers['content-type'] ??= JSON_TYPE;
    return { status, headers, body: JSON.stringify(toJson(shape, v) ?? {}) };
  }
  headers['content-type'] ??= JSON_TYPE;
  // An operation without body members still answers `{}`, as AWS does (SDKs parse it).
  return { status, headers, body: JSON.stringify(hasBodyMembers ? body : {}) };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The service's own error for a generic one raised by shared code (RestServiceSpec.errorAliases). */
export function restAlias(service: { errorAliases?: RestServiceSpec['errorAliases'] }, err: AwsError): AwsError {
  const alias = service.errorAliases?.[err.code];
  return alias === undefined || alias === err.code ? err : new AwsError(alias, err.message, err.extra);
}

/**
 * An error as restJson1 services send it: the status from the table, `x-amzn-ErrorType` naming
 * the model's shape, and a JSON body with `Type` (User: the caller's fault; Service: ours), the
 * message under the key the model declares, and the error's extra members. The SDK picks the
 * exception class from the header and fills its members from the body and headers.
 */
export function restError(service: Pick<RestServiceSpec, 'errorAliases'>, error: AwsError): RestWire {
  const err = restAlias(service, error);
  const spec = err.spec;
  const type = spec.jsonType ?? err.code;
  const messageKey = spec.messageKey ?? 'message';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.extra.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['content-type'] = JSON_TYPE;
  headers['x-amzn-errortype'] = type;
  const body = { ...err.extra.fields, Type: spec.fault === 'Sender' ? 'User' : 'Service', [messageKey]: err.message };
  return { status: spec.status, headers, body: JSON.stringify(body) };
}
