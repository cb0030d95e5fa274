import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, routeNotFound, routeResponseNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel, routeResponseIdLabel } from './shapes.js';

export const deleteRouteResponse = defineAction<ApigwBackend>()({
  name: 'DeleteRouteResponse',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel, routeResponseId: routeResponseIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      const route = api.routes[input.routeId];
      if (!route) throw routeNotFound(input.routeId);
      if (!route.routeResponses[input.routeResponseId]) throw routeResponseNotFound(input.routeResponseId);
      delete route.routeResponses[input.routeResponseId];
    });
    return {};
  },
});
