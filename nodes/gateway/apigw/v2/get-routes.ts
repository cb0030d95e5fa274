import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { routeView } from './create-route.js';
import { apiIdLabel, maxResults, nextToken, page, routeShape } from './shapes.js';

export const getRoutes = defineAction<ApigwBackend>()({
  name: 'GetRoutes',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/routes' },
  input: t.struct({ apiId: apiIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(routeShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const p = page(Object.values(api.routes), (r) => r.routeId, input.nextToken, input.maxResults);
    return { items: p.items.map(routeView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
