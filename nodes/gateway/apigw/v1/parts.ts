// Lookups, checks and views of a REST API's models, request validators, authorizers and gateway
// responses, with AWS's NotFoundException messages.
import { AwsError } from '../../errors.js';
import { defaultGatewayResponse } from '../data/gateway-responses.js';
import { GATEWAY_RESPONSE_TYPES, type GatewayResponseType } from '../data/types.js';
import { type AuthorizerDoc, type GatewayResponseDoc, type ModelDoc, type RequestValidatorDoc, type RestApiDoc } from '../model.js';
import { badRequest } from './patch.js';

export const modelNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid model name specified');
export const validatorNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Request Validator identifier specified');
export const authorizerNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Authorizer identifier specified');

export function modelByName(api: RestApiDoc, name: string): ModelDoc {
  const m = Object.values(api.models).find((x) => x.name === name);
  if (!m) throw modelNotFound();
  return m;
}

/** AWS keeps a model's schema as text but refuses one that is not JSON. */
export function checkSchema(schema: string): void {
  try {
    const v: unknown = JSON.parse(schema);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  } catch {
    throw badRequest('Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]');
  }
}

/** Where the API's methods use something: `GET /pets` for each method `uses` picks. */
export function usedBy(api: RestApiDoc, uses: (m: RestApiDoc['resources'][string]['resourceMethods'][string]) => boolean): string[] {
  const out: string[] = [];
  for (const r of Object.values(api.resources)) for (const m of Object.values(r.resourceMethods)) if (uses(m)) out.push(`${m.httpMethod} ${r.path}`);
  return out;
}

export function validatorOf(api: RestApiDoc, id: string): RequestValidatorDoc {
  const v = api.requestValidators[id];
  if (!v) throw validatorNotFound();
  return v;
}

export function authorizerOf(api: RestApiDoc, id: string): AuthorizerDoc {
  const a = api.authorizers[id];
  if (!a) throw authorizerNotFound();
  return a;
}

/** AWS: 0 to 3,600 seconds, 300 by default. */
export const MAX_AUTHORIZER_TTL = 3600;

/** The rules CreateAuthorizer and UpdateAuthorizer both enforce on the result. */
export function checkAuthorizer(a: AuthorizerDoc): void {
  if (a.authorizerResultTtlInSeconds < 0 || a.authorizerResultTtlInSeconds > MAX_AUTHORIZER_TTL) throw badRequest(`Invalid authorizer TTL specified: ${a.authorizerResultTtlInSeconds}. Must be between 0 and ${MAX_AUTHORIZER_TTL}`);
  if (a.type === 'COGNITO_USER_POOLS') {
    if (!a.providerARNs || a.providerARNs.length === 0) throw badRequest('ProviderARNs must be specified for COGNITO_USER_POOLS authorizer');
  } else if (a.authorizerUri === undefined) throw badRequest(`Authorizer URI must be specified for ${a.type} authorizer`);
  if (a.type === 'TOKEN') {
    if (a.identitySource === undefined || a.identitySource === '') throw badRequest('Identity Source must be specified for TOKEN authorizer');
    if (!/^method\.request\.header\.[^,\s]+$/.test(a.identitySource)) throw badRequest(`Invalid identity source specified: ${a.identitySource}. A TOKEN authorizer takes one method.request.header.<name>`);
  }
  // A REQUEST authorizer's cache is keyed by its identity sources, so caching needs some.
  if (a.type === 'REQUEST' && a.authorizerResultTtlInSeconds > 0 && (a.identitySource === undefined || a.identitySource.trim() === '')) {
    throw badRequest('Identity Source must be specified for REQUEST authorizer when caching is enabled');
  }
  if (a.identityValidationExpression !== undefined) {
    try {
      new RegExp(a.identityValidationExpression);
    } catch {
      throw badRequest(`Invalid identity validation expression specified: ${a.identityValidationExpression}`);
    }
  }
}

export function gatewayResponseType(raw: string): GatewayResponseType {
  if ((GATEWAY_RESPONSE_TYPES as readonly string[]).includes(raw)) return raw as GatewayResponseType;
  throw badRequest(`1 validation error detected: Value '${raw}' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [${GATEWAY_RESPONSE_TYPES.join(', ')}]`);
}

const DEFAULT_TEMPLATES = { 'application/json': '{"message":$context.error.messageString}' };

/** A type's response as AWS shows it: the API's own, else AWS's default (`defaultResponse: true`). */
export function gatewayResponseView(api: RestApiDoc, type: GatewayResponseType): Record<string, unknown> {
  const own = api.gatewayResponses[type];
  if (own) return { ...own, defaultResponse: false };
  // AWS's defaults carry their status, except the DEFAULT_4XX/5XX catch-alls.
  const generic = type === 'DEFAULT_4XX' || type === 'DEFAULT_5XX';
  return { responseType: type, ...(generic ? {} : { statusCode: String(defaultGatewayResponse(type).status) }), responseParameters: {}, responseTemplates: DEFAULT_TEMPLATES, defaultResponse: true };
}

/** A customised response starts from the default (UpdateGatewayResponse on a type nobody put). */
export function gatewayResponseBase(api: RestApiDoc, type: GatewayResponseType): GatewayResponseDoc {
  const own = api.gatewayResponses[type];
  if (own) return own;
  const generic = type === 'DEFAULT_4XX' || type === 'DEFAULT_5XX';
  return { responseType: type, ...(generic ? {} : { statusCode: String(defaultGatewayResponse(type).status) }), responseParameters: {}, responseTemplates: { ...DEFAULT_TEMPLATES } };
}
