// Applying an imported HTTP API definition: a new API (ImportApi) or an existing one replaced
// by the definition (ReimportApi: routes, integrations, authorizers and CORS become the
// definition's; routes and authorizers keep their ids by route key and name; stages stay).
import { type ApiV2Doc, type ApiV2Snapshot, type AuthorizerV2Doc, type IntegrationV2Doc, type RouteDoc } from '../model.js';
import { type HttpApiDefinition } from './import-v2.js';

/** AWS's expressions for HTTP APIs. */
export const HTTP_ROUTE_SELECTION = '$request.method $request.path';
export const API_KEY_SELECTION = '$request.header.x-api-key';

export function emptyHttpApi(apiId: string, name: string, now: number): ApiV2Doc {
  return {
    kind: 'v2',
    apiId,
    name,
    protocolType: 'HTTP',
    createdDate: now,
    disableExecuteApiEndpoint: false,
    tags: {},
    stages: {},
    deploymentIds: [],
    routes: {},
    integrations: {},
    authorizers: {},
    models: {},
    routeSelectionExpression: HTTP_ROUTE_SELECTION,
    apiKeySelectionExpression: API_KEY_SELECTION,
  };
}

/** Replaces the API's definition with `def` (a private copy the caller stores). */
export function applyHttpDefinition(api: ApiV2Doc, def: HttpApiDefinition, id: () => string): ApiV2Doc {
  const authorizers: Record<string, AuthorizerV2Doc> = {};
  const oldAuthorizers = new Map(Object.values(api.authorizers).map((a) => [a.name, a.authorizerId]));
  const authorizerIds = new Map<string, string>();
  for (const a of Object.values(def.authorizers)) {
    const authorizerId = oldAuthorizers.get(a.name) ?? id();
    authorizers[authorizerId] = { ...structuredClone(a), authorizerId };
    authorizerIds.set(a.name, authorizerId);
  }
  const integrations: Record<string, IntegrationV2Doc> = {};
  const integrationIds = new Map<string, string>();
  for (const [key, i] of Object.entries(def.integrations)) {
    const integrationId = id();
    integrations[integrationId] = { ...structuredClone(i), integrationId };
    integrationIds.set(key, integrationId);
  }
  const oldRoutes = new Map(Object.values(api.routes).map((r) => [r.routeKey, r.routeId]));
  const routes: Record<string, RouteDoc> = {};
  for (const r of def.routes) {
    const routeId = oldRoutes.get(r.routeKey) ?? id();
    const route: RouteDoc = { routeId, routeKey: r.routeKey, authorizationType: r.authorizationType, apiKeyRequired: false, requestModels: {}, requestParameters: {}, routeResponses: {} };
    const integrationId = r.integration === undefined ? undefined : integrationIds.get(r.integration);
    if (integrationId !== undefined) route.target = `integrations/${integrationId}`;
    const authorizerId = r.authorizer === undefined ? undefined : authorizerIds.get(r.authorizer);
    if (authorizerId !== undefined) route.authorizerId = authorizerId;
    if (r.authorizationScopes !== undefined) route.authorizationScopes = [...r.authorizationScopes];
    if (r.operationName !== undefined) route.operationName = r.operationName;
    routes[routeId] = route;
  }
  api.routes = routes;
  api.integrations = integrations;
  api.authorizers = authorizers;
  if (def.title !== undefined) api.name = def.title;
  if (def.description !== undefined) api.description = def.description;
  else delete api.description;
  if (def.version !== undefined) api.version = def.version;
  else delete api.version;
  if (def.cors !== undefined) api.corsConfiguration = structuredClone(def.cors);
  else delete api.corsConfiguration;
  if (def.disableExecuteApiEndpoint !== undefined) api.disableExecuteApiEndpoint = def.disableExecuteApiEndpoint;
  return api;
}

/** What a v2 deployment of the API freezes. */
export function httpSnapshotOf(api: ApiV2Doc): ApiV2Snapshot {
  return structuredClone({
    routes: api.routes,
    integrations: api.integrations,
    authorizers: api.authorizers,
    models: api.models,
    routeSelectionExpression: api.routeSelectionExpression,
    apiKeySelectionExpression: api.apiKeySelectionExpression,
    ...(api.corsConfiguration !== undefined ? { corsConfiguration: api.corsConfiguration } : {}),
    ...(api.disableSchemaValidation !== undefined ? { disableSchemaValidation: api.disableSchemaValidation } : {}),
  });
}
