// REST API (v1) data plane: requests through invoke URLs (path and Host forms) to MOCK, HTTP,
// HTTP_PROXY, AWS (SQS) and AWS_PROXY (a Stratus function) integrations, with mapping templates,
// stage variables, canary routing, parameter validation, deployment semantics and AWS's
// gateway responses (403 Missing Authentication Token, 413, 502 malformed proxy response, 504).
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from './lambda-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';

describe('REST API data plane', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let lambda: LambdaClient;
  let backend: Server;
  let backendUrl: string;
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    target = await startEmbedded();
    const creds = { endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };
    apigw = new APIGatewayClient(creds);
    lambda = new LambdaClient(creds);
    backend = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (req.url?.startsWith('/slow')) return; // never answers: the integration times out
        res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json', 'x-backend': 'yes' });
        res.end(JSON.stringify({ backend: true, url: req.url }));
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    lambda?.destroy();
    backend?.closeAllConnections();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
    await target?.stop();
  }, 30_000);

  /** An API with one method on `path` (created under the root), deployed to `prod`. */
  async function api(path: string, method: string, integration: Omit<ConstructorParameters<typeof PutIntegrationCommand>[0], 'restApiId' | 'resourceId' | 'httpMethod'>, opts: { responses?: boolean; variables?: Record<string, string> } = {}) {
    const a = await apigw.send(new CreateRestApiCommand({ name: `t-${path}` }));
    let parent = a.rootResourceId!;
    for (const part of path.split('/').filter(Boolean)) parent = (await apigw.send(new CreateResourceCommand({ restApiId: a.id, parentId: parent, pathPart: part }))).id!;
    await apigw.send(new PutMethodCommand({ restApiId: a.id, resourceId: parent, httpMethod: method, authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: a.id, resourceId: parent, httpMethod: method, ...integration }));
    if (opts.responses !== false) {
      await apigw.send(new PutMethodResponseCommand({ restApiId: a.id, resourceId: parent, httpMethod: method, statusCode: '200' }));
    }
    return { id: a.id!, resourceId: parent, deploy: () => apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod', variables: opts.variables ?? {} })) };
  }

  const url = (id: string, path: string): string => `${target.endpoint}/_api/${id}/prod${path}`;

  it('MOCK: the request template picks the status, the response template writes the body', async () => {
    const a = await api('pets/{petId}', 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: a.id,
        resourceId: a.resourceId,
        httpMethod: 'GET',
        statusCode: '200',
        responseParameters: { 'method.response.header.x-kind': "'mock'" },
        responseTemplates: { 'application/json': '{"id": "$input.params(\'petId\')", "q": "$input.params(\'q\')", "stage": "$context.stage", "color": "$stageVariables.color"}' },
      }),
    );
    // Not deployed yet: the stage does not exist.
    expect((await fetch(url(a.id, '/pets/7'))).status).toBe(403);
    await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod', variables: { color: 'blue' } }));
    const r = await fetch(url(a.id, '/pets/7?q=x'));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-kind')).toBe('mock');
    expect(await r.json()).toEqual({ id: '7', q: 'x', stage: 'prod', color: 'blue' });

    // The Host form reaches the same API.
    const port = Number(new URL(target.endpoint).port);
    const viaHost = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/prod/pets/8', headers: { host: `${a.id}.execute-api.localhost:${port}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(viaHost.status).toBe(200);
    expect(JSON.parse(viaHost.body)).toMatchObject({ id: '8' });

    // A path no resource matches: AWS's REST answer.
    const none = await fetch(url(a.id, '/cats'));
    expect(none.status).toBe(403);
    expect(none.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await none.json()).toEqual({ message: 'Missing Authentication Token' });
    // An unknown stage.
    expect((await fetch(`${target.endpoint}/_api/${a.id}/nope/pets/7`)).status).toBe(403);

    // A change is not served until deployed.
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: a.id, resourceId: a.resourceId, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"v": 2}' } }));
    expect(await (await fetch(url(a.id, '/pets/7'))).json()).toMatchObject({ id: '7' });
    await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod' }));
    expect(await (await fetch(url(a.id, '/pets/7'))).json()).toEqual({ v: 2 });
  });

  it('HTTP_PROXY passes the request through; HTTP maps it; a slow backend times out with 504', async () => {
    const proxy = await api('p/{proxy+}', 'ANY', { type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backendUrl}/{proxy}` }, { responses: false });
    await proxy.deploy();
    const r = await fetch(url(proxy.id, '/p/a/b?x=1'), { method: 'POST', headers: { 'x-client': 'c' }, body: 'hello' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-backend')).toBe('yes');
    expect(await r.json()).toEqual({ backend: true, url: '/a/b?x=1' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: 'hello', headers: { 'x-client': 'c' } });
    expect((await fetch(url(proxy.id, '/p/missing'))).status).toBe(404);

    const mapped = await api('h/{id}', 'GET', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: '${stageVariables.base}/items/{id}',
      requestParameters: { 'integration.request.path.id': 'method.request.path.id', 'integration.request.header.x-from': "'gateway'" },
      requestTemplates: { 'application/json': '{"asked": "$input.params(\'id\')"}' },
    }, { variables: { base: backendUrl } });
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: mapped.id, resourceId: mapped.resourceId, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"got": $input.json(\'$.url\')}' } }));
    await mapped.deploy();
    const m = await fetch(url(mapped.id, '/h/42'));
    expect(await m.json()).toEqual({ got: '/items/42' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"asked": "42"}', headers: { 'x-from': 'gateway' } });

    const slow = await api('slow', 'GET', { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backendUrl}/slow`, timeoutInMillis: 300 }, { responses: false });
    await slow.deploy();
    const s = await fetch(url(slow.id, '/slow'));
    expect(s.status).toBe(504);
    expect(await s.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('AWS_PROXY runs a function with the proxy event; a malformed answer is a 502', async () => {
    const code = zip({
      'index.mjs': `export const handler = async (event) => {
        if (event.path === '/fn/bad') return { hello: 'not a proxy response' };
        return { statusCode: 201, headers: { 'x-fn': 'yes' }, multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] }, body: JSON.stringify({ event }) };
      };`,
    });
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'apigw-proxy', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: code } }));
    const a = await api('fn/{name}', 'ANY', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.FunctionArn}/invocations` }, { responses: false });
    await a.deploy();
    const root = '1-5f84c7a5-0123456789abcdef01234567';
    const r = await fetch(url(a.id, '/fn/ada?x=1&x=2&y=3'), { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-multi': 'one', 'x-amzn-trace-id': `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` }, body: 'body!' });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-fn')).toBe('yes');
    expect(r.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const { event } = (await r.json()) as { event: Record<string, unknown> };
    expect(event).toMatchObject({
      resource: '/fn/{name}',
      path: '/fn/ada',
      httpMethod: 'PUT',
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      pathParameters: { name: 'ada' },
      body: 'body!',
      isBase64Encoded: false,
      requestContext: { stage: 'prod', resourcePath: '/fn/{name}', httpMethod: 'PUT', apiId: a.id, path: '/prod/fn/ada' },
    });
    const headers = event.headers as Record<string, string>;
    expect(headers['x-multi']).toBe('one');
    // The request continues the caller's trace; AWS's front adds the client chain.
    expect(headers['x-amzn-trace-id']).toContain(`Root=${root}`);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(r.headers.get('x-amzn-requestid')).toBe((event.requestContext as { requestId: string }).requestId);
    const bad = await fetch(url(a.id, '/fn/bad'));
    expect(bad.status).toBe(502);
    expect(await bad.json()).toEqual({ message: 'Internal server error' });
  });

  it('AWS integration: a request template turns the request into an SQS SendMessage', async () => {
    const sqs = new SQSClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'apigw-orders' }));
    const a = await api('orders', 'POST', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage',
      requestTemplates: { 'application/json': `Action=SendMessage&QueueUrl=$util.urlEncode('${q.QueueUrl}')&MessageBody=$util.urlEncode($input.body)` },
    });
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: a.id, resourceId: a.resourceId, httpMethod: 'POST', statusCode: '200', responseTemplates: { 'application/json': '{"id": $input.json(\'$.SendMessageResponse.SendMessageResult.MessageId\')}' } }));
    await a.deploy();
    const r = await fetch(url(a.id, '/orders'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":1}' });
    expect(r.status).toBe(200);
    const { id } = (await r.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.[0]).toMatchObject({ MessageId: id, Body: '{"order":1}' });
    sqs.destroy();
  });

  it('canary settings send their share of requests to the canary deployment with its variables', async () => {
    const a = await api('c', 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: a.id, resourceId: a.resourceId, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"v": "$stageVariables.v"}' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod', variables: { v: 'stable' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod', canarySettings: { percentTraffic: 100, stageVariableOverrides: { v: 'canary' } } }));
    expect(await (await fetch(url(a.id, '/c'))).json()).toEqual({ v: 'canary' });
    await apigw.send(new UpdateStageCommand({ restApiId: a.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '0' }] }));
    expect(await (await fetch(url(a.id, '/c'))).json()).toEqual({ v: 'stable' });
  });

  it('refuses bodies over 10 MB with 413', async () => {
    const a = await api('big', 'POST', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    await a.deploy();
    const r = await fetch(url(a.id, '/big'), { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ message: 'Request Too Long' });
  });
});
