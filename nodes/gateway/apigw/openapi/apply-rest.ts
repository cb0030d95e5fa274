// Applying an imported definition to a REST API document: a new API (ImportRestApi), or an
// existing one (PutRestApi) in `overwrite` mode (the API becomes the definition; resources at
// the same path keep their ids) or `merge` mode (the definition's methods replace the existing
// ones of the same resource and verb; everything else is kept). Stages, deployments, tags and the
// endpoint types never change (AWS: import-to-update leaves them alone).
import { type AuthorizerDoc, type MethodDoc, type ModelDoc, type RequestValidatorDoc, type ResourceDoc, type RestApiDoc } from '../model.js';
import { type ImportedMethod, type RestDefinition } from './import-rest.js';

export type PutMode = 'overwrite' | 'merge';

/** Ids for new parts: resources (10 characters, as AWS's) and the rest (6). */
export interface IdSource {
  resource(): string;
  short(): string;
}

/** Keeps the id of a same-named part, else takes a new one. */
function byName<T extends { id: string; name: string }>(existing: Record<string, T>, incoming: Record<string, Omit<T, 'id'>>, keepOthers: boolean, id: () => string): Record<string, T> {
  const out: Record<string, T> = {};
  const known = new Map(Object.values(existing).map((x) => [x.name, x]));
  if (keepOthers) for (const x of Object.values(existing)) if (incoming[x.name] === undefined) out[x.id] = x;
  for (const x of Object.values(incoming)) {
    const kept = known.get(x.name)?.id ?? id();
    out[kept] = { ...x, id: kept } as T;
  }
  return out;
}

/** Applies `def` to `api` (a private copy the caller stores). */
export function applyRestDefinition(api: RestApiDoc, def: RestDefinition, mode: PutMode, ids: IdSource): RestApiDoc {
  const merge = mode === 'merge';
  api.authorizers = byName<AuthorizerDoc>(api.authorizers, def.authorizers, merge, ids.short);
  api.requestValidators = byName<RequestValidatorDoc>(api.requestValidators, def.requestValidators, merge, ids.short);
  api.models = byName<ModelDoc>(api.models, def.models, merge, ids.short);
  const authorizerIds = new Map(Object.values(api.authorizers).map((a) => [a.name, a.id]));
  const validatorIds = new Map(Object.values(api.requestValidators).map((v) => [v.name, v.id]));

  const byPath = new Map(Object.values(api.resources).map((r) => [r.path, r]));
  const resources: Record<string, ResourceDoc> = {};
  if (merge) for (const r of Object.values(api.resources)) resources[r.id] = r;
  // Parents before children: paths sorted by depth.
  const paths = Object.keys(def.resources).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  const idOfPath = new Map<string, string>();
  for (const path of paths) {
    const incoming = def.resources[path]!;
    const old = byPath.get(path);
    const id = path === '/' ? api.rootResourceId : old?.id ?? ids.resource();
    idOfPath.set(path, id);
    const methods: Record<string, MethodDoc> = merge && old ? { ...old.resourceMethods } : {};
    for (const [verb, m] of Object.entries(incoming.methods)) methods[verb] = toMethod(m, id, authorizerIds, validatorIds);
    const r: ResourceDoc = { id, path, resourceMethods: methods };
    if (path !== '/') {
      const parentPath = path.slice(0, path.lastIndexOf('/')) || '/';
      r.parentId = idOfPath.get(parentPath) ?? byPath.get(parentPath)?.id ?? api.rootResourceId;
      r.pathPart = path.slice(path.lastIndexOf('/') + 1);
    }
    resources[id] = r;
  }
  api.resources = resources;

  api.gatewayResponses = merge ? { ...api.gatewayResponses, ...def.gatewayResponses } : { ...def.gatewayResponses };
  api.binaryMediaTypes = merge ? [...new Set([...api.binaryMediaTypes, ...(def.binaryMediaTypes ?? [])])] : [...(def.binaryMediaTypes ?? [])];
  if (def.title !== undefined) api.name = def.title;
  // Overwriting drops what the definition does not say; merging keeps it.
  const setting = <K extends 'description' | 'version' | 'policy' | 'minimumCompressionSize'>(key: K, value: RestApiDoc[K] | undefined): void => {
    if (value !== undefined) api[key] = value;
    else if (!merge) delete api[key];
  };
  setting('description', def.description);
  setting('version', def.version);
  setting('policy', def.policy);
  setting('minimumCompressionSize', def.minimumCompressionSize);
  api.apiKeySource = def.apiKeySource ?? (merge ? api.apiKeySource : 'HEADER');
  if (def.disableExecuteApiEndpoint !== undefined) api.disableExecuteApiEndpoint = def.disableExecuteApiEndpoint;
  return api;
}

const depth = (path: string): number => (path === '/' ? 0 : path.split('/').length - 1);

function toMethod(m: ImportedMethod, resourceId: string, authorizers: Map<string, string>, validators: Map<string, string>): MethodDoc {
  const { authorizer, validator, methodIntegration, ...rest } = m;
  const out: MethodDoc = structuredClone(rest);
  const authorizerId = authorizer === undefined ? undefined : authorizers.get(authorizer);
  if (authorizerId !== undefined) out.authorizerId = authorizerId;
  const validatorId = validator === undefined ? undefined : validators.get(validator);
  if (validatorId !== undefined) out.requestValidatorId = validatorId;
  if (methodIntegration) out.methodIntegration = { ...structuredClone(methodIntegration), cacheNamespace: methodIntegration.cacheNamespace ?? resourceId };
  return out;
}

/** A REST API document for ImportRestApi before the definition is applied. */
export function emptyRestApi(id: string, rootResourceId: string, name: string, now: number, endpointTypes: string[]): RestApiDoc {
  return {
    kind: 'rest',
    id,
    name,
    createdDate: now,
    rootResourceId,
    resources: { [rootResourceId]: { id: rootResourceId, path: '/', resourceMethods: {} } },
    models: {},
    requestValidators: {},
    authorizers: {},
    gatewayResponses: {},
    binaryMediaTypes: [],
    apiKeySource: 'HEADER',
    endpointConfiguration: { types: endpointTypes },
    disableExecuteApiEndpoint: false,
    tags: {},
    stages: {},
    deploymentIds: [],
  };
}
