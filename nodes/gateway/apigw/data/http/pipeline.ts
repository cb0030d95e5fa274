// One request to an HTTP API stage: the stage's deployment, viewer edge hooks, CORS preflights,
// the route, authorization, throttling, origin edge hooks, and the route's integration (a function with payload format 2.0
// or 1.0, an HTTP endpoint, or an AWS service by integration subtype).
import { type ApiV2Doc, type EdgeHookDoc, type IntegrationV2Doc, type V2DeploymentDoc, asDeploymentDoc, deploymentDocName } from '../../model.js';
import { proxyEventV1, parseProxyResponseV1 } from '../events/proxy-v1.js';
import { parseProxyResponseV2, proxyEventV2 } from '../events/proxy-v2.js';
import { callHttp } from '../integrations/http.js';
import { FunctionCallFailed, invokeFunction } from '../invoke-function.js';
import { type ApiRequest, type ApiResponse, type DataRuntime, GatewayFailure } from '../types.js';
import { isPreflight, preflight, withCors } from './cors.js';
import { limitsOf } from './limits.js';
import { mapRequest, mapResponse } from './params.js';
import { HttpRouter } from './router.js';
import { callSubtype } from './subtypes.js';

interface Loaded {
  doc: V2DeploymentDoc;
  router: HttpRouter;
}

const MAX_CACHED = 1000;
const deployments = new Map<string, Promise<Loaded | undefined>>();

function load(rt: DataRuntime, apiId: string, deploymentId: string): Promise<Loaded | undefined> {
  const name = deploymentDocName(apiId, deploymentId);
  let p = deployments.get(name);
  if (!p) {
    p = rt.backend.store.get('apideploy', name, asDeploymentDoc, 60_000).then((d) => (d && d.kind === 'v2' ? { doc: d, router: new HttpRouter(Object.values(d.snapshot.routes)) } : undefined));
    p.then((v) => v === undefined && deployments.delete(name), () => deployments.delete(name));
    if (deployments.size >= MAX_CACHED) deployments.delete(deployments.keys().next().value as string);
    deployments.set(name, p);
  }
  return p;
}

const NOT_FOUND = (): GatewayFailure => new GatewayFailure('RESOURCE_NOT_FOUND', 'Not Found');

/** `seen.routeKey` is set once a route matched (metrics and access logs name it). */
export async function serveHttpApi(rt: DataRuntime, api: ApiV2Doc, original: ApiRequest, seen: { routeKey?: string } = {}): Promise<ApiResponse> {
  const stage = api.stages[original.stage];
  if (!stage?.deploymentId) throw NOT_FOUND();
  const loaded = await load(rt, api.apiId, stage.deploymentId);
  if (!loaded) throw NOT_FOUND();
  const hooks = stage.edgeHooks;
  let req = original;
  // Viewer hooks see every request first (CloudFront's order), preflights included; a hook's
  // route filter names a route key (`GET /items/{id}`, `$default`). They may rewrite the path.
  const preMatch = loaded.router.match(req.method, req.rawPath);
  if (hooks.length > 0) {
    const v = await rt.hooks.viewerRequest(hooks, preMatch?.route.routeKey ?? '', req);
    if ('res' in v) return v.res;
    req = v.req;
  }
  const cors = loaded.doc.snapshot.corsConfiguration;
  if (cors && isPreflight(req)) return viewerResponse(rt, hooks, preMatch?.route.routeKey ?? '', req, preflight(cors, req));
  const match = req === original ? preMatch : loaded.router.match(req.method, req.rawPath);
  if (!match) throw NOT_FOUND();
  const { route } = match;
  seen.routeKey = route.routeKey;
  let authorizer: Record<string, unknown> | undefined;
  if (route.authorizationType !== 'NONE') {
    const doc = route.authorizerId !== undefined ? loaded.doc.snapshot.authorizers[route.authorizerId] : undefined;
    const methodArn = `arn:aws:execute-api:${rt.backend.opts.region}:${rt.backend.opts.accountId}:${api.apiId}/${req.stage}/${req.method}${req.path}`;
    const auth = await rt.authorizers.authorize({
      flavor: 'http',
      authorizationType: route.authorizationType,
      ...(doc ? { authorizer: doc } : {}),
      ...(route.authorizationScopes ? { scopes: route.authorizationScopes } : {}),
      req,
      methodArn,
      resourcePath: route.routeKey.slice(route.routeKey.indexOf(' ') + 1),
      routeKey: route.routeKey,
      pathParameters: match.pathParameters,
      stageVariables: stage.stageVariables,
    });
    if (!auth.ok) throw new GatewayFailure(auth.type, auth.type === 'UNAUTHORIZED' ? 'Unauthorized' : 'Forbidden', auth.headers ?? {});
    // Payload 2.0's requestContext.authorizer: `jwt`, `iam` (the signer) or `lambda` (the authorizer's context).
    authorizer = auth.claims
      ? { jwt: { claims: auth.claims, scopes: auth.scopes ?? null } }
      : auth.iam
        ? { iam: { accessKey: auth.iam.accessKeyId, accountId: auth.iam.accountId, callerId: auth.iam.caller, principalOrgId: null, userArn: auth.iam.userArn, userId: auth.iam.caller } }
        : { lambda: auth.context, ...(auth.principalId !== undefined ? { principalId: auth.principalId } : {}) };
  }
  const admitted = await rt.admission.admit({
    apiId: api.apiId,
    stage: req.stage,
    resourcePath: route.routeKey,
    httpMethod: req.method,
    // The stage's default route throttle, and the route's own when its settings have one.
    ...limitsOf(stage.defaultRouteSettings, stage.routeSettings[route.routeKey]),
    apiKeyRequired: false,
  });
  if (!admitted.ok) throw new GatewayFailure(admitted.type, admitted.type === 'THROTTLED' ? 'Too Many Requests' : 'Forbidden');
  const integrationId = /^integrations\/(.+)$/.exec(route.target ?? '')?.[1];
  const integration = integrationId !== undefined ? loaded.doc.snapshot.integrations[integrationId] : undefined;
  if (!integration) throw NOT_FOUND();
  if (hooks.length > 0) {
    const v = await rt.hooks.originRequest(hooks, route.routeKey, req);
    if ('res' in v) return withCors(cors, req, v.res);
    req = v.req;
  }
  let res = await integrate(rt, req, integration, { routeKey: route.routeKey, pathParameters: match.pathParameters, stageVariables: stage.stageVariables, ...(authorizer ? { authorizer } : {}) });
  if (hooks.length > 0) res = await rt.hooks.originResponse(hooks, route.routeKey, req, res);
  return viewerResponse(rt, hooks, route.routeKey, req, withCors(cors, req, res));
}

async function viewerResponse(rt: DataRuntime, hooks: EdgeHookDoc[], routeKey: string, req: ApiRequest, res: ApiResponse): Promise<ApiResponse> {
  return hooks.length > 0 ? rt.hooks.viewerResponse(hooks, routeKey, req, res) : res;
}

interface RouteContext {
  routeKey: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  authorizer?: Record<string, unknown>;
}

const withVariables = (s: string, c: RouteContext): string =>
  s.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, n: string) => c.stageVariables[n] ?? '').replace(/\{([A-Za-z0-9_.-]+)\+?\}/g, (_, n: string) => c.pathParameters[n] ?? '');

function isTextual(req: ApiRequest): boolean {
  const ct = (req.headers['content-type']?.[0] ?? '').toLowerCase();
  return ct === '' || ct.startsWith('text/') || ct.includes('json') || ct.includes('xml') || ct.includes('x-www-form-urlencoded') || ct.includes('javascript');
}

async function integrate(rt: DataRuntime, req: ApiRequest, i: IntegrationV2Doc, c: RouteContext): Promise<ApiResponse> {
  if (i.integrationType === 'AWS_PROXY' && i.integrationSubtype !== undefined) return callSubtype(rt, req, i, c);
  if (i.integrationType === 'HTTP_PROXY') {
    const url = new URL(withVariables(i.integrationUri ?? '', c));
    const mapped = mapRequest(i.requestParameters, req, c);
    if (mapped.path !== undefined) url.pathname = mapped.path;
    for (const [k, v] of mapped.query) url.searchParams.append(k, v);
    try {
      const res = await callHttp({ method: i.integrationMethod === undefined || i.integrationMethod === 'ANY' ? req.method : i.integrationMethod, url: url.toString(), headers: mapped.headers, body: req.body, timeoutMs: i.timeoutInMillis, signal: req.signal });
      return mapResponse(i.responseParameters, res, req, c);
    } catch (err) {
      if (err instanceof GatewayFailure && err.type === 'INTEGRATION_TIMEOUT') throw new GatewayFailure('INTEGRATION_TIMEOUT', 'Service Unavailable', {}, err.detail, 503);
      if (err instanceof GatewayFailure) throw new GatewayFailure('INTEGRATION_FAILURE', 'Internal Server Error', {}, err.message, 500);
      throw err;
    }
  }
  if (i.integrationType !== 'AWS_PROXY') throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal Server Error', {}, `integration type ${i.integrationType} is not served for HTTP APIs`, 500);
  const binary = req.body.length > 0 && !isTextual(req);
  const event =
    i.payloadFormatVersion === '2.0'
      ? proxyEventV2({ req, accountId: rt.backend.opts.accountId, routeKey: c.routeKey, pathParameters: c.pathParameters, stageVariables: c.stageVariables, binary, ...(c.authorizer ? { authorizer: c.authorizer } : {}) })
      : proxyEventV1({ flavor: 'http', req, accountId: rt.backend.opts.accountId, resource: c.routeKey.slice(c.routeKey.indexOf(' ') + 1), resourceId: c.routeKey, routeKey: c.routeKey, pathParameters: c.pathParameters, stageVariables: c.stageVariables, binary, ...(c.authorizer ? { authorizer: c.authorizer } : {}) });
  let out;
  try {
    out = await invokeFunction(rt.backend, withVariables(i.integrationUri ?? '', c), JSON.stringify(event), {
      requestId: req.requestId,
      signal: req.signal,
      timeoutMs: i.timeoutInMillis,
      ...(req.traceHeader !== undefined ? { traceHeader: req.traceHeader } : {}),
    });
  } catch (err) {
    if (!(err instanceof FunctionCallFailed)) throw err;
    if (err.reason === 'timeout') throw new GatewayFailure('INTEGRATION_TIMEOUT', 'Service Unavailable', {}, err.message, 503);
    if (err.reason === 'throttled') throw new GatewayFailure('THROTTLED', 'Too Many Requests', {}, err.message, 429);
    throw new GatewayFailure('INTEGRATION_FAILURE', 'Internal Server Error', {}, err.message, 500);
  }
  if (out.functionError !== undefined) throw new GatewayFailure('INTEGRATION_FAILURE', 'Internal Server Error', {}, `function error: ${out.payload}`, 500);
  const res = i.payloadFormatVersion === '2.0' ? parseProxyResponseV2(out.payload) : parseProxyResponseV1(out.payload);
  if (!res) throw new GatewayFailure('INTEGRATION_FAILURE', 'Internal Server Error', {}, 'Malformed Lambda proxy response', 500);
  return mapResponse(i.responseParameters, res, req, c);
}
