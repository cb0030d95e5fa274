import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { GATEWAY_RESPONSE_TYPES } from '../data/types.js';
import { gatewayResponseView } from './parts.js';
import { gatewayResponseShape, limit, position, restApiIdLabel } from './shapes.js';

export const getGatewayResponses = defineAction<ApigwBackend>()({
  name: 'GetGatewayResponses',
  http: { method: 'GET', uri: '/restapis/{restApiId}/gatewayresponses' },
  input: t.struct({ restApiId: restApiIdLabel, position, limit }),
  output: t.struct({ items: t.list(gatewayResponseShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    // AWS lists every type, its defaults included; the position is the last type of the previous page.
    const from = input.position === undefined ? [...GATEWAY_RESPONSE_TYPES] : GATEWAY_RESPONSE_TYPES.slice(GATEWAY_RESPONSE_TYPES.indexOf(input.position as never) + 1);
    const page = from.slice(0, input.limit ?? 25);
    return { items: page.map((type) => gatewayResponseView(api, type)), ...(from.length > page.length ? { position: page[page.length - 1]! } : {}) };
  },
});
