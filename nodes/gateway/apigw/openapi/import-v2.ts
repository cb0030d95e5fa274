// An OpenAPI 3.0 definition as an HTTP API: each operation a route (`GET /pets/{id}`,
// `ANY /{proxy+}`, `$default` from `/$default` + x-amazon-apigateway-any-method), its
// `x-amazon-apigateway-integration` an integration (Lambda proxy, HTTP proxy, AWS service
// integrations with integrationSubtype; integrations shared through
// `components.x-amazon-apigateway-integrations` stay one), JWT and Lambda REQUEST authorizers
// from security schemes, IAM from `awsSigv4`, and `x-amazon-apigateway-cors`. Properties HTTP
// APIs do not support (request bodies, models, validators) are ignored, as AWS's "info" level.
import { type AuthorizerV2Doc, type CorsDoc, type IntegrationV2Doc, type RouteDoc } from '../model.js';
import { ANY_METHOD, type AwsVariables, HTTP_VERBS, type Obj, type OpenApiDocument, bool, deref, invalidInput, isObj, parseDefinition, scalarText, str, strList, strMap } from './document.js';
import { type BasePathMode, basePathSegments } from './import-rest.js';
import { type ImportReport } from './report.js';
import { securitySchemesOf } from './rest-security.js';

export type ImportedIntegrationV2 = Omit<IntegrationV2Doc, 'integrationId'>;
export type ImportedAuthorizerV2 = Omit<AuthorizerV2Doc, 'authorizerId'>;

export interface ImportedRoute {
  routeKey: string;
  /** Key into `integrations`. */
  integration?: string;
  authorizationType: RouteDoc['authorizationType'];
  /** Security scheme (authorizer) name. */
  authorizer?: string;
  authorizationScopes?: string[];
  operationName?: string;
}

export interface HttpApiDefinition {
  title?: string;
  description?: string;
  version?: string;
  routes: ImportedRoute[];
  integrations: Record<string, ImportedIntegrationV2>;
  authorizers: Record<string, ImportedAuthorizerV2>;
  cors?: CorsDoc;
  disableExecuteApiEndpoint?: boolean;
}

/** AWS: HTTP API integrations time out between 50 ms and 30 s (the default). */
export const HTTP_API_TIMEOUT_MS = 30_000;

const INTEGRATIONS_REF = /^#\/components\/x-amazon-apigateway-integrations\/(.+)$/;

export function importHttpDefinition(text: string, vars: AwsVariables, basepath: BasePathMode, report: ImportReport): HttpApiDefinition {
  const doc = parseDefinition(text, vars);
  // HTTP APIs import OpenAPI 3.0 only.
  if (doc.version !== 3) throw invalidInput();
  return convertHttp(doc, basepath, report);
}

export function convertHttp(doc: OpenApiDocument, basepath: BasePathMode, report: ImportReport): HttpApiDefinition {
  const root = doc.root;
  const info = isObj(root.info) ? root.info : {};
  const out: HttpApiDefinition = { routes: [], integrations: {}, authorizers: {} };
  const title = str(info.title);
  if (title !== undefined) out.title = title;
  const description = str(info.description);
  if (description !== undefined) out.description = description;
  if (info.version !== undefined) out.version = String(info.version);
  const kinds = readSchemes(doc, out, report);
  const cors = root['x-amazon-apigateway-cors'];
  if (isObj(cors)) out.cors = readCors(cors);
  const endpoint = root['x-amazon-apigateway-endpoint-configuration'];
  if (isObj(endpoint)) {
    const disable = bool(endpoint.disableExecuteApiEndpoint);
    if (disable !== undefined) out.disableExecuteApiEndpoint = disable;
  }

  const segments = basePathSegments(doc, basepath);
  const prefix = segments.length === 0 ? '' : `/${segments.join('/')}`;
  let inline = 0;
  for (const [rawPath, rawItem] of Object.entries(isObj(root.paths) ? root.paths : {})) {
    if (!rawPath.startsWith('/')) continue;
    const item = deref(root, rawItem);
    if (!isObj(item)) continue;
    for (const verb of [...HTTP_VERBS, ANY_METHOD]) {
      const op = item[verb];
      if (!isObj(op)) continue;
      const method = verb === ANY_METHOD ? 'ANY' : verb.toUpperCase();
      const isDefault = rawPath === '/$default' && (verb === ANY_METHOD || op.isDefaultRoute === true);
      const path = `${prefix}${rawPath === '/' && prefix !== '' ? '' : rawPath}`;
      const routeKey = isDefault ? '$default' : `${method} ${path}`;
      if (!isDefault && !/^\/(?:[^/{}]+|\{[A-Za-z0-9_.-]+\+?\})?(?:\/(?:[^/{}]+|\{[A-Za-z0-9_.-]+\+?\}))*$/.test(path)) {
        report.error(`Unable to create route '${routeKey}': Invalid route key`);
        continue;
      }
      if (out.routes.some((r) => r.routeKey === routeKey)) {
        report.error(`Unable to create route '${routeKey}': Route with key ${routeKey} already exists for this API`);
        continue;
      }
      const route: ImportedRoute = { routeKey, authorizationType: 'NONE' };
      const operationId = str(op.operationId);
      if (operationId !== undefined) route.operationName = operationId;
      applySecurity(route, op.security ?? root.security, kinds, report);
      const ext = op['x-amazon-apigateway-integration'];
      if (isObj(ext)) {
        const ref = typeof ext.$ref === 'string' ? INTEGRATIONS_REF.exec(ext.$ref)?.[1] : undefined;
        const key = ref !== undefined ? `ref:${ref}` : `inline:${inline++}`;
        if (out.integrations[key] === undefined) {
          const resolved = deref(root, ext);
          if (!isObj(resolved)) report.error(`Unable to create integration for route '${routeKey}': Invalid integration reference ${String(ext.$ref)}`);
          else {
            const integration = readIntegrationV2(resolved, routeKey, report);
            if (integration) out.integrations[key] = integration;
          }
        }
        if (out.integrations[key] !== undefined) route.integration = key;
      }
      out.routes.push(route);
    }
  }
  return out;
}

type V2Kind = { kind: 'jwt' | 'request' } | { kind: 'iam' } | { kind: 'other' };

function readSchemes(doc: OpenApiDocument, out: HttpApiDefinition, report: ImportReport): Map<string, V2Kind> {
  const kinds = new Map<string, V2Kind>();
  for (const [name, raw] of Object.entries(securitySchemesOf(doc))) {
    if (!isObj(raw)) continue;
    const ext = raw['x-amazon-apigateway-authorizer'];
    const authType = str(raw['x-amazon-apigateway-authtype'])?.toLowerCase();
    if (!isObj(ext)) {
      kinds.set(name, authType === 'awssigv4' ? { kind: 'iam' } : { kind: 'other' });
      continue;
    }
    const type = str(ext.type)?.toLowerCase();
    const fail = (why: string): void => report.error(`Unable to create authorizer '${name}': ${why}`);
    const identity = ext.identitySource;
    const identitySource = Array.isArray(identity) ? (strList(identity) ?? []) : (str(identity) ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (type === 'jwt') {
      const jwt = isObj(ext.jwtConfiguration) ? ext.jwtConfiguration : {};
      const audience = strList(jwt.audience) ?? [];
      const issuer = str(jwt.issuer);
      if (issuer === undefined || audience.length === 0) {
        fail('A JWT authorizer needs jwtConfiguration with an issuer and at least one audience');
        continue;
      }
      out.authorizers[name] = { name, authorizerType: 'JWT', identitySource: identitySource.length > 0 ? identitySource : ['$request.header.Authorization'], jwtConfiguration: { audience, issuer }, enableSimpleResponses: false, authorizerResultTtlInSeconds: 0 };
      kinds.set(name, { kind: 'jwt' });
    } else if (type === 'request') {
      const uri = str(ext.authorizerUri);
      const version = scalarText(ext.authorizerPayloadFormatVersion) ?? '2.0';
      const ttl = ext.authorizerResultTtlInSeconds === undefined ? 0 : Number(ext.authorizerResultTtlInSeconds);
      if (uri === undefined) fail('Invalid authorizer URI specified');
      else if (version !== '1.0' && version !== '2.0') fail(`Invalid authorizer payload format version specified: ${version}`);
      else if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) fail(`Invalid authorizer result TTL specified: ${String(ext.authorizerResultTtlInSeconds)}`);
      else if (ttl > 0 && identitySource.length === 0) fail('Identity source is required when caching is enabled');
      else {
        const a: ImportedAuthorizerV2 = { name, authorizerType: 'REQUEST', authorizerUri: uri, identitySource, authorizerPayloadFormatVersion: version, enableSimpleResponses: bool(ext.enableSimpleResponses) ?? false, authorizerResultTtlInSeconds: ttl };
        const credentials = str(ext.authorizerCredentials);
        if (credentials !== undefined) a.authorizerCredentialsArn = credentials;
        out.authorizers[name] = a;
        kinds.set(name, { kind: 'request' });
      }
    } else fail(`Invalid authorizer type specified: ${String(ext.type)}. HTTP APIs support jwt and request authorizers`);
  }
  return kinds;
}

function applySecurity(route: ImportedRoute, security: unknown, kinds: Map<string, V2Kind>, report: ImportReport): void {
  const first = Array.isArray(security) ? security[0] : undefined;
  if (!isObj(first)) return;
  for (const [scheme, scopes] of Object.entries(first)) {
    const kind = kinds.get(scheme);
    if (kind === undefined) report.warn(`Security scheme '${scheme}' used by route '${route.routeKey}' is not defined`);
    else if (kind.kind === 'iam') route.authorizationType = 'AWS_IAM';
    else if ((kind.kind === 'jwt' || kind.kind === 'request') && route.authorizer === undefined) {
      route.authorizationType = kind.kind === 'jwt' ? 'JWT' : 'CUSTOM';
      route.authorizer = scheme;
      const list = strList(scopes);
      if (kind.kind === 'jwt' && list && list.length > 0) route.authorizationScopes = list;
    } else if (kind.kind === 'other') report.warn(`Security scheme '${scheme}' used by route '${route.routeKey}' is not supported by HTTP APIs and is ignored`);
  }
}

function readIntegrationV2(ext: Obj, routeKey: string, report: ImportReport): ImportedIntegrationV2 | undefined {
  const rawType = str(ext.type)?.toUpperCase();
  const subtype = str(ext.integrationSubtype);
  const fail = (why: string): undefined => {
    report.error(`Unable to create integration for route '${routeKey}': ${why}`);
    return undefined;
  };
  let type: IntegrationV2Doc['integrationType'];
  if (rawType === 'AWS_PROXY' || rawType === 'HTTP_PROXY') type = rawType;
  else if (rawType === 'AWS' && subtype !== undefined) type = 'AWS_PROXY';
  else if (rawType === 'HTTP' || rawType === 'MOCK' || rawType === 'AWS') {
    // AWS's HTTP API import: a warning, and the route is created without the integration.
    report.warn(`Unsupported integration type '${str(ext.type)}' for route '${routeKey}'. HTTP APIs support only Lambda proxy and HTTP proxy integrations`);
    return undefined;
  } else return fail(`Invalid integration type specified: ${String(ext.type)}`);
  const uri = str(ext.uri);
  if (subtype === undefined && (uri === undefined || uri === '')) return fail('Invalid integration URI specified');
  if (type === 'HTTP_PROXY' && uri !== undefined && !/^https?:\/\//.test(uri) && !uri.startsWith('arn:')) return fail('Invalid HTTP endpoint specified for URI');
  const version = scalarText(ext.payloadFormatVersion) ?? '1.0';
  if (version !== '1.0' && version !== '2.0') return fail(`Invalid payload format version specified: ${version}`);
  if (type === 'HTTP_PROXY' && version !== '1.0') return fail('Payload format version 2.0 is supported only for Lambda proxy integrations');
  const timeout = ext.timeoutInMillis === undefined ? HTTP_API_TIMEOUT_MS : Number(ext.timeoutInMillis);
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > HTTP_API_TIMEOUT_MS) return fail(`Timeout should be between 50 ms and ${HTTP_API_TIMEOUT_MS} ms`);
  const connection = str(ext.connectionType)?.toUpperCase() ?? 'INTERNET';
  if (connection !== 'INTERNET' && connection !== 'VPC_LINK') return fail(`Invalid connection type specified: ${connection}`);
  const out: ImportedIntegrationV2 = {
    integrationType: type,
    payloadFormatVersion: version,
    timeoutInMillis: timeout,
    connectionType: connection,
    requestParameters: strMap(ext.requestParameters),
    requestTemplates: {},
    responseParameters: {},
    integrationResponses: {},
  };
  if (uri !== undefined) out.integrationUri = uri;
  if (subtype !== undefined) out.integrationSubtype = subtype;
  const method = str(ext.httpMethod);
  if (method !== undefined) out.integrationMethod = method.toUpperCase();
  const connectionId = str(ext.connectionId);
  if (connectionId !== undefined) out.connectionId = connectionId;
  const credentials = str(ext.credentials);
  if (credentials !== undefined) out.credentialsArn = credentials;
  const description = str(ext.description);
  if (description !== undefined) out.description = description;
  if (isObj(ext.responseParameters)) {
    for (const [status, mappings] of Object.entries(ext.responseParameters)) out.responseParameters[status] = strMap(mappings);
  }
  return out;
}

function readCors(c: Obj): CorsDoc {
  const out: CorsDoc = {};
  const credentials = bool(c.allowCredentials);
  if (credentials !== undefined) out.allowCredentials = credentials;
  for (const key of ['allowHeaders', 'allowMethods', 'allowOrigins', 'exposeHeaders'] as const) {
    const list = strList(c[key]);
    if (list !== undefined) out[key] = list;
  }
  if (typeof c.maxAge === 'number') out.maxAge = c.maxAge;
  return out;
}
