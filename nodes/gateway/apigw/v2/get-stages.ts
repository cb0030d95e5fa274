import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { stageView } from './lookup.js';
import { apiIdLabel, maxResults, nextToken, page, stageShape } from './shapes.js';

export const getStages = defineAction<ApigwBackend>()({
  name: 'GetStages',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/stages' },
  input: t.struct({ apiId: apiIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(stageShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const p = page(Object.values(api.stages), (s) => s.stageName, input.nextToken, input.maxResults);
    return { items: p.items.map(stageView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
