// A JWT authorizer on an HTTP API: a local issuer (openid-configuration + JWKS) that is also the
// HTTP_PROXY backend; a valid RS256 token passes, a bad one gets 401 with www-authenticate, a
// token without the route's scope gets 403 Forbidden.
import { generateKeyPairSync, sign } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApiGatewayV2Client, CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(claims: Record<string, unknown>): string {
  const data = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}`;
  return `${data}.${sign('RSA-SHA256', Buffer.from(data), rsa.privateKey).toString('base64url')}`;
}

describe('JWT authorizers on an HTTP API', () => {
  let target: SqsTarget;
  let server: Server;
  let issuer: string;
  let apiId: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] }));
      else res.end(JSON.stringify({ backend: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    target = await startEmbedded();
    const v2 = new ApiGatewayV2Client({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const api = await v2.send(new CreateApiCommand({ Name: 'jwt', ProtocolType: 'HTTP' }));
    apiId = api.ApiId!;
    const auth = await v2.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: issuer, Audience: ['my-app'] } }));
    const integ = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET', IntegrationUri: `${issuer}/hello`, PayloadFormatVersion: '1.0' }));
    await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /hello', Target: `integrations/${integ.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: auth.AuthorizerId }));
    await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /admin', Target: `integrations/${integ.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: auth.AuthorizerId, AuthorizationScopes: ['admin'] }));
    await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    v2.destroy();
  }, 30_000);
  afterAll(async () => {
    await target?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }, 30_000);

  const get = (path: string, jwt?: string) => fetch(`${target.endpoint}/_api/${apiId}${path}`, { headers: jwt === undefined ? {} : { authorization: `Bearer ${jwt}` } });
  const claims = () => ({ iss: issuer, aud: 'my-app', sub: 'u1', exp: Math.floor(Date.now() / 1000) + 300, scope: 'read' });

  it('passes a valid token and refuses a missing or bad one with 401', async () => {
    const deadline = Date.now() + 5000;
    let ok = await get('/hello', token(claims()));
    while (ok.status === 404 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      ok = await get('/hello', token(claims()));
    }
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const missing = await get('/hello');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const wrongAudience = await get('/hello', token({ ...claims(), aud: 'someone-else' }));
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it("answers 403 Forbidden when the token lacks the route's scopes", async () => {
    const forbidden = await get('/admin', token(claims()));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: 'Forbidden' });
    expect((await get('/admin', token({ ...claims(), scope: 'read admin' }))).status).toBe(200);
  });
});
