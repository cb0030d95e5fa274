// WebSocket APIs: a chat API with $connect (refusing callers without a name), $disconnect, a
// custom route chosen by `$request.body.action`, a two-way $default route, and a function that
// broadcasts through the @connections API (with the SDK, signed), an HTTP_PROXY two-way route, binary frames and the
// 128 KB message limit; the test also drives @connections with the SDK's ApiGatewayManagementApi
// client (GetConnection, PostToConnection, DeleteConnection, 410 Gone).
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from './lambda-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';

// One function serves every route; it keeps the room in memory (one warm environment serves
// this test's calls) and broadcasts with the SDK's ApiGatewayManagementApi client, as a chat
// does (the SDK and signing credentials come with the function's environment).
const CHAT = `
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
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
    const api = new ApiGatewayManagementApiClient({ endpoint: process.env.AWS_ENDPOINT_URL + '/_api/' + apiId + '/' + stage });
    await Promise.all([...room].map(async (id) => {
      try {
        await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: data }));
      } catch (err) {
        if (err.name === 'GoneException') room.delete(id);
        else throw err;
      }
    }));
    return { statusCode: 200 };
  }
  return { statusCode: 200, body: JSON.stringify({ echo: event.body, b64: event.isBase64Encoded, route: routeKey, connectionId, type: event.requestContext.eventType }) };
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
  let backend: Server;

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
    // An HTTP_PROXY route: the message is POSTed to a local server, whose answer goes back (two-way).
    backend = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(JSON.stringify({ proxied: Buffer.concat(chunks).toString(), method: req.method })));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const proxy = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'POST', IntegrationUri: `http://127.0.0.1:${(backend.address() as AddressInfo).port}/ws` }));
    const echo = await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'proxy', Target: `integrations/${proxy.IntegrationId}` }));
    await v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: echo.RouteId, RouteResponseKey: '$default' }));
    for (const key of ['$connect', '$disconnect', 'sendmessage', '$default']) {
      const r = await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${i.IntegrationId}` }));
      if (key === '$default') await v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: r.RouteId, RouteResponseKey: '$default' }));
    }
    await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', AutoDeploy: true }));
  }, 30_000);
  afterAll(async () => {
    v2?.destroy();
    backend?.closeAllConnections();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
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

  it('sends a message to an HTTP_PROXY route and answers with the backend\'s body', async () => {
    const eve = await open(wsUrl('?name=eve'));
    const msg = JSON.stringify({ action: 'proxy', n: 1 });
    eve.ws.send(msg);
    expect(JSON.parse(await eve.next())).toEqual({ proxied: msg, method: 'POST' });
    eve.ws.close();
  });

  it('passes binary frames base64-encoded and closes on a message over 128 KB', async () => {
    const dan = await open(wsUrl('?name=dan'));
    dan.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    expect(JSON.parse(await dan.next())).toMatchObject({ echo: Buffer.from([0, 1, 2, 255]).toString('base64'), b64: true, type: 'MESSAGE' });
    const closed = new Promise<number>((r) => dan.ws.once('close', (code) => r(code)));
    dan.ws.send('x'.repeat(128 * 1024 + 1));
    expect(await closed).toBe(1009);
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
