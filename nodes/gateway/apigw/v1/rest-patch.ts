// The patch paths of a REST API and its methods, method responses, integrations and integration
// responses (UpdateRestApi, UpdateMethod, UpdateMethodResponse, UpdateIntegration,
// UpdateIntegrationResponse), as AWS's reference lists them.
import { type AuthorizationType, type IntegrationDoc, type IntegrationResponseDoc, type MethodDoc, type MethodResponseDoc, type RestApiDoc } from '../model.js';
import { type PatchRule, type PatchRules, badRequest, mapEntryRule, parseBool, parseEnum, parseNumber, required, stringRule } from './patch.js';
import { MAX_INTEGRATION_TIMEOUT_MS } from './put-integration.js';

const CONTENT_HANDLING = ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const;

/** `/{member}/{item}` of a string list: add appends the item, remove drops it, replace swaps it for the value. */
function listItemRule<T>(list: (d: T) => string[], assign: (d: T, v: string[]) => void): PatchRule<T> {
  return {
    set: (d, v, [item]) => {
      const items = list(d);
      const at = items.indexOf(item!);
      if (v !== undefined && v !== item && at >= 0) items[at] = v;
      else if (!items.includes(v ?? item!)) items.push(v ?? item!);
    },
    remove: (d, [item]) => assign(d, list(d).filter((x) => x !== item)),
  };
}

export const REST_API_RULES: PatchRules<RestApiDoc> = {
  '/name': stringRule<RestApiDoc>('name', {
    removable: false,
    check: (v) => {
      if (v.trim() === '') throw badRequest('Invalid API name specified');
    },
  }),
  '/description': stringRule<RestApiDoc>('description'),
  '/version': stringRule<RestApiDoc>('version'),
  '/policy': stringRule<RestApiDoc>('policy'),
  '/apiKeySource': { set: (a, v, _x, p) => (a.apiKeySource = parseEnum(v, p, ['HEADER', 'AUTHORIZER'] as const)), get: (a) => a.apiKeySource },
  '/minimumCompressionSize': {
    set: (a, v, _x, p) => {
      // AWS: an empty value turns compression off.
      if (v === undefined || v === '') delete a.minimumCompressionSize;
      else a.minimumCompressionSize = parseNumber(v, p, 0, 10_485_760, true);
    },
    remove: (a) => void delete a.minimumCompressionSize,
  },
  '/disableExecuteApiEndpoint': { set: (a, v, _x, p) => (a.disableExecuteApiEndpoint = parseBool(v, p)), get: (a) => String(a.disableExecuteApiEndpoint) },
  '/binaryMediaTypes/*': listItemRule<RestApiDoc>((a) => a.binaryMediaTypes, (a, v) => (a.binaryMediaTypes = v)),
  '/endpointConfiguration/types/*': { set: (a, v, _x, p) => (a.endpointConfiguration.types = [parseEnum(v, p, ['EDGE', 'REGIONAL', 'PRIVATE'] as const)]) },
  '/endpointConfiguration/vpcEndpointIds': {
    set: (a, v, _x, p) => {
      const ids = (a.endpointConfiguration.vpcEndpointIds ??= []);
      const id = required(v, p);
      if (!ids.includes(id)) ids.push(id);
    },
    remove: (a, _x, _p, v) => {
      a.endpointConfiguration.vpcEndpointIds = (a.endpointConfiguration.vpcEndpointIds ?? []).filter((x) => x !== v);
    },
  },
};

/** A method's paths; references (authorizer, validator, models) must exist in the API. */
export function methodRules(api: RestApiDoc): PatchRules<MethodDoc> {
  return {
    '/authorizationType': {
      set: (m, v, _x, p) => {
        m.authorizationType = parseEnum<AuthorizationType>(v, p, ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS']);
        if (m.authorizationType === 'NONE' || m.authorizationType === 'AWS_IAM') delete m.authorizerId;
      },
      get: (m) => m.authorizationType,
    },
    '/authorizerId': stringRule<MethodDoc>('authorizerId', {
      check: (v) => {
        if (!api.authorizers[v]) throw badRequest('Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.');
      },
    }),
    '/apiKeyRequired': { set: (m, v, _x, p) => (m.apiKeyRequired = parseBool(v, p)), get: (m) => String(m.apiKeyRequired) },
    '/requestValidatorId': stringRule<MethodDoc>('requestValidatorId', {
      check: (v) => {
        if (!api.requestValidators[v]) throw badRequest('Invalid Request Validator identifier specified');
      },
    }),
    '/operationName': stringRule<MethodDoc>('operationName'),
    '/requestParameters/*': {
      // The value says whether the parameter is required (absent: not required).
      set: (m, v, [name], p) => (m.requestParameters[name!] = v === undefined || v === '' ? false : parseBool(v, p)),
      remove: (m, [name]) => void delete m.requestParameters[name!],
      get: (m, [name]) => (m.requestParameters[name!] === undefined ? undefined : String(m.requestParameters[name!])),
    },
    '/requestModels/*': mapEntryRule<MethodDoc>('requestModels', (_k, v) => {
      if (!Object.values(api.models).some((x) => x.name === v)) throw badRequest(`Invalid model identifier specified: ${v}`);
    }),
    '/authorizationScopes': {
      set: (m, v, _x, p) => {
        const scopes = (m.authorizationScopes ??= []);
        const s = required(v, p);
        if (!scopes.includes(s)) scopes.push(s);
      },
      remove: (m, _x, _p, v) => {
        if (v === undefined) delete m.authorizationScopes;
        else m.authorizationScopes = (m.authorizationScopes ?? []).filter((s) => s !== v);
      },
    },
  };
}

export const METHOD_RESPONSE_RULES: PatchRules<MethodResponseDoc> = {
  '/responseParameters/*': {
    set: (r, v, [name], p) => (r.responseParameters[name!] = v === undefined || v === '' ? false : parseBool(v, p)),
    remove: (r, [name]) => void delete r.responseParameters[name!],
  },
  '/responseModels/*': mapEntryRule<MethodResponseDoc>('responseModels'),
};

export const INTEGRATION_RULES: PatchRules<IntegrationDoc> = {
  '/type': { set: (i, v, _x, p) => (i.type = parseEnum(v, p, ['HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY', 'MOCK'] as const)), get: (i) => i.type },
  '/httpMethod': stringRule<IntegrationDoc>('httpMethod'),
  '/uri': stringRule<IntegrationDoc>('uri'),
  '/connectionType': { set: (i, v, _x, p) => (i.connectionType = parseEnum(v, p, ['INTERNET', 'VPC_LINK'] as const)) },
  '/connectionId': stringRule<IntegrationDoc>('connectionId'),
  '/credentials': stringRule<IntegrationDoc>('credentials'),
  '/passthroughBehavior': { set: (i, v, _x, p) => (i.passthroughBehavior = parseEnum(v, p, ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const)), get: (i) => i.passthroughBehavior },
  '/contentHandling': { set: (i, v, _x, p) => (i.contentHandling = parseEnum(v, p, CONTENT_HANDLING)), remove: (i) => void delete i.contentHandling },
  '/timeoutInMillis': { set: (i, v, _x, p) => (i.timeoutInMillis = parseNumber(v, p, 50, MAX_INTEGRATION_TIMEOUT_MS, true)), get: (i) => String(i.timeoutInMillis) },
  '/cacheNamespace': { set: (i, v, _x, p) => (i.cacheNamespace = required(v, p)) },
  '/cacheKeyParameters/*': listItemRule<IntegrationDoc>((i) => i.cacheKeyParameters, (i, v) => (i.cacheKeyParameters = v)),
  '/requestParameters/*': mapEntryRule<IntegrationDoc>('requestParameters'),
  '/requestTemplates/*': mapEntryRule<IntegrationDoc>('requestTemplates'),
};

export const INTEGRATION_RESPONSE_RULES: PatchRules<IntegrationResponseDoc> = {
  '/selectionPattern': stringRule<IntegrationResponseDoc>('selectionPattern', {
    check: (v) => {
      try {
        new RegExp(v);
      } catch {
        throw badRequest(`Invalid selection pattern specified: ${v}`);
      }
    },
  }),
  '/contentHandling': { set: (r, v, _x, p) => (r.contentHandling = parseEnum(v, p, CONTENT_HANDLING)), remove: (r) => void delete r.contentHandling },
  '/responseParameters/*': mapEntryRule<IntegrationResponseDoc>('responseParameters'),
  '/responseTemplates/*': mapEntryRule<IntegrationResponseDoc>('responseTemplates'),
};
