// A deployed REST API as OpenAPI 3.0 (`oas30`) or Swagger 2.0 (`swagger`), as GetExport writes
// it: paths from resources with methods, parameters from request parameters, bodies and
// responses from models, security from authorizers / IAM / API keys, and with
// `extensions=integrations|authorizers|apigateway` the `x-amazon-apigateway-*` extensions that
// let an import rebuild the same API.
import { type AuthorizerDoc, type MethodDoc, type RestApiSnapshot } from '../model.js';
import { ANY_METHOD, type Obj } from './document.js';
import { restSettingsExtensions } from './rest-extensions.js';
import { integrationExtension } from './rest-integration.js';
import { exportSchema } from './rest-models.js';

export type RestExportType = 'oas30' | 'swagger';
export type ExportExtension = 'integrations' | 'authorizers' | 'apigateway' | 'postman';

export interface RestExportInput {
  api: { id: string; name: string; description?: string; version?: string; endpointConfiguration: { vpcEndpointIds?: string[] }; disableExecuteApiEndpoint: boolean };
  snapshot: RestApiSnapshot;
  stageName: string;
  /** The deployment's time (epoch seconds): the info version when the API has none. */
  deployedAt: number;
  /** How clients reach the API, e.g. `http://abc123.execute-api.localhost:4566`. */
  origin: string;
  type: RestExportType;
  extensions: ReadonlySet<ExportExtension>;
}

/** AWS's schemes for IAM and API keys in an export. */
const SIGV4 = 'sigv4';
const API_KEY = 'api_key';

/** The info version an export carries: the API's, else the deployment's time. */
export function exportVersion(version: string | undefined, deployedAt: number): string {
  return version ?? new Date(deployedAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function exportRest(input: RestExportInput): Obj {
  const oas3 = input.type === 'oas30';
  const withIntegrations = input.extensions.has('integrations') || input.extensions.has('apigateway');
  const withAuthorizers = input.extensions.has('authorizers') || input.extensions.has('apigateway');
  const withApiGateway = input.extensions.has('apigateway');
  const s = input.snapshot;
  const modelRef = oas3 ? '#/components/schemas/' : '#/definitions/';
  const validatorNames = new Map(Object.values(s.requestValidators).map((v) => [v.id, v.name]));
  const schemes: Obj = {};

  const paths: Obj = {};
  const resources = Object.values(s.resources).sort((a, b) => a.path.localeCompare(b.path));
  for (const r of resources) {
    const methods = Object.entries(r.resourceMethods).sort(([a], [b]) => a.localeCompare(b));
    if (methods.length === 0) continue;
    const item: Obj = {};
    for (const [verb, m] of methods) {
      const op = operation(m, { oas3, modelRef });
      const security = methodSecurity(m, s.authorizers, schemes, withAuthorizers);
      if (security) op.security = security;
      if (withApiGateway && m.requestValidatorId !== undefined && validatorNames.has(m.requestValidatorId)) op['x-amazon-apigateway-request-validator'] = validatorNames.get(m.requestValidatorId);
      if (withIntegrations && m.methodIntegration) op['x-amazon-apigateway-integration'] = integrationExtension(m.methodIntegration, r.id);
      item[verb === 'ANY' ? ANY_METHOD : verb.toLowerCase()] = op;
    }
    paths[r.path] = item;
  }

  const schemas: Obj = {};
  for (const m of Object.values(s.models).sort((a, b) => a.name.localeCompare(b.name))) schemas[m.name] = exportSchema(m, modelRef);

  const info: Obj = oas3 ? { title: input.api.name } : { version: exportVersion(input.api.version, input.deployedAt), title: input.api.name };
  if (input.api.description !== undefined) info.description = input.api.description;
  if (oas3) info.version = exportVersion(input.api.version, input.deployedAt);
  const url = new URL(input.origin);
  const out: Obj = oas3
    ? { openapi: '3.0.1', info, servers: [{ url: `${url.origin}/{basePath}`, variables: { basePath: { default: input.stageName } } }], paths }
    : { swagger: '2.0', info, host: url.host, basePath: `/${input.stageName}`, schemes: [url.protocol.replace(':', '')], paths };
  if (oas3) {
    const components: Obj = {};
    if (Object.keys(schemas).length > 0) components.schemas = schemas;
    if (Object.keys(schemes).length > 0) components.securitySchemes = schemes;
    if (Object.keys(components).length > 0) out.components = components;
  } else {
    if (Object.keys(schemes).length > 0) out.securityDefinitions = schemes;
    if (Object.keys(schemas).length > 0) out.definitions = schemas;
  }
  if (withApiGateway) Object.assign(out, restSettingsExtensions(s, { ...input.api.endpointConfiguration, disableExecuteApiEndpoint: input.api.disableExecuteApiEndpoint }));
  return out;
}

interface OperationOptions {
  oas3: boolean;
  modelRef: string;
}

const LOCATIONS: Record<string, string> = { path: 'path', querystring: 'query', header: 'header' };

function operation(m: MethodDoc, o: OperationOptions): Obj {
  const op: Obj = {};
  if (m.operationName !== undefined) op.operationId = m.operationName;
  const parameters: Obj[] = [];
  for (const [key, required] of Object.entries(m.requestParameters)) {
    const match = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key);
    if (!match) continue;
    const p: Obj = { name: match[2], in: LOCATIONS[match[1]!] };
    if (required || match[1] === 'path') p.required = true;
    if (o.oas3) p.schema = { type: 'string' };
    else p.type = 'string';
    parameters.push(p);
  }
  const bodies = Object.entries(m.requestModels);
  if (!o.oas3 && bodies.length > 0) {
    op.consumes = bodies.map(([ct]) => ct);
    parameters.push({ in: 'body', name: bodies[0]![1], required: true, schema: { $ref: `${o.modelRef}${bodies[0]![1]}` } });
  }
  if (!o.oas3) {
    const produces = [...new Set(Object.values(m.methodResponses).flatMap((x) => Object.keys(x.responseModels)))];
    if (produces.length > 0) op.produces = produces;
  }
  if (parameters.length > 0) op.parameters = parameters;
  if (o.oas3 && bodies.length > 0) op.requestBody = { content: Object.fromEntries(bodies.map(([ct, model]) => [ct, { schema: { $ref: `${o.modelRef}${model}` } }])), required: true };

  const responses: Obj = {};
  for (const res of Object.values(m.methodResponses).sort((a, b) => a.statusCode.localeCompare(b.statusCode))) {
    const out: Obj = { description: `${res.statusCode} response` };
    const headers: Obj = {};
    for (const [key, required] of Object.entries(res.responseParameters)) {
      const match = /^method\.response\.header\.(.+)$/.exec(key);
      if (!match) continue;
      const h: Obj = o.oas3 ? { schema: { type: 'string' } } : { type: 'string' };
      if (required) h.required = true;
      headers[match[1]!] = h;
    }
    if (!o.oas3) {
      const model = Object.values(res.responseModels)[0];
      if (model !== undefined) out.schema = { $ref: `${o.modelRef}${model}` };
    }
    if (Object.keys(headers).length > 0) out.headers = headers;
    if (o.oas3 && Object.keys(res.responseModels).length > 0) {
      out.content = Object.fromEntries(Object.entries(res.responseModels).map(([ct, model]) => [ct, { schema: { $ref: `${o.modelRef}${model}` } }]));
    }
    responses[res.statusCode] = out;
  }
  op.responses = responses;
  return op;
}

/** The method's security requirement; the schemes it names are added to `schemes`. */
function methodSecurity(m: MethodDoc, authorizers: Record<string, AuthorizerDoc>, schemes: Obj, withAuthorizers: boolean): Obj[] | undefined {
  const requirement: Obj = {};
  if (m.authorizationType === 'AWS_IAM') {
    schemes[SIGV4] ??= { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
    requirement[SIGV4] = [];
  } else if ((m.authorizationType === 'CUSTOM' || m.authorizationType === 'COGNITO_USER_POOLS') && m.authorizerId !== undefined) {
    const a = authorizers[m.authorizerId];
    if (a) {
      schemes[a.name] ??= authorizerScheme(a, withAuthorizers);
      requirement[a.name] = m.authorizationType === 'COGNITO_USER_POOLS' ? m.authorizationScopes ?? [] : [];
    }
  }
  if (m.apiKeyRequired) {
    schemes[API_KEY] ??= { type: 'apiKey', name: 'x-api-key', in: 'header' };
    requirement[API_KEY] = [];
  }
  return Object.keys(requirement).length > 0 ? [requirement] : undefined;
}

function authorizerScheme(a: AuthorizerDoc, withExtension: boolean): Obj {
  const header = /^method\.request\.header\.([^,\s]+)$/.exec(a.identitySource ?? '');
  const scheme: Obj = { type: 'apiKey', name: header ? header[1] : 'Unused', in: 'header' };
  scheme['x-amazon-apigateway-authtype'] = a.authType ?? (a.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom');
  if (!withExtension) return scheme;
  const ext: Obj = { type: a.type.toLowerCase() };
  if (a.authorizerUri !== undefined) ext.authorizerUri = a.authorizerUri;
  if (a.authorizerCredentials !== undefined) ext.authorizerCredentials = a.authorizerCredentials;
  if (a.providerARNs !== undefined) ext.providerARNs = a.providerARNs;
  if (a.identitySource !== undefined) ext.identitySource = a.identitySource;
  if (a.identityValidationExpression !== undefined) ext.identityValidationExpression = a.identityValidationExpression;
  if (a.type !== 'COGNITO_USER_POOLS') ext.authorizerResultTtlInSeconds = a.authorizerResultTtlInSeconds;
  scheme['x-amazon-apigateway-authorizer'] = ext;
  return scheme;
}
