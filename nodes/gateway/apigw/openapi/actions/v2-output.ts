// ImportApi and ReimportApi answer the API as GetApi does (v2's JSON names, ISO-8601 times).
import { t } from '../../../shapes.js';
import { type ApiV2Doc } from '../../model.js';
import { apiOrigin } from '../serialize.js';

const stringList = t.list(t.string());

export const apiV2Shape = t.struct({
  apiEndpoint: t.string(),
  apiGatewayManaged: t.boolean(),
  apiId: t.string(),
  apiKeySelectionExpression: t.string(),
  corsConfiguration: t.struct({ allowCredentials: t.boolean(), allowHeaders: stringList, allowMethods: stringList, allowOrigins: stringList, exposeHeaders: stringList, maxAge: t.integer() }),
  createdDate: t.string(),
  description: t.string(),
  disableSchemaValidation: t.boolean(),
  disableExecuteApiEndpoint: t.boolean(),
  importInfo: stringList,
  ipAddressType: t.string(),
  name: t.string(),
  protocolType: t.string(),
  routeSelectionExpression: t.string(),
  tags: t.map(t.string()),
  version: t.string(),
  warnings: stringList,
});

export function apiV2View(api: ApiV2Doc, baseUrl: string, warnings: string[]): Record<string, unknown> {
  return {
    // WebSocket APIs are reached with ws:// (wss:// behind TLS), as AWS's apiEndpoint says.
    apiEndpoint: api.protocolType === 'WEBSOCKET' ? apiOrigin(baseUrl, api.apiId).replace(/^http/, 'ws') : apiOrigin(baseUrl, api.apiId),
    apiGatewayManaged: false,
    apiId: api.apiId,
    apiKeySelectionExpression: api.apiKeySelectionExpression,
    corsConfiguration: api.corsConfiguration,
    createdDate: new Date(api.createdDate * 1000).toISOString(),
    description: api.description,
    disableSchemaValidation: api.disableSchemaValidation,
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    ipAddressType: api.ipAddressType ?? 'ipv4',
    name: api.name,
    protocolType: api.protocolType,
    routeSelectionExpression: api.routeSelectionExpression,
    tags: api.tags,
    version: api.version,
    warnings: warnings.length > 0 ? warnings : undefined,
  };
}
