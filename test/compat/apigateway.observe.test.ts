// Per-API metrics after real requests (Count, 4XXError, Latency, IntegrationLatency, under the
// API's name, stage, resource and method) and access log lines rendered from `$context`, read
// back through the log service as `stratus logs tail --log-group` does.
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailFunctionLogs } from '../../nodes/cli/logs.js';
import { renderAccessLog } from '../../nodes/gateway/apigw/data/observe.js';
import { Metric } from '../../nodes/telemetry/metric-names.js';
import { type RunningNode } from '../../nodes/run-node.js';
import { mockMethod } from './apigw-fixtures.js';
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
    await mockMethod(apigw, { restApiId: apiId, resourceId: r, httpMethod: 'GET', responseTemplate: '{}' });
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

  it('writes one access log line per request, in the stage format, to the named log group', async () => {
    const format = '$context.requestId $context.identity.sourceIp "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.stage $context.apiId $context.error.message';
    await apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/format', value: format },
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:api-access' },
        ],
      }),
    );
    // Stage settings reach the data plane when its cached API document refreshes (~1 s).
    const ids: string[] = [];
    const lines: string[] = [];
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await fetch(`${target.endpoint}/_api/${apiId}/prod/`);
      ids.push(r.headers.get('x-amzn-requestid') ?? '');
      lines.length = 0;
      await tailFunctionLogs({ endpoint: target.node.grpcAddress, functionName: '', logGroup: 'api-access', sinceMs: 0, follow: false, out: (l) => lines.push(l) }).catch(() => undefined);
      if (lines.length > 0 || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(lines.length).toBeGreaterThan(0);
    const line = lines.find((l) => ids.some((id) => id !== '' && l.includes(id)));
    expect(line).toBeDefined();
    // `<time> <requestId> <rendered line>`
    expect(line).toMatch(new RegExp(`^\\S+ (\\S+) \\1 127\\.0\\.0\\.1 "GET / HTTP/1\\.1" 200 2 prod ${apiId} -$`));
  }, 30_000);
});
