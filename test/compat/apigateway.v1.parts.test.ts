// API Gateway v1 management through the SDK v3 client, the parts of a REST API beyond the core
// path: patching APIs, resources, methods, integrations and their responses; models, request
// validators, authorizers and gateway responses, with AWS's errors.
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteAuthorizerCommand,
  DeleteGatewayResponseCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteMethodResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetModelCommand,
  GetModelTemplateCommand,
  GetModelsCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  GetResourceCommand,
  GetRestApisCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateAuthorizerCommand,
  UpdateGatewayResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';
import { failure } from './apigw-fixtures.js';

const LAMBDA_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations';

describe('API Gateway v1 API parts (SDK v3)', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    await target?.stop();
  }, 30_000);

  it('patches a REST API and pages through the list', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'patchme', binaryMediaTypes: ['image/png'] }));
    const next = await apigw.send(
      new UpdateRestApiCommand({
        restApiId: api.id,
        patchOperations: [
          { op: 'replace', path: '/name', value: 'patched' },
          { op: 'replace', path: '/description', value: 'now described' },
          { op: 'add', path: '/binaryMediaTypes/application~1octet-stream' },
          { op: 'remove', path: '/binaryMediaTypes/image~1png' },
          { op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' },
          { op: 'replace', path: '/minimumCompressionSize', value: '1024' },
          { op: 'replace', path: '/endpointConfiguration/types/EDGE', value: 'REGIONAL' },
          { op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' },
        ],
      }),
    );
    expect(next).toMatchObject({ name: 'patched', description: 'now described', binaryMediaTypes: ['application/octet-stream'], apiKeySource: 'AUTHORIZER', minimumCompressionSize: 1024, disableExecuteApiEndpoint: true });
    expect(next.endpointConfiguration?.types).toEqual(['REGIONAL']);
    expect(await failure(apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/nope', value: 'x' }] })))).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(await failure(apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'QUERY' }] })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new UpdateRestApiCommand({ restApiId: 'missing', patchOperations: [] })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid API identifier specified' });

    await apigw.send(new CreateRestApiCommand({ name: 'second' }));
    const first = await apigw.send(new GetRestApisCommand({ limit: 1 }));
    expect(first.items).toHaveLength(1);
    expect(first.position).toBeDefined();
    const rest = await apigw.send(new GetRestApisCommand({ position: first.position }));
    expect(rest.items?.map((a) => a.id)).not.toContain(first.items![0]!.id);
  });

  it('renames and moves resources with their subtrees', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'tree' }));
    const root = api.rootResourceId!;
    const a = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'a' }));
    const b = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'b' }));
    const child = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: a.id, pathPart: '{id}' }));
    const leaf = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: child.id, pathPart: '{proxy+}' }));
    expect(leaf.path).toBe('/a/{id}/{proxy+}');
    expect(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: leaf.id, pathPart: 'x' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'bad/part' })))).toMatchObject({ name: 'BadRequestException' });

    const renamed = await apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: a.id, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'alpha' }] }));
    expect(renamed.path).toBe('/alpha');
    expect((await apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: leaf.id }))).path).toBe('/alpha/{id}/{proxy+}');
    const moved = await apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: child.id, patchOperations: [{ op: 'replace', path: '/parentId', value: b.id }] }));
    expect(moved.path).toBe('/b/{id}');
    expect((await apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: leaf.id }))).path).toBe('/b/{id}/{proxy+}');
    expect(await failure(apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: a.id, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'b' }] })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: b.id, patchOperations: [{ op: 'replace', path: '/parentId', value: child.id }] })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: 'nope' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Resource identifier specified' });
  });

  it('patches methods, method responses, integrations and integration responses, and deletes them', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'methods' }));
    const ids = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'POST' };
    await apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Pet', contentType: 'application/json', schema: '{"type":"object"}' }));
    const validator = await apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'body', validateRequestBody: true }));
    await apigw.send(new PutMethodCommand({ ...ids, authorizationType: 'NONE' }));
    const m = await apigw.send(
      new UpdateMethodCommand({
        ...ids,
        patchOperations: [
          { op: 'replace', path: '/apiKeyRequired', value: 'true' },
          { op: 'add', path: '/requestParameters/method.request.querystring.page', value: 'true' },
          { op: 'add', path: '/requestModels/application~1json', value: 'Pet' },
          { op: 'replace', path: '/requestValidatorId', value: validator.id },
          { op: 'replace', path: '/operationName', value: 'CreatePet' },
        ],
      }),
    );
    expect(m).toMatchObject({ apiKeyRequired: true, requestParameters: { 'method.request.querystring.page': true }, requestModels: { 'application/json': 'Pet' }, requestValidatorId: validator.id, operationName: 'CreatePet' });
    expect(await failure(apigw.send(new UpdateMethodCommand({ ...ids, patchOperations: [{ op: 'add', path: '/requestModels/text~1plain', value: 'Nope' }] })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new UpdateMethodCommand({ ...ids, httpMethod: 'GET', patchOperations: [] })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Method identifier specified' });

    await apigw.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
    expect(await failure(apigw.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' })))).toMatchObject({ name: 'ConflictException' });
    const mr = await apigw.send(new UpdateMethodResponseCommand({ ...ids, statusCode: '200', patchOperations: [{ op: 'add', path: '/responseParameters/method.response.header.X-Id', value: 'false' }, { op: 'add', path: '/responseModels/application~1json', value: 'Pet' }] }));
    expect(mr).toMatchObject({ statusCode: '200', responseParameters: { 'method.response.header.X-Id': false }, responseModels: { 'application/json': 'Pet' } });
    expect((await apigw.send(new GetMethodResponseCommand({ ...ids, statusCode: '200' }))).responseModels).toEqual({ 'application/json': 'Pet' });
    expect(await failure(apigw.send(new GetMethodResponseCommand({ ...ids, statusCode: '500' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Response status code specified' });

    await apigw.send(new PutIntegrationCommand({ ...ids, type: 'HTTP', integrationHttpMethod: 'POST', uri: 'http://example.com/pets' }));
    const i = await apigw.send(
      new UpdateIntegrationCommand({
        ...ids,
        patchOperations: [
          { op: 'replace', path: '/uri', value: 'http://example.com/v2/pets' },
          { op: 'replace', path: '/timeoutInMillis', value: '5000' },
          { op: 'add', path: '/requestTemplates/application~1json', value: '{"a":1}' },
          { op: 'add', path: '/requestParameters/integration.request.header.X-Page', value: 'method.request.querystring.page' },
          { op: 'replace', path: '/passthroughBehavior', value: 'NEVER' },
          { op: 'add', path: '/cacheKeyParameters/method.request.querystring.page' },
        ],
      }),
    );
    expect(i).toMatchObject({ uri: 'http://example.com/v2/pets', timeoutInMillis: 5000, passthroughBehavior: 'NEVER', requestTemplates: { 'application/json': '{"a":1}' }, cacheKeyParameters: ['method.request.querystring.page'] });
    expect(await failure(apigw.send(new UpdateIntegrationCommand({ ...ids, patchOperations: [{ op: 'replace', path: '/timeoutInMillis', value: '30000' }] })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new UpdateIntegrationCommand({ ...ids, patchOperations: [{ op: 'replace', path: '/type', value: 'AWS_PROXY' }, { op: 'replace', path: '/httpMethod', value: 'GET' }] })))).toMatchObject({ name: 'BadRequestException' });

    await apigw.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', selectionPattern: '' }));
    const ir = await apigw.send(new UpdateIntegrationResponseCommand({ ...ids, statusCode: '200', patchOperations: [{ op: 'replace', path: '/selectionPattern', value: '2\\d{2}' }, { op: 'add', path: '/responseTemplates/application~1json', value: '$input.body' }] }));
    expect(ir).toMatchObject({ selectionPattern: '2\\d{2}', responseTemplates: { 'application/json': '$input.body' } });
    expect(await failure(apigw.send(new UpdateIntegrationResponseCommand({ ...ids, statusCode: '200', patchOperations: [{ op: 'replace', path: '/selectionPattern', value: '(' }] })))).toMatchObject({ name: 'BadRequestException' });
    expect((await apigw.send(new GetIntegrationResponseCommand({ ...ids, statusCode: '200' }))).selectionPattern).toBe('2\\d{2}');

    await apigw.send(new DeleteIntegrationResponseCommand({ ...ids, statusCode: '200' }));
    expect(await failure(apigw.send(new GetIntegrationResponseCommand({ ...ids, statusCode: '200' })))).toMatchObject({ name: 'NotFoundException' });
    await apigw.send(new DeleteIntegrationCommand({ ...ids }));
    expect(await failure(apigw.send(new GetIntegrationCommand({ ...ids })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Integration identifier specified' });
    await apigw.send(new DeleteMethodResponseCommand({ ...ids, statusCode: '200' }));
    expect((await apigw.send(new GetMethodCommand({ ...ids }))).methodResponses).toBeUndefined();

    // Models and validators in use cannot go.
    expect(await failure(apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Pet' })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(apigw.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: validator.id! })))).toMatchObject({ name: 'ConflictException' });
  });

  it('manages models and request validators', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'models' }));
    const schema = JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } } });
    const m = await apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Person', contentType: 'application/json', schema, description: 'a person' }));
    expect(m).toMatchObject({ name: 'Person', contentType: 'application/json', schema, description: 'a person' });
    expect(await failure(apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Person', contentType: 'application/json' })))).toMatchObject({ name: 'ConflictException' });
    expect(await failure(apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Broken', contentType: 'application/json', schema: '{nope' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'bad-name', contentType: 'application/json' })))).toMatchObject({ name: 'BadRequestException', message: 'Model name must be alphanumeric' });
    expect((await apigw.send(new GetModelCommand({ restApiId: api.id, modelName: 'Person' }))).id).toBe(m.id);
    expect((await apigw.send(new GetModelsCommand({ restApiId: api.id }))).items?.map((x) => x.name)).toEqual(['Person']);
    const tpl = await apigw.send(new GetModelTemplateCommand({ restApiId: api.id, modelName: 'Person' }));
    expect(tpl.value).toContain('"name" : "$inputRoot.name"');
    const updated = await apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: 'Person', patchOperations: [{ op: 'replace', path: '/schema', value: '{"type":"string"}' }, { op: 'replace', path: '/description', value: 'x' }] }));
    expect(updated).toMatchObject({ schema: '{"type":"string"}', description: 'x' });
    expect(await failure(apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: 'Person', patchOperations: [{ op: 'replace', path: '/schema', value: 'not json' }] })))).toMatchObject({ name: 'BadRequestException' });
    await apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Person' }));
    expect(await failure(apigw.send(new GetModelCommand({ restApiId: api.id, modelName: 'Person' })))).toMatchObject({ name: 'NotFoundException', status: 404 });

    const v = await apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'params', validateRequestParameters: true }));
    expect(v).toMatchObject({ name: 'params', validateRequestBody: false, validateRequestParameters: true });
    const v2 = await apigw.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id, patchOperations: [{ op: 'replace', path: '/validateRequestBody', value: 'true' }, { op: 'replace', path: '/name', value: 'all' }] }));
    expect(v2).toMatchObject({ name: 'all', validateRequestBody: true, validateRequestParameters: true });
    expect((await apigw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id }))).name).toBe('all');
    expect((await apigw.send(new GetRequestValidatorsCommand({ restApiId: api.id }))).items).toHaveLength(1);
    await apigw.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id! }));
    expect(await failure(apigw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id! })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Request Validator identifier specified' });
  });

  it('manages authorizers with AWS defaults and limits', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'auth' }));
    const a = await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'tok', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.Authorization' }));
    expect(a).toMatchObject({ name: 'tok', type: 'TOKEN', authorizerResultTtlInSeconds: 300, identitySource: 'method.request.header.Authorization' });
    expect(await failure(apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'x', type: 'TOKEN', authorizerUri: LAMBDA_URI })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'y', type: 'REQUEST', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.A', authorizerResultTtlInSeconds: 3601 })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'z', type: 'COGNITO_USER_POOLS' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'r', type: 'REQUEST', authorizerUri: LAMBDA_URI })))).toMatchObject({ name: 'BadRequestException' });
    const req = await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'req', type: 'REQUEST', authorizerUri: LAMBDA_URI, authorizerResultTtlInSeconds: 0 }));
    expect(req).toMatchObject({ type: 'REQUEST', authorizerResultTtlInSeconds: 0 });
    await apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: req.id! }));
    const pool = await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'pool', type: 'COGNITO_USER_POOLS', providerARNs: ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x'], identitySource: 'method.request.header.Authorization' }));
    expect(pool.providerARNs).toHaveLength(1);
    const up = await apigw.send(new UpdateAuthorizerCommand({ restApiId: api.id, authorizerId: a.id, patchOperations: [{ op: 'replace', path: '/authorizerResultTtlInSeconds', value: '0' }, { op: 'replace', path: '/identityValidationExpression', value: '^Bearer .+$' }] }));
    expect(up).toMatchObject({ authorizerResultTtlInSeconds: 0, identityValidationExpression: '^Bearer .+$' });
    expect(await failure(apigw.send(new UpdateAuthorizerCommand({ restApiId: api.id, authorizerId: a.id, patchOperations: [{ op: 'replace', path: '/authorizerResultTtlInSeconds', value: '4000' }] })))).toMatchObject({ name: 'BadRequestException' });
    expect((await apigw.send(new GetAuthorizersCommand({ restApiId: api.id }))).items).toHaveLength(2);

    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: a.id }));
    expect(await failure(apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: a.id! })))).toMatchObject({ name: 'ConflictException' });
    await apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: pool.id! }));
    expect(await failure(apigw.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: pool.id! })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid Authorizer identifier specified' });
    expect((await apigw.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: a.id! }))).name).toBe('tok');
  });

  it('lists every gateway response type with defaults and customises them', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'responses' }));
    const all = await apigw.send(new GetGatewayResponsesCommand({ restApiId: api.id, limit: 500 }));
    expect(all.items?.length).toBe(21);
    expect(all.items?.every((r) => r.defaultResponse === true)).toBe(true);
    expect(all.items?.find((r) => r.responseType === 'MISSING_AUTHENTICATION_TOKEN')?.statusCode).toBe('403');
    expect(all.items?.find((r) => r.responseType === 'THROTTLED')?.statusCode).toBe('429');
    expect(all.items?.find((r) => r.responseType === 'DEFAULT_4XX')?.statusCode).toBeUndefined();
    const paged = await apigw.send(new GetGatewayResponsesCommand({ restApiId: api.id, limit: 5 }));
    expect(paged.items).toHaveLength(5);
    const more = await apigw.send(new GetGatewayResponsesCommand({ restApiId: api.id, limit: 500, position: paged.position }));
    expect(more.items).toHaveLength(16);

    const put = await apigw.send(new PutGatewayResponseCommand({ restApiId: api.id, responseType: 'UNAUTHORIZED', statusCode: '401', responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" }, responseTemplates: { 'application/json': '{"error":"$context.error.messageString"}' } }));
    expect(put).toMatchObject({ responseType: 'UNAUTHORIZED', statusCode: '401', defaultResponse: false });
    expect(await failure(apigw.send(new PutGatewayResponseCommand({ restApiId: api.id, responseType: 'NOT_A_TYPE' as never })))).toMatchObject({ name: 'BadRequestException' });
    const up = await apigw.send(new UpdateGatewayResponseCommand({ restApiId: api.id, responseType: 'THROTTLED', patchOperations: [{ op: 'replace', path: '/statusCode', value: '503' }, { op: 'add', path: '/responseParameters/gatewayresponse.header.Retry-After', value: "'1'" }] }));
    expect(up).toMatchObject({ responseType: 'THROTTLED', statusCode: '503', defaultResponse: false, responseParameters: { 'gatewayresponse.header.Retry-After': "'1'" } });
    expect((await apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'UNAUTHORIZED' }))).responseParameters).toEqual({ 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" });

    await apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: 'UNAUTHORIZED' }));
    expect(await apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'UNAUTHORIZED' }))).toMatchObject({ defaultResponse: true, statusCode: '401' });
    expect(await failure(apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: 'UNAUTHORIZED' })))).toMatchObject({ name: 'NotFoundException' });
  });
});
