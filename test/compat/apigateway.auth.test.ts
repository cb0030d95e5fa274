// Authorization on a REST API: a Lambda TOKEN authorizer (Allow, explicit Deny, `Unauthorized`,
// a missing token, the identity validation expression, results cached for the TTL and its
// context reaching the mapping template), a REQUEST authorizer on a header and a query string,
// and policy evaluation units.
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  FlushStageAuthorizersCacheCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../nodes/gateway/apigw/data/auth/policy.js';
import { zip } from './lambda-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';
const ARN = 'arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets';

describe('authorizer policies', () => {
  const policy = (effect: string, resource: string | string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] });
  it('allows by a matching Allow, denies by an explicit Deny, and refuses malformed policies', () => {
    expect(evaluatePolicy(policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/*'), ARN)).toBe('allow');
    expect(evaluatePolicy(policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:abc/prod/POST/*'), ARN)).toBe('none');
    expect(evaluatePolicy({ Statement: [policy('Allow', '*').Statement[0], policy('Deny', ARN).Statement[0]] }, ARN)).toBe('deny');
    expect(evaluatePolicy(policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:abc/pro?/GET/pets'), ARN)).toBe('allow');
    expect(evaluatePolicy({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }, ARN)).toBeUndefined();
    expect(evaluatePolicy('nope', ARN)).toBeUndefined();
  });
});

const AUTHORIZER = `
let calls = 0;
export const handler = async (event) => {
  calls++;
  const token = event.type === 'TOKEN' ? event.authorizationToken : event.headers['x-token'] + ':' + event.queryStringParameters?.who;
  if (token.startsWith('unauthorized')) throw new Error('Unauthorized');
  const effect = token.includes('deny') ? 'Deny' : 'Allow';
  return {
    principalId: 'user-' + token,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }] },
    context: { calls, kind: event.type },
  };
};`;

describe('Lambda authorizers on a REST API', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let apiId: string;

  beforeAll(async () => {
    target = await startEmbedded();
    const opts = { endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };
    apigw = new APIGatewayClient(opts);
    const lambda = new LambdaClient(opts);
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'authorizer', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.mjs': AUTHORIZER }) } }));
    lambda.destroy();
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.FunctionArn}/invocations`;
    const api = await apigw.send(new CreateRestApiCommand({ name: 'auth' }));
    apiId = api.id!;
    const token = await apigw.send(new CreateAuthorizerCommand({ restApiId: apiId, name: 'token', type: 'TOKEN', authorizerUri: uri, identitySource: 'method.request.header.Authorization', identityValidationExpression: '[a-z-]+', authorizerResultTtlInSeconds: 300 }));
    const request = await apigw.send(new CreateAuthorizerCommand({ restApiId: apiId, name: 'request', type: 'REQUEST', authorizerUri: uri, identitySource: 'method.request.header.x-token,method.request.querystring.who', authorizerResultTtlInSeconds: 0 }));
    for (const [path, authorizerId] of [['t', token.id], ['r', request.id]] as const) {
      const res = await apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: path }));
      await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId }));
      await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', statusCode: '200' }));
      await apigw.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: res.id,
          httpMethod: 'GET',
          statusCode: '200',
          responseTemplates: { 'application/json': '{"principal": "$context.authorizer.principalId", "calls": "$context.authorizer.calls", "kind": "$context.authorizer.kind"}' },
        }),
      );
    }
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  const call = (path: string, headers: Record<string, string> = {}) => fetch(`${target.endpoint}/_api/${apiId}/prod${path}`, { headers });

  it('TOKEN: allows, caches the policy for the TTL, and passes the context on', async () => {
    const first = await call('/t', { authorization: 'ada' });
    expect(first.status).toBe(200);
    const a = (await first.json()) as { principal: string; calls: string; kind: string };
    expect(a).toMatchObject({ principal: 'user-ada', kind: 'TOKEN' });
    const again = (await (await call('/t', { authorization: 'ada' })).json()) as { calls: string };
    expect(again.calls).toBe(a.calls);
  });

  it('TOKEN: FlushStageAuthorizersCache drops cached results', async () => {
    const before = (await (await call('/t', { authorization: 'flushy' })).json()) as { calls: string };
    expect(((await (await call('/t', { authorization: 'flushy' })).json()) as { calls: string }).calls).toBe(before.calls);
    await apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: apiId, stageName: 'prod' }));
    // The flush reaches the gateway with the catalog version (within a second).
    const deadline = Date.now() + 5000;
    let after = before;
    while (after.calls === before.calls && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await (await call('/t', { authorization: 'flushy' })).json()) as { calls: string };
    }
    expect(Number(after.calls)).toBeGreaterThan(Number(before.calls));
  });

  it('TOKEN: refuses denied, unauthorized, missing and malformed tokens as AWS does', async () => {
    const denied = await call('/t', { authorization: 'deny-me' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'User is not authorized to access this resource with an explicit deny' });
    const unauthorized = await call('/t', { authorization: 'unauthorized' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ message: 'Unauthorized' });
    expect((await call('/t')).status).toBe(401);
    expect((await call('/t', { authorization: 'NOT VALID 123' })).status).toBe(401);
  });

  it('REQUEST: identity sources from a header and a query string, no caching at TTL 0', async () => {
    const one = (await (await call('/r?who=bob', { 'x-token': 'tok' })).json()) as { principal: string; calls: string; kind: string };
    expect(one).toMatchObject({ principal: 'user-tok:bob', kind: 'REQUEST' });
    const two = (await (await call('/r?who=bob', { 'x-token': 'tok' })).json()) as { calls: string };
    expect(Number(two.calls)).toBeGreaterThan(Number(one.calls));
    expect((await call('/r', { 'x-token': 'tok' })).status).toBe(401);
  });
});
