import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { routeNotFound, routeResponseNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel, routeResponseIdLabel, routeResponseShape } from './shapes.js';
import { routeResponseView } from './views.js';

export const getRouteResponse = defineAction<ApigwBackend>()({
  name: 'GetRouteResponse',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}' },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel, routeResponseId: routeResponseIdLabel }),
  output: routeResponseShape,
  async handler(input, _ctx, backend) {
    const route = (await backend.apiV2(input.apiId)).routes[input.routeId];
    if (!route) throw routeNotFound(input.routeId);
    const r = route.routeResponses[input.routeResponseId];
    if (!r) throw routeResponseNotFound(input.routeResponseId);
    return routeResponseView(r);
  },
});
