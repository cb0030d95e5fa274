import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RouteDoc } from '../model.js';
import { checkTarget, routeView } from './create-route.js';
import { editApiV2, routeNotFound } from './lookup.js';
import { checkRouteKey } from './route-keys.js';
import { apiIdLabel, routeIdLabel, routeInput, routeShape } from './shapes.js';
import { requiredParams } from './views.js';

export const updateRoute = defineAction<ApigwBackend>()({
  name: 'UpdateRoute',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/routes/{routeId}' },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel, routeKey: t.string(), ...routeInput }),
  output: routeShape,
  async handler(input, _ctx, backend) {
    const route = await editApiV2(backend, input.apiId, (api) => {
      const r = api.routes[input.routeId];
      if (!r) throw routeNotFound(input.routeId);
      if (input.routeKey !== undefined && input.routeKey !== r.routeKey) {
        checkRouteKey(api.protocolType, input.routeKey);
        if (Object.values(api.routes).some((o) => o.routeKey === input.routeKey)) throw new AwsError('ApigwConflictException', `Unable to update route ${input.routeKey}. Route key already exists.`);
        r.routeKey = input.routeKey;
      }
      if (input.target !== undefined) {
        // An empty target detaches the integration, as AWS allows.
        if (input.target === '') delete r.target;
        else {
          checkTarget(api.integrations, input.target);
          r.target = input.target;
        }
      }
      if (input.authorizationType !== undefined) r.authorizationType = input.authorizationType as RouteDoc['authorizationType'];
      if (input.authorizerId !== undefined) {
        if (!api.authorizers[input.authorizerId]) throw new AwsError('ApigwBadRequestException', `Invalid authorizer identifier specified ${input.authorizerId}`);
        r.authorizerId = input.authorizerId;
      }
      if (r.authorizationType === 'NONE' || r.authorizationType === 'AWS_IAM') delete r.authorizerId;
      if ((r.authorizationType === 'CUSTOM' || r.authorizationType === 'JWT') && (r.authorizerId === undefined || !api.authorizers[r.authorizerId])) {
        throw new AwsError('ApigwBadRequestException', `Unable to update route ${r.routeKey}. An authorizer is required for authorization type ${r.authorizationType}.`);
      }
      if (input.authorizationScopes !== undefined) r.authorizationScopes = input.authorizationScopes;
      if (input.apiKeyRequired !== undefined) r.apiKeyRequired = input.apiKeyRequired;
      if (input.operationName !== undefined) r.operationName = input.operationName;
      if (input.modelSelectionExpression !== undefined) r.modelSelectionExpression = input.modelSelectionExpression;
      if (input.requestModels !== undefined) r.requestModels = { ...r.requestModels, ...input.requestModels };
      if (input.requestParameters !== undefined) r.requestParameters = { ...r.requestParameters, ...requiredParams(input.requestParameters) };
      if (input.routeResponseSelectionExpression !== undefined) r.routeResponseSelectionExpression = input.routeResponseSelectionExpression;
      return r;
    });
    return routeView(route);
  },
});
