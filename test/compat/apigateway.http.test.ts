// HTTP API (v2) data plane: quick create in front of a function (payload format 2.0 as the
// function sees it, answers inferred from plain values), explicit routes with path parameters
// and precedence, payload format 1.0, HTTP_PROXY with request/response parameter mapping, a
// REQUEST Lambda authorizer, route throttling, an SQS-SendMessage subtype, CORS preflights and
// headers (wildcard origins), and AWS's 404, 429 and 500 answers.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApiGatewayV2Client, CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from './lambda-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';
const HANDLER = `export const handler = async (event) => {
  if (event.rawPath?.endsWith('/plain') || event.path?.endsWith('/plain')) return { plain: true };
  if (event.rawPath?.endsWith('/bad')) return { statusCode: 'nope' };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: ['c=1'], body: JSON.stringify(event) };
};`;

describe('HTTP API data plane', () => {
  let target: SqsTarget;
  let v2: ApiGatewayV2Client;
  let fnArn: string;
  let authArn: string;
  let backend: Server;
  let backendUrl: string;

  beforeAll(async () => {
    target = await startEmbedded();
    const opts = { endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };
    v2 = new ApiGatewayV2Client(opts);
    const lambda = new LambdaClient(opts);
    fnArn = (await lambda.send(new CreateFunctionCommand({ FunctionName: 'http-api-fn', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.mjs': HANDLER }) } }))).FunctionArn!;
    const authorizer = `export const handler = async (event) => ({ isAuthorized: event.headers.authorization === 'letmein', context: { user: 'ada', route: event.routeKey } });`;
    authArn = (await lambda.send(new CreateFunctionCommand({ FunctionName: 'http-api-authorizer', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.mjs': authorizer }) } }))).FunctionArn!;
    lambda.destroy();
    backend = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'b' });
      res.end(JSON.stringify({ url: req.url, method: req.method, mapped: req.headers['x-mapped'], gone: req.headers['x-gone'] }));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(async () => {
    v2?.destroy();
    backend?.closeAllConnections();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
    await target?.stop();
  }, 30_000);

  const url = (id: string, path: string): string => `${target.endpoint}/_api/${id}${path}`;

  it('quick create: the function gets payload format 2.0 and its answers map back', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: fnArn }));
    const r = await fetch(url(api.ApiId!, '/any/path?a=1&a=2&b=3'), { method: 'POST', headers: { cookie: 'x=1; y=2', 'x-h': 'v' }, body: '{"k":1}' });
    expect(r.status).toBe(200);
    expect(r.headers.getSetCookie()).toEqual(['c=1']);
    const event = (await r.json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/any/path',
      rawQueryString: 'a=1&a=2&b=3',
      cookies: ['x=1', 'y=2'],
      queryStringParameters: { a: '1,2', b: '3' },
      body: '{"k":1}',
      isBase64Encoded: false,
      requestContext: { apiId: api.ApiId, stage: '$default', routeKey: '$default', http: { method: 'POST', path: '/any/path' } },
    });
    expect((event.headers as Record<string, string>)['x-h']).toBe('v');
    const plain = await fetch(url(api.ApiId!, '/plain'));
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ plain: true });
    const bad = await fetch(url(api.ApiId!, '/bad'));
    expect(bad.status).toBe(500);
    expect(await bad.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('routes by most specific key, with path parameters, 1.0 payloads, HTTP_PROXY and 404s', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'routes', ProtocolType: 'HTTP' }));
    const id = api.ApiId!;
    const fn2 = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn, PayloadFormatVersion: '2.0' }));
    const fn1 = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn, PayloadFormatVersion: '1.0' }));
    const proxy = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationUri: `${backendUrl}/backend/{proxy}`, IntegrationMethod: 'ANY', PayloadFormatVersion: '1.0' }));
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /pets/{id}', Target: `integrations/${fn2.IntegrationId}` }));
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /pets/dog', Target: `integrations/${fn1.IntegrationId}` }));
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'ANY /files/{proxy+}', Target: `integrations/${proxy.IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: id, StageName: 'v1', AutoDeploy: true, StageVariables: { env: 'test' } }));
    const byId = (await (await fetch(url(id, '/v1/pets/7'))).json()) as Record<string, unknown>;
    expect(byId).toMatchObject({ routeKey: 'GET /pets/{id}', pathParameters: { id: '7' }, stageVariables: { env: 'test' }, rawPath: '/v1/pets/7' });
    const dog = (await (await fetch(url(id, '/v1/pets/dog?q=1'))).json()) as Record<string, unknown>;
    expect(dog).toMatchObject({ version: '1.0', resource: '/pets/dog', httpMethod: 'GET', queryStringParameters: { q: '1' }, requestContext: { routeKey: 'GET /pets/dog', stage: 'v1' } });
    const files = await fetch(url(id, '/v1/files/a/b.txt?z=9'), { method: 'DELETE' });
    expect(await files.json()).toMatchObject({ url: '/backend/a/b.txt?z=9', method: 'DELETE' });
    const none = await fetch(url(id, '/v1/cats'));
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ message: 'Not Found' });
    expect((await fetch(url(id, '/v2/pets/1'))).status).toBe(404);
  });

  it('HTTP_PROXY parameter mapping rewrites the request and the answer', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'mapping', ProtocolType: 'HTTP' }));
    const id = api.ApiId!;
    const i = await v2.send(
      new CreateIntegrationCommand({
        ApiId: id,
        IntegrationType: 'HTTP_PROXY',
        IntegrationUri: `${backendUrl}/orig`,
        IntegrationMethod: 'ANY',
        PayloadFormatVersion: '1.0',
        RequestParameters: {
          'append:header.x-mapped': '$request.path.id',
          'remove:header.x-gone': "''",
          'overwrite:querystring.q': 'fixed-${request.querystring.q}',
          'remove:querystring.drop': "''",
          'overwrite:path': '/mapped/${request.path.id}',
        },
        ResponseParameters: { '200': { 'overwrite:header.x-backend': 'seen-${response.header.x-backend}', 'append:header.x-stage': '$context.stage', 'overwrite:statuscode': '202' } },
      }),
    );
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /items/{id}', Target: `integrations/${i.IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
    const r = await fetch(url(id, '/items/42?q=a&drop=1&keep=2'), { headers: { 'x-gone': 'bye' } });
    expect(r.status).toBe(202);
    expect(r.headers.get('x-backend')).toBe('seen-b');
    expect(r.headers.get('x-stage')).toBe('$default');
    const seen = (await r.json()) as Record<string, unknown>;
    expect(seen).toEqual({ url: '/mapped/42?keep=2&q=fixed-a', method: 'GET', mapped: '42' });
  });

  it('a REQUEST Lambda authorizer (simple responses) guards a route and its context reaches the function', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'authorized', ProtocolType: 'HTTP' }));
    const id = api.ApiId!;
    const auth = await v2.send(
      new CreateAuthorizerCommand({ ApiId: id, Name: 'simple', AuthorizerType: 'REQUEST', AuthorizerUri: authArn, IdentitySource: ['$request.header.Authorization'], AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true }),
    );
    const fn = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn, PayloadFormatVersion: '2.0' }));
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /secure', Target: `integrations/${fn.IntegrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: auth.AuthorizerId }));
    await v2.send(new CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
    const ok = await fetch(url(id, '/secure'), { headers: { authorization: 'letmein' } });
    expect(ok.status).toBe(200);
    const event = (await ok.json()) as { requestContext: { authorizer: unknown } };
    expect(event.requestContext.authorizer).toEqual({ lambda: { user: 'ada', route: 'GET /secure' } });
    const denied = await fetch(url(id, '/secure'), { headers: { authorization: 'nope' } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
    const missing = await fetch(url(id, '/secure'));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
  });

  it('throttles a route by its route settings (429 Too Many Requests)', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'throttled', ProtocolType: 'HTTP' }));
    const id = api.ApiId!;
    const i = await v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationUri: `${backendUrl}/t`, IntegrationMethod: 'GET', PayloadFormatVersion: '1.0' }));
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /slow', Target: `integrations/${i.IntegrationId}` }));
    await v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /fast', Target: `integrations/${i.IntegrationId}` }));
    await v2.send(
      new CreateStageCommand({
        ApiId: id,
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 1000 },
        RouteSettings: { 'GET /slow': { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 0.01 } },
      }),
    );
    expect((await fetch(url(id, '/slow'))).status).toBe(200);
    const second = await fetch(url(id, '/slow'));
    expect(second.status).toBe(429);
    expect(await second.json()).toEqual({ message: 'Too Many Requests' });
    // Other routes keep the stage's default limit.
    expect((await fetch(url(id, '/fast'))).status).toBe(200);
    expect((await fetch(url(id, '/fast'))).status).toBe(200);
  });

  it('CORS: preflights are answered by the API, answers carry the allow headers', async () => {
    const api = await v2.send(
      new CreateApiCommand({ Name: 'cors', ProtocolType: 'HTTP', Target: fnArn, CorsConfiguration: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['content-type'], MaxAge: 600, ExposeHeaders: ['x-id'] } }),
    );
    const pre = await fetch(url(api.ApiId!, '/x'), { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    const ok = await fetch(url(api.ApiId!, '/x'), { headers: { origin: 'https://app.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-expose-headers')).toBe('x-id');
    const other = await fetch(url(api.ApiId!, '/x'), { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // `https://*` allows any https origin, and nothing else.
    const wild = await v2.send(new CreateApiCommand({ Name: 'cors-wild', ProtocolType: 'HTTP', Target: fnArn, CorsConfiguration: { AllowOrigins: ['https://*'], AllowMethods: ['*'] } }));
    const pre2 = await fetch(url(wild.ApiId!, '/x'), { method: 'OPTIONS', headers: { origin: 'https://any.example', 'access-control-request-method': 'PUT' } });
    expect(pre2.status).toBe(204);
    expect(pre2.headers.get('access-control-allow-origin')).toBe('https://any.example');
    expect(pre2.headers.get('access-control-allow-methods')).toBe('PUT');
    const plainHttp = await fetch(url(wild.ApiId!, '/x'), { headers: { origin: 'http://any.example' } });
    expect(plainHttp.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an SQS-SendMessage integration subtype maps the request into the message', async () => {
    const sqs = new SQSClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'http-api-q' }));
    const api = await v2.send(new CreateApiCommand({ Name: 'sqs', ProtocolType: 'HTTP' }));
    const i = await v2.send(
      new CreateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationSubtype: 'SQS-SendMessage',
        PayloadFormatVersion: '1.0',
        CredentialsArn: ROLE,
        RequestParameters: { QueueUrl: q.QueueUrl!, MessageBody: '$request.body.message' },
      }),
    );
    await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'POST /send', Target: `integrations/${i.IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    const r = await fetch(url(api.ApiId!, '/send'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi there' }) });
    expect(r.status).toBe(200);
    const out = (await r.json()) as { MessageId: string };
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.[0]).toMatchObject({ MessageId: out.MessageId, Body: 'hi there' });
    sqs.destroy();
  });
});
