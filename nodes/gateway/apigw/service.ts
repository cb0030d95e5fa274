// API Gateway's management APIs as the gateway dispatches them: v1 (`/restapis`, `/apikeys`,
// `/usageplans`, ...) and v2 (`/v2/apis`, ...) are both restJson1 services signed as
// `apigateway`, so they are one service here; their routes never overlap (v2's start /v2/).
// Both models name some actions alike (GetTags, TagResource, CreateDomainName), so v2's are
// keyed `v2:<name>` in the action map (the router only reads the actions' http bindings).
import { type AnyAction, type RestServiceSpec, eraseService } from '../action.js';
import { type ApigwBackend } from './backend.js';
import { OPENAPI_V1_ACTIONS, OPENAPI_V2_ACTIONS } from './openapi/index.js';
import { USAGE_ACTIONS } from './data/throttle/usage-actions.js';
import { V1_ACTIONS } from './v1/index.js';
import { V2_ACTIONS } from './v2/index.js';

/** AWS: an imported OpenAPI definition may be up to 6 MB (the ImportRestApi body). */
export const APIGW_MAX_BODY_BYTES = 6 * 1024 * 1024;

export function apigwActions(): ReadonlyMap<string, AnyAction<ApigwBackend>> {
  const map = new Map<string, AnyAction<ApigwBackend>>();
  const add = (key: string, a: AnyAction<ApigwBackend>): void => {
    if (map.has(key)) throw new Error(`apigateway: two actions named ${key}`);
    map.set(key, a);
  };
  for (const a of [...V1_ACTIONS, ...OPENAPI_V1_ACTIONS, ...USAGE_ACTIONS]) add(a.name, a);
  for (const a of [...V2_ACTIONS, ...OPENAPI_V2_ACTIONS]) add(`v2:${a.name}`, a);
  return map;
}

export function apigwService(backend: ApigwBackend): RestServiceSpec {
  return eraseService<ApigwBackend>({
    protocol: 'rest-json',
    signingName: 'apigateway',
    maxBodyBytes: APIGW_MAX_BODY_BYTES,
    // API Gateway's names for the generic errors shared code raises.
    errorAliases: {
      InvalidParameterValue: 'ApigwBadRequestException',
      MissingParameter: 'ApigwBadRequestException',
      SerializationException: 'ApigwBadRequestException',
      RequestEntityTooLarge: 'ApigwBadRequestException',
      UnknownRoute: 'ApigwNotFoundException',
    },
    actions: apigwActions(),
    deps: backend,
  });
}
