// OpenAPI import and export of HTTP APIs as pure conversions: routes, shared and inline
// integrations, JWT / Lambda / IAM authorization, CORS, reimport keeping ids, AWS's errors and
// warnings, and import(export(api)) rebuilding the same API.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { type ApiV2Doc } from '../../nodes/gateway/apigw/model.js';
import { applyHttpDefinition, emptyHttpApi } from '../../nodes/gateway/apigw/openapi/apply-v2.js';
import { exportHttp } from '../../nodes/gateway/apigw/openapi/export-v2.js';
import { type BasePathMode } from '../../nodes/gateway/apigw/openapi/import-rest.js';
import { importHttpDefinition } from '../../nodes/gateway/apigw/openapi/import-v2.js';
import { ImportReport } from '../../nodes/gateway/apigw/openapi/report.js';
import { serialize } from '../../nodes/gateway/apigw/openapi/serialize.js';
import { BOOKSTORE_SWAGGER, HTTP_API_OAS30, fixture, httpShape } from '../fixtures/openapi/helpers.js';

let counter = 0;
const id = (): string => `i${(counter++).toString(36).padStart(6, '0')}`;

function importHttp(text: string, opts: { basepath?: BasePathMode; failOnWarnings?: boolean; into?: ApiV2Doc } = {}): { api: ApiV2Doc; warnings: string[] } {
  const report = new ImportReport();
  const def = importHttpDefinition(text, { region: 'eu-west-1', accountId: '123456789012' }, opts.basepath ?? 'ignore', report);
  report.verdict(opts.failOnWarnings ?? false);
  const api = applyHttpDefinition(opts.into ? structuredClone(opts.into) : emptyHttpApi('http000001', def.title ?? '', 1_700_000_000), def, id);
  return { api, warnings: report.warnings };
}

function failure(text: string): string {
  try {
    importHttp(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the import to fail');
}

const route = (api: ApiV2Doc, key: string) => {
  const r = Object.values(api.routes).find((x) => x.routeKey === key);
  if (!r) throw new Error(`no route ${key}`);
  return r;
};
const integrationOf = (api: ApiV2Doc, key: string) => api.integrations[route(api, key).target!.replace('integrations/', '')]!;

const exported = (api: ApiV2Doc, includeExtensions = true) => exportHttp({ api, snapshot: api, at: 1_718_000_000, endpoint: 'http://http000001.execute-api.localhost:4566', includeExtensions });

describe('HTTP API import', () => {
  const { api, warnings } = importHttp(fixture(HTTP_API_OAS30));

  it('makes each operation a route, /$default the default route', () => {
    expect(api.name).toBe('Inventory HTTP API');
    expect(api.version).toBe('3.2');
    expect(api.protocolType).toBe('HTTP');
    expect(api.routeSelectionExpression).toBe('$request.method $request.path');
    expect(Object.values(api.routes).map((r) => r.routeKey).sort()).toEqual(['$default', 'ANY /legacy/{proxy+}', 'GET /items', 'GET /items/{id}', 'POST /items', 'POST /orders']);
    expect(route(api, 'GET /items').operationName).toBe('listItems');
    expect(warnings).toEqual([]);
  });

  it('shares one integration between the routes that reference it', () => {
    expect(Object.keys(api.integrations)).toHaveLength(4);
    const shared = integrationOf(api, 'GET /items');
    expect(integrationOf(api, 'POST /items')).toBe(shared);
    expect(integrationOf(api, '$default')).toBe(shared);
    expect(shared).toMatchObject({ integrationType: 'AWS_PROXY', integrationMethod: 'POST', payloadFormatVersion: '2.0', timeoutInMillis: 30000, connectionType: 'INTERNET' });
    expect(integrationOf(api, 'GET /items/{id}')).toMatchObject({
      integrationUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:get-item/invocations',
      timeoutInMillis: 6000,
    });
    expect(integrationOf(api, 'POST /orders')).toMatchObject({
      integrationType: 'AWS_PROXY',
      integrationSubtype: 'SQS-SendMessage',
      credentialsArn: 'arn:aws:iam::123456789012:role/apigw-sqs',
      payloadFormatVersion: '1.0',
      requestParameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders', MessageBody: '$request.body' },
    });
    expect(integrationOf(api, 'POST /orders').integrationUri).toBeUndefined();
    expect(integrationOf(api, 'ANY /legacy/{proxy+}')).toMatchObject({
      integrationType: 'HTTP_PROXY',
      integrationMethod: 'ANY',
      integrationUri: 'https://legacy.example.com/{proxy}',
      requestParameters: { 'append:header.x-forwarded-by': 'stratus', 'overwrite:path': '/api/$request.path.proxy' },
      responseParameters: { '404': { 'overwrite:statuscode': '410' } },
    });
  });

  it('reads JWT, Lambda and IAM authorization and CORS', () => {
    const authorizers = new Map(Object.values(api.authorizers).map((a) => [a.name, a]));
    expect(authorizers.get('jwtAuth')).toMatchObject({ authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example', audience: ['inventory-client'] } });
    expect(authorizers.get('lambdaAuth')).toMatchObject({
      authorizerType: 'REQUEST',
      identitySource: ['$request.header.Authorization', '$request.querystring.tenant'],
      authorizerPayloadFormatVersion: '2.0',
      authorizerResultTtlInSeconds: 300,
      enableSimpleResponses: true,
    });
    expect(route(api, 'GET /items')).toMatchObject({ authorizationType: 'JWT', authorizerId: authorizers.get('jwtAuth')!.authorizerId, authorizationScopes: ['items.read'] });
    expect(route(api, 'POST /items').authorizationScopes).toEqual(['items.write']);
    expect(route(api, 'GET /items/{id}')).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: authorizers.get('lambdaAuth')!.authorizerId });
    expect(route(api, 'POST /orders')).toMatchObject({ authorizationType: 'AWS_IAM' });
    expect(route(api, 'POST /orders').authorizerId).toBeUndefined();
    expect(route(api, '$default').authorizationType).toBe('NONE');
    expect(api.corsConfiguration).toEqual({ allowOrigins: ['https://shop.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization', 'content-type'], exposeHeaders: ['x-request-id'], maxAge: 600, allowCredentials: true });
  });

  it('prepends the base path when asked', () => {
    const { api: prefixed } = importHttp(fixture(HTTP_API_OAS30), { basepath: 'prepend' });
    expect(Object.values(prefixed.routes).map((r) => r.routeKey).sort()).toEqual(['$default', 'ANY /live/legacy/{proxy+}', 'GET /live/items', 'GET /live/items/{id}', 'POST /live/items', 'POST /live/orders']);
  });

  it('reimport replaces the definition, keeping route and authorizer ids', () => {
    const next = `openapi: 3.0.1
info: {title: Inventory v2}
paths:
  /items:
    get:
      security: [{jwtAuth: []}]
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://items.example.com', payloadFormatVersion: '1.0'}
components:
  securitySchemes:
    jwtAuth:
      type: oauth2
      x-amazon-apigateway-authorizer: {type: jwt, jwtConfiguration: {issuer: 'https://issuer.example.com', audience: [a]}}`;
    const { api: again } = importHttp(next, { into: api });
    expect(again.name).toBe('Inventory v2');
    expect(Object.values(again.routes).map((r) => r.routeKey)).toEqual(['GET /items']);
    expect(route(again, 'GET /items').routeId).toBe(route(api, 'GET /items').routeId);
    expect(Object.values(again.authorizers).map((a) => a.authorizerId)).toEqual([route(api, 'GET /items').authorizerId]);
    expect(Object.keys(again.integrations)).toHaveLength(1);
    expect(again.corsConfiguration).toBeUndefined();
    expect(again.description).toBeUndefined();
  });
});

describe('HTTP API errors and warnings', () => {
  it('refuses Swagger 2.0 and unreadable documents', () => {
    expect(failure(fixture(BOOKSTORE_SWAGGER))).toBe('Invalid OpenAPI input.');
    expect(failure('openapi: [')).toBe('Invalid OpenAPI input.');
  });

  it('reports invalid integrations and authorizers as errors', () => {
    const text = `openapi: 3.0.1
info: {title: bad}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: teleport, uri: 'x'}
  /b:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: 'arn:aws:lambda:us-east-1:1:function:f', payloadFormatVersion: '3.0'}
  /c:
    get:
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/missing'}
components:
  securitySchemes:
    jwt:
      type: oauth2
      x-amazon-apigateway-authorizer: {type: jwt, jwtConfiguration: {audience: [a]}}
    token:
      type: apiKey
      x-amazon-apigateway-authorizer: {type: token, authorizerUri: 'arn:x'}`;
    expect(failure(text).split('\n\t')).toEqual([
      'Errors found during import:',
      "Unable to create authorizer 'jwt': A JWT authorizer needs jwtConfiguration with an issuer and at least one audience",
      "Unable to create authorizer 'token': Invalid authorizer type specified: token. HTTP APIs support jwt and request authorizers",
      "Unable to create integration for route 'GET /a': Invalid integration type specified: teleport",
      "Unable to create integration for route 'GET /b': Invalid payload format version specified: 3.0",
      "Unable to create integration for route 'GET /c': Invalid integration reference #/components/x-amazon-apigateway-integrations/missing",
    ]);
  });

  it('warns about REST-only integrations and unsupported security, and fails on warnings when asked', () => {
    const text = `openapi: 3.0.1
info: {title: rest-ish}
paths:
  /m:
    get:
      security: [{key: []}]
      x-amazon-apigateway-integration: {type: mock}
components:
  securitySchemes:
    key: {type: apiKey, name: x-api-key, in: header}`;
    const { api, warnings } = importHttp(text);
    expect(warnings).toEqual([
      "Security scheme 'key' used by route 'GET /m' is not supported by HTTP APIs and is ignored",
      "Unsupported integration type 'mock' for route 'GET /m'. HTTP APIs support only Lambda proxy and HTTP proxy integrations",
    ]);
    expect(route(api, 'GET /m').target).toBeUndefined();
    expect(() => importHttp(text, { failOnWarnings: true })).toThrow(/^Warnings found during import:\n\tSecurity scheme 'key'/);
  });
});

describe('HTTP API export', () => {
  const { api } = importHttp(fixture(HTTP_API_OAS30));

  it('writes routes as operations with AWS extensions', () => {
    const doc = exported(api) as { paths: Record<string, Record<string, Record<string, unknown>>>; components: { securitySchemes: Record<string, unknown> } } & Record<string, unknown>;
    expect(doc.openapi).toBe('3.0.1');
    expect(Object.keys(doc.paths).sort()).toEqual(['/$default', '/items', '/items/{id}', '/legacy/{proxy+}', '/orders']);
    expect(doc.paths['/$default']![ 'x-amazon-apigateway-any-method']).toMatchObject({ isDefaultRoute: true, responses: { default: { description: 'Default response for $default' } } });
    expect(doc.paths['/items/{id}']!.get!.parameters).toEqual([{ name: 'id', in: 'path', description: 'Generated path parameter for id', required: true, schema: { type: 'string' } }]);
    expect(doc.paths['/items']!.get!.security).toEqual([{ jwtAuth: ['items.read'] }]);
    expect(doc.paths['/orders']!.post!.security).toEqual([{ sigv4: [] }]);
    expect(doc.paths['/orders']!.post!['x-amazon-apigateway-integration']).toMatchObject({ type: 'aws_proxy', integrationSubtype: 'SQS-SendMessage', payloadFormatVersion: '1.0' });
    expect(doc.components.securitySchemes.jwtAuth).toMatchObject({ type: 'oauth2', 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization' } });
    expect(doc['x-amazon-apigateway-cors']).toEqual(api.corsConfiguration);
    expect(doc['x-amazon-apigateway-importexport-version']).toBe('1.0');
  });

  it('leaves the extensions out with includeExtensions=false', () => {
    const doc = exported(api, false) as { paths: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>;
    expect(doc.paths['/items']!.get!['x-amazon-apigateway-integration']).toBeUndefined();
    expect(doc['x-amazon-apigateway-cors']).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain('x-amazon-apigateway-authorizer');
  });

  for (const format of ['json', 'yaml'] as const) {
    it(`round-trips through ${format}`, () => {
      const text = serialize(exported(api), format);
      if (format === 'yaml') expect((parseYaml(text) as { openapi: string }).openapi).toBe('3.0.1');
      const again = importHttp(text, { failOnWarnings: true }).api;
      // The shared integration is exported inline per route: each route still gets an equal one.
      const shape = (a: ApiV2Doc) => {
        const s = httpShape(a) as { routes: unknown };
        return s.routes;
      };
      expect(shape(again)).toEqual(shape(api));
      expect(again.corsConfiguration).toEqual(api.corsConfiguration);
      expect(again.name).toBe(api.name);
    });
  }
});
