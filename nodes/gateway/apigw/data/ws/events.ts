// The event a WebSocket API's Lambda proxy integration receives, per AWS: a requestContext with
// the connection, the route and the event type; $connect also carries the upgrade's headers and
// query string, $disconnect its status and reason.
import { randomBytes } from 'node:crypto';
import { formatRequestTime } from '../events/proxy-v1.js';
import { type ApiRequest } from '../types.js';

export interface Connection {
  id: string;
  apiId: string;
  stage: string;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  domainName: string;
}

export function wsEvent(
  c: Connection,
  kind: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  routeKey: string,
  requestId: string,
  now: number,
  extra: { body?: string; binary?: boolean; upgrade?: ApiRequest; stageVariables: Record<string, string>; disconnect?: { code: number; reason: string }; authorizer?: Record<string, unknown> },
): Record<string, unknown> {
  const requestContext: Record<string, unknown> = {
    routeKey,
    eventType: kind,
    extendedRequestId: requestId.replace(/-/g, '').slice(0, 16),
    requestTime: formatRequestTime(new Date(now)),
    messageDirection: 'IN',
    stage: c.stage,
    connectedAt: c.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: c.sourceIp, userAgent: c.userAgent },
    requestId,
    domainName: c.domainName,
    connectionId: c.id,
    apiId: c.apiId,
    ...(kind === 'MESSAGE' ? { messageId: randomBytes(6).toString('base64') } : {}),
    ...(extra.disconnect ? { disconnectStatusCode: extra.disconnect.code, disconnectReason: extra.disconnect.reason } : {}),
    ...(extra.authorizer ? { authorizer: extra.authorizer } : {}),
  };
  const event: Record<string, unknown> = { requestContext, isBase64Encoded: extra.binary === true };
  if (extra.body !== undefined) event.body = extra.body;
  if (Object.keys(extra.stageVariables).length > 0) event.stageVariables = extra.stageVariables;
  if (extra.upgrade) {
    const up = extra.upgrade;
    event.headers = Object.fromEntries(Object.entries(up.headers).map(([k, v]) => [k, v[v.length - 1] ?? '']));
    event.multiValueHeaders = up.headers;
    const q = new URLSearchParams(up.rawQuery);
    if ([...q.keys()].length > 0) {
      event.queryStringParameters = Object.fromEntries(q);
      const multi: Record<string, string[]> = {};
      for (const [k, v] of q) (multi[k] ??= []).push(v);
      event.multiValueQueryStringParameters = multi;
    }
  }
  return event;
}

/** The route key a message selects with `$request.body.<path>` (non-JSON bodies and misses: `$default`). */
export function selectRoute(expression: string, body: string, routeKeys: Set<string>): string {
  const m = /^\$request\.body\.(.+)$/.exec(expression);
  let key: string | undefined;
  if (m) {
    try {
      let v: unknown = JSON.parse(body);
      for (const part of m[1]!.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') key = String(v);
    } catch {
      key = undefined;
    }
  }
  return key !== undefined && routeKeys.has(key) ? key : '$default';
}
