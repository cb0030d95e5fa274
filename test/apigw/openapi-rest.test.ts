// OpenAPI import and export of REST APIs as pure conversions: a realistic OpenAPI 3 definition
// and a Swagger 2.0 one become resources, methods, integrations, models, authorizers, validators
// and gateway responses as API Gateway stores them; merge and overwrite; AWS's errors and
// warnings; and import(export(api)) rebuilding the same API.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { type RestApiDoc } from '../../nodes/gateway/apigw/model.js';
import { applyRestDefinition, emptyRestApi, type PutMode } from '../../nodes/gateway/apigw/openapi/apply-rest.js';
import { type ExportExtension, type RestExportType, exportRest } from '../../nodes/gateway/apigw/openapi/export-rest.js';
import { type BasePathMode, importRestDefinition } from '../../nodes/gateway/apigw/openapi/import-rest.js';
import { ImportReport } from '../../nodes/gateway/apigw/openapi/report.js';
import { serialize } from '../../nodes/gateway/apigw/openapi/serialize.js';
import { BOOKSTORE_SWAGGER, PETSTORE_OAS30, fixture, restShape } from '../fixtures/openapi/helpers.js';

let counter = 0;
const ids = { resource: (): string => `r${(counter++).toString(36).padStart(9, '0')}`, short: (): string => `s${(counter++).toString(36).padStart(5, '0')}` };

interface Imported {
  api: RestApiDoc;
  warnings: string[];
}

function importApi(text: string, opts: { apiId?: string; basepath?: BasePathMode; failOnWarnings?: boolean } = {}): Imported {
  const apiId = opts.apiId ?? 'api0000001';
  const report = new ImportReport();
  const def = importRestDefinition(text, { apiId, basepath: opts.basepath ?? 'ignore', region: 'us-east-1', accountId: '123456789012' }, report);
  report.verdict(opts.failOnWarnings ?? false);
  const api = applyRestDefinition(emptyRestApi(apiId, 'root000000', def.title ?? '', 1_700_000_000, ['EDGE']), def, 'overwrite', ids);
  return { api, warnings: report.warnings };
}

function put(api: RestApiDoc, text: string, mode: PutMode): RestApiDoc {
  const report = new ImportReport();
  const def = importRestDefinition(text, { apiId: api.id, basepath: 'ignore', region: 'us-east-1', accountId: '123456789012' }, report);
  report.verdict(false);
  return applyRestDefinition(structuredClone(api), def, mode, ids);
}

function importError(text: string, failOnWarnings = false): { name: string; code: string; message: string } {
  try {
    importApi(text, { failOnWarnings });
  } catch (err) {
    const e = err as { name: string; code: string; message: string };
    return { name: e.name, code: e.code, message: e.message };
  }
  throw new Error('expected the import to fail');
}

const byPath = (api: RestApiDoc, path: string) => {
  const r = Object.values(api.resources).find((x) => x.path === path);
  if (!r) throw new Error(`no resource ${path}`);
  return r;
};

function exported(api: RestApiDoc, type: RestExportType, extensions: ExportExtension[]): Record<string, unknown> {
  return exportRest({ api, snapshot: api, stageName: 'prod', deployedAt: 1_718_000_000, origin: `http://${api.id}.execute-api.localhost:4566`, type, extensions: new Set(extensions) });
}

describe('OpenAPI 3 import (PetStore)', () => {
  const { api, warnings } = importApi(fixture(PETSTORE_OAS30));

  it('reads the API settings and every x-amazon-apigateway extension of the API', () => {
    expect(api.name).toBe('PetStore');
    expect(api.description).toMatch(/pet store/);
    expect(api.version).toBe('2024-06-01');
    expect(api.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream']);
    expect(api.minimumCompressionSize).toBe(1024);
    expect(api.apiKeySource).toBe('HEADER');
    expect(JSON.parse(api.policy!)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] });
    expect(Object.values(api.requestValidators).map((v) => [v.name, v.validateRequestBody, v.validateRequestParameters])).toEqual([
      ['all', true, true],
      ['params-only', false, true],
    ]);
    expect(api.gatewayResponses.UNAUTHORIZED).toEqual({
      responseType: 'UNAUTHORIZED',
      statusCode: '401',
      responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
      responseTemplates: { 'application/json': '{"message": "Unauthorized", "type": "$context.error.responseType"}' },
    });
    expect(api.gatewayResponses.DEFAULT_4XX?.statusCode).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('makes every path and intermediate segment a resource, with greedy and variable parts', () => {
    const paths = Object.values(api.resources).map((r) => r.path).sort();
    expect(paths).toEqual(['/', '/files', '/files/{proxy+}', '/pets', '/pets/{petId}', '/pets/{petId}/photo', '/store', '/store/inventory']);
    expect(byPath(api, '/').id).toBe('root000000');
    const photo = byPath(api, '/pets/{petId}/photo');
    expect(photo.pathPart).toBe('photo');
    expect(photo.parentId).toBe(byPath(api, '/pets/{petId}').id);
    expect(Object.keys(byPath(api, '/store').resourceMethods)).toEqual([]);
    expect(Object.keys(byPath(api, '/files/{proxy+}').resourceMethods)).toEqual(['ANY']);
  });

  it('turns parameters, bodies and responses into request parameters, models and method responses', () => {
    const list = byPath(api, '/pets').resourceMethods.GET!;
    expect(list.operationName).toBe('ListPets');
    expect(list.requestParameters).toEqual({ 'method.request.querystring.type': false, 'method.request.querystring.page': true, 'method.request.header.X-Request-Id': false });
    expect(list.methodResponses['200']).toEqual({ statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': false }, responseModels: { 'application/json': 'Pets' } });
    const create = byPath(api, '/pets').resourceMethods.POST!;
    expect(create.requestModels).toEqual({ 'application/json': 'NewPet' });
    expect(Object.keys(create.methodResponses)).toEqual(['201', '400']);
    // Path-level parameters and the path template both declare the path parameter.
    expect(byPath(api, '/pets/{petId}').resourceMethods.DELETE!.requestParameters).toEqual({ 'method.request.path.petId': true });
    expect(byPath(api, '/pets/{petId}/photo').resourceMethods.PUT!.requestParameters).toEqual({ 'method.request.path.petId': true });
    expect(byPath(api, '/files/{proxy+}').resourceMethods.ANY!.requestParameters).toEqual({ 'method.request.path.proxy': true });
  });

  it('stores schemas as models whose references are API Gateway model URLs', () => {
    const models = Object.values(api.models);
    expect(models.map((m) => m.name).sort()).toEqual(['Category', 'Empty', 'Error', 'GetInventoryResponse200', 'NewPet', 'Pet', 'PetType', 'Pets', 'UploadPhotoRequest']);
    const pet = models.find((m) => m.name === 'Pet')!;
    expect(pet.contentType).toBe('application/json');
    expect(pet.description).toBe('A pet for sale');
    const schema = JSON.parse(pet.schema!) as { properties: Record<string, unknown> };
    expect(schema.properties.type).toEqual({ $ref: 'https://apigateway.amazonaws.com/restapis/api0000001/models/PetType' });
    expect(JSON.parse(models.find((m) => m.name === 'Pets')!.schema!)).toEqual({ type: 'array', items: { $ref: 'https://apigateway.amazonaws.com/restapis/api0000001/models/Pet' } });
    // Inline schemas become models of their own.
    expect(byPath(api, '/store/inventory').resourceMethods.GET!.methodResponses['200']!.responseModels).toEqual({ 'application/json': 'GetInventoryResponse200' });
    expect(byPath(api, '/pets/{petId}/photo').resourceMethods.PUT!.requestModels).toEqual({ 'image/png': 'UploadPhotoRequest' });
  });

  it('reads integrations of every type with AWS variables, mappings and selection patterns', () => {
    const create = byPath(api, '/pets').resourceMethods.POST!.methodIntegration!;
    expect(create.type).toBe('AWS');
    expect(create.uri).toBe('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:create-pet/invocations');
    expect(create.credentials).toBe('arn:aws:iam::123456789012:role/apigw-invoke');
    expect(create.passthroughBehavior).toBe('NEVER');
    expect(create.connectionType).toBeUndefined();
    expect(create.integrationResponses).toEqual({
      '201': { statusCode: '201', responseParameters: {}, responseTemplates: {} },
      '400': { statusCode: '400', selectionPattern: '.*Invalid.*', responseParameters: {}, responseTemplates: { 'application/json': `{"message": "$util.escapeJavaScript($input.path('$.errorMessage'))"}` } },
    });
    const pets = byPath(api, '/pets');
    const list = pets.resourceMethods.GET!.methodIntegration!;
    expect(list).toMatchObject({ type: 'HTTP', httpMethod: 'GET', connectionType: 'INTERNET', timeoutInMillis: 10000, cacheNamespace: pets.id, cacheKeyParameters: ['method.request.querystring.page'] });
    expect(list.requestParameters['integration.request.header.x-request-id']).toBe('method.request.header.X-Request-Id');
    const root = byPath(api, '/').resourceMethods.GET!.methodIntegration!;
    expect(root.type).toBe('MOCK');
    expect(root.httpMethod).toBeUndefined();
    expect(root.requestTemplates).toEqual({ 'application/json': '{"statusCode": 200}' });
    expect(root.integrationResponses['200']!.responseTemplates['text/html']).toContain('$context.stage');
    expect(byPath(api, '/pets/{petId}').resourceMethods.GET!.methodIntegration).toMatchObject({ type: 'AWS_PROXY', httpMethod: 'POST', contentHandling: 'CONVERT_TO_TEXT', timeoutInMillis: 29000 });
    expect(byPath(api, '/files/{proxy+}').resourceMethods.ANY!.methodIntegration).toMatchObject({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: 'https://files.example.com/{proxy}' });
  });

  it('maps security requirements to authorizers, IAM and API keys, and validators to methods', () => {
    const [authorizer] = Object.values(api.authorizers);
    expect(authorizer).toMatchObject({
      name: 'petAuthorizer',
      type: 'TOKEN',
      authType: 'custom',
      identitySource: 'method.request.header.Authorization',
      identityValidationExpression: '^Bearer [-0-9a-zA-Z._]+$',
      authorizerResultTtlInSeconds: 60,
      authorizerCredentials: 'arn:aws:iam::123456789012:role/apigw-invoke',
    });
    const validators = new Map(Object.values(api.requestValidators).map((v) => [v.name, v.id]));
    const create = byPath(api, '/pets').resourceMethods.POST!;
    expect(create).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: authorizer!.id, apiKeyRequired: false, requestValidatorId: validators.get('all') });
    expect(byPath(api, '/pets').resourceMethods.GET!).toMatchObject({ authorizationType: 'NONE', requestValidatorId: validators.get('params-only') });
    expect(byPath(api, '/pets/{petId}').resourceMethods.DELETE!).toMatchObject({ authorizationType: 'NONE', apiKeyRequired: true });
    expect(byPath(api, '/pets/{petId}/photo').resourceMethods.PUT!).toMatchObject({ authorizationType: 'CUSTOM', apiKeyRequired: true });
    expect(byPath(api, '/store/inventory').resourceMethods.GET!).toMatchObject({ authorizationType: 'AWS_IAM', apiKeyRequired: false });
  });
});

describe('Swagger 2.0 import (Bookstore)', () => {
  it('reads consumes/produces, body parameters, Cognito and REQUEST authorizers and x-amazon-apigateway-auth', () => {
    const { api } = importApi(fixture(BOOKSTORE_SWAGGER));
    expect(api.name).toBe('Bookstore');
    expect(api.version).toBe('1.4.0');
    // basepath=ignore (the default) leaves /v1/library out.
    expect(Object.values(api.resources).map((r) => r.path).sort()).toEqual(['/', '/books', '/books/{isbn}', '/orders']);
    const books = byPath(api, '/books');
    expect(books.resourceMethods.GET!.requestParameters).toEqual({ 'method.request.querystring.author': false, 'method.request.querystring.limit': true });
    expect(books.resourceMethods.GET!.methodResponses['200']!.responseModels).toEqual({ 'application/json': 'BookList' });
    expect(books.resourceMethods.GET!.methodIntegration!.integrationResponses['502']).toMatchObject({ selectionPattern: '5\\d{2}' });
    expect(books.resourceMethods.GET!.methodIntegration!.passthroughBehavior).toBe('WHEN_NO_TEMPLATES');
    expect(books.resourceMethods.POST!.requestModels).toEqual({ 'application/json': 'Book' });
    expect(books.resourceMethods.POST!.methodResponses['201']).toEqual({ statusCode: '201', responseParameters: { 'method.response.header.Location': false }, responseModels: { 'application/json': 'Book' } });
    const authorizers = new Map(Object.values(api.authorizers).map((a) => [a.name, a]));
    expect(authorizers.get('cognito')).toMatchObject({ type: 'COGNITO_USER_POOLS', providerARNs: ['arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_AbCdEf123'], identitySource: 'method.request.header.Authorization', authType: 'cognito_user_pools' });
    expect(authorizers.get('requestAuth')).toMatchObject({ type: 'REQUEST', identitySource: 'method.request.header.X-Tenant, method.request.querystring.token', authorizerResultTtlInSeconds: 0 });
    expect(books.resourceMethods.GET!).toMatchObject({ authorizationType: 'COGNITO_USER_POOLS', authorizerId: authorizers.get('cognito')!.id, authorizationScopes: ['books/read'] });
    expect(byPath(api, '/books/{isbn}').resourceMethods.GET!).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: authorizers.get('requestAuth')!.id });
    expect(byPath(api, '/orders').resourceMethods.ANY!).toMatchObject({ authorizationType: 'AWS_IAM', operationName: 'orders' });
    expect(byPath(api, '/orders').resourceMethods.ANY!.methodIntegration).toMatchObject({ type: 'AWS', uri: 'arn:aws:apigateway:us-west-2:sqs:path/123456789012/orders', passthroughBehavior: 'NEVER' });
    expect(JSON.parse(Object.values(api.models).find((m) => m.name === 'Book')!.schema!).properties.author).toEqual({ $ref: 'https://apigateway.amazonaws.com/restapis/api0000001/models/Author' });
    expect(api.gatewayResponses.ACCESS_DENIED?.statusCode).toBe('403');
    expect(api.disableExecuteApiEndpoint).toBe(true);
  });

  it('applies basepath prepend and split as AWS documents', () => {
    const text = fixture(BOOKSTORE_SWAGGER);
    const prepend = importApi(text, { basepath: 'prepend' }).api;
    expect(Object.values(prepend.resources).map((r) => r.path).sort()).toEqual(['/', '/v1', '/v1/library', '/v1/library/books', '/v1/library/books/{isbn}', '/v1/library/orders']);
    const split = importApi(text, { basepath: 'split' }).api;
    expect(Object.values(split.resources).map((r) => r.path).sort()).toEqual(['/', '/library', '/library/books', '/library/books/{isbn}', '/library/orders']);
    // OpenAPI 3: the basePath server variable.
    expect(Object.values(importApi(fixture(PETSTORE_OAS30), { basepath: 'prepend' }).api.resources).some((r) => r.path === '/prod/pets/{petId}')).toBe(true);
  });
});

describe('PutRestApi modes', () => {
  const base = importApi(fixture(PETSTORE_OAS30)).api;
  const patch = `openapi: 3.0.1
info: {title: PetStore v2, version: '2'}
paths:
  /pets:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: '200'}}}
  /owners:
    post:
      responses: {'201': {description: created}}
x-amazon-apigateway-binary-media-types: [image/gif]
`;

  it('merge replaces the methods the definition declares and keeps everything else', () => {
    const merged = put(base, patch, 'merge');
    expect(merged.name).toBe('PetStore v2');
    expect(merged.version).toBe('2');
    const pets = byPath(merged, '/pets');
    expect(pets.id).toBe(byPath(base, '/pets').id);
    expect(pets.resourceMethods.GET!.methodIntegration!.type).toBe('MOCK');
    expect(pets.resourceMethods.GET!.requestParameters).toEqual({});
    expect(pets.resourceMethods.POST!.methodIntegration!.type).toBe('AWS');
    expect(byPath(merged, '/owners').resourceMethods.POST).toBeDefined();
    expect(byPath(merged, '/files/{proxy+}').resourceMethods.ANY).toBeDefined();
    expect(merged.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream', 'image/gif']);
    expect(Object.keys(merged.models).length).toBe(Object.keys(base.models).length);
    expect(merged.minimumCompressionSize).toBe(1024);
    expect(Object.keys(merged.authorizers)).toEqual(Object.keys(base.authorizers));
  });

  it('overwrite makes the API the definition, keeping the ids of resources at the same path', () => {
    const over = put(base, patch, 'overwrite');
    expect(Object.values(over.resources).map((r) => r.path).sort()).toEqual(['/', '/owners', '/pets']);
    expect(byPath(over, '/pets').id).toBe(byPath(base, '/pets').id);
    expect(Object.keys(byPath(over, '/pets').resourceMethods)).toEqual(['GET']);
    expect(over.binaryMediaTypes).toEqual(['image/gif']);
    expect(over.models).toEqual({});
    expect(over.authorizers).toEqual({});
    expect(over.requestValidators).toEqual({});
    expect(over.gatewayResponses).toEqual({});
    expect(over.minimumCompressionSize).toBeUndefined();
    expect(over.policy).toBeUndefined();
    expect(over.rootResourceId).toBe(base.rootResourceId);
  });
});

describe('errors and warnings, AWS style', () => {
  it('refuses what is not an OpenAPI document', () => {
    const deep = `{"openapi": "3.0.1", "info": {"title": "deep"}, "paths": {}, "x-deep": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    for (const text of [deep, '{\'key:value}', 'test:\n    value:\n        - "value ... \\"escaped\\": $var, \\"dt\\": $(var +"%a")}\\"\n', '{"openapi": "1.0"}', 'just text', '[1, 2]']) {
      expect(importError(text)).toMatchObject({ code: 'ApigwBadRequestException', message: 'Invalid OpenAPI input.' });
    }
  });

  const minimal = (extra: string, op = ''): string => `openapi: 3.0.1
info: {title: broken}
paths:
  /x:
    get:
      responses: {'200': {description: ok}}
${op}
${extra}`;

  it('ignores extension keys of the paths object', () => {
    const { api } = importApi('openapi: 3.0.1\ninfo: {title: t}\npaths:\n  x-owner: team-a\n  /a:\n    get: {responses: {}}\n');
    expect(Object.values(api.resources).map((r) => r.path).sort()).toEqual(['/', '/a']);
  });

  it('lists every invalid extension value under "Errors found during import:"', () => {
    const text = minimal(
      `x-amazon-apigateway-api-key-source: QUERY
x-amazon-apigateway-gateway-responses:
  NOT_A_TYPE: {statusCode: '400'}
x-amazon-apigateway-minimum-compression-size: -1`,
      `      x-amazon-apigateway-integration:
        type: carrier_pigeon
  /y:
    get:
      x-amazon-apigateway-integration: {type: http, httpMethod: GET, uri: 'not a url', passthroughBehavior: sometimes}
  /z:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: https://example.com
        requestParameters: {integration.request.querystring.q: method.request.querystring.q}`,
    );
    const { message } = importError(text);
    expect(message.split('\n\t')).toEqual([
      'Errors found during import:',
      "Unable to put gateway response 'NOT_A_TYPE': Invalid response type specified",
      'Invalid minimum compression size specified: -1. The value must be between 0 and 10485760',
      'Invalid API key source specified: QUERY. Valid values are HEADER, AUTHORIZER',
      "Unable to put integration on 'GET' for resource at path '/x': Invalid integration type specified: carrier_pigeon",
      "Unable to put integration on 'GET' for resource at path '/y': Invalid HTTP endpoint specified for URI",
      "Unable to put integration on 'GET' for resource at path '/y': Invalid passthrough behavior specified: sometimes",
      "Unable to put integration on 'GET' for resource at path '/z': Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.request.querystring.q]",
    ]);
  });

  it('reports bad resources, authorizers and validators', () => {
    const text = `openapi: 3.0.1
info: {title: broken}
paths:
  /a/{proxy+}/b:
    get: {responses: {}}
  /c/{id}:
    get: {responses: {}}
  /c/{name}:
    get: {responses: {}}
  /d e:
    get:
      x-amazon-apigateway-request-validator: nope
components:
  securitySchemes:
    weird:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer: {type: jwt}
    token:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer: {type: token}`;
    expect(importError(text).message.split('\n\t').slice(1)).toEqual([
      "Unable to create authorizer 'weird': Invalid authorizer type specified: jwt",
      "Unable to create authorizer 'token': Invalid authorizer URI specified",
      "Unable to create resource at path '/a/{proxy+}/b': Cannot create a child of a resource with a greedy path variable: /a/{proxy+}",
      "Unable to create resource at path '/c/{name}': A sibling ({id}) of this resource already has a variable path part -- only one is allowed",
      "Unable to create resource at path '/d e': Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
    ]);
    expect(importError(minimal('', '      x-amazon-apigateway-request-validator: nope')).message).toContain("Unable to put method 'GET' on resource at path '/x': Invalid Request Validator identifier specified: nope");
  });

  it('returns warnings, or fails on them with failonwarnings', () => {
    const text = minimal(
      'x-amazon-apigateway-unknown-thing: 1',
      `      security: [{missing: []}]
      x-amazon-apigateway-integration:
        type: mock
        requestParameters: {integration.request.header.nothing: true}
  /m:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}`,
    );
    const { api, warnings } = importApi(text);
    expect(warnings).toEqual([
      'Unsupported extension x-amazon-apigateway-unknown-thing is ignored',
      "Security scheme 'missing' used by method 'GET' for resource at path '/x' is not defined",
      "Invalid format for 'requestParameters'. Expected type string for property 'integration.request.header.nothing' of resource '/x' and method 'GET' but got 'true'",
      "Invalid model reference '#/components/schemas/Nope' in the request body of method 'POST' for resource at path '/m'",
    ]);
    expect(byPath(api, '/x').resourceMethods.GET!.methodIntegration!.requestParameters).toEqual({});
    expect(byPath(api, '/m').resourceMethods.POST!.requestModels).toEqual({});
    const failed = importError(text, true);
    expect(failed.message.split('\n\t')[0]).toBe('Warnings found during import:');
    expect(failed.message).toContain('x-amazon-apigateway-unknown-thing');
  });
});

describe('export', () => {
  const { api } = importApi(fixture(PETSTORE_OAS30));

  it('writes OpenAPI 3 with the stage server, paths, components and no extensions by default', () => {
    const doc = exported(api, 'oas30', []) as { openapi: string; info: Record<string, unknown>; servers: unknown; paths: Record<string, Record<string, Record<string, unknown>>>; components: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.0.1');
    expect(doc.info).toEqual({ title: 'PetStore', description: api.description, version: '2024-06-01' });
    expect(doc.servers).toEqual([{ url: 'http://api0000001.execute-api.localhost:4566/{basePath}', variables: { basePath: { default: 'prod' } } }]);
    expect(Object.keys(doc.paths)).toEqual(['/', '/files/{proxy+}', '/pets', '/pets/{petId}', '/pets/{petId}/photo', '/store/inventory']);
    const list = doc.paths['/pets']!.get!;
    expect(list.parameters).toEqual([
      { name: 'type', in: 'query', schema: { type: 'string' } },
      { name: 'page', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
    ]);
    expect(list['x-amazon-apigateway-integration']).toBeUndefined();
    expect(doc.paths['/pets']!.post!.security).toEqual([{ petAuthorizer: [] }]);
    expect(doc.paths['/pets/{petId}/photo']!.put!.security).toEqual([{ petAuthorizer: [], api_key: [] }]);
    expect(doc.paths['/store/inventory']!.get!.security).toEqual([{ sigv4: [] }]);
    expect(doc.paths['/files/{proxy+}']!['x-amazon-apigateway-any-method']).toBeDefined();
    expect(doc.components.schemas!.Pets).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Pet' } });
    expect(doc.components.securitySchemes!.petAuthorizer).toEqual({ type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'custom' });
    expect((doc as Record<string, unknown>)['x-amazon-apigateway-binary-media-types']).toBeUndefined();
  });

  it('writes Swagger 2.0 with host, basePath and definitions', () => {
    const doc = exported(api, 'swagger', ['integrations']) as Record<string, unknown> & { paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc).toMatchObject({ swagger: '2.0', host: 'api0000001.execute-api.localhost:4566', basePath: '/prod', schemes: ['http'] });
    expect(doc.paths['/pets']!.post!.parameters).toEqual([{ in: 'body', name: 'NewPet', required: true, schema: { $ref: '#/definitions/NewPet' } }]);
    expect(doc.paths['/pets']!.post!['x-amazon-apigateway-integration']).toMatchObject({ type: 'aws', httpMethod: 'POST', passthroughBehavior: 'never' });
    expect((doc.definitions as Record<string, unknown>).Pets).toEqual({ type: 'array', items: { $ref: '#/definitions/Pet' } });
  });

  for (const type of ['oas30', 'swagger'] as const) {
    for (const format of ['json', 'yaml'] as const) {
      it(`round-trips through ${type} ${format} with extensions=apigateway`, () => {
        const text = serialize(exported(api, type, ['apigateway']), format);
        if (format === 'yaml') expect(() => JSON.parse(text)).toThrow();
        const again = importApi(text, { apiId: 'api0000002', failOnWarnings: true }).api;
        expect(restShape(again, 'api0000002')).toEqual(restShape(api, 'api0000001'));
        expect(again.name).toBe(api.name);
        expect(again.version).toBe(api.version);
      });
    }
  }

  it('round-trips the Swagger definition through oas30', () => {
    const books = importApi(fixture(BOOKSTORE_SWAGGER)).api;
    const again = importApi(serialize(exported(books, 'oas30', ['apigateway']), 'json'), { apiId: 'api0000003', failOnWarnings: true }).api;
    expect(restShape(again, 'api0000003')).toEqual(restShape(books, 'api0000001'));
  });

  it('exports authorizers only with extensions=authorizers (or apigateway)', () => {
    const plain = exported(api, 'oas30', ['authorizers']) as { components: { securitySchemes: Record<string, Record<string, unknown>> }; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(plain.components.securitySchemes.petAuthorizer!['x-amazon-apigateway-authorizer']).toMatchObject({ type: 'token', authorizerResultTtlInSeconds: 60 });
    expect(plain.paths['/pets']!.get!['x-amazon-apigateway-integration']).toBeUndefined();
    const yaml = parseYaml(serialize(exported(api, 'oas30', ['apigateway']), 'yaml')) as Record<string, unknown>;
    expect(yaml['x-amazon-apigateway-minimum-compression-size']).toBe(1024);
    expect(yaml['x-amazon-apigateway-request-validators']).toEqual({ all: { validateRequestBody: true, validateRequestParameters: true }, 'params-only': { validateRequestBody: false, validateRequestParameters: true } });
  });
});
