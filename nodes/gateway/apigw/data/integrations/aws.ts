// AWS service integrations: API Gateway calling one of the cluster's own services. An API names
// the call by its URI: `arn:aws:apigateway:{region}:{service}:action/{Action}` (the action in the
// URI) or `…:{service}:path/{path}` (SQS: `path/{account}/{queue}` with `Action=` in the body).
// The mapped request body is that service's request: form-encoded for the Query services (SQS,
// SNS: `Action=SendMessage&MessageBody=…`), JSON for the JSON ones (states, kinesis). The answer
// is the service's JSON: for the Query services the form AWS returns to `Accept:
// application/json` (`{"SendMessageResponse": {"SendMessageResult": …, "ResponseMetadata": …}}`).
import { type AnyAction, runAction } from '../../../action.js';
import { asAwsError } from '../../../errors.js';
import { fromQuery, toJson } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { type ApiResponse, GatewayFailure } from '../types.js';

/** The services an integration URI may name (their signing names), with the protocol family each speaks. */
const SERVICES: Record<string, 'query' | 'json'> = { sqs: 'query', sns: 'query', states: 'json', kinesis: 'json', lambda: 'json' };

export interface ServiceTarget {
  service: string;
  kind: 'action' | 'path';
  /** After `action/` or `path/`. */
  rest: string;
}

/** `arn:aws:apigateway:us-east-1:sqs:action/SendMessage` → { service: 'sqs', kind: 'action', rest: 'SendMessage' }. */
export function parseServiceUri(uri: string): ServiceTarget | undefined {
  const m = /^arn:aws:apigateway:[^:]*:([^:]+):(action|path)\/(.*)$/.exec(uri);
  if (!m) return undefined;
  // A subdomain form (`{subdomain}.{service}`) names the service last.
  const service = m[1]!.split('.').pop()!;
  return { service, kind: m[2] as 'action' | 'path', rest: m[3]! };
}

export interface AwsServiceCall {
  target: ServiceTarget;
  /** The mapped request body (the request template's output, or the client's body). */
  body: string;
  /** `integration.request.querystring.*` values: more request parameters (`QueueUrl`, `Action`). */
  query: Record<string, string>;
  requestId: string;
  signal?: AbortSignal;
}

/** Decodes the mapped body into the action's input: JSON object, else a form (Query services). */
function requestParams(action: AnyAction<unknown>, body: string, extra: Record<string, string>, family: 'query' | 'json'): Record<string, unknown> {
  const text = body.trim();
  if (text.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new GatewayFailure('BAD_REQUEST_BODY', 'Invalid request body', {}, 'Execution failed: the mapped request body is not valid JSON');
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const { Action: _a, Version: _v, ...params } = v as Record<string, unknown>;
      return { ...extra, ...params };
    }
  }
  if (family === 'json' && text !== '') throw new GatewayFailure('BAD_REQUEST_BODY', 'Invalid request body', {}, 'Execution failed: the mapped request body is not a JSON object');
  const form = new Map<string, string>(Object.entries(extra));
  for (const [k, v] of new URLSearchParams(text)) form.set(k, v);
  form.delete('Action');
  form.delete('Version');
  return fromQuery(action.input, form);
}

/** The action a call names: in the URI (`action/X`), else `Action=` in the body or query. */
function actionName(c: AwsServiceCall): string {
  if (c.target.kind === 'action') return c.target.rest.split(/[/&?]/)[0]!;
  const fromBody = /(?:^|&)Action=([^&]*)/.exec(c.body.trim())?.[1];
  if (fromBody !== undefined) return decodeURIComponent(fromBody);
  if (c.query.Action !== undefined) return c.query.Action;
  try {
    const v = JSON.parse(c.body) as unknown;
    if (typeof v === 'object' && v !== null && 'Action' in v && typeof v.Action === 'string') return v.Action;
  } catch {
    // Not JSON: no action named.
  }
  return '';
}

/** Runs the named action of a cluster service; the service's errors come back as responses (status and JSON body), not failures. */
export async function callAwsService(backend: ApigwBackend, c: AwsServiceCall): Promise<ApiResponse> {
  const family = SERVICES[c.target.service];
  const port = family ? backend.deps.services(c.target.service) : undefined;
  const name = actionName(c);
  const action = port?.actions.get(name);
  if (!port || !family || !action) {
    throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, `Execution failed due to configuration error: unsupported AWS integration ${c.target.service} ${name || '(no action)'}`);
  }
  const { Action: _a, ...query } = c.query;
  let params = requestParams(action, c.body, query, family);
  // SQS path URIs name the queue: `path/{accountId}/{queueName}`.
  if (c.target.service === 'sqs' && c.target.kind === 'path' && params.QueueUrl === undefined && 'QueueUrl' in action.input.members) {
    const m = /^(\d{12})\/([^/?]+)/.exec(c.target.rest);
    if (m) params = { ...params, QueueUrl: `${backend.deps.baseUrl()}/${m[1]}/${m[2]}` };
  }
  try {
    const out = await runAction(action, params, {
      requestId: c.requestId,
      accessKeyId: undefined,
      region: backend.opts.region,
      accountId: backend.opts.accountId,
      baseUrl: backend.deps.baseUrl(),
      path: '/',
      signal: c.signal ?? new AbortController().signal,
    }, port.deps);
    const json = toJson(action.output, out) ?? {};
    const body = family === 'query' ? { [`${name}Response`]: { [`${name}Result`]: json, ResponseMetadata: { RequestId: c.requestId } } } : json;
    return { status: 200, headers: { 'content-type': ['application/json'], 'x-amzn-requestid': [c.requestId] }, body: Buffer.from(JSON.stringify(body)) };
  } catch (err) {
    const e = asAwsError(err);
    const type = e.spec.jsonType ?? e.code;
    const body = family === 'query' ? { Error: { Code: e.spec.queryCode ?? e.code, Message: e.message, Type: e.spec.fault }, RequestId: c.requestId } : { __type: type, message: e.message };
    return { status: e.spec.status, headers: { 'content-type': ['application/json'], 'x-amzn-errortype': [type] }, body: Buffer.from(JSON.stringify(body)) };
  }
}
