// API Gateway v1 management through the SDK v3 client: API keys, usage plans and their keys,
// tags by ARN, account settings, deployment updates and snapshots, stage patches beyond the
// core path (canaries, access logs, method settings) and the authorizer cache flush.
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteStageCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetAccountCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetDeploymentCommand,
  GetMethodCommand,
  GetStageCommand,
  GetTagsCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccountCommand,
  UpdateApiKeyCommand,
  UpdateDeploymentCommand,
  UpdateMethodCommand,
  UpdateStageCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';
import { failure } from './apigw-fixtures.js';

describe('API Gateway v1 keys, plans, tags, account and stages (SDK v3)', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  /** An API with GET / (MOCK) deployed to stage `prod`. */
  async function deployedApi(name: string): Promise<{ id: string; root: string; deploymentId: string }> {
    const api = await apigw.send(new CreateRestApiCommand({ name }));
    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', type: 'MOCK' }));
    const d = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
    return { id: api.id!, root: api.rootResourceId!, deploymentId: d.id! };
  }
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  it('creates, lists, updates and deletes API keys', async () => {
    const api = await deployedApi('keys');
    const k = await apigw.send(new CreateApiKeyCommand({ name: 'alpha-key', enabled: true, customerId: 'c1', stageKeys: [{ restApiId: api.id, stageName: 'prod' }], tags: { t: '1' } }));
    expect(k.value).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(k).toMatchObject({ name: 'alpha-key', enabled: true, customerId: 'c1', stageKeys: [`${api.id}/prod`], tags: { t: '1' } });
    const own = await apigw.send(new CreateApiKeyCommand({ name: 'beta-key', value: 'b'.repeat(24) }));
    expect(own).toMatchObject({ value: 'b'.repeat(24), enabled: false });
    expect(await failure(apigw.send(new CreateApiKeyCommand({ name: 'short', value: 'tooshort' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateApiKeyCommand({ name: 'dup', value: 'b'.repeat(24) })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(apigw.send(new CreateApiKeyCommand({ name: 'bad', stageKeys: [{ restApiId: api.id, stageName: 'nope' }] })))).toMatchObject({ name: 'NotFoundException' });

    expect((await apigw.send(new GetApiKeyCommand({ apiKey: k.id }))).value).toBeUndefined();
    expect((await apigw.send(new GetApiKeyCommand({ apiKey: k.id, includeValue: true }))).value).toBe(k.value);
    const byName = await apigw.send(new GetApiKeysCommand({ nameQuery: 'alpha', includeValues: true }));
    expect(byName.items?.map((x) => x.id)).toEqual([k.id]);
    expect(byName.items?.[0]?.value).toBe(k.value);
    expect((await apigw.send(new GetApiKeysCommand({ customerId: 'c1' }))).items?.map((x) => x.id)).toEqual([k.id]);
    const page = await apigw.send(new GetApiKeysCommand({ limit: 1 }));
    expect(page.items).toHaveLength(1);
    expect(page.position).toBeDefined();

    const up = await apigw.send(
      new UpdateApiKeyCommand({
        apiKey: k.id,
        patchOperations: [
          { op: 'replace', path: '/enabled', value: 'false' },
          { op: 'replace', path: '/description', value: 'rotated' },
          { op: 'remove', path: '/stages', value: `${api.id}/prod` },
        ],
      }),
    );
    expect(up).toMatchObject({ enabled: false, description: 'rotated', stageKeys: [] });
    expect(up.value).toBeUndefined();
    expect(await failure(apigw.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [{ op: 'replace', path: '/value', value: 'x' }] })))).toMatchObject({ name: 'BadRequestException' });
    await apigw.send(new DeleteApiKeyCommand({ apiKey: own.id! }));
    expect(await failure(apigw.send(new GetApiKeyCommand({ apiKey: own.id! })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid API Key identifier specified', status: 404 });
  });

  it('manages usage plans and their keys', async () => {
    const api = await deployedApi('plans');
    const plan = await apigw.send(
      new CreateUsagePlanCommand({
        name: 'gold',
        apiStages: [{ apiId: api.id, stage: 'prod', throttle: { '/GET': { rateLimit: 5, burstLimit: 10 } } }],
        throttle: { rateLimit: 100, burstLimit: 200 },
        quota: { limit: 1000, period: 'DAY' },
        tags: { tier: 'gold' },
      }),
    );
    expect(plan).toMatchObject({ name: 'gold', apiStages: [{ apiId: api.id, stage: 'prod', throttle: { '/GET': { rateLimit: 5, burstLimit: 10 } } }], throttle: { rateLimit: 100, burstLimit: 200 }, quota: { limit: 1000, offset: 0, period: 'DAY' } });
    expect(await failure(apigw.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId: api.id, stage: 'nope' }] })))).toMatchObject({
      name: 'BadRequestException',
      message: `Invalid API Stage {api: ${api.id}, stage: nope} specified for usageplan x`,
    });

    const up = await apigw.send(
      new UpdateUsagePlanCommand({
        usagePlanId: plan.id,
        patchOperations: [
          { op: 'replace', path: '/throttle/rateLimit', value: '50' },
          { op: 'replace', path: '/quota/period', value: 'MONTH' },
          { op: 'replace', path: `/apiStages/${api.id}:prod/throttle/~1/GET/rateLimit`, value: '7' },
          { op: 'replace', path: '/description', value: 'the gold plan' },
        ],
      }),
    );
    expect(up).toMatchObject({ description: 'the gold plan', throttle: { rateLimit: 50, burstLimit: 200 }, quota: { period: 'MONTH' }, apiStages: [{ throttle: { '/GET': { rateLimit: 7, burstLimit: 10 } } }] });
    expect(await failure(apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: 'add', path: '/apiStages', value: `${api.id}:nope` }] })))).toMatchObject({ name: 'BadRequestException' });

    const key = await apigw.send(new CreateApiKeyCommand({ name: 'planned', enabled: true }));
    const pk = await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    expect(pk).toMatchObject({ id: key.id, type: 'API_KEY', name: 'planned', value: key.value });
    expect(await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: 'nokey', keyType: 'API_KEY' })))).toMatchObject({ name: 'NotFoundException' });
    // One key may not be in two plans of the same stage.
    const silver = await apigw.send(new CreateUsagePlanCommand({ name: 'silver', apiStages: [{ apiId: api.id, stage: 'prod' }] }));
    expect(await failure(apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: silver.id, keyId: key.id, keyType: 'API_KEY' })))).toMatchObject({ name: 'ConflictException' });

    expect((await apigw.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }))).name).toBe('planned');
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items?.map((x) => x.id)).toEqual([key.id]);
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id, nameQuery: 'zzz' }))).items).toEqual([]);
    expect((await apigw.send(new GetUsagePlansCommand({ keyId: key.id }))).items?.map((p) => p.id)).toEqual([plan.id]);
    expect((await apigw.send(new GetUsagePlansCommand({}))).items?.map((p) => p.name).sort()).toEqual(['gold', 'silver']);

    await apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id! }));
    expect(await failure(apigw.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id! })))).toMatchObject({ name: 'NotFoundException' });
    // Deleting a key takes it out of its plans.
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: silver.id, keyId: key.id, keyType: 'API_KEY' }));
    await apigw.send(new DeleteApiKeyCommand({ apiKey: key.id! }));
    expect((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: silver.id }))).items).toEqual([]);
    expect(await failure(apigw.send(new DeleteUsagePlanCommand({ usagePlanId: silver.id! })))).toMatchObject({
      name: 'BadRequestException',
      message: `Cannot delete Usage Plan ${silver.id} because there are API Stages associated with it, including ${api.id}:prod`,
    });
    await apigw.send(new UpdateUsagePlanCommand({ usagePlanId: silver.id, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${api.id}:prod` }] }));
    await apigw.send(new DeleteUsagePlanCommand({ usagePlanId: silver.id! }));
    expect(await failure(apigw.send(new GetUsagePlanCommand({ usagePlanId: silver.id! })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Usage Plan ID specified' });
    // Deleting a stage takes it out of the plans and keys that name it.
    const stageKey = await apigw.send(new CreateApiKeyCommand({ name: 'staged', stageKeys: [{ restApiId: api.id, stageName: 'prod' }] }));
    await apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: 'prod' }));
    expect((await apigw.send(new GetUsagePlanCommand({ usagePlanId: plan.id }))).apiStages).toEqual([]);
    expect((await apigw.send(new GetApiKeyCommand({ apiKey: stageKey.id }))).stageKeys).toEqual([]);
    await apigw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id! }));
  });

  it('tags APIs, stages, keys and plans by ARN', async () => {
    const api = await deployedApi('tags');
    const key = await apigw.send(new CreateApiKeyCommand({ name: 'tagged' }));
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'tagged' }));
    const arns = [
      `arn:aws:apigateway:us-east-1::/restapis/${api.id}`,
      `arn:aws:apigateway:us-east-1::/restapis/${api.id}/stages/prod`,
      `arn:aws:apigateway:us-east-1::/apikeys/${key.id}`,
      `arn:aws:apigateway:us-east-1::/usageplans/${plan.id}`,
    ];
    for (const arn of arns) {
      await apigw.send(new TagResourceCommand({ resourceArn: arn, tags: { a: '1', b: '2' } }));
      await apigw.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
      expect((await apigw.send(new GetTagsCommand({ resourceArn: arn }))).tags).toEqual({ b: '2' });
    }
    expect((await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }))).tags).toEqual({ b: '2' });
    expect(await failure(apigw.send(new TagResourceCommand({ resourceArn: 'arn:aws:apigateway:us-east-1::/nothing/x', tags: { a: '1' } })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new TagResourceCommand({ resourceArn: arns[0], tags: { 'aws:x': '1' } })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new GetTagsCommand({ resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/missing' })))).toMatchObject({ name: 'NotFoundException' });
  });

  it('reads and updates the account', async () => {
    const a = await apigw.send(new GetAccountCommand({}));
    expect(a.throttleSettings).toEqual({ rateLimit: 10000, burstLimit: 5000 });
    expect(a.cloudwatchRoleArn).toBeUndefined();
    const role = 'arn:aws:iam::000000000000:role/apigw-logs';
    expect((await apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: role }] }))).cloudwatchRoleArn).toBe(role);
    expect((await apigw.send(new GetAccountCommand({}))).cloudwatchRoleArn).toBe(role);
    expect(await failure(apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/throttleSettings/rateLimit', value: '1' }] })))).toMatchObject({ name: 'BadRequestException' });
  });

  it('keeps deployments frozen, patches stages and flushes caches', async () => {
    const api = await deployedApi('frozen');
    const d1 = api.deploymentId;
    // Editing the API after a deployment changes neither the deployment nor the stage.
    await apigw.send(new UpdateMethodCommand({ restApiId: api.id, resourceId: api.root, httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/apiKeyRequired', value: 'true' }] }));
    const summary = await apigw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: d1, embed: ['apisummary'] }));
    expect(summary.apiSummary?.['/']?.GET).toEqual({ authorizationType: 'NONE', apiKeyRequired: false });
    expect((await apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: api.root, httpMethod: 'GET' }))).apiKeyRequired).toBe(true);
    expect((await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }))).deploymentId).toBe(d1);

    const updated = await apigw.send(new UpdateDeploymentCommand({ restApiId: api.id, deploymentId: d1, patchOperations: [{ op: 'replace', path: '/description', value: 'v1' }] }));
    expect(updated).toMatchObject({ id: d1, description: 'v1' });
    expect(await failure(apigw.send(new UpdateDeploymentCommand({ restApiId: api.id, deploymentId: 'nope', patchOperations: [] })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Deployment identifier specified' });

    // A canary deployment goes to the stage's canary; the stage keeps its deployment.
    const d2 = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', canarySettings: { percentTraffic: 20, stageVariableOverrides: { v: 'canary' } } }));
    const canaried = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }));
    expect(canaried).toMatchObject({ deploymentId: d1, canarySettings: { percentTraffic: 20, deploymentId: d2.id, stageVariableOverrides: { v: 'canary' } } });
    const s = await apigw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/canarySettings/stageVariableOverrides/v', value: 'c2' },
          { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId' },
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:api' },
          { op: 'replace', path: '/~1/GET/logging/loglevel', value: 'INFO' },
          { op: 'replace', path: '/~1/GET/metrics/enabled', value: 'true' },
          { op: 'replace', path: '/tracingEnabled', value: 'true' },
          { op: 'replace', path: '/description', value: 'production' },
        ],
      }),
    );
    expect(s).toMatchObject({ tracingEnabled: true, description: 'production', accessLogSettings: { format: '$context.requestId' }, canarySettings: { stageVariableOverrides: { v: 'c2' } } });
    expect(s.methodSettings?.['~1/GET']).toMatchObject({ loggingLevel: 'INFO', metricsEnabled: true, throttlingRateLimit: 10000, throttlingBurstLimit: 5000, cacheTtlInSeconds: 300 });
    // Promoting the canary: the stage moves to its deployment and the canary goes.
    const promoted = await apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/deploymentId', value: d2.id }, { op: 'remove', path: '/canarySettings' }] }));
    expect(promoted.deploymentId).toBe(d2.id);
    expect(promoted.canarySettings).toBeUndefined();
    expect(await failure(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/~1/GET/bogus/setting', value: '1' }] })))).toMatchObject({ name: 'BadRequestException' });
    const cached = await apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'true' }] }));
    expect(cached).toMatchObject({ cacheClusterEnabled: true, cacheClusterSize: '0.5', cacheClusterStatus: 'AVAILABLE' });
    expect((await apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/cacheClusterSize', value: '6.1' }] }))).cacheClusterSize).toBe('6.1');
    expect(await failure(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/cacheClusterSize', value: '7' }] })))).toMatchObject({ name: 'BadRequestException' });

    await apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: 'prod' }));
    expect(await failure(apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: 'nope' })))).toMatchObject({ name: 'NotFoundException' });
    await apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: 'prod' }));
    expect(await failure(apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' })))).toMatchObject({ name: 'NotFoundException' });
  });
});
