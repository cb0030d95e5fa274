// Input labels and output shapes shared by the v2 (HTTP and WebSocket API) actions: lowerCamel
// JSON members, ISO-8601 times, lists as `items` with `nextToken`.
import { t } from '../../shapes.js';

export const apiIdLabel = t.string({ required: true, location: 'uri' });
export const routeIdLabel = t.string({ required: true, location: 'uri' });
export const integrationIdLabel = t.string({ required: true, location: 'uri' });
export const stageNameLabel = t.string({ required: true, location: 'uri' });
export const nextToken = t.string({ location: 'querystring', locationName: 'nextToken' });
export const maxResults = t.string({ location: 'querystring', locationName: 'maxResults' });

const stringMap = t.map(t.string());
const requiredMap = t.map(t.struct({ required: t.boolean() }));

export const routeShape = t.struct({
  apiGatewayManaged: t.boolean(),
  apiKeyRequired: t.boolean(),
  authorizationScopes: t.list(t.string()),
  authorizationType: t.string(),
  authorizerId: t.string(),
  modelSelectionExpression: t.string(),
  operationName: t.string(),
  requestModels: stringMap,
  requestParameters: requiredMap,
  routeId: t.string(),
  routeKey: t.string(),
  routeResponseSelectionExpression: t.string(),
  target: t.string(),
});

export const integrationShape = t.struct({
  apiGatewayManaged: t.boolean(),
  connectionId: t.string(),
  connectionType: t.string(),
  contentHandlingStrategy: t.string(),
  credentialsArn: t.string(),
  description: t.string(),
  integrationId: t.string(),
  integrationMethod: t.string(),
  integrationResponseSelectionExpression: t.string(),
  integrationSubtype: t.string(),
  integrationType: t.string(),
  integrationUri: t.string(),
  passthroughBehavior: t.string(),
  payloadFormatVersion: t.string(),
  requestParameters: stringMap,
  requestTemplates: stringMap,
  responseParameters: t.map(stringMap),
  templateSelectionExpression: t.string(),
  timeoutInMillis: t.integer(),
});

const routeSettings = t.struct({ dataTraceEnabled: t.boolean(), detailedMetricsEnabled: t.boolean(), loggingLevel: t.string(), throttlingBurstLimit: t.integer(), throttlingRateLimit: t.double() });

export const stageShape = t.struct({
  accessLogSettings: t.struct({ destinationArn: t.string(), format: t.string() }),
  apiGatewayManaged: t.boolean(),
  autoDeploy: t.boolean(),
  clientCertificateId: t.string(),
  createdDate: t.string(),
  defaultRouteSettings: routeSettings,
  deploymentId: t.string(),
  description: t.string(),
  lastDeploymentStatusMessage: t.string(),
  lastUpdatedDate: t.string(),
  routeSettings: t.map(routeSettings),
  stageName: t.string(),
  stageVariables: stringMap,
  tags: stringMap,
});

export const stageInput = {
  accessLogSettings: t.struct({ destinationArn: t.string(), format: t.string() }),
  autoDeploy: t.boolean(),
  clientCertificateId: t.string(),
  defaultRouteSettings: routeSettings,
  deploymentId: t.string(),
  description: t.string(),
  routeSettings: t.map(routeSettings),
  stageVariables: stringMap,
  tags: stringMap,
};

export const deploymentShape = t.struct({
  autoDeployed: t.boolean(),
  createdDate: t.string(),
  deploymentId: t.string(),
  deploymentStatus: t.string(),
  deploymentStatusMessage: t.string(),
  description: t.string(),
});

export const routeInput = {
  apiKeyRequired: t.boolean(),
  authorizationScopes: t.list(t.string()),
  authorizationType: t.string({ enum: ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT'] }),
  authorizerId: t.string(),
  modelSelectionExpression: t.string(),
  operationName: t.string(),
  requestModels: stringMap,
  requestParameters: requiredMap,
  routeResponseSelectionExpression: t.string(),
  target: t.string(),
};

export const integrationInput = {
  connectionId: t.string(),
  connectionType: t.string({ enum: ['INTERNET', 'VPC_LINK'] }),
  contentHandlingStrategy: t.string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
  credentialsArn: t.string(),
  description: t.string(),
  integrationMethod: t.string(),
  integrationSubtype: t.string(),
  integrationUri: t.string(),
  passthroughBehavior: t.string({ enum: ['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES'] }),
  payloadFormatVersion: t.string(),
  requestParameters: stringMap,
  requestTemplates: stringMap,
  responseParameters: t.map(stringMap),
  templateSelectionExpression: t.string(),
  timeoutInMillis: t.integer({ min: 50, max: 30_000 }),
};

/** Paging over ids in order: nextToken is the last id of the previous page. */
export function page<T>(items: T[], idOf: (x: T) => string, token: string | undefined, max: string | undefined): { items: T[]; nextToken?: string } {
  const limit = max === undefined ? 100 : Math.max(1, Math.min(500, Number(max) || 100));
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const from = token === undefined ? sorted : sorted.filter((x) => idOf(x) > token);
  const out = from.slice(0, limit);
  return { items: out, ...(from.length > out.length ? { nextToken: idOf(out[out.length - 1]!) } : {}) };
}

export const corsInput = t.struct({ allowCredentials: t.boolean(), allowHeaders: t.list(t.string()), allowMethods: t.list(t.string()), allowOrigins: t.list(t.string()), exposeHeaders: t.list(t.string()), maxAge: t.integer({ min: -1, max: 86_400 }) });
export const authorizerIdLabel = t.string({ required: true, location: 'uri' });
export const modelIdLabel = t.string({ required: true, location: 'uri' });
export const deploymentIdLabel = t.string({ required: true, location: 'uri' });
export const routeResponseIdLabel = t.string({ required: true, location: 'uri' });
export const integrationResponseIdLabel = t.string({ required: true, location: 'uri' });

export const routeResponseShape = t.struct({
  modelSelectionExpression: t.string(),
  responseModels: stringMap,
  responseParameters: requiredMap,
  routeResponseId: t.string(),
  routeResponseKey: t.string(),
});

export const integrationResponseShape = t.struct({
  contentHandlingStrategy: t.string(),
  integrationResponseId: t.string(),
  integrationResponseKey: t.string(),
  responseParameters: stringMap,
  responseTemplates: stringMap,
  templateSelectionExpression: t.string(),
});

export const integrationResponseInput = {
  contentHandlingStrategy: t.string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
  responseParameters: stringMap,
  responseTemplates: stringMap,
  templateSelectionExpression: t.string(),
};

export const authorizerShape = t.struct({
  authorizerCredentialsArn: t.string(),
  authorizerId: t.string(),
  authorizerPayloadFormatVersion: t.string(),
  authorizerResultTtlInSeconds: t.integer(),
  authorizerType: t.string(),
  authorizerUri: t.string(),
  enableSimpleResponses: t.boolean(),
  identitySource: t.list(t.string()),
  identityValidationExpression: t.string(),
  jwtConfiguration: t.struct({ audience: t.list(t.string()), issuer: t.string() }),
  name: t.string(),
});

export const authorizerInput = {
  authorizerCredentialsArn: t.string(),
  authorizerPayloadFormatVersion: t.string(),
  authorizerResultTtlInSeconds: t.integer({ min: 0, max: 3600 }),
  authorizerUri: t.string(),
  enableSimpleResponses: t.boolean(),
  identitySource: t.list(t.string()),
  identityValidationExpression: t.string(),
  jwtConfiguration: t.struct({ audience: t.list(t.string()), issuer: t.string() }),
};

export const modelShape = t.struct({ contentType: t.string(), description: t.string(), modelId: t.string(), name: t.string(), schema: t.string() });
