// Shared by the API Gateway compatibility tests.
import { type APIGatewayClient, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand } from '@aws-sdk/client-api-gateway';
import { type ApiGatewayV2Client, CreateIntegrationCommand, CreateIntegrationResponseCommand, CreateRouteCommand, CreateRouteResponseCommand } from '@aws-sdk/client-apigatewayv2';

/** The error a call that must fail raised, as the SDK surfaces it (name, message, HTTP status). */
export async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/**
 * A MOCK method answering 200 with `responseTemplate` (no authorization unless given): the four
 * calls a REST method with a mock integration takes.
 */
export async function mockMethod(
  apigw: APIGatewayClient,
  m: { restApiId: string; resourceId: string; httpMethod: string; responseTemplate: string; apiKeyRequired?: boolean },
): Promise<void> {
  const at = { restApiId: m.restApiId, resourceId: m.resourceId, httpMethod: m.httpMethod };
  await apigw.send(new PutMethodCommand({ ...at, authorizationType: 'NONE', ...(m.apiKeyRequired ? { apiKeyRequired: true } : {}) }));
  await apigw.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await apigw.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
  await apigw.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': m.responseTemplate } }));
}

/** A WebSocket route (MOCK, two-way) that answers the caller's `{"id": connectionId}`. */
export async function connectionIdRoute(v2: ApiGatewayV2Client, apiId: string, routeKey: string): Promise<void> {
  const i = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
  await v2.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: i.IntegrationId, IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{"id": "$context.connectionId"}' }, TemplateSelectionExpression: '\\$default' }));
  const route = await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${i.IntegrationId}` }));
  await v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
}
