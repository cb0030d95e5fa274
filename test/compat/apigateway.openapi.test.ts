// OpenAPI import and export through the SDK v3 clients against the embedded server: REST APIs
// (ImportRestApi, PutRestApi merge/overwrite, GetExport and importing the export back) and HTTP
// APIs (ImportApi, ReimportApi, ExportApi round trip), with AWS's errors and warnings.
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  GetExportCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  ImportRestApiCommand,
  PutRestApiCommand,
  type Resource,
} from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, ExportApiCommand, ImportApiCommand, ReimportApiCommand } from '@aws-sdk/client-apigatewayv2';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKSTORE_SWAGGER, HTTP_API_OAS30, PETSTORE_OAS30, fixture } from '../fixtures/openapi/helpers.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';
import { failure } from './apigw-fixtures.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined): string => new TextDecoder().decode(body);

/** Resources with embedded methods, ids replaced by paths and names, for comparing two APIs. */
function comparable(items: Resource[]): unknown {
  const paths = new Map(items.map((r) => [r.id, r.path]));
  return items
    .map((r) => ({
      path: r.path,
      parent: r.parentId === undefined ? undefined : paths.get(r.parentId),
      methods: Object.fromEntries(
        Object.entries(r.resourceMethods ?? {}).map(([verb, m]) => {
          const { authorizerId, requestValidatorId, methodIntegration, ...rest } = m;
          const integration = methodIntegration ? { ...methodIntegration, cacheNamespace: methodIntegration.cacheNamespace === r.id ? '<resource>' : methodIntegration.cacheNamespace } : undefined;
          return [verb, { ...rest, hasAuthorizer: authorizerId !== undefined, hasValidator: requestValidatorId !== undefined, integration }];
        }),
      ),
    }))
    .sort((a, b) => String(a.path).localeCompare(String(b.path)));
}

describe('API Gateway OpenAPI import and export (SDK v3)', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let v2: ApiGatewayV2Client;
  beforeAll(async () => {
    target = await startEmbedded();
    apigw = new APIGatewayClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    v2 = new ApiGatewayV2Client({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    apigw?.destroy();
    v2?.destroy();
    await target?.stop();
  }, 30_000);

  const resources = async (restApiId: string): Promise<Resource[]> => (await apigw.send(new GetResourcesCommand({ restApiId, embed: ['methods'], limit: 500 }))).items ?? [];
  const resourceId = (items: Resource[], path: string): string => {
    const r = items.find((x) => x.path === path);
    if (!r?.id) throw new Error(`no resource ${path}`);
    return r.id;
  };

  let petstoreId = '';

  it('ImportRestApi creates resources, methods and integrations from OpenAPI 3 YAML', async () => {
    const api = await apigw.send(new ImportRestApiCommand({ body: bytes(fixture(PETSTORE_OAS30)), parameters: { endpointConfigurationTypes: 'REGIONAL' } }));
    expect(api.$metadata.httpStatusCode).toBe(201);
    expect(api.name).toBe('PetStore');
    expect(api.version).toBe('2024-06-01');
    expect(api.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream']);
    expect(api.minimumCompressionSize).toBe(1024);
    expect(api.endpointConfiguration?.types).toEqual(['REGIONAL']);
    expect(api.warnings).toBeUndefined();
    petstoreId = api.id!;
    expect((await apigw.send(new GetRestApiCommand({ restApiId: petstoreId }))).policy).toContain('execute-api:Invoke');

    const items = await resources(petstoreId);
    expect(items.map((r) => r.path).sort()).toEqual(['/', '/files', '/files/{proxy+}', '/pets', '/pets/{petId}', '/pets/{petId}/photo', '/store', '/store/inventory']);
    const pets = resourceId(items, '/pets');
    const create = await apigw.send(new GetMethodCommand({ restApiId: petstoreId, resourceId: pets, httpMethod: 'POST' }));
    expect(create).toMatchObject({ authorizationType: 'CUSTOM', operationName: 'CreatePet', requestModels: { 'application/json': 'NewPet' }, apiKeyRequired: false });
    expect(create.authorizerId).toMatch(/^[a-z0-9]+$/);
    expect(create.methodResponses?.['400']?.responseModels).toEqual({ 'application/json': 'Error' });
    const list = await apigw.send(new GetIntegrationCommand({ restApiId: petstoreId, resourceId: pets, httpMethod: 'GET' }));
    expect(list).toMatchObject({ type: 'HTTP', httpMethod: 'GET', uri: 'http://petstore.example.com/petstore/pets', connectionType: 'INTERNET', passthroughBehavior: 'WHEN_NO_MATCH', timeoutInMillis: 10000, cacheNamespace: pets });
    expect(list.requestParameters?.['integration.request.querystring.page']).toBe('method.request.querystring.page');
    expect(list.integrationResponses?.['200']?.responseParameters).toEqual({ 'method.response.header.Access-Control-Allow-Origin': "'*'" });
    const proxy = await apigw.send(new GetMethodCommand({ restApiId: petstoreId, resourceId: resourceId(items, '/files/{proxy+}'), httpMethod: 'ANY' }));
    expect(proxy.requestParameters).toEqual({ 'method.request.path.proxy': true });
    expect(proxy.methodIntegration).toMatchObject({ type: 'HTTP_PROXY', uri: 'https://files.example.com/{proxy}' });
    const del = await apigw.send(new GetMethodCommand({ restApiId: petstoreId, resourceId: resourceId(items, '/pets/{petId}'), httpMethod: 'DELETE' }));
    expect(del).toMatchObject({ apiKeyRequired: true, authorizationType: 'NONE' });
    expect(del.methodIntegration?.uri).toContain('function:delete-pet');
  });

  it('imports Swagger 2.0 JSON with basepath=prepend', async () => {
    const api = await apigw.send(new ImportRestApiCommand({ body: bytes(fixture(BOOKSTORE_SWAGGER)), parameters: { basepath: 'prepend' } }));
    expect(api.disableExecuteApiEndpoint).toBe(true);
    const items = await resources(api.id!);
    expect(items.map((r) => r.path).sort()).toEqual(['/', '/v1', '/v1/library', '/v1/library/books', '/v1/library/books/{isbn}', '/v1/library/orders']);
    const books = items.find((r) => r.path === '/v1/library/books')!;
    expect(books.resourceMethods?.GET).toMatchObject({ authorizationType: 'COGNITO_USER_POOLS', authorizationScopes: ['books/read'] });
    expect(items.find((r) => r.path === '/v1/library/orders')!.resourceMethods?.ANY).toMatchObject({ authorizationType: 'AWS_IAM', methodIntegration: { type: 'AWS', passthroughBehavior: 'NEVER' } });
  });

  it('PutRestApi merges by default and overwrites with mode=overwrite', async () => {
    const created = await apigw.send(new ImportRestApiCommand({ body: bytes(fixture(PETSTORE_OAS30)) }));
    const id = created.id!;
    const before = await resources(id);
    const patch = `openapi: 3.0.1
info: {title: PetStore patched, version: '2'}
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
    const merged = await apigw.send(new PutRestApiCommand({ restApiId: id, body: bytes(patch) }));
    expect(merged.name).toBe('PetStore patched');
    expect(merged.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream', 'image/gif']);
    let items = await resources(id);
    expect(items.map((r) => r.path)).toContain('/owners');
    expect(items.map((r) => r.path)).toContain('/files/{proxy+}');
    expect(resourceId(items, '/pets')).toBe(resourceId(before, '/pets'));
    const pets = items.find((r) => r.path === '/pets')!;
    expect(pets.resourceMethods?.GET?.methodIntegration?.type).toBe('MOCK');
    expect(pets.resourceMethods?.POST?.methodIntegration?.type).toBe('AWS');

    const over = await apigw.send(new PutRestApiCommand({ restApiId: id, body: bytes(patch), mode: 'overwrite' }));
    expect(over.binaryMediaTypes).toEqual(['image/gif']);
    expect(over.minimumCompressionSize).toBeUndefined();
    expect(over.rootResourceId).toBe(created.rootResourceId);
    items = await resources(id);
    expect(items.map((r) => r.path).sort()).toEqual(['/', '/owners', '/pets']);
    expect(Object.keys(items.find((r) => r.path === '/pets')!.resourceMethods ?? {})).toEqual(['GET']);
    expect(resourceId(items, '/pets')).toBe(resourceId(before, '/pets'));
  });

  it('GetExport writes the deployed stage; importing the export rebuilds the same API', async () => {
    await apigw.send(new CreateDeploymentCommand({ restApiId: petstoreId, stageName: 'prod' }));
    const yaml = await apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'oas30', accepts: 'application/yaml', parameters: { extensions: 'apigateway' } }));
    expect(yaml.contentType).toBe('application/yaml');
    expect(yaml.contentDisposition).toBe('attachment; filename="oas30_2024-06-01.yaml"');
    const doc = parseYaml(text(yaml.body)) as { openapi: string; servers: { url: string; variables: { basePath: { default: string } } }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.1');
    expect(doc.servers[0]!.url).toMatch(new RegExp(`^http://${petstoreId}\\.execute-api\\.localhost:\\d+/\\{basePath\\}$`));
    expect(doc.servers[0]!.variables.basePath.default).toBe('prod');
    expect(Object.keys(doc.paths)).toContain('/pets/{petId}');

    const again = await apigw.send(new ImportRestApiCommand({ body: bytes(text(yaml.body)), failOnWarnings: true }));
    expect(again.name).toBe('PetStore');
    expect(comparable(await resources(again.id!))).toEqual(comparable(await resources(petstoreId)));

    const swagger = await apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'swagger', accepts: 'application/json', parameters: { extensions: 'integrations' } }));
    expect(swagger.contentType).toBe('application/json');
    const sdoc = JSON.parse(text(swagger.body)) as Record<string, unknown>;
    expect(sdoc).toMatchObject({ swagger: '2.0', basePath: '/prod' });
    expect(sdoc['x-amazon-apigateway-binary-media-types']).toBeUndefined();
    const plain = JSON.parse(text((await apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'oas30' }))).body)) as Record<string, unknown>;
    expect(JSON.stringify(plain)).not.toContain('x-amazon-apigateway-integration');
  });

  it('GetExport errors as AWS answers them', async () => {
    expect(await failure(apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'nope', exportType: 'oas30' })))).toMatchObject({ name: 'NotFoundException', status: 404, message: 'Invalid stage identifier specified' });
    expect(await failure(apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'raml' })))).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(await failure(apigw.send(new GetExportCommand({ restApiId: 'missing123', stageName: 'prod', exportType: 'oas30' })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid API identifier specified' });
  });

  it('refuses invalid documents and invalid extension values, and reports warnings', async () => {
    expect(await failure(apigw.send(new ImportRestApiCommand({ body: bytes("{'key:value}") })))).toEqual({ name: 'BadRequestException', status: 400, message: 'Invalid OpenAPI input.' });
    // An unreadable definition is refused before the API is looked up, as AWS does.
    expect(await failure(apigw.send(new PutRestApiCommand({ restApiId: 'nosuchapi0', body: bytes('swagger: [') })))).toMatchObject({ name: 'BadRequestException', message: 'Invalid OpenAPI input.' });
    const valid = 'openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n';
    expect(await failure(apigw.send(new PutRestApiCommand({ restApiId: 'nosuchapi0', body: bytes(valid) })))).toMatchObject({ name: 'NotFoundException', status: 404 });

    const bad = `openapi: 3.0.1
info: {title: bad}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: http, httpMethod: GET, uri: 'ftp://nope', passthroughBehavior: always}
x-amazon-apigateway-api-key-source: COOKIE
`;
    const err = await failure(apigw.send(new ImportRestApiCommand({ body: bytes(bad) })));
    expect(err.name).toBe('BadRequestException');
    expect(err.message.split('\n\t')).toEqual([
      'Errors found during import:',
      'Invalid API key source specified: COOKIE. Valid values are HEADER, AUTHORIZER',
      "Unable to put integration on 'GET' for resource at path '/a': Invalid HTTP endpoint specified for URI",
      "Unable to put integration on 'GET' for resource at path '/a': Invalid passthrough behavior specified: always",
    ]);

    const warned = `openapi: 3.0.1
info: {title: warned}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: mock, requestParameters: {integration.request.header.x: 7}}
`;
    const ok = await apigw.send(new ImportRestApiCommand({ body: bytes(warned) }));
    expect(ok.warnings).toEqual(["Invalid format for 'requestParameters'. Expected type string for property 'integration.request.header.x' of resource '/a' and method 'GET' but got '7'"]);
    const strict = await failure(apigw.send(new ImportRestApiCommand({ body: bytes(warned), failOnWarnings: true })));
    expect(strict).toMatchObject({ name: 'BadRequestException' });
    expect(strict.message).toMatch(/^Warnings found during import:\n\tInvalid format for 'requestParameters'/);
  });

  it('ImportApi / ExportApi / ReimportApi round-trip an HTTP API', async () => {
    const imported = await v2.send(new ImportApiCommand({ Body: fixture(HTTP_API_OAS30) }));
    expect(imported.$metadata.httpStatusCode).toBe(201);
    expect(imported).toMatchObject({ Name: 'Inventory HTTP API', ProtocolType: 'HTTP', RouteSelectionExpression: '$request.method $request.path', Version: '3.2' });
    expect(imported.ApiEndpoint).toMatch(new RegExp(`^http://${imported.ApiId}\\.execute-api\\.localhost:\\d+$`));
    expect(imported.CreatedDate).toBeInstanceOf(Date);
    expect(imported.CorsConfiguration?.AllowOrigins).toEqual(['https://shop.example.com']);

    const exportOf = async (apiId: string, outputType: 'JSON' | 'YAML'): Promise<Record<string, unknown>> => {
      const out = await v2.send(new ExportApiCommand({ ApiId: apiId, Specification: 'OAS30', OutputType: outputType }));
      const body = text(out.body);
      return (outputType === 'YAML' ? parseYaml(body) : JSON.parse(body)) as Record<string, unknown>;
    };
    const first = await exportOf(imported.ApiId!, 'YAML');
    expect(Object.keys(first.paths as object).sort()).toEqual(['/$default', '/items', '/items/{id}', '/legacy/{proxy+}', '/orders']);
    expect(first['x-amazon-apigateway-importexport-version']).toBe('1.0');

    const again = await v2.send(new ImportApiCommand({ Body: JSON.stringify(first), FailOnWarnings: true }));
    const second = await exportOf(again.ApiId!, 'JSON');
    expect(second.paths).toEqual(first.paths);
    expect(second.components).toEqual(first.components);
    expect(second['x-amazon-apigateway-cors']).toEqual(first['x-amazon-apigateway-cors']);

    const re = await v2.send(new ReimportApiCommand({ ApiId: again.ApiId, Body: 'openapi: 3.0.1\ninfo: {title: Inventory v2}\npaths:\n  /ping:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "https://ping.example.com", payloadFormatVersion: "1.0"}\n' }));
    expect(re).toMatchObject({ ApiId: again.ApiId, Name: 'Inventory v2' });
    expect(re.CorsConfiguration).toBeUndefined();
    expect(Object.keys((await exportOf(again.ApiId!, 'JSON')).paths as object)).toEqual(['/ping']);
  });

  it('HTTP API import and export errors', async () => {
    expect(await failure(v2.send(new ImportApiCommand({ Body: fixture(BOOKSTORE_SWAGGER) })))).toMatchObject({ name: 'BadRequestException', message: 'Invalid OpenAPI input.' });
    expect(await failure(v2.send(new ExportApiCommand({ ApiId: 'missing123', Specification: 'OAS30', OutputType: 'JSON' })))).toMatchObject({ name: 'NotFoundException', status: 404 });
    const api = await v2.send(new ImportApiCommand({ Body: 'openapi: 3.0.1\ninfo: {title: tiny}\npaths: {}\n' }));
    expect(await failure(v2.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'XML' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await failure(v2.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: 'nope' })))).toMatchObject({ name: 'NotFoundException' });
    const warned = await v2.send(new ImportApiCommand({ Body: 'openapi: 3.0.1\ninfo: {title: mocky}\npaths:\n  /m:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n' }));
    expect(warned.Warnings).toEqual(["Unsupported integration type 'mock' for route 'GET /m'. HTTP APIs support only Lambda proxy and HTTP proxy integrations"]);
  });
});
