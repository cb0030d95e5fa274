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

interface Context {
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
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
export function mappingValue(expr: string, req: ApiRequest, c: Context): string {
  const one = (e: string): string => {
    if (e === '$request.body') return req.body.toString('utf8');
    if (e.startsWith('$request.body.')) return bodyValue(req, e.slice(14)) ?? '';
    if (e.startsWith('$request.header.')) return req.headers[e.slice(16).toLowerCase()]?.join(',') ?? '';
    if (e.startsWith('$request.querystring.')) return new URLSearchParams(req.rawQuery).getAll(e.slice(21)).join(',');
    if (e.startsWith('$request.path.')) return c.pathParameters[e.slice(14)] ?? '';
    if (e.startsWith('$stageVariables.')) return c.stageVariables[e.slice(16)] ?? '';
    if (e === '$context.requestId') return req.requestId;
    if (e === '$context.stage') return req.stage;
    return e;
  };
  if (/^\$[A-Za-z.]+$/.test(expr) || expr.startsWith('$request.')) return one(expr);
  return expr.replace(/\$\{([^}]+)\}/g, (_, e: string) => one(e));
}

export async function callSubtype(rt: DataRuntime, req: ApiRequest, i: IntegrationV2Doc, c: Context): Promise<ApiResponse> {
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
