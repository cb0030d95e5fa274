import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RestDeploymentDoc, asDeploymentDoc, deploymentDocName } from '../model.js';
import { deploymentNotFound } from './lookup.js';
import { type PatchRules, applyPatch, stringRule } from './patch.js';
import { deploymentIdLabel, deploymentShape, patchOperations, restApiIdLabel } from './shapes.js';

// Only the description changes: what a deployment serves is frozen.
const RULES: PatchRules<RestDeploymentDoc> = { '/description': stringRule<RestDeploymentDoc>('description') };

const asRestDeployment = (v: unknown): RestDeploymentDoc => {
  const d = asDeploymentDoc(v);
  if (d.kind !== 'rest') throw deploymentNotFound();
  return d;
};

export const updateDeployment = defineAction<ApigwBackend>()({
  name: 'UpdateDeployment',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/deployments/{deploymentId}' },
  input: t.struct({ restApiId: restApiIdLabel, deploymentId: deploymentIdLabel, patchOperations }),
  output: deploymentShape,
  async handler(input, _ctx, backend) {
    await backend.restApi(input.restApiId);
    const d = await backend.store.update('apideploy', deploymentDocName(input.restApiId, input.deploymentId), asRestDeployment, deploymentNotFound, (doc) => applyPatch(doc, input.patchOperations ?? [], RULES));
    return { id: d!.id, description: d!.description, createdDate: d!.createdDate };
  },
});
