// AWS_IAM methods (SigV4 for `execute-api`: unsigned 403 Missing Authentication Token, a wrong
// signature or service 403, a good one 200) and a REST API's resource policy (an explicit Deny
// refuses even unauthenticated methods).
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, signedSend } from './raw-http.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

describe('AWS_IAM and resource policies on a REST API', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let apiId: string;

  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
        { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*/*/GET/closed' },
      ],
    });
    const api = await apigw.send(new CreateRestApiCommand({ name: 'iam', policy }));
    apiId = api.id!;
    for (const [path, authorizationType] of [['iam', 'AWS_IAM'], ['open', 'NONE'], ['closed', 'NONE']] as const) {
      const res = await apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: path }));
      await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', authorizationType }));
      await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', statusCode: '200' }));
      await apigw.send(
        new PutIntegrationResponseCommand({ restApiId: apiId, resourceId: res.id, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"caller": "$context.identity.accessKey"}' } }),
      );
    }
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  const path = (p: string) => `/_api/${apiId}/prod${p}`;

  it('requires a SigV4 signature for execute-api on AWS_IAM methods', async () => {
    const unsigned = await send(target.endpoint, { method: 'GET', path: path('/iam') });
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body)).toEqual({ message: 'Missing Authentication Token' });
    const signed = await signedSend(target.endpoint, { method: 'GET', path: path('/iam') }, { service: 'execute-api' });
    expect(signed.status).toBe(200);
    expect(JSON.parse(signed.body)).toEqual({ caller: ROOT.accessKeyId });
    const wrongSecret = await signedSend(target.endpoint, { method: 'GET', path: path('/iam') }, { service: 'execute-api', secretAccessKey: 'not-the-secret' });
    expect(wrongSecret.status).toBe(403);
    const wrongService = await signedSend(target.endpoint, { method: 'GET', path: path('/iam') }, { service: 'sqs' });
    expect(wrongService.status).toBe(403);
  });

  it("applies the API's resource policy to every caller", async () => {
    expect((await send(target.endpoint, { method: 'GET', path: path('/open') })).status).toBe(200);
    const closed = await send(target.endpoint, { method: 'GET', path: path('/closed') });
    expect(closed.status).toBe(403);
    expect(JSON.parse(closed.body)).toEqual({ message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:${apiId}/prod/GET/closed with an explicit deny` });
  });
});
