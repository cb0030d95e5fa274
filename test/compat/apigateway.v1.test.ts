// API Gateway v1 (REST API) management through the SDK v3 client against the embedded server:
// APIs, resources, methods, integrations and their responses, deployments and stages (patch
// operations, rollback to an earlier deployment), with AWS's error names and messages.
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  FlushStageCacheCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';
import { failure } from './apigw-fixtures.js';

describe('API Gateway v1 management (SDK v3)', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  it('creates, lists, reads and deletes REST APIs', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'pets', description: 'a pet store', tags: { team: 'a' }, binaryMediaTypes: ['image/png'] }));
    expect(api.id).toMatch(/^[a-z0-9]{10}$/);
    expect(api.rootResourceId).toMatch(/^[a-z0-9]+$/);
    expect(api.apiKeySource).toBe('HEADER');
    expect(api.endpointConfiguration?.types).toEqual(['EDGE']);
    expect(api.createdDate).toBeInstanceOf(Date);
    const got = await apigw.send(new GetRestApiCommand({ restApiId: api.id }));
    expect(got).toMatchObject({ name: 'pets', description: 'a pet store', tags: { team: 'a' }, binaryMediaTypes: ['image/png'] });
    const list = await apigw.send(new GetRestApisCommand({}));
    expect(list.items?.map((a) => a.id)).toContain(api.id);
    await apigw.send(new DeleteRestApiCommand({ restApiId: api.id }));
    const e = await failure(apigw.send(new GetRestApiCommand({ restApiId: api.id! })));
    expect(e).toMatchObject({ name: 'NotFoundException', message: 'Invalid API identifier specified', status: 404 });
  });

  it('builds a resource tree with methods, integrations and responses', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'tree' }));
    const root = api.rootResourceId!;
    const pets = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'pets' }));
    expect(pets).toMatchObject({ path: '/pets', pathPart: 'pets', parentId: root });
    const pet = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: '{petId}' }));
    expect(pet.path).toBe('/pets/{petId}');
    expect(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'pets' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: '{other}' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: 'nope', pathPart: 'x' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Resource identifier specified' });

    const m = await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', authorizationType: 'NONE', requestParameters: { 'method.request.path.petId': true } }));
    expect(m).toMatchObject({ httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: false, requestParameters: { 'method.request.path.petId': true } });
    expect(await failure(apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', authorizationType: 'NONE' })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'POST', authorizationType: 'CUSTOM' })))).toMatchObject({ name: 'BadRequestException' });

    const integration = await apigw.send(
      new PutIntegrationCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }),
    );
    expect(integration).toMatchObject({ type: 'MOCK', passthroughBehavior: 'WHEN_NO_MATCH', timeoutInMillis: 29000 });
    expect(await failure(apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', type: 'HTTP', integrationHttpMethod: 'GET', uri: 'ftp://x' })))).toMatchObject({
      name: 'BadRequestException',
      message: 'Invalid HTTP endpoint specified for URI',
    });
    expect(
      await failure(apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: 'http://example.com', timeoutInMillis: 30000 }))),
    ).toMatchObject({ name: 'BadRequestException' });
    const proxy = await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: pets.id, httpMethod: 'ANY', authorizationType: 'NONE' }));
    expect(proxy.httpMethod).toBe('ANY');
    const http = await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: pets.id, httpMethod: 'ANY', type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: 'http://example.com/pets', timeoutInMillis: 1000 }));
    expect(http).toMatchObject({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://example.com/pets', timeoutInMillis: 1000 });

    await apigw.send(new PutMethodResponseCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', statusCode: '200', responseParameters: { 'method.response.header.x-pet': false } }));
    const ir = await apigw.send(
      new PutIntegrationResponseCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"id": "$input.params(\'petId\')"}' } }),
    );
    expect(ir.statusCode).toBe('200');
    expect(await failure(apigw.send(new PutIntegrationResponseCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET', statusCode: '404' })))).toMatchObject({ name: 'BadRequestException' });

    const got = await apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'GET' }));
    expect(got.methodIntegration?.integrationResponses?.['200']?.responseTemplates?.['application/json']).toContain('petId');
    expect(got.methodResponses?.['200']?.responseParameters).toEqual({ 'method.response.header.x-pet': false });
    expect((await apigw.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: pets.id, httpMethod: 'ANY' }))).uri).toBe('http://example.com/pets');
    expect(await failure(apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: pet.id, httpMethod: 'PUT' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Method identifier specified' });

    const resources = await apigw.send(new GetResourcesCommand({ restApiId: api.id, embed: ['methods'] }));
    expect(resources.items?.map((r) => r.path)).toEqual(['/', '/pets', '/pets/{petId}']);
    expect(resources.items?.[2]?.resourceMethods?.GET?.methodIntegration?.type).toBe('MOCK');

    await apigw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: pets.id }));
    const after = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    expect(after.items?.map((r) => r.path)).toEqual(['/']);
  });

  it('deploys to stages, patches stages and rolls back to an earlier deployment', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'deploys' }));
    expect(await failure(apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' })))).toMatchObject({
      name: 'BadRequestException',
      message: "The REST API doesn't contain any methods",
    });
    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    expect(await failure(apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' })))).toMatchObject({ name: 'BadRequestException', message: 'No integration defined for method' });
    await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', type: 'MOCK' }));
    const d1 = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', description: 'first', variables: { color: 'blue' } }));
    const d2 = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', description: 'second' }));
    const stage = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }));
    expect(stage).toMatchObject({ stageName: 'prod', deploymentId: d2.id, variables: { color: 'blue' }, cacheClusterEnabled: false });
    expect((await apigw.send(new GetDeploymentsCommand({ restApiId: api.id }))).items?.map((d) => d.description)).toEqual(['first', 'second']);
    const summary = await apigw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: d1.id, embed: ['apisummary'] }));
    expect(summary.apiSummary?.['/']?.GET).toEqual({ authorizationType: 'NONE', apiKeyRequired: false });

    // Rollback: the stage points at the first deployment again.
    const rolled = await apigw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/deploymentId', value: d1.id },
          { op: 'replace', path: '/variables/color', value: 'green' },
          { op: 'replace', path: '/*/*/throttling/rateLimit', value: '100' },
          { op: 'replace', path: '/~1/GET/caching/enabled', value: 'true' },
          { op: 'replace', path: '/~1/GET/caching/ttlInSeconds', value: '60' },
          { op: 'replace', path: '/canarySettings/percentTraffic', value: '10' },
        ],
      }),
    );
    expect(rolled.deploymentId).toBe(d1.id);
    expect(rolled.variables).toEqual({ color: 'green' });
    expect(rolled.methodSettings?.['*/*']?.throttlingRateLimit).toBe(100);
    // Keys are the escaped resource path and the method; a method's settings start from `*/*`'s.
    expect(rolled.methodSettings?.['~1/GET']).toMatchObject({ cachingEnabled: true, cacheTtlInSeconds: 60, throttlingRateLimit: 100 });
    expect(rolled.canarySettings?.percentTraffic).toBe(10);
    expect(await failure(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/deploymentId', value: 'nope' }] })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '4000' }] })))).toMatchObject({ name: 'BadRequestException' });

    expect(await failure(apigw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: d1.id })))).toMatchObject({
      name: 'BadRequestException',
      message: 'Active stages pointing to this deployment must be moved or deleted',
    });
    await apigw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: d2.id }));
    await apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'dev', deploymentId: d1.id, variables: { a: '1' } }));
    expect(await failure(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'dev', deploymentId: d1.id })))).toMatchObject({ name: 'ConflictException' });
    expect((await apigw.send(new GetStagesCommand({ restApiId: api.id }))).item?.map((s) => s.stageName).sort()).toEqual(['dev', 'prod']);
    await apigw.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: 'dev' }));
    expect(await failure(apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'nope' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Stage identifier specified' });
  });
});
