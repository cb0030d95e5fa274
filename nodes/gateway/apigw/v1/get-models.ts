import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { pageById } from './keys.js';
import { limit, modelShape, position, restApiIdLabel } from './shapes.js';

export const getModels = defineAction<ApigwBackend>()({
  name: 'GetModels',
  http: { method: 'GET', uri: '/restapis/{restApiId}/models' },
  input: t.struct({ restApiId: restApiIdLabel, position, limit }),
  output: t.struct({ items: t.list(modelShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    const { page, position: next } = pageById(Object.values(api.models), input.position, input.limit);
    return { items: page, ...(next !== undefined ? { position: next } : {}) };
  },
});
