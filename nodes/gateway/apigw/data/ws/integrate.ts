// WebSocket routes' non-proxy integrations: MOCK, HTTP (request and response mapping templates)
// and HTTP_PROXY (the message as the request body). The request template is chosen by the
// integration's templateSelectionExpression (`\$default` when unset), the integration response by
// matching its key (`/2\d\d/` regular expressions, else `$default`) against the backend's status.
import { type IntegrationResponseV2Doc, type IntegrationV2Doc } from '../../model.js';
import { renderTemplate, TemplateError } from '../../vtl/template.js';
import { callHttp } from '../integrations/http.js';
import { GatewayFailure } from '../types.js';

export interface WsCall {
  /** The message (or '' for $connect/$disconnect). */
  body: string;
  /** `$context` for templates: connectionId, routeKey, eventType, requestId, stage, apiId, ... */
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
  headers: Record<string, string>;
}

const render = (template: string, c: WsCall, body: string): { output: string; status?: number } => {
  try {
    const r = renderTemplate(template, { body, params: { path: {}, querystring: {}, header: c.headers }, context: c.context, stageVariables: c.stageVariables });
    return { output: r.output, ...(r.overrides.status !== undefined ? { status: r.overrides.status } : {}) };
  } catch (err) {
    if (err instanceof TemplateError) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, err.message, 500);
    throw err;
  }
};

function selectKey(expression: string | undefined, body: string, keys: string[]): string | undefined {
  if (keys.length === 0) return undefined;
  let key = '$default';
  const m = expression !== undefined ? /^\$request\.body\.(.+)$/.exec(expression) : null;
  if (m) {
    try {
      let v: unknown = JSON.parse(body);
      for (const part of m[1]!.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
      if (typeof v === 'string' || typeof v === 'number') key = String(v);
    } catch {
      key = '$default';
    }
  } else if (expression !== undefined && expression !== '\\$default') key = expression;
  if (keys.includes(key)) return key;
  return keys.includes('$default') ? '$default' : keys[0];
}

function integrationResponse(i: IntegrationV2Doc, status: number): IntegrationResponseV2Doc | undefined {
  const all = Object.values(i.integrationResponses);
  const byRegex = all.find((r) => {
    const m = /^\/(.+)\/$/.exec(r.integrationResponseKey);
    if (!m) return false;
    try {
      return new RegExp(`^${m[1]!}$`).test(String(status));
    } catch {
      return false;
    }
  });
  return byRegex ?? all.find((r) => r.integrationResponseKey === '$default');
}

function respond(i: IntegrationV2Doc, status: number, body: string, c: WsCall): { status: number; body?: string } {
  const ir = integrationResponse(i, status);
  const templates = ir ? Object.keys(ir.responseTemplates) : [];
  const key = ir ? selectKey(ir.templateSelectionExpression, body, templates) : undefined;
  if (!ir || key === undefined) return { status, ...(body !== '' ? { body } : {}) };
  const r = render(ir.responseTemplates[key]!, c, body);
  return { status: r.status ?? status, body: r.output };
}

/** Runs a MOCK, HTTP or HTTP_PROXY integration for a WebSocket route. */
export async function callWsIntegration(i: IntegrationV2Doc, c: WsCall): Promise<{ status: number; body?: string }> {
  const templateKey = selectKey(i.templateSelectionExpression, c.body, Object.keys(i.requestTemplates));
  const request = templateKey !== undefined ? render(i.requestTemplates[templateKey]!, c, c.body).output : c.body;
  if (i.integrationType === 'MOCK') {
    // A mock's status comes from the request template's `statusCode` (200 without one).
    let status = 200;
    try {
      const v: unknown = JSON.parse(request);
      if (typeof v === 'object' && v !== null && 'statusCode' in v) status = Number((v as { statusCode: unknown }).statusCode) || 200;
    } catch {
      status = 200;
    }
    return respond(i, status, '', c);
  }
  const res = await callHttp({
    method: i.integrationMethod === undefined || i.integrationMethod === 'ANY' ? 'POST' : i.integrationMethod,
    url: i.integrationUri ?? '',
    headers: { 'content-type': ['application/json'] },
    body: Buffer.from(i.integrationType === 'HTTP_PROXY' ? c.body : request),
    timeoutMs: i.timeoutInMillis,
  });
  const text = res.body.toString('utf8');
  return i.integrationType === 'HTTP_PROXY' ? { status: res.status, ...(text !== '' ? { body: text } : {}) } : respond(i, res.status, text, c);
}
