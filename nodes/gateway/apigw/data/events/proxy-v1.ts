// The Lambda proxy integration's event and answer, payload format 1.0: what REST APIs send (and
// HTTP APIs with payloadFormatVersion 1.0, whose requestContext differs a little).
import { type ApiRequest, type ApiResponse } from '../types.js';

export interface ProxyV1Input {
  flavor: 'rest' | 'http';
  req: ApiRequest;
  accountId: string;
  /** REST: `/pets/{petId}`; HTTP: the route key's path (or `$default`). */
  resource: string;
  /** REST: the resource id; HTTP: the route key. */
  resourceId: string;
  routeKey?: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  /** The authorizer's output (`requestContext.authorizer`). */
  authorizer?: Record<string, unknown>;
  /** Whether the body travels base64-encoded (REST: its Content-Type is one of the binary media types). */
  binary: boolean;
  /** `requestContext.identity` members the pipeline learned (API key, IAM caller). */
  identity?: { apiKey?: string; apiKeyId?: string; accountId?: string; caller?: string; userArn?: string; accessKey?: string; user?: string };
}

/** Single-value maps keep the last value, as AWS does; multi-value maps keep all. */
function splitValues(values: Record<string, string[]>): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const entries = Object.entries(values);
  if (entries.length === 0) return { single: null, multi: null };
  return { single: Object.fromEntries(entries.map(([k, v]) => [k, v[v.length - 1] ?? ''])), multi: Object.fromEntries(entries) };
}

export function queryValues(rawQuery: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (rawQuery === '') return out;
  for (const [k, v] of new URLSearchParams(rawQuery)) (out[k] ??= []).push(v);
  return out;
}

/** Header names as the client sent them would need raw headers; AWS's events carry them as sent — Node gives lower case. */
export function proxyEventV1(i: ProxyV1Input): Record<string, unknown> {
  const { req } = i;
  const headers = splitValues(req.headers);
  const query = splitValues(queryValues(req.rawQuery));
  const time = new Date(req.receivedAt);
  const known = i.identity ?? {};
  const identity = {
    cognitoIdentityPoolId: null,
    accountId: known.accountId ?? null,
    cognitoIdentityId: null,
    caller: known.caller ?? null,
    sourceIp: req.sourceIp,
    principalOrgId: null,
    accessKey: known.accessKey ?? null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: known.userArn ?? null,
    userAgent: req.userAgent,
    user: known.user ?? null,
    // REST APIs report the API key the caller used (HTTP APIs have none).
    ...(i.flavor === 'rest' ? { apiKey: known.apiKey ?? null, apiKeyId: known.apiKeyId ?? null } : {}),
  };
  const resourcePath = i.resource;
  // requestContext.path carries the stage, as the client's URL did ($default names none).
  const path = req.stage === '$default' ? req.path : `/${req.stage}${req.path}`;
  return {
    // Payload 1.0 of HTTP APIs says its version; REST's events carry none.
    ...(i.flavor === 'http' ? { version: '1.0' } : {}),
    resource: resourcePath,
    path: req.path,
    httpMethod: req.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: Object.keys(i.pathParameters).length > 0 ? i.pathParameters : null,
    stageVariables: Object.keys(i.stageVariables).length > 0 ? i.stageVariables : null,
    requestContext: {
      resourceId: i.resourceId,
      resourcePath,
      httpMethod: req.method,
      extendedRequestId: req.extendedRequestId,
      requestTime: formatRequestTime(time),
      path,
      accountId: i.accountId,
      protocol: req.protocol,
      stage: req.stage,
      domainPrefix: req.domainPrefix,
      requestTimeEpoch: req.receivedAt,
      requestId: req.requestId,
      identity,
      domainName: req.domainName,
      apiId: req.apiId,
      ...(i.routeKey !== undefined ? { routeKey: i.routeKey } : {}),
      ...(i.authorizer !== undefined ? { authorizer: i.authorizer } : {}),
    },
    body: req.body.length === 0 ? null : i.binary ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: req.body.length > 0 && i.binary,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `28/Nov/2026:20:19:14 +0000`, AWS's requestTime format. */
export function formatRequestTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The function's answer as an HTTP response, or undefined when it is not a valid proxy response
 * (AWS: 502 and "Malformed Lambda proxy response"): an object whose statusCode is an integer, whose
 * headers map to scalars and multiValueHeaders to lists, and whose body is a string. A base64
 * body (`isBase64Encoded`) is decoded when `decodeBase64` says so (REST APIs: binary media types).
 */
export function parseProxyResponseV1(payload: string, decodeBase64: (res: ApiResponse) => boolean = () => true): ApiResponse | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);
  if (Object.keys(v).some((k) => !allowed.has(k))) return undefined;
  const status = v.statusCode === undefined ? 200 : typeof v.statusCode === 'string' ? Number(v.statusCode) : v.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string[]> = {};
  if (v.headers !== undefined && v.headers !== null) {
    if (!isRecord(v.headers)) return undefined;
    for (const [k, x] of Object.entries(v.headers)) {
      if (typeof x === 'object' && x !== null) return undefined;
      headers[k] = [String(x)];
    }
  }
  if (v.multiValueHeaders !== undefined && v.multiValueHeaders !== null) {
    if (!isRecord(v.multiValueHeaders)) return undefined;
    for (const [k, x] of Object.entries(v.multiValueHeaders)) {
      if (!Array.isArray(x)) return undefined;
      headers[k] = [...(headers[k] ?? []), ...x.map(String)];
    }
  }
  if (v.body !== undefined && v.body !== null && typeof v.body !== 'string') return undefined;
  const text = typeof v.body === 'string' ? v.body : '';
  const res: ApiResponse = { status, headers, body: Buffer.from(text, 'utf8') };
  if (v.isBase64Encoded === true && decodeBase64(res)) res.body = Buffer.from(text, 'base64');
  return res;
}
