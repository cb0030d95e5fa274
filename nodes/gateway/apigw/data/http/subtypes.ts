// HTTP APIs' AWS service integrations (integrationSubtype): the integration's requestParameters
// name the action's parameters, with values taken from the request (`$request.body.x`,
// `$request.header.x`, `$request.querystring.x`, `$request.path.x`), the context, stage variables
// or literal text; the service's JSON answer is the response.
import { runAction } from '../../../action.js';
import { asAwsError } from '../../../errors.js';
import { type IntegrationV2Doc } from '../../model.js';
import { type ApiRequest, type ApiResponse, type DataRuntime, GatewayFailure } from '../types.js';

/** Subtype → the service port and action it runs. */
const SUBTYPES: Record<string, [string, string]> = {
  'SQS-SendMessage': ['sqs', 'SendMessage'],
  'SQS-ReceiveMessage': ['sqs', 'ReceiveMessage'],
  'SQS-DeleteMessage': ['sqs', 'DeleteMessage'],
  'SQS-PurgeQueue': ['sqs', 'PurgeQueue'],
  'StepFunctions-StartExecution': ['states', 'StartExecution'],
  'StepFunctions-StartSyncExecution': ['states', 'StartSyncExecution'],
  'StepFunctions-StopExecution': ['states', 'StopExecution'],
  'Kinesis-PutRecord': ['kinesis', 'PutRecord'],
};

export interface MappingContext {
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  routeKey?: string;
  /** The authorizer's answer as the 2.0 event's `requestContext.authorizer` has it. */
  authorizer?: Record<string, unknown>;
}

function dig(v: unknown, path: string[]): unknown {
  for (const part of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** `$context.<name>` for mappings (the variables AWS documents for HTTP APIs that exist here). */
function contextValue(name: string, req: ApiRequest, c: MappingContext): string {
  switch (name) {
    case 'requestId':
      return req.requestId;
    case 'extendedRequestId':
      return req.extendedRequestId;
    case 'stage':
      return req.stage;
    case 'apiId':
      return req.apiId;
    case 'domainName':
      return req.domainName;
    case 'domainPrefix':
      return req.domainPrefix;
    case 'httpMethod':
      return req.method;
    case 'path':
      return req.path;
    case 'protocol':
      return req.protocol;
    case 'routeKey':
      return c.routeKey ?? '';
    case 'identity.sourceIp':
      return req.sourceIp;
    case 'identity.userAgent':
      return req.userAgent;
    case 'requestTimeEpoch':
      return String(req.receivedAt);
  }
  if (name.startsWith('authorizer.')) {
    const parts = name.slice(11).split('.');
    // `$context.authorizer.claims.sub` (JWT) and `$context.authorizer.<key>` (Lambda context).
    const v = parts[0] === 'claims' ? dig(c.authorizer?.jwt, parts) : dig(c.authorizer?.lambda, parts);
    return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return '';
}

function bodyValue(req: ApiRequest, path: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(req.body.toString('utf8'));
  } catch {
    return undefined;
  }
  for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

/** One mapping value: `$request.*`, `$stageVariables.*`, `$context.*`, or text with `${...}` parts. */
export function mappingValue(expr: string, req: ApiRequest, c: MappingContext): string {
  const one = (e: string): string => {
    if (e === '$request.body') return req.body.toString('utf8');
    if (e.startsWith('$request.body.')) return bodyValue(req, e.slice(14)) ?? '';
    if (e.startsWith('$request.header.')) return req.headers[e.slice(16).toLowerCase()]?.join(',') ?? '';
    if (e.startsWith('$request.querystring.')) return new URLSearchParams(req.rawQuery).getAll(e.slice(21)).join(',');
    if (e === '$request.path') return req.path;
    if (e.startsWith('$request.path.')) return c.pathParameters[e.slice(14)] ?? '';
    if (e.startsWith('$stageVariables.')) return c.stageVariables[e.slice(16)] ?? '';
    if (e.startsWith('$context.')) return contextValue(e.slice(9), req, c);
    return e;
  };
  if (/^\$[A-Za-z0-9_.-]+$/.test(expr) || expr.startsWith('$request.')) return one(expr);
  // AWS writes embedded variables without their `$`: `/pets/${request.path.id}`.
  return expr.replace(/\$\{([^}]+)\}/g, (_, e: string) => one(e.startsWith('$') ? e : `$${e}`));
}

export async function callSubtype(rt: DataRuntime, req: ApiRequest, i: IntegrationV2Doc, c: MappingContext): Promise<ApiResponse> {
  const target = SUBTYPES[i.integrationSubtype ?? ''];
  const port = target ? rt.backend.deps.services(target[0]) : undefined;
  const action = target && port ? port.actions.get(target[1]) : undefined;
  if (!target || !port || !action) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal Server Error', {}, `unsupported integration subtype ${i.integrationSubtype ?? ''}`, 500);
  const params: Record<string, unknown> = {};
  for (const [k, expr] of Object.entries(i.requestParameters)) params[k] = mappingValue(expr, req, c);
  for (const k of ['MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'DelaySeconds']) if (typeof params[k] === 'string') params[k] = Number(params[k]);
  try {
    const out = await runAction(action, params, { requestId: req.requestId, accessKeyId: undefined, region: rt.backend.opts.region, accountId: rt.backend.opts.accountId, baseUrl: rt.backend.deps.baseUrl(), path: '/', signal: req.signal }, port.deps);
    return { status: 200, headers: { 'content-type': ['application/json'] }, body: Buffer.from(JSON.stringify(out)) };
  } catch (err) {
    const e = asAwsError(err);
    return { status: e.spec.status, headers: { 'content-type': ['application/json'] }, body: Buffer.from(JSON.stringify({ message: e.message })) };
  }
}
