import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { apiIdLabel, maxResults, modelShape, nextToken, page } from './shapes.js';
import { modelView } from './views.js';

export const getModels = defineAction<ApigwBackend>()({
  name: 'GetModels',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/models' },
  input: t.struct({ apiId: apiIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(modelShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const p = page(Object.values(api.models), (m) => m.modelId, input.nextToken, input.maxResults);
    return { items: p.items.map(modelView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
