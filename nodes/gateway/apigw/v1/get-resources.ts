import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { limit, position, resourceShape, restApiIdLabel } from './shapes.js';
import { resourceView } from './views.js';

export const getResources = defineAction<ApigwBackend>()({
  name: 'GetResources',
  http: { method: 'GET', uri: '/restapis/{restApiId}/resources' },
  input: t.struct({ restApiId: restApiIdLabel, position, limit, embed: t.list(t.string(), { location: 'querystring', locationName: 'embed' }) }),
  output: t.struct({ items: t.list(resourceShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    const embed = (input.embed ?? []).includes('methods');
    const all = Object.values(api.resources).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const from = input.position === undefined ? all : all.slice(all.findIndex((r) => r.id === input.position) + 1);
    const page = from.slice(0, input.limit ?? 25);
    return { items: page.map((r) => resourceView(r, embed)), ...(from.length > page.length ? { position: page[page.length - 1]!.id } : {}) };
  },
});
