import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { routeNotFound } from './lookup.js';
import { apiIdLabel, maxResults, nextToken, page, routeIdLabel, routeResponseShape } from './shapes.js';
import { routeResponseView } from './views.js';

export const getRouteResponses = defineAction<ApigwBackend>()({
  name: 'GetRouteResponses',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/routes/{routeId}/routeresponses' },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(routeResponseShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const route = (await backend.apiV2(input.apiId)).routes[input.routeId];
    if (!route) throw routeNotFound(input.routeId);
    const p = page(Object.values(route.routeResponses), (r) => r.routeResponseId, input.nextToken, input.maxResults);
    return { items: p.items.map(routeResponseView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
