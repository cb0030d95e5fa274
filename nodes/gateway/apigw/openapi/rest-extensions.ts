// The API-wide `x-amazon-apigateway-*` extensions of a REST API definition: request validators,
// gateway responses, binary media types, resource policy, minimum compression size, API key
// source and endpoint configuration; read on import, written on export.
import { type GatewayResponseDoc, type RequestValidatorDoc, type RestApiSnapshot } from '../model.js';
import { type Obj, bool, isObj, scalarText, str, strList, strMap } from './document.js';
import { type ImportReport } from './report.js';

export const GATEWAY_RESPONSE_TYPES = [
  'ACCESS_DENIED',
  'API_CONFIGURATION_ERROR',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'AUTHORIZER_FAILURE',
  'BAD_REQUEST_PARAMETERS',
  'BAD_REQUEST_BODY',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'EXPIRED_TOKEN',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'INVALID_API_KEY',
  'INVALID_SIGNATURE',
  'MISSING_AUTHENTICATION_TOKEN',
  'QUOTA_EXCEEDED',
  'REQUEST_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'THROTTLED',
  'UNAUTHORIZED',
  'UNSUPPORTED_MEDIA_TYPE',
  'WAF_FILTERED',
] as const;

/** AWS: a minimum compression size between 0 and 10 MB. */
const MAX_COMPRESSION_SIZE = 10_485_760;

/** The API-level extensions an import understands; any other `x-amazon-apigateway-*` is a warning. */
const KNOWN = new Set([
  'x-amazon-apigateway-request-validators',
  'x-amazon-apigateway-request-validator',
  'x-amazon-apigateway-gateway-responses',
  'x-amazon-apigateway-binary-media-types',
  'x-amazon-apigateway-policy',
  'x-amazon-apigateway-minimum-compression-size',
  'x-amazon-apigateway-api-key-source',
  'x-amazon-apigateway-endpoint-configuration',
  'x-amazon-apigateway-documentation',
  'x-amazon-apigateway-importexport-version',
  'x-amazon-apigateway-tag-value',
]);

export interface RestApiSettings {
  requestValidators: Record<string, Omit<RequestValidatorDoc, 'id'>>;
  /** The validator every method uses unless it names its own. */
  defaultValidator?: string;
  gatewayResponses: Record<string, GatewayResponseDoc>;
  binaryMediaTypes?: string[];
  policy?: string;
  minimumCompressionSize?: number;
  apiKeySource?: 'HEADER' | 'AUTHORIZER';
  vpcEndpointIds?: string[];
  disableExecuteApiEndpoint?: boolean;
}

export function readRestSettings(root: Obj, report: ImportReport): RestApiSettings {
  const out: RestApiSettings = { requestValidators: {}, gatewayResponses: {} };
  for (const key of Object.keys(root)) if (key.startsWith('x-amazon-apigateway-') && !KNOWN.has(key)) report.warn(`Unsupported extension ${key} is ignored`);

  const validators = root['x-amazon-apigateway-request-validators'];
  if (isObj(validators)) {
    for (const [name, v] of Object.entries(validators)) {
      const body = isObj(v) ? bool(v.validateRequestBody) : undefined;
      const params = isObj(v) ? bool(v.validateRequestParameters) : undefined;
      out.requestValidators[name] = { name, validateRequestBody: body ?? false, validateRequestParameters: params ?? false };
    }
  }
  const defaultValidator = str(root['x-amazon-apigateway-request-validator']);
  if (defaultValidator !== undefined) {
    if (out.requestValidators[defaultValidator] === undefined) report.error(`Invalid request validator '${defaultValidator}': no such validator in x-amazon-apigateway-request-validators`);
    else out.defaultValidator = defaultValidator;
  }

  const responses = root['x-amazon-apigateway-gateway-responses'];
  if (isObj(responses)) {
    for (const [type, v] of Object.entries(responses)) {
      if (!GATEWAY_RESPONSE_TYPES.some((x) => x === type)) {
        report.error(`Unable to put gateway response '${type}': Invalid response type specified`);
        continue;
      }
      const r = isObj(v) ? v : {};
      const statusCode = scalarText(r.statusCode);
      if (statusCode !== undefined && !/^[1-5]\d\d$/.test(statusCode)) {
        report.error(`Unable to put gateway response '${type}': Invalid status code specified: ${statusCode}`);
        continue;
      }
      out.gatewayResponses[type] = { responseType: type, ...(statusCode !== undefined ? { statusCode } : {}), responseParameters: strMap(r.responseParameters), responseTemplates: strMap(r.responseTemplates) };
    }
  }

  const binary = root['x-amazon-apigateway-binary-media-types'];
  if (binary !== undefined) {
    const list = strList(binary);
    if (list === undefined) report.error('Invalid x-amazon-apigateway-binary-media-types: a list of media types is expected');
    else out.binaryMediaTypes = list;
  }

  const policy = root['x-amazon-apigateway-policy'];
  if (isObj(policy)) out.policy = JSON.stringify(policy);
  else if (typeof policy === 'string') out.policy = policy;
  else if (policy !== undefined) report.error('Invalid x-amazon-apigateway-policy: a policy document is expected');

  const size = root['x-amazon-apigateway-minimum-compression-size'];
  if (size !== undefined) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_COMPRESSION_SIZE) {
      report.error(`Invalid minimum compression size specified: ${String(size)}. The value must be between 0 and ${MAX_COMPRESSION_SIZE}`);
    } else out.minimumCompressionSize = size;
  }

  const source = str(root['x-amazon-apigateway-api-key-source']);
  if (source !== undefined) {
    const upper = source.toUpperCase();
    if (upper === 'HEADER' || upper === 'AUTHORIZER') out.apiKeySource = upper;
    else report.error(`Invalid API key source specified: ${source}. Valid values are HEADER, AUTHORIZER`);
  }

  const endpoint = root['x-amazon-apigateway-endpoint-configuration'];
  if (isObj(endpoint)) {
    const ids = strList(endpoint.vpcEndpointIds);
    if (ids !== undefined) out.vpcEndpointIds = ids;
    const disable = bool(endpoint.disableExecuteApiEndpoint);
    if (disable !== undefined) out.disableExecuteApiEndpoint = disable;
  }
  return out;
}

/** The API-wide extensions of an export with `extensions=apigateway`. */
export function restSettingsExtensions(s: RestApiSnapshot, endpoint: { vpcEndpointIds?: string[]; disableExecuteApiEndpoint: boolean }): Obj {
  const out: Obj = {};
  const validators = Object.values(s.requestValidators);
  if (validators.length > 0) {
    out['x-amazon-apigateway-request-validators'] = Object.fromEntries(validators.map((v) => [v.name, { validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters }]));
  }
  const responses = Object.values(s.gatewayResponses);
  if (responses.length > 0) {
    out['x-amazon-apigateway-gateway-responses'] = Object.fromEntries(
      responses.map((r) => {
        const body: Obj = {};
        if (r.statusCode !== undefined) body.statusCode = r.statusCode;
        if (Object.keys(r.responseParameters).length > 0) body.responseParameters = r.responseParameters;
        if (Object.keys(r.responseTemplates).length > 0) body.responseTemplates = r.responseTemplates;
        return [r.responseType, body];
      }),
    );
  }
  if (s.binaryMediaTypes.length > 0) out['x-amazon-apigateway-binary-media-types'] = s.binaryMediaTypes;
  if (s.policy !== undefined) {
    try {
      out['x-amazon-apigateway-policy'] = JSON.parse(s.policy);
    } catch {
      out['x-amazon-apigateway-policy'] = s.policy;
    }
  }
  if (s.minimumCompressionSize !== undefined) out['x-amazon-apigateway-minimum-compression-size'] = s.minimumCompressionSize;
  if (s.apiKeySource !== 'HEADER') out['x-amazon-apigateway-api-key-source'] = s.apiKeySource;
  if ((endpoint.vpcEndpointIds?.length ?? 0) > 0 || endpoint.disableExecuteApiEndpoint) {
    out['x-amazon-apigateway-endpoint-configuration'] = { ...(endpoint.vpcEndpointIds?.length ? { vpcEndpointIds: endpoint.vpcEndpointIds } : {}), ...(endpoint.disableExecuteApiEndpoint ? { disableExecuteApiEndpoint: true } : {}) };
  }
  return out;
}
