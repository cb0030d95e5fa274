// A REST method's integration: MOCK, HTTP, HTTP_PROXY, AWS (a cluster service, or a function
// through its invocations URI) and AWS_PROXY (a function with the proxy event), inside one
// CLIENT span. Non-proxy types go through the request and response mappings (mapping.ts).
import { Attr, SpanKind, SpanName, withSpanOpts } from '../../../../telemetry/index.js';
import { type IntegrationDoc, type MethodDoc } from '../../model.js';
import { proxyEventV1 } from '../events/proxy-v1.js';
import { callAwsService, parseServiceUri } from '../integrations/aws.js';
import { callHttp } from '../integrations/http.js';
import { callFunction, errorMessageOf, invokeProxy } from '../integrations/lambda.js';
import { mockStatus } from '../integrations/mock.js';
import { type ApiResponse, type DataRuntime, GatewayFailure } from '../types.js';
import {
  type MappingScope,
  fillUri,
  isBinary,
  mapRequestParameters,
  mapResponse,
  mediaType,
  passthroughBody,
  render,
  requestBodyText,
  requestContentType,
  requestTemplate,
  withStageVariables,
} from './mapping.js';

/** AWS's default and largest integration timeout for REST APIs. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

export interface IntegrationInput extends MappingScope {
  rt: DataRuntime;
  method: MethodDoc;
  integration: IntegrationDoc;
  resourcePath: string;
  resourceId: string;
  authorizer?: Record<string, unknown>;
  /** `requestContext.identity` extras for proxy events (API key, IAM caller). */
  identity?: { apiKey?: string; apiKeyId?: string; accountId?: string; caller?: string; userArn?: string; accessKey?: string };
}

export function runIntegration(i: IntegrationInput): Promise<ApiResponse> {
  return withSpanOpts(SpanName.ApiIntegration, { kind: SpanKind.CLIENT, attributes: { [Attr.ApiId]: i.req.apiId, [Attr.ApiStage]: i.req.stage, [Attr.ApiRoute]: i.resourcePath } }, () => integrate(i));
}

function timeoutOf(i: IntegrationInput): number {
  return i.integration.timeoutInMillis > 0 ? i.integration.timeoutInMillis : DEFAULT_INTEGRATION_TIMEOUT_MS;
}

async function integrate(i: IntegrationInput): Promise<ApiResponse> {
  switch (i.integration.type) {
    case 'AWS_PROXY':
      return lambdaProxy(i);
    case 'HTTP_PROXY':
      return httpProxy(i);
    case 'MOCK':
      return mock(i);
    case 'HTTP':
      return http(i);
    case 'AWS':
      return aws(i);
  }
}

/** The method's request as it is, to the URI with `{proxy}` (and other path placeholders) filled and the query appended. */
async function httpProxy(i: IntegrationInput): Promise<ApiResponse> {
  const { integration, req } = i;
  const mapped = mapRequestParameters(i, integration.requestParameters);
  const url = new URL(fillUri(withStageVariables(integration.uri ?? '', i.stageVariables), mapped.path, i.pathParameters));
  for (const [k, v] of new URLSearchParams(req.rawQuery)) url.searchParams.append(k, v);
  for (const [k, v] of Object.entries(mapped.query)) url.searchParams.set(k, v);
  const headers: Record<string, string[]> = { ...req.headers };
  for (const [k, v] of Object.entries(mapped.headers)) headers[k.toLowerCase()] = [v];
  const method = integration.httpMethod === undefined || integration.httpMethod === 'ANY' ? req.method : integration.httpMethod;
  return callHttp({ method, url: url.toString(), headers, body: req.body, timeoutMs: timeoutOf(i), signal: req.signal });
}

/** No backend: the request template's `statusCode` picks the integration response. */
function mock(i: IntegrationInput): ApiResponse {
  const template = requestTemplate(i, i.integration);
  const status = template === undefined ? 200 : mockStatus(render(template, requestBodyText(i, i.integration), i).output);
  return mapResponse(i, i.integration, { status, headers: {}, body: Buffer.alloc(0) }, String(status));
}

async function http(i: IntegrationInput): Promise<ApiResponse> {
  const { integration, req } = i;
  const template = requestTemplate(i, integration);
  const r = template === undefined ? undefined : render(template, requestBodyText(i, integration), i);
  const mapped = mapRequestParameters(i, integration.requestParameters);
  const url = new URL(fillUri(withStageVariables(integration.uri ?? '', i.stageVariables), { ...mapped.path, ...r?.path }, i.pathParameters));
  for (const [k, v] of Object.entries({ ...mapped.query, ...r?.querystring })) url.searchParams.set(k, v);
  const headers: Record<string, string[]> = {};
  // The mapped request is a new request: only mapped headers travel, and the body's type (a
  // template's output has the type it was chosen for).
  const contentType = r ? requestContentType(req) : req.headers['content-type']?.[0];
  if (contentType !== undefined) headers['content-type'] = [contentType];
  for (const [k, v] of Object.entries({ ...mapped.headers, ...r?.headers })) headers[k.toLowerCase()] = [v];
  const method = integration.httpMethod === undefined || integration.httpMethod === 'ANY' ? req.method : integration.httpMethod;
  const body = r ? Buffer.from(r.output) : passthroughBody(i, integration);
  const res = await callHttp({ method, url: url.toString(), headers, body, timeoutMs: timeoutOf(i), signal: req.signal });
  return mapResponse(i, integration, res, String(res.status));
}

/** A cluster service's action, or a function through its invocations URI; errors select integration responses by message. */
async function aws(i: IntegrationInput): Promise<ApiResponse> {
  const { integration, req } = i;
  const target = parseServiceUri(withStageVariables(integration.uri ?? '', i.stageVariables));
  if (!target) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, `Execution failed due to configuration error: invalid AWS integration URI ${integration.uri ?? ''}`);
  const template = requestTemplate(i, integration);
  const body = template === undefined ? requestBodyText(i, integration) : render(template, requestBodyText(i, integration), i).output;
  if (target.service === 'lambda' && target.kind === 'path') {
    const fn = /functions\/(.+)\/invocations$/.exec(target.rest)?.[1];
    if (!fn) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, `Execution failed due to configuration error: invalid Lambda integration URI ${integration.uri ?? ''}`);
    const out = await callFunction(i.rt.backend, { ref: fn, payload: body === '' ? '{}' : body, requestId: req.requestId, timeoutMs: timeoutOf(i), signal: req.signal, ...(req.traceHeader !== undefined ? { traceHeader: req.traceHeader } : {}) });
    // A function error selects by its errorMessage (AWS's selectionPattern for Lambda); success by the default.
    return mapResponse(i, integration, { status: 200, headers: { 'content-type': ['application/json'] }, body: Buffer.from(out.payload) }, out.functionError !== undefined ? errorMessageOf(out.payload) : '');
  }
  const mapped = mapRequestParameters(i, integration.requestParameters);
  const res = await withTimeout(callAwsService(i.rt.backend, { target, body, query: mapped.query, requestId: req.requestId, signal: req.signal }), timeoutOf(i));
  // AWS service errors select by status code, as HTTP backends do.
  return mapResponse(i, integration, res, String(res.status));
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayFailure('INTEGRATION_TIMEOUT', undefined, {}, `Execution failed due to a timeout error after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function lambdaProxy(i: IntegrationInput): Promise<ApiResponse> {
  const { req } = i;
  const event = proxyEventV1({
    flavor: 'rest',
    req,
    accountId: i.rt.backend.opts.accountId,
    resource: i.resourcePath,
    resourceId: i.resourceId,
    pathParameters: i.pathParameters,
    stageVariables: i.stageVariables,
    binary: isBinary(requestContentType(req), i.binaryMediaTypes),
    ...(i.authorizer !== undefined ? { authorizer: i.authorizer } : {}),
    ...(i.identity !== undefined ? { identity: i.identity } : {}),
  });
  const accept = mediaType(req.headers.accept?.[0], '');
  return invokeProxy(i.rt.backend, {
    ref: withStageVariables(i.integration.uri ?? '', i.stageVariables),
    payload: JSON.stringify(event),
    requestId: req.requestId,
    timeoutMs: timeoutOf(i),
    signal: req.signal,
    ...(req.traceHeader !== undefined ? { traceHeader: req.traceHeader } : {}),
    // AWS: the client's first Accept type (or the answer's Content-Type) must be a binary media type.
    decodeBase64: (res) => {
      const ct = mediaType(Object.entries(res.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1][0], '');
      return (accept !== '' && isBinary(accept, i.binaryMediaTypes)) || (ct !== '' && isBinary(ct, i.binaryMediaTypes));
    },
  });
}
