// An HTTP API as OpenAPI 3.0, as ExportApi writes it: one operation per route (the `$default`
// route as `/$default` with `isDefaultRoute`), JWT / Lambda / IAM security schemes, and with
// includeExtensions the integrations, authorizers, CORS and the import-export version that let
// ImportApi rebuild the same API.
import { type ApiV2Snapshot, type AuthorizerV2Doc, type IntegrationV2Doc } from '../model.js';
import { ANY_METHOD, type Obj } from './document.js';
import { exportVersion } from './export-rest.js';
import { HTTP_API_TIMEOUT_MS } from './import-v2.js';

export interface HttpExportInput {
  api: { apiId: string; name: string; description?: string; version?: string; disableExecuteApiEndpoint: boolean };
  snapshot: ApiV2Snapshot;
  /** The exported stage, if any (`$default` serves without a base path). */
  stageName?: string;
  /** Time of what is exported (epoch seconds): the info version when the API has none. */
  at: number;
  /** The API's endpoint, e.g. `http://abc123.execute-api.localhost:4566`. */
  endpoint: string;
  includeExtensions: boolean;
}

export function exportHttp(input: HttpExportInput): Obj {
  const s = input.snapshot;
  const ext = input.includeExtensions;
  const schemes: Obj = {};
  const paths: Obj = {};
  const routes = Object.values(s.routes).sort((a, b) => a.routeKey.localeCompare(b.routeKey));
  for (const r of routes) {
    const isDefault = r.routeKey === '$default';
    const space = r.routeKey.indexOf(' ');
    const method = isDefault ? 'ANY' : r.routeKey.slice(0, space);
    const path = isDefault ? '/$default' : r.routeKey.slice(space + 1);
    const op: Obj = {};
    if (r.operationName !== undefined) op.operationId = r.operationName;
    const params = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => ({ name: m[1], in: 'path', description: `Generated path parameter for ${m[1]}`, required: true, schema: { type: 'string' } }));
    if (params.length > 0) op.parameters = params;
    op.responses = { default: { description: `Default response for ${r.routeKey}` } };
    const security = routeSecurity(r.authorizationType, r.authorizerId, r.authorizationScopes, s.authorizers, schemes, ext);
    if (security) op.security = security;
    const integrationId = r.target?.startsWith('integrations/') ? r.target.slice('integrations/'.length) : undefined;
    const integration = integrationId === undefined ? undefined : s.integrations[integrationId];
    if (ext && integration) op['x-amazon-apigateway-integration'] = integrationExtension(integration);
    if (isDefault) op.isDefaultRoute = true;
    const item = (paths[path] ??= {}) as Obj;
    item[method === 'ANY' ? ANY_METHOD : method.toLowerCase()] = op;
  }
  const info: Obj = { title: input.api.name };
  if (input.api.description !== undefined) info.description = input.api.description;
  info.version = exportVersion(input.api.version, input.at);
  const stage = input.stageName === undefined || input.stageName === '$default' ? '' : input.stageName;
  const out: Obj = { openapi: '3.0.1', info, servers: [{ url: `${input.endpoint}/{basePath}`, variables: { basePath: { default: stage } } }], paths };
  if (Object.keys(schemes).length > 0) out.components = { securitySchemes: schemes };
  if (ext) {
    if (s.corsConfiguration !== undefined && Object.keys(s.corsConfiguration).length > 0) out['x-amazon-apigateway-cors'] = s.corsConfiguration;
    if (input.api.disableExecuteApiEndpoint) out['x-amazon-apigateway-endpoint-configuration'] = { disableExecuteApiEndpoint: true };
    out['x-amazon-apigateway-importexport-version'] = '1.0';
  }
  return out;
}

function routeSecurity(type: string, authorizerId: string | undefined, scopes: string[] | undefined, authorizers: Record<string, AuthorizerV2Doc>, schemes: Obj, ext: boolean): Obj[] | undefined {
  if (type === 'AWS_IAM') {
    schemes.sigv4 ??= { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
    return [{ sigv4: [] }];
  }
  const a = authorizerId === undefined ? undefined : authorizers[authorizerId];
  if (!a || (type !== 'JWT' && type !== 'CUSTOM')) return undefined;
  schemes[a.name] ??= authorizerScheme(a, ext);
  return [{ [a.name]: type === 'JWT' ? scopes ?? [] : [] }];
}

function authorizerScheme(a: AuthorizerV2Doc, ext: boolean): Obj {
  const scheme: Obj = a.authorizerType === 'JWT' ? { type: 'oauth2', flows: {} } : { type: 'apiKey', name: 'Unused', in: 'header' };
  if (!ext) return scheme;
  const authorizer: Obj = { type: a.authorizerType.toLowerCase(), identitySource: a.identitySource.join(', ') };
  if (a.authorizerType === 'JWT') authorizer.jwtConfiguration = a.jwtConfiguration;
  else {
    if (a.authorizerUri !== undefined) authorizer.authorizerUri = a.authorizerUri;
    if (a.authorizerCredentialsArn !== undefined) authorizer.authorizerCredentials = a.authorizerCredentialsArn;
    if (a.authorizerPayloadFormatVersion !== undefined) authorizer.authorizerPayloadFormatVersion = a.authorizerPayloadFormatVersion;
    authorizer.authorizerResultTtlInSeconds = a.authorizerResultTtlInSeconds;
    authorizer.enableSimpleResponses = a.enableSimpleResponses;
  }
  scheme['x-amazon-apigateway-authorizer'] = authorizer;
  return scheme;
}

function integrationExtension(i: IntegrationV2Doc): Obj {
  const out: Obj = { payloadFormatVersion: i.payloadFormatVersion, type: i.integrationType.toLowerCase() };
  if (i.integrationSubtype !== undefined) out.integrationSubtype = i.integrationSubtype;
  if (i.integrationMethod !== undefined) out.httpMethod = i.integrationMethod;
  if (i.integrationUri !== undefined) out.uri = i.integrationUri;
  out.connectionType = i.connectionType;
  if (i.connectionId !== undefined) out.connectionId = i.connectionId;
  if (i.credentialsArn !== undefined) out.credentials = i.credentialsArn;
  if (i.description !== undefined) out.description = i.description;
  if (Object.keys(i.requestParameters).length > 0) out.requestParameters = i.requestParameters;
  if (Object.keys(i.responseParameters).length > 0) out.responseParameters = i.responseParameters;
  if (i.timeoutInMillis !== HTTP_API_TIMEOUT_MS) out.timeoutInMillis = i.timeoutInMillis;
  return out;
}
