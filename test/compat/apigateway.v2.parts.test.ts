// API Gateway v2 management beyond the core: updates, CORS, authorizers, models, deployments,
// stage settings, tags, and WebSocket route/integration responses, with AWS's errors.
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateModelCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  DeleteAccessLogSettingsCommand,
  DeleteApiCommand,
  DeleteAuthorizerCommand,
  DeleteCorsConfigurationCommand,
  DeleteDeploymentCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteModelCommand,
  DeleteRouteRequestParameterCommand,
  DeleteRouteResponseCommand,
  DeleteRouteSettingsCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetIntegrationResponseCommand,
  GetIntegrationResponsesCommand,
  GetModelCommand,
  GetModelTemplateCommand,
  GetModelsCommand,
  GetRouteCommand,
  GetRouteResponseCommand,
  GetRouteResponsesCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetTagsCommand,
  ResetAuthorizersCacheCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateAuthorizerCommand,
  UpdateDeploymentCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateModelCommand,
  UpdateRouteCommand,
  UpdateRouteResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';
import { failure } from './apigw-fixtures.js';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:f';
const AUTH_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations`;

describe('API Gateway v2 management: the other operations (SDK v3)', () => {
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

  it('updates APIs, removes CORS, pages GetApis and tags APIs and stages', async () => {
    const a = await v2.send(new CreateApiCommand({ Name: 'one', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['https://a.example'], MaxAge: 60 } }));
    const b = await v2.send(new CreateApiCommand({ Name: 'two', ProtocolType: 'HTTP', Tags: { team: 'x' } }));
    expect(a.ApiKeySelectionExpression).toBe('$request.header.x-api-key');
    expect(a.CorsConfiguration).toEqual({ AllowOrigins: ['https://a.example'], MaxAge: 60 });
    const u = await v2.send(new UpdateApiCommand({ ApiId: a.ApiId, Name: 'renamed', Description: 'd', CorsConfiguration: { AllowMethods: ['GET'] } }));
    expect(u).toMatchObject({ Name: 'renamed', Description: 'd', CorsConfiguration: { AllowOrigins: ['https://a.example'], AllowMethods: ['GET'], MaxAge: 60 } });
    await v2.send(new DeleteCorsConfigurationCommand({ ApiId: a.ApiId }));
    expect((await v2.send(new GetApiCommand({ ApiId: a.ApiId }))).CorsConfiguration).toBeUndefined();
    expect(await failure(v2.send(new UpdateApiCommand({ ApiId: 'nope', Name: 'x' })))).toEqual({ name: 'NotFoundException', message: 'Invalid API identifier specified nope', status: 404 });

    const first = await v2.send(new GetApisCommand({ MaxResults: '1' }));
    expect(first.Items).toHaveLength(1);
    expect(first.NextToken).toBeDefined();
    const rest = await v2.send(new GetApisCommand({ NextToken: first.NextToken }));
    expect([...(first.Items ?? []), ...(rest.Items ?? [])].map((x) => x.ApiId)).toEqual(expect.arrayContaining([a.ApiId, b.ApiId]));

    const arn = `arn:aws:apigateway:us-east-1::/apis/${b.ApiId}`;
    await v2.send(new TagResourceCommand({ ResourceArn: arn, Tags: { env: 'dev' } }));
    expect((await v2.send(new GetTagsCommand({ ResourceArn: arn }))).Tags).toEqual({ team: 'x', env: 'dev' });
    await v2.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    expect((await v2.send(new GetTagsCommand({ ResourceArn: arn }))).Tags).toEqual({ env: 'dev' });
    await v2.send(new CreateStageCommand({ ApiId: b.ApiId, StageName: 'prod' }));
    await v2.send(new TagResourceCommand({ ResourceArn: `${arn}/stages/prod`, Tags: { tier: 'gold' } }));
    expect((await v2.send(new GetStageCommand({ ApiId: b.ApiId, StageName: 'prod' }))).Tags).toEqual({ tier: 'gold' });
    expect(await failure(v2.send(new GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/restapis/x/y/z' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new TagResourceCommand({ ResourceArn: arn, Tags: { 'aws:x': '1' } })))).toMatchObject({ name: 'BadRequestException' });
    for (const id of [a.ApiId, b.ApiId]) await v2.send(new DeleteApiCommand({ ApiId: id }));
  });

  it('manages routes, authorizers and models; each change auto-deploys', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'parts', ProtocolType: 'HTTP' }));
    const id = api.ApiId!;
    const live = await v2.send(new CreateStageCommand({ ApiId: id, StageName: 'live', AutoDeploy: true }));
    const deployed = async (): Promise<string | undefined> => (await v2.send(new GetStageCommand({ ApiId: id, StageName: 'live' }))).DeploymentId;

    expect(await failure(v2.send(new CreateAuthorizerCommand({ ApiId: id, Name: 'req', AuthorizerType: 'REQUEST', AuthorizerUri: AUTH_URI, IdentitySource: ['$request.header.Authorization'] })))).toMatchObject({ name: 'BadRequestException' });
    const lambdaAuth = await v2.send(new CreateAuthorizerCommand({ ApiId: id, Name: 'req', AuthorizerType: 'REQUEST', AuthorizerUri: AUTH_URI, IdentitySource: ['$request.header.Authorization'], AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, AuthorizerResultTtlInSeconds: 60 }));
    expect(lambdaAuth).toMatchObject({ AuthorizerType: 'REQUEST', EnableSimpleResponses: true, AuthorizerResultTtlInSeconds: 60, IdentitySource: ['$request.header.Authorization'] });
    expect(await deployed()).not.toBe(live.DeploymentId);
    expect(await failure(v2.send(new CreateAuthorizerCommand({ ApiId: id, Name: 'req', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://i' } })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(v2.send(new CreateAuthorizerCommand({ ApiId: id, Name: 'jwt0', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] })))).toMatchObject({ name: 'BadRequestException' });
    const jwt = await v2.send(new CreateAuthorizerCommand({ ApiId: id, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['app'] } }));
    expect(jwt.JwtConfiguration).toEqual({ Issuer: 'https://issuer.example', Audience: ['app'] });
    const ua = await v2.send(new UpdateAuthorizerCommand({ ApiId: id, AuthorizerId: jwt.AuthorizerId, JwtConfiguration: { Audience: ['app', 'cli'] } }));
    expect(ua.JwtConfiguration).toEqual({ Issuer: 'https://issuer.example', Audience: ['app', 'cli'] });
    expect((await v2.send(new GetAuthorizerCommand({ ApiId: id, AuthorizerId: lambdaAuth.AuthorizerId }))).Name).toBe('req');
    expect((await v2.send(new GetAuthorizersCommand({ ApiId: id }))).Items?.map((x) => x.Name).sort()).toEqual(['jwt', 'req']);
    expect(await failure(v2.send(new GetAuthorizerCommand({ ApiId: id, AuthorizerId: 'zz' })))).toEqual({ name: 'NotFoundException', message: 'Invalid Authorizer identifier specified zz', status: 404 });

    const i = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0' }));
    const r = await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /items/{id}', Target: `integrations/${i.IntegrationId}`, RequestParameters: { 'route.request.querystring.q': { Required: true } } }));
    expect(await failure(v2.send(new UpdateRouteCommand({ ApiId: id, RouteId: r.RouteId, AuthorizationType: 'JWT' })))).toMatchObject({ name: 'BadRequestException' });
    const before = await deployed();
    const ur = await v2.send(new UpdateRouteCommand({ ApiId: id, RouteId: r.RouteId, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'], RouteKey: 'GET /things/{id}' }));
    expect(ur).toMatchObject({ RouteKey: 'GET /things/{id}', AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'] });
    expect(await deployed()).not.toBe(before);
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'POST /things' }));
    expect(await failure(v2.send(new UpdateRouteCommand({ ApiId: id, RouteId: r.RouteId, RouteKey: 'POST /things' })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(v2.send(new DeleteAuthorizerCommand({ ApiId: id, AuthorizerId: jwt.AuthorizerId })))).toMatchObject({ name: 'ConflictException' });
    await v2.send(new DeleteRouteRequestParameterCommand({ ApiId: id, RouteId: r.RouteId, RequestParameterKey: 'route.request.querystring.q' }));
    expect((await v2.send(new GetRouteCommand({ ApiId: id, RouteId: r.RouteId }))).RequestParameters).toEqual({});
    expect(await failure(v2.send(new GetRouteCommand({ ApiId: id, RouteId: 'zz' })))).toEqual({ name: 'NotFoundException', message: 'Invalid Route identifier specified zz', status: 404 });
    await v2.send(new DeleteAuthorizerCommand({ ApiId: id, AuthorizerId: lambdaAuth.AuthorizerId }));

    const ui = await v2.send(new UpdateIntegrationCommand({ ApiId: id, IntegrationId: i.IntegrationId, TimeoutInMillis: 5000, Description: 'fn' }));
    expect(ui).toMatchObject({ TimeoutInMillis: 5000, Description: 'fn', PayloadFormatVersion: '2.0' });
    expect((await v2.send(new GetIntegrationCommand({ ApiId: id, IntegrationId: i.IntegrationId }))).TimeoutInMillis).toBe(5000);
    expect(await failure(v2.send(new UpdateIntegrationCommand({ ApiId: id, IntegrationId: i.IntegrationId, PayloadFormatVersion: '3.0' })))).toMatchObject({ name: 'BadRequestException' });

    const schema = JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } } });
    expect(await failure(v2.send(new CreateModelCommand({ ApiId: id, Name: 'bad name', Schema: schema })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new CreateModelCommand({ ApiId: id, Name: 'Bad', Schema: '{nope' })))).toMatchObject({ name: 'BadRequestException' });
    const m = await v2.send(new CreateModelCommand({ ApiId: id, Name: 'Pet', Schema: schema }));
    expect(m).toMatchObject({ Name: 'Pet', ContentType: 'application/json', Schema: schema });
    expect(await failure(v2.send(new CreateModelCommand({ ApiId: id, Name: 'Pet', Schema: schema })))).toMatchObject({ name: 'ConflictException' });
    expect((await v2.send(new GetModelTemplateCommand({ ApiId: id, ModelId: m.ModelId }))).Value).toBe(`#set($inputRoot = $input.path('$'))\n{\n  "name" : "$inputRoot.name",\n  "age" : "$inputRoot.age"\n}`);
    expect((await v2.send(new UpdateModelCommand({ ApiId: id, ModelId: m.ModelId, Description: 'a pet' }))).Description).toBe('a pet');
    expect((await v2.send(new GetModelCommand({ ApiId: id, ModelId: m.ModelId }))).Description).toBe('a pet');
    expect((await v2.send(new GetModelsCommand({ ApiId: id }))).Items).toHaveLength(1);
    await v2.send(new DeleteModelCommand({ ApiId: id, ModelId: m.ModelId }));
    expect(await failure(v2.send(new GetModelCommand({ ApiId: id, ModelId: m.ModelId! })))).toMatchObject({ name: 'NotFoundException', message: `Invalid Model identifier specified ${m.ModelId}` });
    await v2.send(new DeleteApiCommand({ ApiId: id }));
  });

  it('manages deployments and stage settings', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'deploys', ProtocolType: 'HTTP', Target: 'https://example.com' }));
    const id = api.ApiId!;
    const i = (await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.org', PayloadFormatVersion: '1.0' })));
    await v2.send(new DeleteIntegrationCommand({ ApiId: id, IntegrationId: i.IntegrationId }));
    await v2.send(new CreateStageCommand({ ApiId: id, StageName: 'manual', RouteSettings: { '$default': { ThrottlingBurstLimit: 5 } }, AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:g', Format: '$context.requestId' } }));
    const d = await v2.send(new CreateDeploymentCommand({ ApiId: id, StageName: 'manual' }));
    expect(await failure(v2.send(new CreateDeploymentCommand({ ApiId: id, StageName: '$default' })))).toMatchObject({ name: 'BadRequestException' });
    expect((await v2.send(new GetDeploymentCommand({ ApiId: id, DeploymentId: d.DeploymentId }))).AutoDeployed).toBe(false);
    expect((await v2.send(new UpdateDeploymentCommand({ ApiId: id, DeploymentId: d.DeploymentId, Description: 'v1' }))).Description).toBe('v1');
    const all = (await v2.send(new GetDeploymentsCommand({ ApiId: id }))).Items ?? [];
    expect(all.some((x) => x.AutoDeployed === true)).toBe(true);
    expect(all.find((x) => x.DeploymentId === d.DeploymentId)?.Description).toBe('v1');
    expect(await failure(v2.send(new DeleteDeploymentCommand({ ApiId: id, DeploymentId: d.DeploymentId })))).toMatchObject({ name: 'BadRequestException' });

    const us = await v2.send(new UpdateStageCommand({ ApiId: id, StageName: 'manual', StageVariables: { v: '1' }, DefaultRouteSettings: { ThrottlingRateLimit: 10 }, RouteSettings: { '$default': { LoggingLevel: 'INFO' } } }));
    expect(us).toMatchObject({ StageVariables: { v: '1' }, DefaultRouteSettings: { ThrottlingRateLimit: 10 }, RouteSettings: { $default: { ThrottlingBurstLimit: 5, LoggingLevel: 'INFO' } } });
    await v2.send(new DeleteRouteSettingsCommand({ ApiId: id, StageName: 'manual', RouteKey: '$default' }));
    await v2.send(new DeleteAccessLogSettingsCommand({ ApiId: id, StageName: 'manual' }));
    await v2.send(new ResetAuthorizersCacheCommand({ ApiId: id, StageName: 'manual' }));
    const after = await v2.send(new GetStageCommand({ ApiId: id, StageName: 'manual' }));
    expect(after.RouteSettings).toEqual({});
    expect(after.AccessLogSettings).toBeUndefined();
    expect(await failure(v2.send(new ResetAuthorizersCacheCommand({ ApiId: id, StageName: 'nope' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid stage identifier specified nope' });

    // Switching autoDeploy on deploys at once; the manual deployment is then free to delete.
    const auto = await v2.send(new UpdateStageCommand({ ApiId: id, StageName: 'manual', AutoDeploy: true }));
    expect(auto.AutoDeploy).toBe(true);
    expect(auto.DeploymentId).not.toBe(d.DeploymentId);
    await v2.send(new DeleteDeploymentCommand({ ApiId: id, DeploymentId: d.DeploymentId }));
    expect(await failure(v2.send(new GetDeploymentCommand({ ApiId: id, DeploymentId: d.DeploymentId! })))).toMatchObject({ name: 'NotFoundException', message: `Invalid Deployment identifier specified ${d.DeploymentId}` });
    await v2.send(new DeleteStageCommand({ ApiId: id, StageName: 'manual' }));
    await v2.send(new DeleteApiCommand({ ApiId: id }));
  });

  it('quick-creates with a route key and checks AWS service integration subtypes', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'qk', ProtocolType: 'HTTP', Target: 'https://example.com/x', RouteKey: 'GET /hello', CredentialsArn: 'arn:aws:iam::000000000000:role/r' }));
    const routes = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    expect(routes.Items?.map((r) => r.RouteKey)).toEqual(['GET /hello']);
    const [integration] = (await v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items ?? [];
    expect(integration).toMatchObject({ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com/x', IntegrationMethod: 'ANY', CredentialsArn: 'arn:aws:iam::000000000000:role/r' });
    expect(await failure(v2.send(new CreateApiCommand({ Name: 'qk', ProtocolType: 'HTTP', Target: 'not-a-target' })))).toMatchObject({ name: 'BadRequestException' });
    expect(routes.Items?.[0]?.ApiGatewayManaged).toBe(true);
    const deployedBefore = (await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }))).DeploymentId;
    await v2.send(new UpdateApiCommand({ ApiId: api.ApiId, Target: FN, RouteKey: 'POST /hello' }));
    expect((await v2.send(new GetIntegrationCommand({ ApiId: api.ApiId, IntegrationId: integration?.IntegrationId }))).IntegrationType).toBe('AWS_PROXY');
    expect((await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items?.map((r) => r.RouteKey)).toEqual(['POST /hello']);
    expect((await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }))).DeploymentId).not.toBe(deployedBefore);

    const sub = { ApiId: api.ApiId, IntegrationType: 'AWS_PROXY' as const, PayloadFormatVersion: '1.0' };
    const ok = await v2.send(new CreateIntegrationCommand({ ...sub, IntegrationSubtype: 'SQS-SendMessage', RequestParameters: { QueueUrl: 'http://q', MessageBody: '$request.body' } }));
    expect(ok).toMatchObject({ IntegrationSubtype: 'SQS-SendMessage', RequestParameters: { QueueUrl: 'http://q', MessageBody: '$request.body' } });
    expect(await failure(v2.send(new CreateIntegrationCommand({ ...sub, IntegrationSubtype: 'SQS-Nope', RequestParameters: { QueueUrl: 'q' } })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new CreateIntegrationCommand({ ...sub, IntegrationSubtype: 'StepFunctions-StartExecution' })))).toMatchObject({ name: 'BadRequestException' });
    await v2.send(new DeleteApiCommand({ ApiId: api.ApiId }));
  });

  it('manages WebSocket route responses and integration responses', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
    const id = api.ApiId!;
    expect(await failure(v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0' })))).toMatchObject({ name: 'BadRequestException' });
    const mock = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode":200}' }, TemplateSelectionExpression: '\\$default' }));
    expect(mock).toMatchObject({ IntegrationType: 'MOCK', TimeoutInMillis: 29000, PayloadFormatVersion: '1.0' });
    const route = await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'echo', Target: `integrations/${mock.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));

    const rr = await v2.send(new CreateRouteResponseCommand({ ApiId: id, RouteId: route.RouteId, RouteResponseKey: '$default' }));
    expect(rr.RouteResponseKey).toBe('$default');
    expect(await failure(v2.send(new CreateRouteResponseCommand({ ApiId: id, RouteId: route.RouteId, RouteResponseKey: '$default' })))).toMatchObject({ name: 'ConflictException' });
    expect((await v2.send(new GetRouteResponseCommand({ ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId }))).RouteResponseKey).toBe('$default');
    expect((await v2.send(new UpdateRouteResponseCommand({ ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId, ModelSelectionExpression: '$default' }))).ModelSelectionExpression).toBe('$default');
    expect((await v2.send(new GetRouteResponsesCommand({ ApiId: id, RouteId: route.RouteId }))).Items).toHaveLength(1);
    await v2.send(new DeleteRouteResponseCommand({ ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId }));
    expect(await failure(v2.send(new GetRouteResponseCommand({ ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId! })))).toMatchObject({ name: 'NotFoundException', message: `Invalid RouteResponse identifier specified ${rr.RouteResponseId}` });

    const ir = await v2.send(new CreateIntegrationResponseCommand({ ApiId: id, IntegrationId: mock.IntegrationId, IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{"ok":true}' } }));
    expect(ir).toMatchObject({ IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{"ok":true}' } });
    expect(await failure(v2.send(new CreateIntegrationResponseCommand({ ApiId: id, IntegrationId: mock.IntegrationId, IntegrationResponseKey: '$default' })))).toMatchObject({ name: 'ConflictException' });
    const uir = await v2.send(new UpdateIntegrationResponseCommand({ ApiId: id, IntegrationId: mock.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId, IntegrationResponseKey: '/2\\d\\d/' }));
    expect(uir.IntegrationResponseKey).toBe('/2\\d\\d/');
    expect((await v2.send(new GetIntegrationResponseCommand({ ApiId: id, IntegrationId: mock.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId }))).IntegrationResponseKey).toBe('/2\\d\\d/');
    expect((await v2.send(new GetIntegrationResponsesCommand({ ApiId: id, IntegrationId: mock.IntegrationId }))).Items).toHaveLength(1);
    await v2.send(new DeleteIntegrationResponseCommand({ ApiId: id, IntegrationId: mock.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId }));
    expect(await failure(v2.send(new GetIntegrationResponseCommand({ ApiId: id, IntegrationId: mock.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId! })))).toMatchObject({ name: 'NotFoundException' });
    expect(await failure(v2.send(new CreateAuthorizerCommand({ ApiId: id, Name: 'j', AuthorizerType: 'JWT', IdentitySource: ['route.request.header.Auth'], JwtConfiguration: { Issuer: 'https://i' } })))).toMatchObject({ name: 'BadRequestException' });
    await v2.send(new DeleteApiCommand({ ApiId: id }));
  });
});
