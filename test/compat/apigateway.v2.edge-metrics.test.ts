// HTTP and WebSocket APIs with edge hooks and metrics: an HTTP API stage's viewer hooks answer
// early, add a header the integration sees and rewrite the response; its requests are counted
// under the API's id and the matched route key; a WebSocket stage's viewer hook screens the
// handshake, and its connects and messages (both ways) are counted.
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningNode } from '../../nodes/run-node.js';
import { Metric } from '../../nodes/telemetry/metric-names.js';
import { signedSend } from './raw-http.js';
import { connectionIdRoute } from './apigw-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const VIEWER_REQUEST = `function handler(event) {
  var h = event.request.headers;
  if (!h['x-ticket']) return { statusCode: 401, statusDescription: 'Unauthorized', body: 'no ticket' };
  h['x-edge'] = { value: 'seen' };
  return event.request;
}`;

const VIEWER_RESPONSE = `function handler(event) {
  event.response.headers['x-viewer-response'] = { value: String(event.response.statusCode) };
  return event.response;
}`;

describe('HTTP and WebSocket APIs: edge hooks and metrics', () => {
  let target: SqsTarget & { node: RunningNode };
  let v2: ApiGatewayV2Client;
  let backend: Server;
  let httpApi: string;
  let wsApi: string;
  const seen: { url: string; edge: unknown }[] = [];

  beforeAll(async () => {
    target = await startEmbedded();
    v2 = new ApiGatewayV2Client({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    backend = createServer((req, res) => {
      seen.push({ url: req.url ?? '', edge: req.headers['x-edge'] });
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ url: req.url })));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

    httpApi = (await v2.send(new CreateApiCommand({ Name: 'edge-http', ProtocolType: 'HTTP' }))).ApiId!;
    const hi = await v2.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${backendUrl}/items/{id}`, PayloadFormatVersion: '1.0' }));
    await v2.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /items/{id}', Target: `integrations/${hi.IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: httpApi, StageName: '$default', AutoDeploy: true }));

    wsApi = (await v2.send(new CreateApiCommand({ Name: 'edge-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const wi = await v2.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
    await v2.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: '$default', Target: `integrations/${wi.IntegrationId}` }));
    await connectionIdRoute(v2, wsApi, 'whoami');
    await v2.send(new CreateStageCommand({ ApiId: wsApi, StageName: 'live', AutoDeploy: true }));
  }, 30_000);

  afterAll(async () => {
    v2?.destroy();
    backend?.closeAllConnections();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
    await target?.stop();
  }, 30_000);

  const putHooks = (apiId: string, stage: string, hooks: unknown[]) =>
    signedSend(target.endpoint, { method: 'PUT', path: `/_stratus/apis/${apiId}/stages/${encodeURIComponent(stage)}/edge-hooks`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hooks }) }, { service: 'execute-api' });

  async function until(f: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await f())) {
      if (Date.now() > deadline) throw new Error('condition not met in 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('runs an HTTP API stage viewer hooks and counts requests under the route key', async () => {
    const call = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${target.endpoint}/_api/${httpApi}${path}`, { headers });
    await until(async () => (await call('/items/0')).status === 200);
    expect((await putHooks(httpApi, '$default', [{ event: 'viewer-request', code: VIEWER_REQUEST }, { event: 'viewer-response', code: VIEWER_RESPONSE }])).status).toBe(200);
    await until(async () => (await call('/items/probe')).status === 401);

    const early = await call('/items/1');
    expect(early.status).toBe(401);
    expect(await early.text()).toBe('no ticket');
    expect(seen.some((s) => s.url === '/items/1')).toBe(false);
    const ok = await call('/items/2', { 'x-ticket': 't' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-viewer-response')).toBe('200');
    expect(await ok.json()).toEqual({ url: '/items/2' });
    expect(seen.find((s) => s.url === '/items/2')?.edge).toBe('seen');

    const m = target.node.metrics;
    const route = { api: httpApi, stage: '$default', resource: 'GET /items/{id}', method: 'GET' };
    const before = m.counter(Metric.ApiCount).get(route);
    for (let i = 3; i < 6; i++) expect((await call(`/items/${i}`, { 'x-ticket': 't' })).status).toBe(200);
    expect(m.counter(Metric.ApiCount).get(route)).toBe(before + 3);
    // No route: counted without one (a 404).
    expect((await call('/nothing', { 'x-ticket': 't' })).status).toBe(404);
    expect(m.counter(Metric.Api4XXError).get({ ...route, resource: '' })).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('screens a WebSocket handshake with a viewer hook and counts connects and messages both ways', async () => {
    const url = `${target.endpoint.replace('http', 'ws')}/_api/${wsApi}/live`;
    const connect = (headers: Record<string, string>): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { headers });
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
        ws.once('error', reject);
      });
    const m = target.node.metrics;
    const labels = { api: wsApi, stage: 'live' };
    const ws0 = await connect({});
    ws0.close();
    expect((await putHooks(wsApi, 'live', [{ event: 'viewer-request', code: VIEWER_REQUEST }])).status).toBe(200);
    await until(async () => connect({}).then((w) => (w.close(), false), (err: Error) => err.message === 'status 401'));

    const connects = m.counter(Metric.ApiConnectCount).get(labels);
    const messages = m.counter(Metric.ApiMessageCount).get(labels);
    const ws = await connect({ 'x-ticket': 't' });
    const got: string[] = [];
    ws.on('message', (d) => got.push(d.toString()));
    ws.send(JSON.stringify({ action: 'anything' }));
    ws.send(JSON.stringify({ action: 'again' }));
    ws.send(JSON.stringify({ action: 'whoami' }));
    await until(async () => got.length === 1);
    const { id } = JSON.parse(got[0]!) as { id: string };
    // Unsigned: refused, as AWS refuses callers without IAM credentials.
    const unsigned = await fetch(`${target.endpoint}/_api/${wsApi}/live/@connections/${encodeURIComponent(id)}`, { method: 'POST', body: 'hello' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
    const mgmt = new ApiGatewayManagementApiClient({ endpoint: `${target.endpoint}/_api/${wsApi}/live`, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'hello' }));
    mgmt.destroy();
    await until(async () => got.length === 2);
    expect(got[1]).toBe('hello');
    // Three messages in; two out (the route response and the @connections post).
    expect(m.counter(Metric.ApiMessageCount).get(labels)).toBe(messages + 5);
    expect(m.counter(Metric.ApiConnectCount).get(labels)).toBe(connects + 1);
    ws.close();
  }, 30_000);
});
