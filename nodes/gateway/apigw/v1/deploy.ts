// Deployments freeze what a REST API serves; stages point at one. Shared by CreateDeployment,
// CreateStage and UpdateStage.
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';
import { type MethodSettingDoc, type RestApiDoc, type RestApiSnapshot, type RestDeploymentDoc, type StageDoc, asDeploymentDoc, deploymentDocName } from '../model.js';
import { newId } from '../store.js';
import { deploymentNotFound, nowSeconds } from './lookup.js';

export function snapshotOf(api: RestApiDoc): RestApiSnapshot {
  return structuredClone({
    resources: api.resources,
    models: api.models,
    requestValidators: api.requestValidators,
    authorizers: api.authorizers,
    gatewayResponses: api.gatewayResponses,
    binaryMediaTypes: api.binaryMediaTypes,
    apiKeySource: api.apiKeySource,
    ...(api.minimumCompressionSize !== undefined ? { minimumCompressionSize: api.minimumCompressionSize } : {}),
    ...(api.policy !== undefined ? { policy: api.policy } : {}),
  });
}

/** Writes a deployment document for the API as it is now (not yet listed in the API's document). */
export async function writeDeployment(backend: ApigwBackend, api: RestApiDoc, description: string | undefined): Promise<RestDeploymentDoc> {
  const hasMethods = Object.values(api.resources).some((r) => Object.keys(r.resourceMethods).length > 0);
  if (!hasMethods) throw new AwsError('ApigwBadRequestException', "The REST API doesn't contain any methods");
  // AWS refuses to deploy a method that would have nothing to call.
  const bare = Object.values(api.resources).some((r) => Object.values(r.resourceMethods).some((m) => !m.methodIntegration));
  if (bare) throw new AwsError('ApigwBadRequestException', 'No integration defined for method');
  const doc: RestDeploymentDoc = { kind: 'rest', apiId: api.id, id: newId(), ...(description !== undefined ? { description } : {}), createdDate: nowSeconds(), snapshot: snapshotOf(api) };
  await backend.store.create('apideploy', deploymentDocName(api.id, doc.id), doc);
  return doc;
}

export async function readDeployment(backend: ApigwBackend, apiId: string, id: string): Promise<RestDeploymentDoc> {
  const d = await backend.store.get('apideploy', deploymentDocName(apiId, id), asDeploymentDoc, 0);
  if (!d || d.kind !== 'rest') throw deploymentNotFound();
  return d;
}

/** AWS's stage names: letters, digits, hyphens and underscores, up to 128. */
export const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** AWS's defaults for a method setting nobody set. */
export function defaultMethodSetting(): MethodSettingDoc {
  return {
    metricsEnabled: false,
    loggingLevel: 'OFF',
    dataTraceEnabled: false,
    throttlingBurstLimit: 5000,
    throttlingRateLimit: 10000,
    cachingEnabled: false,
    cacheTtlInSeconds: 300,
    cacheDataEncrypted: false,
    requireAuthorizationForCacheControl: true,
    unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
  };
}

export function newStage(name: string, deploymentId: string, more: Partial<StageDoc>): StageDoc {
  if (!STAGE_NAME.test(name)) throw new AwsError('ApigwBadRequestException', 'Stage name only allows a-zA-Z0-9_');
  const now = nowSeconds();
  return {
    stageName: name,
    deploymentId,
    cacheClusterEnabled: false,
    cacheClusterStatus: 'NOT_AVAILABLE',
    methodSettings: {},
    variables: {},
    tracingEnabled: false,
    tags: {},
    createdDate: now,
    lastUpdatedDate: now,
    cacheGeneration: 0,
    authorizersCacheGeneration: 0,
    edgeHooks: [],
    ...more,
  };
}
