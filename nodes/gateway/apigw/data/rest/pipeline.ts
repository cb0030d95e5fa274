// One request to a REST API stage, in AWS's order: the deployment it serves (the canary's for its
// share of requests), viewer-request hook, resource and method, authorization, admission
// (throttles, API key, quota), request validation, the stage cache, origin hooks, the
// integration and its response mapping, viewer-response hook; every failure as the API's
// gateway response.
import { type RestApiDoc, type StageDoc } from '../../model.js';
import { queryValues } from '../events/proxy-v1.js';
import { defaultGatewayResponse, renderGatewayResponse } from '../gateway-responses.js';
import { type ApiRequest, type ApiResponse, type DataRuntime, GatewayFailure, type Limit } from '../types.js';
import { cacheKeyOf, cachingEnabled, invalidationOf, methodSettingsFor } from './cache-rules.js';
import { restContext } from './context.js';
import { loadRestDeployment } from './deployments.js';
import { runIntegration } from './integrate.js';
import { lastValues } from './mapping.js';
import { ValidationFailure, validateRequest } from './validate.js';

export interface RestOutcome {
  res: ApiResponse;
  /** The matched resource path ('' when none matched). */
  resource: string;
  integrationLatencyMs?: number;
  cache?: 'hit' | 'miss';
  /** `$context` as the access log sees it. */
  context: Record<string, unknown>;
  /** Why the request failed, for the log, when it did. */
  detail?: string;
}

export interface RestOptions {
  /** Picks canary requests (`< percentTraffic / 100`); injectable for tests. */
  random?: () => number;
}

const limitOf = (s: { throttlingRateLimit: number; throttlingBurstLimit: number } | undefined): Limit | undefined =>
  s === undefined ? undefined : { rateLimit: s.throttlingRateLimit, burstLimit: s.throttlingBurstLimit };

export async function serveRestApi(rt: DataRuntime, api: RestApiDoc, stage: StageDoc, req: ApiRequest, o: RestOptions = {}): Promise<RestOutcome> {
  const random = o.random ?? Math.random;
  const c = stage.canarySettings;
  const canary = c?.deploymentId !== undefined && random() * 100 < c.percentTraffic ? c : undefined;
  const deploymentId = canary?.deploymentId ?? stage.deploymentId;
  const stageVariables = canary ? { ...stage.variables, ...canary.stageVariableOverrides } : stage.variables;
  const context = restContext(rt, api, req, deploymentId, canary !== undefined);
  const loaded = await loadRestDeployment(rt.backend, api.id, deploymentId);
  let resource = '';
  let pathParameters: Record<string, string> = {};
  const fail = (f: GatewayFailure): RestOutcome => ({
    res: renderGatewayResponse(loaded?.doc.snapshot.gatewayResponses ?? {}, {
      type: f.type,
      message: f.message,
      headers: f.headers,
      context,
      stageVariables,
      request: { path: pathParameters, querystring: lastValues(queryValues(req.rawQuery)), header: lastValues(req.headers) },
      ...(f.status !== undefined ? { status: f.status } : {}),
      ...(f instanceof ValidationFailure ? { validationErrorString: f.validationErrorString } : {}),
    }),
    resource,
    context: { ...context, error: { message: f.message === f.type ? defaultGatewayResponse(f.type).message : f.message, responseType: f.type } },
    ...(f.detail !== undefined ? { detail: f.detail } : {}),
  });
  try {
    if (!loaded) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, `Deployment ${deploymentId} could not be read`);
    const snapshot = loaded.doc.snapshot;
    const hooks = stage.edgeHooks;
    let request = req;
    // Viewer hooks see every request, before routing (CloudFront's order); they may rewrite the path.
    const preMatch = loaded.router.match(request.method, request.rawPath);
    const hookRoute = (m: typeof preMatch): string => (m ? `${m.resource.path} ${m.method.httpMethod}` : '');
    if (hooks.length > 0) {
      const v = await rt.hooks.viewerRequest(hooks, hookRoute(preMatch), request);
      if ('res' in v) return { res: v.res, resource, context };
      request = v.req;
    }
    const match = request === req ? preMatch : loaded.router.match(request.method, request.rawPath);
    // AWS's REST answer for a path or method no resource has: 403 Missing Authentication Token.
    if (!match) throw new GatewayFailure('MISSING_AUTHENTICATION_TOKEN');
    resource = match.resource.path;
    pathParameters = match.pathParameters;
    context.resourceId = match.resource.id;
    context.resourcePath = match.resource.path;
    const routeName = hookRoute(match);

    const methodArn = `arn:aws:execute-api:${rt.backend.opts.region}:${rt.backend.opts.accountId}:${api.id}/${req.stage}/${request.method}${request.path}`;
    let authorizerOut: Record<string, unknown> | undefined;
    let usageKey: string | undefined;
    let iamAuthorized = false;
    const identity: { apiKey?: string; apiKeyId?: string; accountId?: string; caller?: string; userArn?: string; accessKey?: string } = {};
    if (match.method.authorizationType !== 'NONE' || snapshot.policy !== undefined) {
      const authorizer = match.method.authorizerId !== undefined ? snapshot.authorizers[match.method.authorizerId] : undefined;
      const auth = await rt.authorizers.authorize({
        flavor: 'rest',
        authorizationType: match.method.authorizationType,
        ...(authorizer ? { authorizer } : {}),
        ...(match.method.authorizationScopes ? { scopes: match.method.authorizationScopes } : {}),
        req: request,
        methodArn,
        resourcePath: match.resource.path,
        pathParameters: match.pathParameters,
        stageVariables,
        ...(snapshot.policy !== undefined ? { resourcePolicy: snapshot.policy } : {}),
      });
      if (!auth.ok) throw new GatewayFailure(auth.type, auth.message, auth.headers ?? {});
      if (match.method.authorizationType !== 'NONE' && match.method.authorizationType !== 'AWS_IAM') {
        authorizerOut = { ...(auth.principalId !== undefined ? { principalId: auth.principalId } : {}), ...auth.context, ...(auth.claims ? { claims: auth.claims } : {}) };
        context.authorizer = authorizerOut;
      }
      usageKey = auth.usageIdentifierKey;
      if (auth.iam) {
        iamAuthorized = true;
        Object.assign(identity, { accountId: auth.iam.accountId, caller: auth.iam.caller, userArn: auth.iam.userArn, accessKey: auth.iam.accessKeyId });
      }
    }

    const settings = methodSettingsFor(stage, match.resource.path, match.method.httpMethod);
    const apiKey = snapshot.apiKeySource === 'AUTHORIZER' ? usageKey : request.headers['x-api-key']?.[0];
    const stageLimit = limitOf(settings.stageWide);
    const methodLimit = limitOf(settings.own);
    const admitted = await rt.admission.admit({
      apiId: api.id,
      stage: req.stage,
      resourcePath: match.resource.path,
      httpMethod: match.method.httpMethod,
      ...(stageLimit ? { stageLimit } : {}),
      ...(methodLimit ? { methodLimit } : {}),
      apiKeyRequired: match.method.apiKeyRequired,
      ...(apiKey !== undefined ? { apiKey } : {}),
    });
    if (!admitted.ok) throw new GatewayFailure(admitted.type, admitted.message);
    if (match.method.apiKeyRequired && apiKey !== undefined) {
      identity.apiKey = apiKey;
      if (admitted.apiKeyId !== undefined) identity.apiKeyId = admitted.apiKeyId;
    }
    context.identity = { ...(context.identity as Record<string, unknown>), ...identity };

    validateRequest(snapshot, `${api.id}.${deploymentId}`, match.method, request, match.pathParameters);
    const integration = match.method.methodIntegration;
    if (!integration) throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, 'Execution failed due to configuration error: No integration defined for method');

    const cacheSettings = cachingEnabled(stage, settings, match.method.httpMethod);
    // A canary that does not share the stage cache keeps its own entries.
    const namespace = `${integration.cacheNamespace}${canary && !canary.useStageCache ? `#canary:${deploymentId}` : ''}`;
    const cacheKey = cacheSettings ? cacheKeyOf(api.id, stage, namespace, match.resource.path, request, match.pathParameters, integration.cacheKeyParameters) : undefined;
    let warning: string | undefined;
    if (cacheKey !== undefined && cacheSettings) {
      const inv = await invalidationOf(rt, cacheSettings, request, iamAuthorized);
      warning = inv.warning;
      const hit = inv.invalidate ? undefined : rt.cache.get(cacheKey);
      if (hit) return { res: withWarning(hit, warning), resource, cache: 'hit', context };
    }

    if (hooks.length > 0) {
      const v = await rt.hooks.originRequest(hooks, routeName, request);
      if ('res' in v) return { res: v.res, resource, context };
      request = v.req;
    }
    const started = performance.now();
    let res = await runIntegration({
      rt,
      req: request,
      method: match.method,
      integration,
      resourcePath: match.resource.path,
      resourceId: match.resource.id,
      pathParameters: match.pathParameters,
      stageVariables,
      context,
      binaryMediaTypes: snapshot.binaryMediaTypes,
      ...(authorizerOut ? { authorizer: authorizerOut } : {}),
      identity,
    });
    const integrationLatencyMs = performance.now() - started;
    context.integrationLatency = Math.round(integrationLatencyMs);
    context.integrationStatus = res.status;
    if (hooks.length > 0) res = await rt.hooks.originResponse(hooks, routeName, request, res);
    if (cacheKey !== undefined && res.status < 400) rt.cache.put(cacheKey, res, cacheSettings?.cacheTtlInSeconds ?? 300);
    if (hooks.length > 0) res = await rt.hooks.viewerResponse(hooks, routeName, request, res);
    return { res: withWarning(res, warning), resource, integrationLatencyMs, context, ...(cacheKey !== undefined ? { cache: 'miss' as const } : {}) };
  } catch (err) {
    if (err instanceof GatewayFailure) return fail(err);
    throw err;
  }
}

function withWarning(res: ApiResponse, warning: string | undefined): ApiResponse {
  return warning === undefined ? res : { ...res, headers: { ...res.headers, warning: [warning] } };
}
