// Stored documents as v1 outputs (absent optional members stay absent, as AWS omits them).
import { type IntegrationDoc, type MethodDoc, type ResourceDoc, type RestApiDoc, type StageDoc } from '../model.js';

export function restApiView(api: RestApiDoc): Record<string, unknown> {
  return {
    id: api.id,
    name: api.name,
    description: api.description,
    createdDate: api.createdDate,
    version: api.version,
    binaryMediaTypes: api.binaryMediaTypes.length > 0 ? api.binaryMediaTypes : undefined,
    minimumCompressionSize: api.minimumCompressionSize,
    apiKeySource: api.apiKeySource,
    endpointConfiguration: api.endpointConfiguration,
    policy: api.policy,
    tags: Object.keys(api.tags).length > 0 ? api.tags : undefined,
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    rootResourceId: api.rootResourceId,
  };
}

const nonEmpty = <T extends object>(o: T): T | undefined => (Object.keys(o).length > 0 ? o : undefined);

/** AWS leaves out an integration's empty parameter, template and response maps. */
export function integrationView(i: IntegrationDoc): Record<string, unknown> {
  return {
    ...i,
    requestParameters: nonEmpty(i.requestParameters),
    requestTemplates: nonEmpty(i.requestTemplates),
    integrationResponses: nonEmpty(i.integrationResponses),
  };
}

export function methodView(m: MethodDoc): Record<string, unknown> {
  return {
    ...m,
    methodIntegration: m.methodIntegration ? integrationView(m.methodIntegration) : undefined,
    requestParameters: Object.keys(m.requestParameters).length > 0 ? m.requestParameters : undefined,
    requestModels: Object.keys(m.requestModels).length > 0 ? m.requestModels : undefined,
    methodResponses: Object.keys(m.methodResponses).length > 0 ? m.methodResponses : undefined,
  };
}

export function resourceView(r: ResourceDoc, embedMethods: boolean): Record<string, unknown> {
  const methods = Object.entries(r.resourceMethods);
  return {
    id: r.id,
    parentId: r.parentId,
    pathPart: r.pathPart,
    path: r.path,
    // Without embed=methods AWS lists each method's name with an empty body.
    resourceMethods: methods.length === 0 ? undefined : Object.fromEntries(methods.map(([k, m]) => [k, embedMethods ? methodView(m) : {}])),
  };
}

export function stageView(s: StageDoc): Record<string, unknown> {
  const { cacheGeneration: _c, authorizersCacheGeneration: _a, edgeHooks: _e, ...rest } = s;
  return { ...rest, tags: Object.keys(s.tags).length > 0 ? s.tags : undefined };
}
