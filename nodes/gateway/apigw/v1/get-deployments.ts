import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { readDeployment } from './deploy.js';
import { deploymentShape, limit, position, restApiIdLabel } from './shapes.js';

export const getDeployments = defineAction<ApigwBackend>()({
  name: 'GetDeployments',
  http: { method: 'GET', uri: '/restapis/{restApiId}/deployments' },
  input: t.struct({ restApiId: restApiIdLabel, position, limit }),
  output: t.struct({ items: t.list(deploymentShape, { locationName: 'item' }), position: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    const ids = input.position === undefined ? api.deploymentIds : api.deploymentIds.slice(api.deploymentIds.indexOf(input.position) + 1);
    const page = ids.slice(0, input.limit ?? 25);
    const items = [];
    for (const id of page) {
      const d = await readDeployment(backend, api.id, id);
      items.push({ id: d.id, description: d.description, createdDate: d.createdDate });
    }
    return { items, ...(ids.length > page.length ? { position: page[page.length - 1]! } : {}) };
  },
});
