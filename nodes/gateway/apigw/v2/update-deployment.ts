import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asDeploymentDoc, deploymentDocName } from '../model.js';
import { readDeployment } from './deployments.js';
import { deploymentNotFound } from './lookup.js';
import { apiIdLabel, deploymentIdLabel, deploymentShape } from './shapes.js';
import { deploymentView } from './views.js';

export const updateDeployment = defineAction<ApigwBackend>()({
  name: 'UpdateDeployment',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/deployments/{deploymentId}' },
  input: t.struct({ apiId: apiIdLabel, deploymentId: deploymentIdLabel, description: t.string() }),
  output: deploymentShape,
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    const d = await readDeployment(backend, api, input.deploymentId);
    if (input.description === undefined) return deploymentView(d);
    // Only the description changes; the snapshot a deployment froze stays as it was.
    const next = await backend.store.update('apideploy', deploymentDocName(api.apiId, d.deploymentId), asDeploymentDoc, () => deploymentNotFound(input.deploymentId), (doc) => ({ ...doc, description: input.description }));
    return deploymentView(next && next.kind === 'v2' ? next : { ...d, description: input.description });
  },
});
