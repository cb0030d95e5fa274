import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type V2DeploymentDoc, asDeploymentDoc } from '../model.js';
import { apiIdLabel, deploymentShape, maxResults, nextToken, page } from './shapes.js';
import { deploymentView } from './views.js';

export const getDeployments = defineAction<ApigwBackend>()({
  name: 'GetDeployments',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/deployments' },
  input: t.struct({ apiId: apiIdLabel, nextToken, maxResults }),
  output: t.struct({ items: t.list(deploymentShape), nextToken: t.string() }),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const all = (await backend.store.list('apideploy', asDeploymentDoc, `${api.apiId}.`)).filter((d): d is V2DeploymentDoc => d.kind === 'v2' && d.apiId === api.apiId && api.deploymentIds.includes(d.deploymentId));
    const p = page(all, (d) => d.deploymentId, input.nextToken, input.maxResults);
    return { items: p.items.map(deploymentView), ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) };
  },
});
