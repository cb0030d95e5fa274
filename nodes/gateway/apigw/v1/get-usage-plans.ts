import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asUsagePlanDoc } from '../model.js';
import { pageById, usagePlanView } from './keys.js';
import { limit, position, usagePlanShape } from './shapes.js';

export const getUsagePlans = defineAction<ApigwBackend>()({
  name: 'GetUsagePlans',
  http: { method: 'GET', uri: '/usageplans' },
  input: t.struct({ position, limit, keyId: t.string({ location: 'querystring', locationName: 'keyId' }) }),
  output: t.struct({ items: t.list(usagePlanShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const all = (await backend.store.list('usageplan', asUsagePlanDoc)).filter((p) => input.keyId === undefined || p.keys[input.keyId] !== undefined);
    const { page, position: next } = pageById(all, input.position, input.limit);
    return { items: page.map(usagePlanView), ...(next !== undefined ? { position: next } : {}) };
  },
});
