// Per-API metrics after real requests (Count, 4XXError, Latency, IntegrationLatency, under the
// API's name, stage, resource and method) and access log lines rendered from `$context`.
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAccessLog } from '../../nodes/gateway/apigw/data/observe.js';
import { Metric } from '../../nodes/telemetry/metric-names.js';
import { type RunningNode } from '../../nodes/run-node.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

describe('access log formats', () => {
  it('fills $context variables, nested ones too, and prints - for missing ones', () => {
    const line = renderAccessLog('$context.requestId $context.identity.sourceIp "$context.httpMethod $context.resourcePath" $context.status $context.error.message', {
      requestId: 'r-1',
      identity: { sourceIp: '10.0.0.1' },
      httpMethod: 'GET',
      resourcePath: '/pets',
      status: 200,
    });
    expect(line).toBe('r-1 10.0.0.1 "GET /pets" 200 -');
  });
});

describe('API metrics', () => {
  let target: SqsTarget & { node: RunningNode };
  let apigw: APIGatewayClient;
  let apiId: string;
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const api = await apigw.send(new CreateRestApiCommand({ name: 'metered' }));
    apiId = api.id!;
    const r = api.rootResourceId!;
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: r, httpMethod: 'GET', authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: r, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: r, httpMethod: 'GET', statusCode: '200' }));
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId: r, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{}' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  it('counts requests and errors and records latencies per API, stage, resource and method', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${target.endpoint}/_api/${apiId}/prod/`)).status).toBe(200);
    expect((await fetch(`${target.endpoint}/_api/${apiId}/prod/missing`)).status).toBe(403);
    const m = target.node.metrics;
    const ok = { api: 'metered', stage: 'prod', resource: '/', method: 'GET' };
    expect(m.counter(Metric.ApiCount).get(ok)).toBe(3);
    expect(m.counter(Metric.Api4XXError).get(ok)).toBe(0);
    expect(m.counter(Metric.Api4XXError).get({ ...ok, resource: '' })).toBe(1);
    expect(m.counter(Metric.Api5XXError).get(ok)).toBe(0);
    const text = await m.renderPrometheus();
    expect(text).toMatch(/stratus_apigw_latency_seconds_count\{[^}]*api="metered"[^}]*\} 3/);
    expect(text).toMatch(/stratus_apigw_integration_latency_seconds_count\{[^}]*api="metered"[^}]*\} 3/);
  });
});
