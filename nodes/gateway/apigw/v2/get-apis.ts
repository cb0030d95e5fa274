import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiV2Doc, asApiDoc } from '../model.js';
import { apiV2Shape, apiV2View } from '../openapi/actions/v2-output.js';
import { maxResults, nextToken, page } from './shapes.js';

export const getApis = defineAction<ApigwBackend>()({
  name: 'GetApis',
  http: { method: 'GET', uri: '/v2/apis' },
  input: t.struct({ nextToken, maxResults }),
  output: t.struct({ items: t.list(apiV2Shape), nextToken: t.string() }),
  async handler(input, ctx, backend) {
    const all = (await backend.store.list('api', asApiDoc)).filter((a): a is ApiV2Doc => a.kind === 'v2');
    const p = page(all, (a) => a.apiId, input.nextToken, input.maxResults);
    return { items: p.items.map((a) => apiV2View(a, ctx.baseUrl, [])), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
