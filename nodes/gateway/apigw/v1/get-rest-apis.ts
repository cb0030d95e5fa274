import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RestApiDoc, asApiDoc } from '../model.js';
import { limit, position, restApiShape } from './shapes.js';
import { restApiView } from './views.js';

export const getRestApis = defineAction<ApigwBackend>()({
  name: 'GetRestApis',
  http: { method: 'GET', uri: '/restapis' },
  input: t.struct({ position, limit }),
  output: t.struct({ items: t.list(restApiShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const all = (await backend.store.list('api', asApiDoc)).filter((a): a is RestApiDoc => a.kind === 'rest');
    // The position is the last id of the previous page (ids are listed in order).
    const from = input.position === undefined ? all : all.filter((a) => a.id > input.position!);
    const page = from.slice(0, input.limit ?? 25);
    const more = from.length > page.length;
    return { items: page.map(restApiView), ...(more ? { position: page[page.length - 1]!.id } : {}) };
  },
});
