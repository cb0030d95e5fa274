// The stage cache on a REST API: a cached method answers repeats from the cache (the MOCK's
// request id stays the same), cache key parameters separate entries, FlushStageCache empties it.
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  FlushStageCacheCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '../../nodes/gateway/apigw/data/cache.js';
import { type ApigwBackend } from '../../nodes/gateway/apigw/backend.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

describe('the response cache', () => {
  it('expires entries after their TTL and evicts the least recently used past its size', () => {
    let now = 0;
    const c = createCache({} as ApigwBackend, 2000, () => now);
    const res = (n: number) => ({ status: 200, headers: {}, body: Buffer.alloc(n) });
    c.put('a', res(600), 10);
    c.put('b', res(600), 10);
    expect(c.get('a')).toBeDefined(); // a is now the most recently used
    c.put('c', res(600), 10); // evicts b
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    now = 10_001;
    expect(c.get('a')).toBeUndefined();
  });
});

describe('REST API stage cache', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let apiId: string;
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const api = await apigw.send(new CreateRestApiCommand({ name: 'cached' }));
    apiId = api.id!;
    const res = await apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: 'c' }));
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', authorizationType: 'NONE', requestParameters: { 'method.request.querystring.k': false } }));
    await apigw.send(
      new PutIntegrationCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, cacheKeyParameters: ['method.request.querystring.k'] }),
    );
    await apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', statusCode: '200' }));
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"id": "$context.requestId"}' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    await apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
          { op: 'replace', path: '/~1c/GET/caching/enabled', value: 'true' },
        ],
      }),
    );
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  const id = async (q: string): Promise<string> => ((await (await fetch(`${target.endpoint}/_api/${apiId}/prod/c${q}`)).json()) as { id: string }).id;

  it('answers repeats from the cache, by cache key, until flushed', async () => {
    // The stage change reaches the data plane within a second: wait for the first cached answer.
    const deadline = Date.now() + 5000;
    let first = await id('?k=1');
    while ((await id('?k=1')) !== first && Date.now() < deadline) first = await id('?k=1');
    expect(await id('?k=1')).toBe(first);
    expect(await id('?k=2')).not.toBe(first);
    await apigw.send(new FlushStageCacheCommand({ restApiId: apiId, stageName: 'prod' }));
    const flushDeadline = Date.now() + 5000;
    let after = await id('?k=1');
    while (after === first && Date.now() < flushDeadline) after = await id('?k=1');
    expect(after).not.toBe(first);
  });
});
