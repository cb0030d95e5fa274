// Input labels and output shapes shared by the v1 (REST API) actions, as API Gateway's model
// names them on the wire (lowerCamel JSON members, epoch-second timestamps).
import { t } from '../../shapes.js';

export const restApiIdLabel = t.string({ required: true, location: 'uri' });
export const resourceIdLabel = t.string({ required: true, location: 'uri' });
export const httpMethodLabel = t.string({ required: true, location: 'uri' });
export const statusCodeLabel = t.string({ required: true, location: 'uri' });
export const stageNameLabel = t.string({ required: true, location: 'uri' });
export const deploymentIdLabel = t.string({ required: true, location: 'uri' });

const stringMap = t.map(t.string());
const boolMap = t.map(t.boolean());
const timestamp = t.double({ timestamp: true });

export const tagsShape = stringMap;

export const restApiShape = t.struct({
  id: t.string(),
  name: t.string(),
  description: t.string(),
  createdDate: timestamp,
  version: t.string(),
  warnings: t.list(t.string()),
  binaryMediaTypes: t.list(t.string()),
  minimumCompressionSize: t.integer(),
  apiKeySource: t.string(),
  endpointConfiguration: t.struct({ types: t.list(t.string()), vpcEndpointIds: t.list(t.string()) }),
  policy: t.string(),
  tags: stringMap,
  disableExecuteApiEndpoint: t.boolean(),
  rootResourceId: t.string(),
});

export const integrationResponseShape = t.struct({
  statusCode: t.string(),
  selectionPattern: t.string(),
  responseParameters: stringMap,
  responseTemplates: stringMap,
  contentHandling: t.string(),
});

export const integrationShape = t.struct({
  type: t.string(),
  httpMethod: t.string(),
  uri: t.string(),
  connectionType: t.string(),
  connectionId: t.string(),
  credentials: t.string(),
  requestParameters: stringMap,
  requestTemplates: stringMap,
  passthroughBehavior: t.string(),
  contentHandling: t.string(),
  timeoutInMillis: t.integer(),
  cacheNamespace: t.string(),
  cacheKeyParameters: t.list(t.string()),
  integrationResponses: t.map(integrationResponseShape),
});

export const methodResponseShape = t.struct({ statusCode: t.string(), responseParameters: boolMap, responseModels: stringMap });

export const methodShape = t.struct({
  httpMethod: t.string(),
  authorizationType: t.string(),
  authorizerId: t.string(),
  apiKeyRequired: t.boolean(),
  requestValidatorId: t.string(),
  operationName: t.string(),
  requestParameters: boolMap,
  requestModels: stringMap,
  methodResponses: t.map(methodResponseShape),
  methodIntegration: integrationShape,
  authorizationScopes: t.list(t.string()),
});

export const resourceShape = t.struct({
  id: t.string(),
  parentId: t.string(),
  pathPart: t.string(),
  path: t.string(),
  resourceMethods: t.map(methodShape),
});

export const methodSettingShape = t.struct({
  metricsEnabled: t.boolean(),
  loggingLevel: t.string(),
  dataTraceEnabled: t.boolean(),
  throttlingBurstLimit: t.integer(),
  throttlingRateLimit: t.double(),
  cachingEnabled: t.boolean(),
  cacheTtlInSeconds: t.integer(),
  cacheDataEncrypted: t.boolean(),
  requireAuthorizationForCacheControl: t.boolean(),
  unauthorizedCacheControlHeaderStrategy: t.string(),
});

export const canarySettingsShape = t.struct({
  percentTraffic: t.double(),
  deploymentId: t.string(),
  stageVariableOverrides: stringMap,
  useStageCache: t.boolean(),
});

export const stageShape = t.struct({
  deploymentId: t.string(),
  clientCertificateId: t.string(),
  stageName: t.string(),
  description: t.string(),
  cacheClusterEnabled: t.boolean(),
  cacheClusterSize: t.string(),
  cacheClusterStatus: t.string(),
  methodSettings: t.map(methodSettingShape),
  variables: stringMap,
  documentationVersion: t.string(),
  accessLogSettings: t.struct({ format: t.string(), destinationArn: t.string() }),
  canarySettings: canarySettingsShape,
  tracingEnabled: t.boolean(),
  webAclArn: t.string(),
  tags: stringMap,
  createdDate: timestamp,
  lastUpdatedDate: timestamp,
});

export const deploymentShape = t.struct({
  id: t.string(),
  description: t.string(),
  createdDate: timestamp,
  apiSummary: t.map(t.map(t.struct({ authorizationType: t.string(), apiKeyRequired: t.boolean() }))),
});

/** AWS's cache cluster sizes (GB). */
export const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;
export const cacheClusterSizeInput = t.string({ enum: CACHE_CLUSTER_SIZES });

/** Input of the `canarySettings` members of CreateDeployment and CreateStage. */
export const canaryInput = t.struct({
  percentTraffic: t.double({ min: 0, max: 100 }),
  deploymentId: t.string(),
  stageVariableOverrides: stringMap,
  useStageCache: t.boolean(),
});

export const patchOperations = t.list(t.struct({ op: t.string({ enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] }), path: t.string(), value: t.string(), from: t.string() }));

/** Paging inputs of the Get* list actions. */
export const position = t.string({ location: 'querystring', locationName: 'position' });
export const limit = t.integer({ location: 'querystring', locationName: 'limit', min: 1, max: 500 });

export const modelShape = t.struct({ id: t.string(), name: t.string(), description: t.string(), schema: t.string(), contentType: t.string() });

export const requestValidatorShape = t.struct({ id: t.string(), name: t.string(), validateRequestBody: t.boolean(), validateRequestParameters: t.boolean() });

export const authorizerShape = t.struct({
  id: t.string(),
  name: t.string(),
  type: t.string(),
  providerARNs: t.list(t.string()),
  authType: t.string(),
  authorizerUri: t.string(),
  authorizerCredentials: t.string(),
  identitySource: t.string(),
  identityValidationExpression: t.string(),
  authorizerResultTtlInSeconds: t.integer(),
});

export const gatewayResponseShape = t.struct({
  responseType: t.string(),
  statusCode: t.string(),
  responseParameters: stringMap,
  responseTemplates: stringMap,
  defaultResponse: t.boolean(),
});

export const apiKeyShape = t.struct({
  id: t.string(),
  value: t.string(),
  name: t.string(),
  customerId: t.string(),
  description: t.string(),
  enabled: t.boolean(),
  createdDate: timestamp,
  lastUpdatedDate: timestamp,
  stageKeys: t.list(t.string()),
  tags: stringMap,
});

const throttleShape = t.struct({ burstLimit: t.integer(), rateLimit: t.double() });

export const usagePlanShape = t.struct({
  id: t.string(),
  name: t.string(),
  description: t.string(),
  apiStages: t.list(t.struct({ apiId: t.string(), stage: t.string(), throttle: t.map(throttleShape) })),
  throttle: throttleShape,
  quota: t.struct({ limit: t.integer(), offset: t.integer(), period: t.string() }),
  productCode: t.string(),
  tags: stringMap,
});

export const usagePlanKeyShape = t.struct({ id: t.string(), type: t.string(), value: t.string(), name: t.string() });

/** Inputs of CreateUsagePlan. */
export const throttleInput = t.struct({ burstLimit: t.integer({ min: 0 }), rateLimit: t.double({ min: 0 }) });
export const quotaInput = t.struct({ limit: t.integer({ min: 0 }), offset: t.integer({ min: 0 }), period: t.string({ enum: ['DAY', 'WEEK', 'MONTH'] }) });

export const accountShape = t.struct({
  cloudwatchRoleArn: t.string(),
  throttleSettings: throttleShape,
  features: t.list(t.string()),
  apiKeyVersion: t.string(),
});

/** A path label of the account-wide resources. */
export const apiKeyLabel = t.string({ required: true, location: 'uri' });
export const usagePlanIdLabel = t.string({ required: true, location: 'uri' });
