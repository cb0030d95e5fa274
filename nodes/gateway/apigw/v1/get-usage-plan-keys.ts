import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiKeyDoc, asApiKeyDoc } from '../model.js';
import { pageById, readUsagePlan, usagePlanKeyView } from './keys.js';
import { limit, position, usagePlanIdLabel, usagePlanKeyShape } from './shapes.js';

export const getUsagePlanKeys = defineAction<ApigwBackend>()({
  name: 'GetUsagePlanKeys',
  http: { method: 'GET', uri: '/usageplans/{usagePlanId}/keys' },
  input: t.struct({ usagePlanId: usagePlanIdLabel, position, limit, nameQuery: t.string({ location: 'querystring', locationName: 'name' }) }),
  output: t.struct({ items: t.list(usagePlanKeyShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const plan = await readUsagePlan(backend, input.usagePlanId);
    const keys: ApiKeyDoc[] = [];
    for (const id of Object.keys(plan.keys)) {
      const k = await backend.store.get('apikey', id, asApiKeyDoc, 0);
      if (k && (input.nameQuery === undefined || k.name.startsWith(input.nameQuery))) keys.push(k);
    }
    const { page, position: next } = pageById(keys, input.position, input.limit);
    return { items: page.map(usagePlanKeyView), ...(next !== undefined ? { position: next } : {}) };
  },
});
