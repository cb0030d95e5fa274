// Admission on a REST API: API keys (missing, unknown, not in a plan: 403 Forbidden), usage plan
// throttles (429 Too Many Requests) and quotas (429 Limit Exceeded), and stage method throttles.
// Rates are set so low that no token refills during the test: the counts are exact.
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetUsageCommand,
  UpdateStageCommand,
  UpdateUsageCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodStart } from '../../nodes/gateway/apigw/data/throttle/quota.js';
import { TokenBucket } from '../../nodes/cluster/token-bucket.js';
import { mockMethod } from './apigw-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

describe('token buckets and quota periods', () => {
  it('grants the burst, then the rate', () => {
    let now = 0;
    const b = new TokenBucket(2, 3, () => now);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    now = 500; // half a second at 2/s: one token
    expect([b.tryTake(), b.tryTake()]).toEqual([true, false]);
    b.configure(2, 1);
    now = 10_000;
    expect([b.tryTake(), b.tryTake()]).toEqual([true, false]);
  });

  it('starts days, weeks (Sunday + offset) and months (day 1 + offset) in UTC', () => {
    const wed = Date.UTC(2026, 10, 25, 15); // Wednesday 25 Nov 2026
    const at = (period: 'DAY' | 'WEEK' | 'MONTH', offset: number, now = wed) => new Date(periodStart({ limit: 1, offset, period }, now)).toISOString().slice(0, 10);
    expect(at('DAY', 0)).toBe('2026-11-25');
    expect(at('WEEK', 0)).toBe('2026-11-22');
    expect(at('WEEK', 1)).toBe('2026-11-23');
    expect(at('WEEK', 4)).toBe('2026-11-19');
    expect(at('MONTH', 0)).toBe('2026-11-01');
    expect(at('MONTH', 24)).toBe('2026-11-25');
    expect(at('MONTH', 25)).toBe('2026-10-26');
    expect(at('MONTH', 0, Date.UTC(2027, 0, 3))).toBe('2027-01-01');
    expect(at('MONTH', 5, Date.UTC(2027, 0, 3))).toBe('2026-12-06');
  });
});

describe('REST API admission', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let apiId: string;
  let resourceId: string;
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const api = await apigw.send(new CreateRestApiCommand({ name: 'keys' }));
    apiId = api.id!;
    resourceId = api.rootResourceId!;
    await mockMethod(apigw, { restApiId: apiId, resourceId, httpMethod: 'GET', responseTemplate: '{"ok": true}', apiKeyRequired: true });
    await mockMethod(apigw, { restApiId: apiId, resourceId, httpMethod: 'POST', responseTemplate: '{"ok": true}' });
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  const get = (key?: string) => fetch(`${target.endpoint}/_api/${apiId}/prod/`, { headers: key === undefined ? {} : { 'x-api-key': key } });
  /** Key and plan changes reach traffic within a second: poll until the expected status shows. */
  async function until(status: number, f: () => Promise<Response>): Promise<Response> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await f();
      if (r.status === status || Date.now() > deadline) return r;
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  it('refuses missing and unknown keys and keys in no plan of the stage with 403 Forbidden', async () => {
    const none = await get();
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ message: 'Forbidden' });
    expect((await get('no-such-key-value-0000000')).status).toBe(403);
    const loose = await apigw.send(new CreateApiKeyCommand({ name: 'loose', enabled: true }));
    expect((await get(loose.value)).status).toBe(403);
  });

  it('throttles by the usage plan (429 Too Many Requests) and counts its quota (429 Limit Exceeded)', async () => {
    const throttledKey = await apigw.send(new CreateApiKeyCommand({ name: 'throttled', enabled: true }));
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'tight', apiStages: [{ apiId, stage: 'prod' }], throttle: { burstLimit: 2, rateLimit: 0.001 } }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: throttledKey.id, keyType: 'API_KEY' }));
    const first = await until(200, () => get(throttledKey.value));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true });
    expect((await get(throttledKey.value)).status).toBe(200);
    const over = await get(throttledKey.value);
    expect(over.status).toBe(429);
    expect(await over.json()).toEqual({ message: 'Too Many Requests' });

    const quotaKey = await apigw.send(new CreateApiKeyCommand({ name: 'quota', enabled: true }));
    const quotaPlan = await apigw.send(new CreateUsagePlanCommand({ name: 'daily', apiStages: [{ apiId, stage: 'prod' }], quota: { limit: 2, period: 'DAY' } }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: quotaPlan.id, keyId: quotaKey.id, keyType: 'API_KEY' }));
    expect((await until(200, () => get(quotaKey.value))).status).toBe(200);
    expect((await get(quotaKey.value)).status).toBe(200);
    const spent = await get(quotaKey.value);
    expect(spent.status).toBe(429);
    expect(await spent.json()).toEqual({ message: 'Limit Exceeded' });

    // The counters reach the catalog within a second: GetUsage reports [used, remaining] per day.
    const today = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 5000;
    let usage = await apigw.send(new GetUsageCommand({ usagePlanId: quotaPlan.id, startDate: today, endDate: today }));
    while (usage.items?.[quotaKey.id!]?.[0]?.[0] !== 2 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      usage = await apigw.send(new GetUsageCommand({ usagePlanId: quotaPlan.id, startDate: today, endDate: today }));
    }
    expect(usage.usagePlanId).toBe(quotaPlan.id);
    expect(usage.items).toEqual({ [quotaKey.id!]: [[2, 0]] });

    // UpdateUsage grants more of the period: traffic passes again once gateways read it back.
    const updated = await apigw.send(new UpdateUsageCommand({ usagePlanId: quotaPlan.id, keyId: quotaKey.id, patchOperations: [{ op: 'replace', path: '/remaining', value: '1' }] }));
    expect(updated.items?.[quotaKey.id!]).toEqual([[2, 1]]);
    expect((await until(200, () => get(quotaKey.value))).status).toBe(200);
    expect((await get(quotaKey.value)).status).toBe(429);
  });

  it('applies the stage method throttle', async () => {
    await apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/~1/POST/throttling/burstLimit', value: '1' },
          { op: 'replace', path: '/~1/POST/throttling/rateLimit', value: '0.001' },
        ],
      }),
    );
    const post = () => fetch(`${target.endpoint}/_api/${apiId}/prod/`, { method: 'POST' });
    expect((await until(429, post)).status).toBe(429);
    expect((await post()).status).toBe(429);
  });
});
