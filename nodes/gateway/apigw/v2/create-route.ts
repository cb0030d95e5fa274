import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RouteDoc } from '../model.js';
import { newId } from '../store.js';
import { editApiV2 } from './lookup.js';
import { checkRouteKey } from './route-keys.js';
import { apiIdLabel, routeInput, routeShape } from './shapes.js';

export const createRoute = defineAction<ApigwBackend>()({
  name: 'CreateRoute',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/routes', code: 201 },
  input: t.struct({ apiId: apiIdLabel, routeKey: t.string({ required: true }), ...routeInput }),
  output: routeShape,
  async handler(input, _ctx, backend) {
    const route = await editApiV2(backend, input.apiId, (api) => {
      checkRouteKey(api.protocolType, input.routeKey);
      if (Object.values(api.routes).some((r) => r.routeKey === input.routeKey)) throw new AwsError('ApigwConflictException', `Unable to create route ${input.routeKey}. Route key already exists.`);
      checkTarget(api.integrations, input.target);
      if ((input.authorizationType === 'CUSTOM' || input.authorizationType === 'JWT') && (input.authorizerId === undefined || !api.authorizers[input.authorizerId])) {
        throw new AwsError('ApigwBadRequestException', `Unable to create route ${input.routeKey}. An authorizer is required for authorization type ${input.authorizationType}.`);
      }
      const r: RouteDoc = {
        routeId: newId(7),
        routeKey: input.routeKey,
        ...(input.target !== undefined ? { target: input.target } : {}),
        authorizationType: (input.authorizationType as RouteDoc['authorizationType'] | undefined) ?? 'NONE',
        ...(input.authorizerId !== undefined ? { authorizerId: input.authorizerId } : {}),
        ...(input.authorizationScopes !== undefined ? { authorizationScopes: input.authorizationScopes } : {}),
        apiKeyRequired: input.apiKeyRequired ?? false,
        ...(input.operationName !== undefined ? { operationName: input.operationName } : {}),
        ...(input.modelSelectionExpression !== undefined ? { modelSelectionExpression: input.modelSelectionExpression } : {}),
        requestModels: input.requestModels ?? {},
        requestParameters: Object.fromEntries(Object.entries(input.requestParameters ?? {}).map(([k, v]) => [k, { required: v.required ?? false }])),
        ...(input.routeResponseSelectionExpression !== undefined ? { routeResponseSelectionExpression: input.routeResponseSelectionExpression } : {}),
        routeResponses: {},
      };
      api.routes[r.routeId] = r;
      return r;
    });
    return routeView(route);
  },
});

export function checkTarget(integrations: Record<string, unknown>, target: string | undefined): void {
  if (target === undefined) return;
  const id = /^integrations\/(.+)$/.exec(target)?.[1];
  if (id === undefined || !integrations[id]) throw new AwsError('ApigwBadRequestException', `Invalid target ${target}: it must be integrations/{integrationId} of this API.`);
}

export function routeView(r: RouteDoc): Record<string, unknown> {
  const { routeResponses: _r, ...rest } = r;
  return { ...rest, apiGatewayManaged: r.apiGatewayManaged ?? false };
}
