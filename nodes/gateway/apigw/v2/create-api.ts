import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiV2Doc, type IntegrationV2Doc, type RouteDoc, type StageV2Doc, type V2DeploymentDoc, deploymentDocName } from '../model.js';
import { apiV2Shape, apiV2View } from '../openapi/actions/v2-output.js';
import { httpSnapshotOf } from '../openapi/apply-v2.js';
import { newId } from '../store.js';
import { checkRouteKey } from './route-keys.js';

const cors = t.struct({ allowCredentials: t.boolean(), allowHeaders: t.list(t.string()), allowMethods: t.list(t.string()), allowOrigins: t.list(t.string()), exposeHeaders: t.list(t.string()), maxAge: t.integer({ min: -1, max: 86_400 }) });

export const createApi = defineAction<ApigwBackend>()({
  name: 'CreateApi',
  http: { method: 'POST', uri: '/v2/apis', code: 201 },
  input: t.struct({
    apiKeySelectionExpression: t.string(),
    corsConfiguration: cors,
    credentialsArn: t.string(),
    description: t.string(),
    disableSchemaValidation: t.boolean(),
    disableExecuteApiEndpoint: t.boolean(),
    ipAddressType: t.string(),
    name: t.string({ required: true, min: 1, max: 128 }),
    protocolType: t.string({ required: true, enum: ['WEBSOCKET', 'HTTP'] }),
    routeKey: t.string(),
    routeSelectionExpression: t.string(),
    tags: t.map(t.string()),
    target: t.string(),
    version: t.string(),
  }),
  output: apiV2Shape,
  async handler(input, ctx, backend) {
    const http = input.protocolType === 'HTTP';
    if (!http && input.routeSelectionExpression === undefined) throw new AwsError('ApigwBadRequestException', 'Route selection expression must be specified for WebSocket APIs.');
    if (!http && (input.target !== undefined || input.routeKey !== undefined)) throw new AwsError('ApigwBadRequestException', 'Quick create is only supported for HTTP APIs.');
    if (!http && input.corsConfiguration !== undefined) throw new AwsError('ApigwBadRequestException', 'CORS configuration is supported only for HTTP APIs.');
    const now = Math.floor(Date.now() / 1000);
    const api: ApiV2Doc = {
      kind: 'v2',
      apiId: newId(),
      name: input.name,
      protocolType: http ? 'HTTP' : 'WEBSOCKET',
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.version !== undefined ? { version: input.version } : {}),
      createdDate: now,
      disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
      ...(input.ipAddressType !== undefined ? { ipAddressType: input.ipAddressType } : {}),
      tags: input.tags ?? {},
      stages: {},
      deploymentIds: [],
      routes: {},
      integrations: {},
      authorizers: {},
      models: {},
      routeSelectionExpression: input.routeSelectionExpression ?? '${request.method} ${request.path}',
      apiKeySelectionExpression: input.apiKeySelectionExpression ?? '$request.header.x-api-key',
      ...(input.corsConfiguration !== undefined ? { corsConfiguration: input.corsConfiguration } : {}),
      ...(input.disableSchemaValidation !== undefined ? { disableSchemaValidation: input.disableSchemaValidation } : {}),
    };
    if (input.target !== undefined) quickCreate(api, input.target, input.routeKey ?? '$default', input.credentialsArn, now);
    await backend.store.create('api', api.apiId, api);
    if (input.target !== undefined) {
      // Quick create serves at once: its $default stage deploys automatically.
      const d: V2DeploymentDoc = { kind: 'v2', apiId: api.apiId, deploymentId: newId(6), createdDate: now, autoDeployed: true, deploymentStatus: 'DEPLOYED', snapshot: httpSnapshotOf(api) };
      await backend.store.create('apideploy', deploymentDocName(api.apiId, d.deploymentId), d);
      await backend.store.update('api', api.apiId, (v) => v as ApiV2Doc, () => new AwsError('ApigwNotFoundException', 'Invalid API identifier specified'), (doc) => {
        doc.deploymentIds.push(d.deploymentId);
        doc.stages.$default!.deploymentId = d.deploymentId;
        return doc;
      });
    }
    return apiV2View(api, ctx.baseUrl, []);
  },
});

/** One route (`$default` unless named) to one proxy integration, and a `$default` stage with autoDeploy. */
function quickCreate(api: ApiV2Doc, target: string, routeKey: string, credentialsArn: string | undefined, now: number): void {
  checkRouteKey('HTTP', routeKey);
  const lambda = target.startsWith('arn:aws:lambda:');
  if (!lambda && !/^https?:\/\//.test(target)) throw new AwsError('ApigwBadRequestException', 'Target must be a Lambda function ARN or an HTTP URL.');
  const integration: IntegrationV2Doc = {
    integrationId: newId(7),
    integrationType: lambda ? 'AWS_PROXY' : 'HTTP_PROXY',
    integrationUri: target,
    ...(lambda ? {} : { integrationMethod: 'ANY' }),
    payloadFormatVersion: lambda ? '2.0' : '1.0',
    timeoutInMillis: 30_000,
    connectionType: 'INTERNET',
    ...(credentialsArn !== undefined ? { credentialsArn } : {}),
    requestParameters: {},
    requestTemplates: {},
    responseParameters: {},
    integrationResponses: {},
    apiGatewayManaged: true,
  };
  const route: RouteDoc = { routeId: newId(7), routeKey, target: `integrations/${integration.integrationId}`, authorizationType: 'NONE', apiKeyRequired: false, requestModels: {}, requestParameters: {}, routeResponses: {}, apiGatewayManaged: true };
  const stage: StageV2Doc = { stageName: '$default', autoDeploy: true, stageVariables: {}, defaultRouteSettings: {}, routeSettings: {}, tags: {}, createdDate: now, lastUpdatedDate: now, edgeHooks: [], apiGatewayManaged: true };
  api.integrations[integration.integrationId] = integration;
  api.routes[route.routeId] = route;
  api.stages.$default = stage;
}
