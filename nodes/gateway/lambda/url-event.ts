// The function URL wire formats: the request event Lambda sends the function (API Gateway's
// payload format 2.0, with the sentinel values function URLs use for routeKey and stage) and how
// the function's answer becomes the HTTP response.
import { randomBytes } from 'node:crypto';
import { emptyMap } from '../shapes.js';

export interface UrlRequestFacts {
  urlId: string;
  domainName: string;
  method: string;
  /** The path the function sees, still percent-encoded, and the query after '?'. */
  rawPath: string;
  rawQuery: string;
  /** Node's `req.headersDistinct`: lowercase names, every value of a repeated header. */
  headers: NodeJS.Dict<string[]>;
  body: Buffer;
  sourceIp: string;
  localPort: number;
  protocol: string;
  requestId: string;
  traceId: string;
  now: Date;
  /** The function owner's account for AWS_IAM URLs; "anonymous" for NONE, as Lambda sends. */
  accountId: string;
  /** The signer, for AWS_IAM URLs (requestContext.authorizer.iam). */
  iam?: { accessKey: string; accountId: string } | undefined;
}

/** An X-Ray trace header as Lambda's front adds one: Root=1-<epoch seconds hex>-<96 random bits>. */
export function newTraceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** requestContext.time: the access-log form Lambda uses, "12/Mar/2020:19:03:58 +0000". */
function accessLogTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * Bodies of a textual content type travel as text; anything else (no type, binary types, forms,
 * and text that is not valid UTF-8) as base64 with isBase64Encoded set.
 */
function isText(contentType: string | undefined, body: Buffer): boolean {
  const ct = (contentType ?? '').toLowerCase();
  if (!(ct.startsWith('text/') || /json|xml|javascript/.test(ct))) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/** queryStringParameters: decoded names and values, a repeated name's values joined by ','. */
function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === '') return undefined;
  // Caller-named keys: no prototype, so `__proto__` or `constructor` are parameters like any other.
  const out = emptyMap<string>();
  for (const [k, v] of new URLSearchParams(rawQuery)) out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  return out;
}

/** The payload format 2.0 event for one request. */
export function urlEvent(r: UrlRequestFacts): Record<string, unknown> {
  const headers = emptyMap<string>();
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(r.headers)) {
    if (values === undefined) continue;
    // Cookies leave the headers for their own list, one entry per cookie.
    if (name === 'cookie') cookies = values.flatMap((v) => v.split(';')).map((c) => c.trim()).filter((c) => c !== '');
    else headers[name] = values.join(',');
  }
  // What Lambda's front adds for the function: the client's address and the scheme and port it reached.
  headers['x-forwarded-for'] ??= r.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(r.localPort);
  headers['x-amzn-trace-id'] = r.traceId;
  const text = r.body.length === 0 || isText(r.headers['content-type']?.[0], r.body);
  const query = queryParameters(r.rawQuery);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.rawPath,
    rawQueryString: r.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: r.accountId,
      apiId: r.urlId,
      ...(r.iam
        ? { authorizer: { iam: { accessKey: r.iam.accessKey, accountId: r.iam.accountId, callerId: r.iam.accountId, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${r.iam.accountId}:root`, userId: r.iam.accountId } } }
        : {}),
      domainName: r.domainName,
      domainPrefix: r.urlId,
      http: { method: r.method, path: r.rawPath, protocol: r.protocol, sourceIp: r.sourceIp, userAgent: r.headers['user-agent']?.join(',') ?? '' },
      requestId: r.requestId,
      routeKey: '$default',
      stage: '$default',
      time: accessLogTime(r.now),
      timeEpoch: r.now.getTime(),
    },
    // A request without a body has no body member at all (AWS leaves it out, not empty).
    ...(r.body.length > 0 ? { body: text ? r.body.toString('utf8') : r.body.toString('base64') } : {}),
    isBase64Encoded: !text,
  };
}

export interface UrlResponse {
  status: number;
  /** Lowercase names. */
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Node refuses header names outside the token characters and values with control characters;
// the framing headers are the front's to set.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

function headerText(v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(String).join(',');
  return undefined;
}

/**
 * The HTTP response for a function's result, as Lambda reads it: an object with `statusCode` is
 * a response (status, headers, cookies, body, base64-decoded when isBase64Encoded); any other
 * result is the body of a 200 (a JSON string as its text, other JSON as written), typed
 * application/json. Undefined when the result claims to be a response but is malformed (502).
 */
export function urlResponse(payload: string): UrlResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(payload, 'utf8') };
  }
  if (!isObject(value) || !('statusCode' in value)) {
    const text = typeof value === 'string' ? value : payload;
    return { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(text, 'utf8') };
  }
  const status = typeof value.statusCode === 'string' && /^\d+$/.test(value.statusCode) ? Number(value.statusCode) : value.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers = emptyMap<string>();
  if (isObject(value.headers)) {
    for (const [k, v] of Object.entries(value.headers)) {
      const name = k.toLowerCase();
      const text = headerText(v);
      if (text === undefined || !HEADER_NAME.test(name) || FRAMING.has(name) || BAD_VALUE.test(text)) continue;
      headers[name] = text;
    }
  }
  headers['content-type'] ??= 'application/json';
  const cookies = Array.isArray(value.cookies) ? value.cookies.filter((c): c is string => typeof c === 'string' && !BAD_VALUE.test(c)) : [];
  let body: Buffer;
  if (value.body === undefined || value.body === null) body = Buffer.alloc(0);
  else if (typeof value.body === 'string') body = value.isBase64Encoded === true ? Buffer.from(value.body, 'base64') : Buffer.from(value.body, 'utf8');
  else body = Buffer.from(JSON.stringify(value.body), 'utf8');
  return { status, headers, cookies, body };
}
