// Edge hooks on a REST API stage, set through Stratus's admin route: viewer hooks (CloudFront
// Functions style code in the sandbox) that add headers, answer early, rewrite responses, loop
// forever or eat memory (a 503, and the gateway keeps serving), code refused at PUT, and origin
// hooks run as Stratus functions with Lambda@Edge events.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from './lambda-fixtures.js';
import { type RawResponse, signedSend } from './raw-http.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';

const VIEWER_REQUEST = `function handler(event) {
  var h = event.request.headers;
  if (h['x-loop']) { while (true) {} }
  if (h['x-hog']) { var a = new Array(2e7).fill(0.5); return { statusCode: 200, body: String(a.length) }; }
  if (!h['authorization']) return { statusCode: 401, statusDescription: 'Unauthorized', headers: { 'www-authenticate': { value: 'Bearer' } }, body: 'no token' };
  h['x-edge'] = { value: 'added by ' + event.context.eventType };
  return event.request;
}`;

const VIEWER_RESPONSE = `function handler(event) {
  var r = event.response;
  r.headers['x-viewer-response'] = { value: String(r.statusCode) };
  delete r.headers['x-backend'];
  return r;
}`;

describe('API Gateway edge hooks', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let lambda: LambdaClient;
  let backend: Server;
  let backendUrl: string;
  let apiId: string;
  const seen: { url: string; headers: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    target = await startEmbedded();
    const creds = { endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };
    apigw = new APIGatewayClient(creds);
    lambda = new LambdaClient(creds);
    backend = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'yes' });
        res.end(JSON.stringify({ url: req.url }));
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const a = await apigw.send(new CreateRestApiCommand({ name: 'edge' }));
    apiId = a.id!;
    const proxy = await apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: a.rootResourceId, pathPart: '{proxy+}' }));
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: proxy.id, httpMethod: 'ANY', authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: proxy.id, httpMethod: 'ANY', type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backendUrl}/{proxy}` }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
  }, 30_000);

  afterAll(async () => {
    apigw?.destroy();
    lambda?.destroy();
    backend?.closeAllConnections();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
    await target?.stop();
  }, 30_000);

  const hooksPath = (stage = 'prod'): string => `/_stratus/apis/${apiId}/stages/${stage}/edge-hooks`;
  const putHooks = (hooks: unknown[]): Promise<RawResponse> => signedSend(target.endpoint, { method: 'PUT', path: hooksPath(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hooks }) }, { service: 'execute-api' });
  const call = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${target.endpoint}/_api/${apiId}/prod${path}`, { headers });

  /** Hooks apply without a deployment, once the gateway's cached API document refreshes (~1 s). */
  async function until(f: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await f())) {
      if (Date.now() > deadline) throw new Error('condition not met in 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('refuses invalid hooks at PUT, with a readable message; GET shows the stored ones', async () => {
    const syntax = await putHooks([{ event: 'viewer-request', code: 'function handler(event) { return event.request' }]);
    expect(syntax.status).toBe(400);
    expect(JSON.parse(syntax.body)).toEqual({ message: expect.stringMatching(/hooks\[0\]\.code does not compile: SyntaxError/) });
    expect((await putHooks([{ event: 'viewer-response' }])).status).toBe(400);
    expect(JSON.parse((await putHooks([{ event: 'origin-request', code: 'x' }])).body).message).toMatch(/needs functionArn/);
    expect((await putHooks([{ event: 'nope', code: 'function handler(e){return e}' }])).status).toBe(400);
    const unknownStage = await signedSend(target.endpoint, { method: 'GET', path: hooksPath('nope') }, { service: 'execute-api' });
    expect(unknownStage.status).toBe(404);
    const unsigned = await fetch(`${target.endpoint}${hooksPath()}`);
    expect(unsigned.status).toBe(403);
    const got = await signedSend(target.endpoint, { method: 'GET', path: hooksPath() }, { service: 'execute-api' });
    expect(JSON.parse(got.body)).toEqual({ hooks: [] });
  });

  it('viewer hooks: add a header the integration sees, answer 401 early, rewrite the response; loops and memory hogs are 503s the gateway survives', async () => {
    const put = await putHooks([
      { event: 'viewer-request', code: VIEWER_REQUEST },
      { event: 'viewer-response', code: VIEWER_RESPONSE },
    ]);
    expect(put.status).toBe(200);
    await until(async () => (await call('/probe')).status === 401);

    const early = await call('/a');
    expect(early.status).toBe(401);
    expect(early.headers.get('www-authenticate')).toBe('Bearer');
    expect(await early.text()).toBe('no token');
    expect(seen.some((s) => s.url === '/a')).toBe(false);

    const ok = await call('/b?q=1', { authorization: 'Bearer t' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-viewer-response')).toBe('200');
    expect(ok.headers.get('x-backend')).toBeNull();
    expect(await ok.json()).toEqual({ url: '/b?q=1' });
    expect(seen.find((s) => s.url === '/b?q=1')?.headers['x-edge']).toBe('added by viewer-request');

    const loop = await call('/c', { authorization: 'Bearer t', 'x-loop': '1' });
    expect(loop.status).toBe(503);
    expect(((await loop.json()) as { message: string }).message).toMatch(/viewer-request edge function could not run: .*timed out/);
    expect((await call('/d', { authorization: 'Bearer t' })).status).toBe(200);

    const hog = await call('/e', { authorization: 'Bearer t', 'x-hog': '1' });
    expect(hog.status).toBe(503);
    expect((await call('/f', { authorization: 'Bearer t' })).status).toBe(200);
  }, 30_000);

  it('origin hooks run Stratus functions with Lambda@Edge events: add a request header, answer early, change the response', async () => {
    const originRequest = zip({
      'index.mjs': `export const handler = async (event) => {
        const { request, config } = event.Records[0].cf;
        if (request.uri === '/blocked') return { status: '403', statusDescription: 'Forbidden', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] }, body: 'blocked at the origin' };
        request.headers['x-origin'] = [{ key: 'X-Origin', value: config.eventType + ' ' + request.method }];
        return request;
      };`,
    });
    const originResponse = zip({
      'index.mjs': `export const handler = async (event) => {
        const { response, config } = event.Records[0].cf;
        response.headers['x-origin-response'] = [{ key: 'X-Origin-Response', value: config.eventType + ' ' + response.status }];
        return response;
      };`,
    });
    const reqFn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'edge-origin-request', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: originRequest } }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'edge-origin-response', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: originResponse } }));
    const put = await putHooks([
      { event: 'origin-request', functionArn: reqFn.FunctionArn },
      { event: 'origin-response', functionArn: 'edge-origin-response' },
      { event: 'origin-request', route: '/nothing GET', functionArn: 'missing-function' },
    ]);
    expect(put.status).toBe(200);
    await until(async () => (await call('/probe')).headers.get('x-origin-response') !== null);

    const r = await call('/g?x=1');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-origin-response')).toBe('origin-response 200');
    expect(seen.find((s) => s.url === '/g?x=1')?.headers['x-origin']).toBe('origin-request GET');

    const blocked = await call('/blocked');
    expect(blocked.status).toBe(403);
    expect(await blocked.text()).toBe('blocked at the origin');

    // A hook naming a function that does not exist: 502 with the reason.
    expect((await putHooks([{ event: 'origin-request', functionArn: 'missing-function' }])).status).toBe(200);
    await until(async () => (await call('/h')).status === 502);
    const failed = await call('/h');
    expect(((await failed.json()) as { message: string }).message).toMatch(/origin-request edge function .*failed/);
  }, 30_000);
});
