import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, routeNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel } from './shapes.js';

export const deleteRoute = defineAction<ApigwBackend>()({
  name: 'DeleteRoute',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/routes/{routeId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      if (!api.routes[input.routeId]) throw routeNotFound(input.routeId);
      delete api.routes[input.routeId];
    });
    return {};
  },
});
