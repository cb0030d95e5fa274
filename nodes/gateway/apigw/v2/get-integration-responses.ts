import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { integrationNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationResponseShape, maxResults, nextToken, page } from './shapes.js';
import { integrationResponseView } from './views.js';

export const getIntegrationResponses = defineAction<ApigwBackend>()({
  name: 'GetIntegrationResponses',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses' },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(integrationResponseShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const i = (await backend.apiV2(input.apiId)).integrations[input.integrationId];
    if (!i) throw integrationNotFound(input.integrationId);
    const p = page(Object.values(i.integrationResponses), (r) => r.integrationResponseId, input.nextToken, input.maxResults);
    return { items: p.items.map(integrationResponseView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
