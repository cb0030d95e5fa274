import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { routeView } from './create-route.js';
import { routeNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel, routeShape } from './shapes.js';

export const getRoute = defineAction<ApigwBackend>()({
  name: 'GetRoute',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/routes/{routeId}' },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel }),
  output: routeShape,
  async handler(input, _ctx, backend) {
    const r = (await backend.apiV2(input.apiId)).routes[input.routeId];
    if (!r) throw routeNotFound(input.routeId);
    return routeView(r);
  },
});
