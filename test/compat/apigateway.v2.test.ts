// API Gateway v2 (HTTP and WebSocket APIs) management through the SDK v3 client: APIs (quick
// create), routes, integrations, stages with auto-deploy and deployments, with AWS's errors.
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
} from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';
import { failure } from './apigw-fixtures.js';

describe('API Gateway v2 management (SDK v3)', () => {
  let target: SqsTarget;
  let v2: ApiGatewayV2Client;
  beforeAll(async () => {
    target = await startEmbedded();
    v2 = new ApiGatewayV2Client({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    v2?.destroy();
    await target?.stop();
  }, 30_000);

  it('quick-creates an HTTP API with a $default route, integration and auto-deployed stage', async () => {
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:hello';
    const api = await v2.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: fn }));
    expect(api.ApiId).toMatch(/^[a-z0-9]{10}$/);
    expect(api.ApiEndpoint).toBe(`http://${api.ApiId}.execute-api.localhost:${new URL(target.endpoint).port}`);
    expect(api.RouteSelectionExpression).toBe('${request.method} ${request.path}');
    expect(api.CreatedDate).toBeInstanceOf(Date);
    const routes = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    expect(routes.Items).toHaveLength(1);
    expect(routes.Items?.[0]).toMatchObject({ RouteKey: '$default', AuthorizationType: 'NONE' });
    const integrations = await v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
    expect(integrations.Items?.[0]).toMatchObject({ IntegrationType: 'AWS_PROXY', IntegrationUri: fn, PayloadFormatVersion: '2.0' });
    expect(routes.Items?.[0]?.Target).toBe(`integrations/${integrations.Items?.[0]?.IntegrationId}`);
    const stage = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }));
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DeploymentId).toMatch(/^[a-z0-9]+$/);
    expect((await v2.send(new GetApisCommand({}))).Items?.map((a) => a.ApiId)).toContain(api.ApiId);
    await v2.send(new DeleteApiCommand({ ApiId: api.ApiId }));
    expect(await failure(v2.send(new GetApiCommand({ ApiId: api.ApiId! })))).toMatchObject({ name: 'NotFoundException', status: 404 });
  });

  it('creates routes and integrations; auto-deploy moves the stage, explicit deployments do not touch it', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'explicit', ProtocolType: 'HTTP' }));
    const id = api.ApiId!;
    const i = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://example.com/{proxy}', IntegrationMethod: 'GET', PayloadFormatVersion: '1.0' }));
    expect(i).toMatchObject({ IntegrationType: 'HTTP_PROXY', TimeoutInMillis: 30000, ConnectionType: 'INTERNET' });
    expect(await failure(v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'MOCK' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:f' })))).toMatchObject({ name: 'BadRequestException' });
    const r = await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /pets/{id}', Target: `integrations/${i.IntegrationId}` }));
    expect(r.RouteKey).toBe('GET /pets/{id}');
    expect(await failure(v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /pets/{id}' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'FETCH /x' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /y', Target: 'integrations/nope' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new DeleteIntegrationCommand({ ApiId: id, IntegrationId: i.IntegrationId })))).toMatchObject({ name: 'ConflictException' });

    const auto = await v2.send(new CreateStageCommand({ ApiId: id, StageName: 'live', AutoDeploy: true, StageVariables: { a: '1' } }));
    expect(auto.DeploymentId).toMatch(/^[a-z0-9]+$/);
    const manual = await v2.send(new CreateStageCommand({ ApiId: id, StageName: 'manual' }));
    expect(manual.DeploymentId).toBeUndefined();
    const d = await v2.send(new CreateDeploymentCommand({ ApiId: id, StageName: 'manual', Description: 'first' }));
    expect(d).toMatchObject({ DeploymentStatus: 'DEPLOYED', AutoDeployed: false, Description: 'first' });
    expect((await v2.send(new GetStageCommand({ ApiId: id, StageName: 'manual' }))).DeploymentId).toBe(d.DeploymentId);

    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'POST /pets', Target: `integrations/${i.IntegrationId}` }));
    const liveAfter = await v2.send(new GetStageCommand({ ApiId: id, StageName: 'live' }));
    expect(liveAfter.DeploymentId).not.toBe(auto.DeploymentId);
    expect((await v2.send(new GetStageCommand({ ApiId: id, StageName: 'manual' }))).DeploymentId).toBe(d.DeploymentId);
    expect((await v2.send(new GetStagesCommand({ ApiId: id }))).Items?.map((s) => s.StageName).sort()).toEqual(['live', 'manual']);
    expect(await failure(v2.send(new CreateStageCommand({ ApiId: id, StageName: 'live' })))).toMatchObject({ name: 'ConflictException' });
    await v2.send(new DeleteRouteCommand({ ApiId: id, RouteId: r.RouteId }));
    expect((await v2.send(new GetRoutesCommand({ ApiId: id }))).Items?.map((x) => x.RouteKey)).toEqual(['POST /pets']);
  });

  it('creates WebSocket APIs with a route selection expression', async () => {
    expect(await failure(v2.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET' })))).toMatchObject({ name: 'BadRequestException' });
    const api = await v2.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
    expect(api.ApiEndpoint).toMatch(/^ws:\/\//);
    for (const key of ['$connect', '$disconnect', '$default', 'sendmessage']) await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: key }));
    expect((await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items).toHaveLength(4);
    expect(await failure(v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default' })))).toMatchObject({ name: 'BadRequestException' });
  });
});
