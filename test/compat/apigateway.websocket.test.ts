// WebSocket APIs: a chat API with $connect (refusing callers without a name), $disconnect, a
// custom route chosen by `$request.body.action`, a two-way $default route, and a function that
// broadcasts through the @connections API; the test also drives @connections with the SDK's
// ApiGatewayManagementApi client (GetConnection, PostToConnection, DeleteConnection, 410 Gone).
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from './lambda-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';

// One function serves every route; it keeps the room in memory (one warm environment serves
// this test's calls) and broadcasts by POSTing to the stage's @connections API, as a chat does.
const CHAT = `
const room = new Set();
export const handler = async (event) => {
  const { routeKey, connectionId, stage, apiId } = event.requestContext;
  if (routeKey === '$connect') {
    if (!event.queryStringParameters?.name) return { statusCode: 403 };
    room.add(connectionId);
    return { statusCode: 200 };
  }
  if (routeKey === '$disconnect') { room.delete(connectionId); return { statusCode: 200 }; }
  if (routeKey === 'sendmessage') {
    const text = JSON.parse(event.body).text;
    const data = JSON.stringify({ from: connectionId, text });
    const base = process.env.AWS_ENDPOINT_URL + '/_api/' + apiId + '/' + stage + '/@connections/';
    await Promise.all([...room].map(async (id) => {
      const r = await fetch(base + encodeURIComponent(id), { method: 'POST', body: data });
      if (r.status === 410) room.delete(id);
    }));
    return { statusCode: 200 };
  }
  return { statusCode: 200, body: JSON.stringify({ echo: event.body, route: routeKey, connectionId }) };
};`;

function open(url: string): Promise<{ ws: WebSocket; messages: string[]; next: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    const waiters: ((m: string) => void)[] = [];
    ws.on('message', (d) => {
      const text = d.toString();
      const w = waiters.shift();
      if (w) w(text);
      else messages.push(text);
    });
    const next = (): Promise<string> => {
      const m = messages.shift();
      return m !== undefined ? Promise.resolve(m) : new Promise((r) => waiters.push(r));
    };
    ws.once('open', () => resolve({ ws, messages, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('WebSocket APIs', () => {
  let target: SqsTarget;
  let v2: ApiGatewayV2Client;
  let apiId: string;

  beforeAll(async () => {
    target = await startEmbedded();
    const opts = { endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };
    v2 = new ApiGatewayV2Client(opts);
    const lambda = new LambdaClient(opts);
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'chat', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.mjs': CHAT }) }, Timeout: 10 }));
    lambda.destroy();
    const api = await v2.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
    apiId = api.ApiId!;
    const i = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fn.FunctionArn }));
    for (const key of ['$connect', '$disconnect', 'sendmessage', '$default']) {
      const r = await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${i.IntegrationId}` }));
      if (key === '$default') await v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: r.RouteId, RouteResponseKey: '$default' }));
    }
    await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', AutoDeploy: true }));
  }, 30_000);
  afterAll(async () => {
    v2?.destroy();
    await target?.stop();
  }, 30_000);

  const wsUrl = (query: string): string => `${target.endpoint.replace(/^http/, 'ws')}/_api/${apiId}/prod${query}`;

  it('refuses a $connect the function refuses, with its status', async () => {
    await expect(open(wsUrl(''))).rejects.toThrow('status 403');
  });

  it('routes messages, answers two-way routes, and broadcasts through @connections', async () => {
    const ada = await open(wsUrl('?name=ada'));
    const bob = await open(wsUrl('?name=bob'));
    ada.ws.send('not json at all');
    expect(JSON.parse(await ada.next())).toMatchObject({ echo: 'not json at all', route: '$default' });
    ada.ws.send(JSON.stringify({ action: 'sendmessage', text: 'hello room' }));
    const [a, b] = await Promise.all([ada.next(), bob.next()]);
    expect(JSON.parse(a)).toMatchObject({ text: 'hello room' });
    expect(JSON.parse(b)).toEqual(JSON.parse(a));
    ada.ws.close();
    bob.ws.close();
  });

  it('serves the @connections API to the SDK client', async () => {
    const carol = await open(wsUrl('?name=carol'));
    carol.ws.send(JSON.stringify({ action: 'whoami' }));
    // The two-way $default route answers with the connection id the function saw.
    const { route, connectionId: from } = JSON.parse(await carol.next()) as { route: string; connectionId: string };
    expect(route).toBe('$default');
    const mgmt = new ApiGatewayManagementApiClient({ endpoint: `${target.endpoint}/_api/${apiId}/prod`, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const info = await mgmt.send(new GetConnectionCommand({ ConnectionId: from }));
    expect(info.Identity?.SourceIp).toBe('127.0.0.1');
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: from, Data: Buffer.from('direct') }));
    expect(await carol.next()).toBe('direct');
    const closed = new Promise<number>((r) => carol.ws.once('close', (code) => r(code)));
    await mgmt.send(new DeleteConnectionCommand({ ConnectionId: from }));
    expect(await closed).toBe(1000);
    await expect(mgmt.send(new PostToConnectionCommand({ ConnectionId: from, Data: Buffer.from('x') }))).rejects.toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    mgmt.destroy();
  });
});
