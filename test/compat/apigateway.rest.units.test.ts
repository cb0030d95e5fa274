// REST API (v1) data plane pieces without a gateway: resource matching precedence and canary
// routing with an injected random source (a fake runtime serving one deployment per id).
import { describe, expect, it } from 'vitest';
import { type ApigwBackend } from '../../nodes/gateway/apigw/backend.js';
import { type IntegrationDoc, type MethodDoc, type ResourceDoc, type RestApiDoc, type RestApiSnapshot, type RestDeploymentDoc, type StageDoc } from '../../nodes/gateway/apigw/model.js';
import { serveRestApi } from '../../nodes/gateway/apigw/data/rest/pipeline.js';
import { RestRouter } from '../../nodes/gateway/apigw/data/rest/router.js';
import { type ApiRequest, type DataRuntime } from '../../nodes/gateway/apigw/data/types.js';

const mock = (template: string): IntegrationDoc => ({
  type: 'MOCK',
  requestParameters: {},
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  passthroughBehavior: 'WHEN_NO_MATCH',
  timeoutInMillis: 29_000,
  cacheNamespace: 'x',
  cacheKeyParameters: [],
  integrationResponses: { '200': { statusCode: '200', responseParameters: {}, responseTemplates: { 'application/json': template } } },
});

const method = (httpMethod: string, template: string): MethodDoc => ({
  httpMethod,
  authorizationType: 'NONE',
  apiKeyRequired: false,
  requestParameters: {},
  requestModels: {},
  methodResponses: {},
  methodIntegration: mock(template),
});

/** Resources from `path → methods`; parents are the path's prefixes (all listed). */
function snapshot(paths: Record<string, string[]>): RestApiSnapshot {
  const resources: Record<string, ResourceDoc> = {};
  const ids = new Map<string, string>();
  for (const path of Object.keys(paths)) ids.set(path, `r${ids.size}`);
  for (const [path, methods] of Object.entries(paths)) {
    const parent = path === '/' ? undefined : path.slice(0, path.lastIndexOf('/')) || '/';
    const id = ids.get(path)!;
    resources[id] = {
      id,
      ...(parent !== undefined ? { parentId: ids.get(parent)!, pathPart: path.slice(path.lastIndexOf('/') + 1) } : {}),
      path,
      resourceMethods: Object.fromEntries(methods.map((m) => [m, method(m, `{"resource": "${path}", "v": "$stageVariables.v", "deployment": "$context.deploymentId"}`)])),
    };
  }
  return { resources, models: {}, requestValidators: {}, authorizers: {}, gatewayResponses: {}, binaryMediaTypes: [], apiKeySource: 'HEADER' };
}

describe('REST resource matching', () => {
  const router = new RestRouter(snapshot({ '/': ['GET'], '/pets': ['GET'], '/pets/mine': ['GET'], '/pets/{id}': ['GET', 'ANY'], '/pets/{id}/toys': ['GET'], '/{proxy+}': ['ANY'] }));
  const at = (m: string, p: string) => {
    const r = router.match(m, p);
    return r ? [r.resource.path, r.method.httpMethod, r.pathParameters] : undefined;
  };

  it('prefers literals over parameters over greedy paths, falls back to ANY, and decodes parameters', () => {
    expect(at('GET', '/pets/mine')).toEqual(['/pets/mine', 'GET', {}]);
    expect(at('GET', '/pets/7')).toEqual(['/pets/{id}', 'GET', { id: '7' }]);
    expect(at('DELETE', '/pets/7')).toEqual(['/pets/{id}', 'ANY', { id: '7' }]);
    expect(at('GET', '/pets/a%20b/toys')).toEqual(['/pets/{id}/toys', 'GET', { id: 'a b' }]);
    // No literal or parameter child fits the rest: the greedy resource takes the whole path.
    expect(at('GET', '/pets/7/food/bowl')).toEqual(['/{proxy+}', 'ANY', { proxy: 'pets/7/food/bowl' }]);
    expect(at('GET', '/')).toEqual(['/', 'GET', {}]);
    expect(at('POST', '/')).toBeUndefined();
  });
});

describe('REST canary routing', () => {
  const apiId = 'canaryunit';
  const docs: Record<string, RestDeploymentDoc> = {
    [`${apiId}.stable`]: { kind: 'rest', apiId, id: 'stable', createdDate: 0, snapshot: snapshot({ '/': ['GET'] }) },
    [`${apiId}.next`]: { kind: 'rest', apiId, id: 'next', createdDate: 0, snapshot: snapshot({ '/': ['GET'] }) },
  };
  const backend = { opts: { accountId: '000000000000', region: 'us-east-1' }, store: { get: async (_kind: string, name: string) => docs[name] } } as unknown as ApigwBackend;
  const rt: DataRuntime = {
    backend,
    authenticate: undefined,
    authorizers: { authorize: async () => ({ ok: true, context: {} }) },
    admission: { admit: async () => ({ ok: true }) },
    cache: { get: () => undefined, put: () => undefined },
    hooks: {
      viewerRequest: async (_h, _r, req) => ({ req }),
      originRequest: async (_h, _r, req) => ({ req }),
      viewerResponse: async (_h, _r, _q, res) => res,
      originResponse: async (_h, _r, _q, res) => res,
    },
    observer: { record: () => undefined, sent: () => undefined },
  };
  const stage: StageDoc = {
    stageName: 'prod',
    deploymentId: 'stable',
    cacheClusterEnabled: false,
    cacheClusterStatus: 'NOT_AVAILABLE',
    methodSettings: {},
    variables: { v: 'stable' },
    canarySettings: { deploymentId: 'next', percentTraffic: 25, stageVariableOverrides: { v: 'canary' }, useStageCache: false },
    tracingEnabled: false,
    tags: {},
    createdDate: 0,
    lastUpdatedDate: 0,
    cacheGeneration: 0,
    authorizersCacheGeneration: 0,
    edgeHooks: [],
  };
  const api = { kind: 'rest', id: apiId, name: 'canary', stages: { prod: stage } } as unknown as RestApiDoc;
  const req = (): ApiRequest => ({
    requestId: 'r',
    extendedRequestId: 'e',
    apiId,
    stage: 'prod',
    method: 'GET',
    path: '/',
    rawPath: '/',
    rawQuery: '',
    headers: {},
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    userAgent: '',
    domainName: 'localhost',
    domainPrefix: 'localhost',
    receivedAt: 0,
    protocol: 'HTTP/1.1',
    signal: new AbortController().signal,
    signed: { method: 'GET', rawPath: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
  });

  it('serves percentTraffic of requests from the canary deployment with its variable overrides', async () => {
    const draws = [0.1, 0.249, 0.25, 0.9];
    const seen: unknown[] = [];
    for (const d of draws) {
      const out = await serveRestApi(rt, api, stage, req(), { random: () => d });
      seen.push([JSON.parse(out.res.body.toString()), out.context.isCanaryRequest]);
    }
    expect(seen).toEqual([
      [{ resource: '/', v: 'canary', deployment: 'next' }, true],
      [{ resource: '/', v: 'canary', deployment: 'next' }, true],
      [{ resource: '/', v: 'stable', deployment: 'stable' }, false],
      [{ resource: '/', v: 'stable', deployment: 'stable' }, false],
    ]);
  });
});
