import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { apiIdLabel, authorizerShape, maxResults, nextToken, page } from './shapes.js';
import { authorizerView } from './views.js';

export const getAuthorizers = defineAction<ApigwBackend>()({
  name: 'GetAuthorizers',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/authorizers' },
  input: t.struct({ apiId: apiIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(authorizerShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const p = page(Object.values(api.authorizers), (a) => a.authorizerId, input.nextToken, input.maxResults);
    return { items: p.items.map(authorizerView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
