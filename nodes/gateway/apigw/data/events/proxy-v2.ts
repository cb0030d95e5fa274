// The Lambda proxy integration's payload format 2.0 (HTTP APIs): the event, and the answer,
// which may be structured (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`) or any
// other JSON value that API Gateway turns into a 200 JSON response.
import { formatRequestTime } from './proxy-v1.js';
import { type ApiRequest, type ApiResponse } from '../types.js';

export interface ProxyV2Input {
  req: ApiRequest;
  accountId: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  authorizer?: Record<string, unknown>;
  binary: boolean;
}

export function proxyEventV2(i: ProxyV2Input): Record<string, unknown> {
  const { req } = i;
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [k, values] of Object.entries(req.headers)) {
    // Cookies travel on their own; other repeated headers are joined with commas.
    if (k === 'cookie') cookies = values.flatMap((v) => v.split(';').map((c) => c.trim()).filter((c) => c !== ''));
    else headers[k] = values.join(',');
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(req.rawQuery)) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  return {
    version: '2.0',
    routeKey: i.routeKey,
    rawPath: req.stage === '$default' ? req.rawPath : `/${req.stage}${req.rawPath}`,
    rawQueryString: req.rawQuery,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: i.accountId,
      apiId: req.apiId,
      ...(i.authorizer ? { authorizer: i.authorizer } : {}),
      domainName: req.domainName,
      domainPrefix: req.domainPrefix,
      http: { method: req.method, path: req.stage === '$default' ? req.path : `/${req.stage}${req.path}`, protocol: req.protocol, sourceIp: req.sourceIp, userAgent: req.userAgent },
      requestId: req.requestId,
      routeKey: i.routeKey,
      stage: req.stage,
      time: formatRequestTime(new Date(req.receivedAt)),
      timeEpoch: req.receivedAt,
    },
    ...(Object.keys(i.pathParameters).length > 0 ? { pathParameters: i.pathParameters } : {}),
    ...(Object.keys(i.stageVariables).length > 0 ? { stageVariables: i.stageVariables } : {}),
    ...(req.body.length > 0 ? { body: i.binary ? req.body.toString('base64') : req.body.toString('utf8') } : {}),
    isBase64Encoded: req.body.length > 0 && i.binary,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The function's answer as a response; undefined when it is not JSON at all (AWS: 500). */
export function parseProxyResponseV2(payload: string): ApiResponse | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || v.statusCode === undefined) {
    // Not a structured answer: AWS infers 200 with the value as a JSON body (a string as itself).
    const body = typeof v === 'string' ? v : JSON.stringify(v);
    return { status: 200, headers: { 'content-type': ['application/json'] }, body: Buffer.from(body) };
  }
  const status = Number(v.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string[]> = {};
  if (v.headers !== undefined) {
    if (!isRecord(v.headers)) return undefined;
    for (const [k, x] of Object.entries(v.headers)) headers[k] = [String(x)];
  }
  if (Array.isArray(v.cookies) && v.cookies.length > 0) headers['set-cookie'] = v.cookies.map(String);
  const text = typeof v.body === 'string' ? v.body : v.body === undefined || v.body === null ? '' : JSON.stringify(v.body);
  return { status, headers, body: v.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text) };
}
