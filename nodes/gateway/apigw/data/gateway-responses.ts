// Gateway responses: what API Gateway answers itself (not the integration), with AWS's default
// status and message per type; a REST API may customise status, headers and body per type (or
// for DEFAULT_4XX / DEFAULT_5XX), which a deployment freezes.
import { type GatewayResponseDoc } from '../model.js';
import { renderTemplate } from '../vtl/template.js';
import { type ApiResponse, type GatewayResponseType } from './types.js';

const DEFAULTS: Record<GatewayResponseType, { status: number; message: string }> = {
  DEFAULT_4XX: { status: 400, message: 'Bad Request' },
  DEFAULT_5XX: { status: 500, message: 'Internal server error' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'Not Found' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden' },
  ACCESS_DENIED: { status: 403, message: 'User is not authorized to access this resource' },
  AUTHORIZER_FAILURE: { status: 500, message: 'Internal server error' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error' },
  INVALID_SIGNATURE: { status: 403, message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' },
  EXPIRED_TOKEN: { status: 403, message: 'The security token included in the request is expired' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token' },
  INTEGRATION_FAILURE: { status: 504, message: 'Internal server error' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out' },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Bad Request' },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long' },
  THROTTLED: { status: 429, message: 'Too Many Requests' },
  QUOTA_EXCEEDED: { status: 429, message: 'Limit Exceeded' },
  WAF_FILTERED: { status: 403, message: 'Forbidden' },
};

export function defaultGatewayResponse(type: GatewayResponseType): { status: number; message: string } {
  return DEFAULTS[type];
}

export interface RenderedFailure {
  type: GatewayResponseType;
  message: string;
  headers: Record<string, string>;
  /** `$context` for the response template (requestId, error.* filled here). */
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
  /** Overrides the type's default status (not a customised one). */
  status?: number;
  /** Request validation's findings (`$context.error.validationErrorString`). */
  validationErrorString?: string;
  /** The request's parameters, for `method.request.*` header mappings. */
  request?: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
}

/**
 * A REST API's answer for a failure: its customised response for the type, else for
 * DEFAULT_4XX/DEFAULT_5XX by the type's status class, else AWS's `{"message": ...}`.
 */
export function renderGatewayResponse(custom: Record<string, GatewayResponseDoc>, f: RenderedFailure): ApiResponse {
  const d = DEFAULTS[f.type];
  const own = custom[f.type] ?? custom[d.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const status = own?.statusCode !== undefined && own.statusCode !== '' ? Number(own.statusCode) : (f.status ?? d.status);
  const headers: Record<string, string[]> = { 'content-type': ['application/json'], 'x-amzn-ErrorType': [errorTypeOf(f.type)] };
  for (const [k, v] of Object.entries(f.headers)) headers[k] = [v];
  // A failure raised without its own message says what AWS says for the type.
  const message = f.message === f.type ? d.message : f.message;
  const messageString = JSON.stringify(message);
  const context = { ...f.context, error: { message, messageString, responseType: f.type, validationErrorString: f.validationErrorString ?? '' } };
  const params = f.request ?? { path: {}, querystring: {}, header: {} };
  for (const [k, v] of Object.entries(own?.responseParameters ?? {})) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(k)?.[1];
    if (name !== undefined) headers[name] = [mappedValue(v, context, f.stageVariables, params)];
  }
  const template = own?.responseTemplates['application/json'] ?? Object.values(own?.responseTemplates ?? {})[0];
  let body = `{"message":${messageString}}`;
  if (template !== undefined) {
    try {
      body = renderTemplate(template, { body: '', params, context, stageVariables: f.stageVariables }).output;
    } catch {
      // A broken custom template must not turn a 4xx into a crash: keep AWS's default body.
    }
  }
  return { status, headers, body: Buffer.from(body) };
}

/** `'literal'`, `method.request.{path|querystring|header}.x`, `context.x.y` or `stageVariables.x`, as gateway response header mappings allow. */
function mappedValue(v: string, context: Record<string, unknown>, stageVariables: Record<string, string>, params: NonNullable<RenderedFailure['request']>): string {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  const m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(v);
  if (m) {
    if (m[1] === 'header') return Object.entries(params.header).find(([k]) => k.toLowerCase() === m[2]!.toLowerCase())?.[1] ?? '';
    return (m[1] === 'path' ? params.path : params.querystring)[m[2]!] ?? '';
  }
  if (v.startsWith('stageVariables.')) return stageVariables[v.slice('stageVariables.'.length)] ?? '';
  if (v.startsWith('context.')) {
    let cur: unknown = context;
    for (const part of v.slice('context.'.length).split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
    return cur === undefined || cur === null ? '' : String(cur);
  }
  return '';
}

/** The `x-amzn-ErrorType` AWS sends with gateway responses. */
function errorTypeOf(type: GatewayResponseType): string {
  switch (type) {
    case 'MISSING_AUTHENTICATION_TOKEN':
      return 'MissingAuthenticationTokenException';
    case 'ACCESS_DENIED':
    case 'INVALID_API_KEY':
    case 'WAF_FILTERED':
      return 'ForbiddenException';
    case 'UNAUTHORIZED':
      return 'UnauthorizedException';
    case 'THROTTLED':
    case 'QUOTA_EXCEEDED':
      return 'TooManyRequestsException';
    case 'BAD_REQUEST_BODY':
    case 'BAD_REQUEST_PARAMETERS':
      return 'BadRequestException';
    case 'INTEGRATION_TIMEOUT':
    case 'INTEGRATION_FAILURE':
      return 'InternalServerErrorException';
    case 'INVALID_SIGNATURE':
      return 'InvalidSignatureException';
    case 'EXPIRED_TOKEN':
      return 'ExpiredTokenException';
    case 'REQUEST_TOO_LARGE':
      return 'RequestTooLargeException';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'UnsupportedMediaTypeException';
    case 'RESOURCE_NOT_FOUND':
      return 'NotFoundException';
    default:
      return 'InternalServerErrorException';
  }
}
