// API Gateway's stored documents (meta catalog, nodes/gateway/apigw/store.ts). One document per
// API holds its whole editable configuration (v1: resources, methods, integrations, models,
// validators, authorizers, gateway responses, stages; v2: routes, integrations, authorizers,
// models, stages). A deployment is its own immutable document: a snapshot of what serves
// traffic, so editing an API never changes a stage until it is deployed (AWS's rule for REST
// APIs; HTTP/WebSocket stages with autoDeploy get a new deployment on every change).
// Times are epoch seconds (the SDKs' timestamps on the wire for restJson1).

// ---------- v1 (REST APIs) ----------

export interface MethodResponseDoc {
  statusCode: string;
  responseParameters: Record<string, boolean>;
  responseModels: Record<string, string>;
}

export interface IntegrationResponseDoc {
  statusCode: string;
  selectionPattern?: string;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
  contentHandling?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
}

export type IntegrationType = 'HTTP' | 'HTTP_PROXY' | 'AWS' | 'AWS_PROXY' | 'MOCK';

export interface IntegrationDoc {
  type: IntegrationType;
  httpMethod?: string;
  uri?: string;
  connectionType?: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentials?: string;
  requestParameters: Record<string, string>;
  requestTemplates: Record<string, string>;
  passthroughBehavior: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  contentHandling?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  /** 50–29,000 ms; AWS's default 29,000. */
  timeoutInMillis: number;
  cacheNamespace: string;
  cacheKeyParameters: string[];
  /** By status code. */
  integrationResponses: Record<string, IntegrationResponseDoc>;
}

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS';

export interface MethodDoc {
  httpMethod: string;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  requestValidatorId?: string;
  operationName?: string;
  /** e.g. `method.request.querystring.page` → required. */
  requestParameters: Record<string, boolean>;
  /** Content type → model name. */
  requestModels: Record<string, string>;
  /** By status code. */
  methodResponses: Record<string, MethodResponseDoc>;
  methodIntegration?: IntegrationDoc;
}

export interface ResourceDoc {
  id: string;
  /** Absent for the root resource. */
  parentId?: string;
  /** Absent for the root resource; `{name}`, `{name+}` or a literal segment. */
  pathPart?: string;
  /** Full path, e.g. `/pets/{petId}`. */
  path: string;
  /** By HTTP method (`ANY` included). */
  resourceMethods: Record<string, MethodDoc>;
}

export interface ModelDoc {
  id: string;
  name: string;
  description?: string;
  /** The JSON Schema (draft 4) as text, as AWS keeps it. */
  schema?: string;
  contentType: string;
}

export interface RequestValidatorDoc {
  id: string;
  name: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface AuthorizerDoc {
  id: string;
  name: string;
  type: 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS';
  providerARNs?: string[];
  authType?: string;
  authorizerUri?: string;
  authorizerCredentials?: string;
  /** e.g. `method.request.header.Authorization`, comma-separated for REQUEST. */
  identitySource?: string;
  identityValidationExpression?: string;
  /** 0–3,600; AWS's default 300. */
  authorizerResultTtlInSeconds: number;
}

export interface GatewayResponseDoc {
  responseType: string;
  statusCode?: string;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

export interface ThrottleSettings {
  burstLimit?: number;
  rateLimit?: number;
}

/** A stage's per-method settings; keyed `{resourcePath}/{httpMethod}` with `*\/*` for every method. */
export interface MethodSettingDoc {
  metricsEnabled: boolean;
  loggingLevel: 'OFF' | 'ERROR' | 'INFO';
  dataTraceEnabled: boolean;
  throttlingBurstLimit: number;
  throttlingRateLimit: number;
  cachingEnabled: boolean;
  cacheTtlInSeconds: number;
  cacheDataEncrypted: boolean;
  requireAuthorizationForCacheControl: boolean;
  unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER';
}

export interface AccessLogSettingsDoc {
  format?: string;
  destinationArn?: string;
}

export interface CanarySettingsDoc {
  percentTraffic: number;
  deploymentId?: string;
  stageVariableOverrides: Record<string, string>;
  useStageCache: boolean;
}

/**
 * Stratus's edge hooks (CloudFront Functions / Lambda@Edge in Stratus's own form), on a stage
 * or one route of it. Set through the `/_stratus/apis/...` admin route (see data/edge/).
 */
export interface EdgeHookDoc {
  event: 'viewer-request' | 'viewer-response' | 'origin-request' | 'origin-response';
  /** v1: `{resourcePath} {HTTPMETHOD}`; v2: the route key; absent: every route of the stage. */
  route?: string;
  /** viewer-*: the JavaScript source of a CloudFront Functions style `handler(event)`. */
  code?: string;
  /** origin-*: the Stratus function to invoke (name or ARN, optionally qualified). */
  functionArn?: string;
}

export interface StageDoc {
  stageName: string;
  deploymentId: string;
  description?: string;
  cacheClusterEnabled: boolean;
  cacheClusterSize?: string;
  cacheClusterStatus: 'CREATE_IN_PROGRESS' | 'AVAILABLE' | 'DELETE_IN_PROGRESS' | 'NOT_AVAILABLE' | 'FLUSH_IN_PROGRESS';
  methodSettings: Record<string, MethodSettingDoc>;
  variables: Record<string, string>;
  documentationVersion?: string;
  accessLogSettings?: AccessLogSettingsDoc;
  canarySettings?: CanarySettingsDoc;
  tracingEnabled: boolean;
  webAclArn?: string;
  clientCertificateId?: string;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
  /** Bumped by FlushStageCache: cache entries of an older generation are misses. */
  cacheGeneration: number;
  /** Bumped by FlushStageAuthorizersCache: cached authorizer results of an older generation are misses. */
  authorizersCacheGeneration: number;
  edgeHooks: EdgeHookDoc[];
}

/** What a v1 deployment freezes. */
export interface RestApiSnapshot {
  resources: Record<string, ResourceDoc>;
  models: Record<string, ModelDoc>;
  requestValidators: Record<string, RequestValidatorDoc>;
  authorizers: Record<string, AuthorizerDoc>;
  /** By response type; only the ones the user set (defaults come from data/gateway-responses.ts). */
  gatewayResponses: Record<string, GatewayResponseDoc>;
  binaryMediaTypes: string[];
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  minimumCompressionSize?: number;
  /** The resource policy (IAM JSON) as text. */
  policy?: string;
}

export interface RestApiDoc extends RestApiSnapshot {
  kind: 'rest';
  id: string;
  name: string;
  description?: string;
  version?: string;
  createdDate: number;
  rootResourceId: string;
  endpointConfiguration: { types: string[]; vpcEndpointIds?: string[] };
  disableExecuteApiEndpoint: boolean;
  tags: Record<string, string>;
  stages: Record<string, StageDoc>;
  /** Ids of this API's deployments (documents `apideploy` `<apiId>.<id>`), oldest first. */
  deploymentIds: string[];
  documentationParts?: Record<string, { id: string; location: Record<string, string>; properties: string }>;
}

export interface RestDeploymentDoc {
  kind: 'rest';
  apiId: string;
  id: string;
  description?: string;
  createdDate: number;
  snapshot: RestApiSnapshot;
}

// ---------- v2 (HTTP and WebSocket APIs) ----------

export interface RouteResponseDoc {
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels: Record<string, string>;
  responseParameters: Record<string, { required: boolean }>;
}

export interface RouteDoc {
  routeId: string;
  routeKey: string;
  /** `integrations/<integrationId>`. */
  target?: string;
  authorizationType: 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'JWT';
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  operationName?: string;
  modelSelectionExpression?: string;
  requestModels: Record<string, string>;
  requestParameters: Record<string, { required: boolean }>;
  routeResponseSelectionExpression?: string;
  routeResponses: Record<string, RouteResponseDoc>;
  /** Made by quick create (CreateApi with Target); UpdateApi's Target/RouteKey change it. */
  apiGatewayManaged?: boolean;
}

export interface IntegrationResponseV2Doc {
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
  templateSelectionExpression?: string;
}

export interface IntegrationV2Doc {
  integrationId: string;
  integrationType: IntegrationType;
  integrationUri?: string;
  integrationMethod?: string;
  /** AWS service integrations of HTTP APIs, e.g. `SQS-SendMessage`. */
  integrationSubtype?: string;
  payloadFormatVersion: '1.0' | '2.0';
  timeoutInMillis: number;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  passthroughBehavior?: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  contentHandlingStrategy?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  /** HTTP APIs: `append:header.x` style mappings; WebSocket: `integration.request.*` → source. */
  requestParameters: Record<string, string>;
  requestTemplates: Record<string, string>;
  /** HTTP APIs: status code → (mapping → value). */
  responseParameters: Record<string, Record<string, string>>;
  templateSelectionExpression?: string;
  integrationResponses: Record<string, IntegrationResponseV2Doc>;
  /** Made by quick create (CreateApi with Target); UpdateApi's Target/RouteKey change it. */
  apiGatewayManaged?: boolean;
}

export interface AuthorizerV2Doc {
  authorizerId: string;
  name: string;
  authorizerType: 'REQUEST' | 'JWT';
  authorizerUri?: string;
  authorizerCredentialsArn?: string;
  /** e.g. `$request.header.Authorization` (HTTP APIs), `route.request.header.Auth` (WebSocket). */
  identitySource: string[];
  identityValidationExpression?: string;
  jwtConfiguration?: { audience: string[]; issuer?: string };
  authorizerPayloadFormatVersion?: '1.0' | '2.0';
  enableSimpleResponses: boolean;
  /** 0–3,600; default 0 for HTTP APIs (300 when given through the console). */
  authorizerResultTtlInSeconds: number;
}

export interface ModelV2Doc {
  modelId: string;
  name: string;
  contentType: string;
  description?: string;
  schema: string;
}

export interface CorsDoc {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface RouteSettingsDoc {
  dataTraceEnabled?: boolean;
  detailedMetricsEnabled?: boolean;
  /** ERROR, INFO or OFF. */
  loggingLevel?: string;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

export interface StageV2Doc {
  stageName: string;
  deploymentId?: string;
  autoDeploy: boolean;
  description?: string;
  stageVariables: Record<string, string>;
  defaultRouteSettings: RouteSettingsDoc;
  /** By route key. */
  routeSettings: Record<string, RouteSettingsDoc>;
  accessLogSettings?: AccessLogSettingsDoc;
  clientCertificateId?: string;
  lastDeploymentStatusMessage?: string;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
  edgeHooks: EdgeHookDoc[];
  /** Bumped by ResetAuthorizersCache; the authorizers' caches key on it (absent = 0). */
  authorizersCacheGeneration?: number;
  /** Made by quick create (CreateApi with Target). */
  apiGatewayManaged?: boolean;
}

/** What a v2 deployment freezes. */
export interface ApiV2Snapshot {
  routes: Record<string, RouteDoc>;
  integrations: Record<string, IntegrationV2Doc>;
  authorizers: Record<string, AuthorizerV2Doc>;
  models: Record<string, ModelV2Doc>;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  corsConfiguration?: CorsDoc;
  disableSchemaValidation?: boolean;
}

export interface ApiV2Doc extends ApiV2Snapshot {
  kind: 'v2';
  apiId: string;
  name: string;
  protocolType: 'HTTP' | 'WEBSOCKET';
  description?: string;
  version?: string;
  createdDate: number;
  disableExecuteApiEndpoint: boolean;
  ipAddressType?: string;
  tags: Record<string, string>;
  stages: Record<string, StageV2Doc>;
  /** Ids of this API's deployments (documents `apideploy` `<apiId>.<id>`), oldest first. */
  deploymentIds: string[];
}

export interface V2DeploymentDoc {
  kind: 'v2';
  apiId: string;
  deploymentId: string;
  description?: string;
  createdDate: number;
  autoDeployed: boolean;
  deploymentStatus: 'PENDING' | 'FAILED' | 'DEPLOYED';
  snapshot: ApiV2Snapshot;
}

// ---------- account-wide (v1) ----------

export interface ApiKeyDoc {
  id: string;
  /** The key clients send in `x-api-key` (20–128 characters). */
  value: string;
  name: string;
  description?: string;
  enabled: boolean;
  customerId?: string;
  /** `{restApiId}/{stageName}`. */
  stageKeys: string[];
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

export interface QuotaSettings {
  limit: number;
  offset: number;
  period: 'DAY' | 'WEEK' | 'MONTH';
}

export interface UsagePlanDoc {
  id: string;
  name: string;
  description?: string;
  /** `throttle` by `{resourcePath}/{httpMethod}`. */
  apiStages: { apiId: string; stage: string; throttle?: Record<string, ThrottleSettings> }[];
  throttle?: ThrottleSettings;
  quota?: QuotaSettings;
  productCode?: string;
  tags: Record<string, string>;
  /** Keys of the plan (UsagePlanKeys): key id → type (`API_KEY`). */
  keys: Record<string, 'API_KEY'>;
}

export type ApiDoc = RestApiDoc | ApiV2Doc;
export type DeploymentDoc = RestDeploymentDoc | V2DeploymentDoc;

// ---------- boundary checks ----------
// Documents are written only by this gateway code, so a shallow check of the discriminating
// fields is the boundary check; a document failing it is a corrupt catalog, not user input.

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`apigw catalog: ${what} is not an object`);
  return v as Record<string, unknown>;
}

export function asApiDoc(v: unknown): ApiDoc {
  const o = record(v, 'api');
  if ((o.kind === 'rest' && typeof o.id === 'string') || (o.kind === 'v2' && typeof o.apiId === 'string')) return o as unknown as ApiDoc;
  throw new Error('apigw catalog: api document without kind and id');
}

export function asDeploymentDoc(v: unknown): DeploymentDoc {
  const o = record(v, 'deployment');
  if ((o.kind === 'rest' || o.kind === 'v2') && typeof o.apiId === 'string' && typeof o.snapshot === 'object') return o as unknown as DeploymentDoc;
  throw new Error('apigw catalog: deployment document without kind, apiId and snapshot');
}

export function asApiKeyDoc(v: unknown): ApiKeyDoc {
  const o = record(v, 'api key');
  if (typeof o.id === 'string' && typeof o.value === 'string') return o as unknown as ApiKeyDoc;
  throw new Error('apigw catalog: api key document without id and value');
}

export function asUsagePlanDoc(v: unknown): UsagePlanDoc {
  const o = record(v, 'usage plan');
  if (typeof o.id === 'string' && Array.isArray(o.apiStages)) return o as unknown as UsagePlanDoc;
  throw new Error('apigw catalog: usage plan document without id and apiStages');
}

/** Name of a deployment document. */
export const deploymentDocName = (apiId: string, deploymentId: string): string => `${apiId}.${deploymentId}`;
