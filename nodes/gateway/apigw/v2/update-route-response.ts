import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, routeNotFound, routeResponseNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel, routeResponseIdLabel, routeResponseShape } from './shapes.js';
import { requiredParams, routeResponseView } from './views.js';

export const updateRouteResponse = defineAction<ApigwBackend>()({
  name: 'UpdateRouteResponse',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}' },
  input: t.struct({
    apiId: apiIdLabel,
    routeId: routeIdLabel,
    routeResponseId: routeResponseIdLabel,
    routeResponseKey: t.string(),
    modelSelectionExpression: t.string(),
    responseModels: t.map(t.string()),
    responseParameters: t.map(t.struct({ required: t.boolean() })),
  }),
  output: routeResponseShape,
  async handler(input, _ctx, backend) {
    const out = await editApiV2(backend, input.apiId, (api) => {
      const route = api.routes[input.routeId];
      if (!route) throw routeNotFound(input.routeId);
      const r = route.routeResponses[input.routeResponseId];
      if (!r) throw routeResponseNotFound(input.routeResponseId);
      if (input.routeResponseKey !== undefined && input.routeResponseKey !== r.routeResponseKey) {
        if (Object.values(route.routeResponses).some((o) => o.routeResponseKey === input.routeResponseKey)) throw new AwsError('ApigwConflictException', `Route response ${input.routeResponseKey} already exists`);
        r.routeResponseKey = input.routeResponseKey;
      }
      if (input.modelSelectionExpression !== undefined) r.modelSelectionExpression = input.modelSelectionExpression;
      if (input.responseModels !== undefined) r.responseModels = { ...r.responseModels, ...input.responseModels };
      if (input.responseParameters !== undefined) r.responseParameters = { ...r.responseParameters, ...requiredParams(input.responseParameters) };
      return r;
    });
    return routeResponseView(out);
  },
});
