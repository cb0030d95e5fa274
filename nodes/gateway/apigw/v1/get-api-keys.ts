import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asApiKeyDoc } from '../model.js';
import { apiKeyView, pageById } from './keys.js';
import { apiKeyShape, limit, position } from './shapes.js';

export const getApiKeys = defineAction<ApigwBackend>()({
  name: 'GetApiKeys',
  http: { method: 'GET', uri: '/apikeys' },
  input: t.struct({
    position,
    limit,
    nameQuery: t.string({ location: 'querystring', locationName: 'name' }),
    customerId: t.string({ location: 'querystring', locationName: 'customerId' }),
    includeValues: t.boolean({ location: 'querystring', locationName: 'includeValues' }),
  }),
  output: t.struct({ warnings: t.list(t.string()), items: t.list(apiKeyShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    // AWS matches `name` as a prefix of the key's name.
    const all = (await backend.store.list('apikey', asApiKeyDoc)).filter(
      (k) => (input.nameQuery === undefined || k.name.startsWith(input.nameQuery)) && (input.customerId === undefined || k.customerId === input.customerId),
    );
    const { page, position: next } = pageById(all, input.position, input.limit);
    return { items: page.map((k) => apiKeyView(k, input.includeValues ?? false)), ...(next !== undefined ? { position: next } : {}) };
  },
});
