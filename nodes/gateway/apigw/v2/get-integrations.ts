import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { integrationView } from './create-integration.js';
import { apiIdLabel, integrationShape, maxResults, nextToken, page } from './shapes.js';

export const getIntegrations = defineAction<ApigwBackend>()({
  name: 'GetIntegrations',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/integrations' },
  input: t.struct({ apiId: apiIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(integrationShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const p = page(Object.values(api.integrations), (i) => i.integrationId, input.nextToken, input.maxResults);
    return { items: p.items.map(integrationView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
