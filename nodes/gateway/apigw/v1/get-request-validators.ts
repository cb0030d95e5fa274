import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { pageById } from './keys.js';
import { limit, position, requestValidatorShape, restApiIdLabel } from './shapes.js';

export const getRequestValidators = defineAction<ApigwBackend>()({
  name: 'GetRequestValidators',
  http: { method: 'GET', uri: '/restapis/{restApiId}/requestvalidators' },
  input: t.struct({ restApiId: restApiIdLabel, position, limit }),
  output: t.struct({ items: t.list(requestValidatorShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    const { page, position: next } = pageById(Object.values(api.requestValidators), input.position, input.limit);
    return { items: page, ...(next !== undefined ? { position: next } : {}) };
  },
});
