import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { deploymentDocName } from '../model.js';
import { deploymentNotFound, editRestApi } from './lookup.js';
import { deploymentIdLabel, restApiIdLabel } from './shapes.js';

export const deleteDeployment = defineAction<ApigwBackend>()({
  name: 'DeleteDeployment',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/deployments/{deploymentId}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, deploymentId: deploymentIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      if (!api.deploymentIds.includes(input.deploymentId)) throw deploymentNotFound();
      const inUse = Object.values(api.stages).some((s) => s.deploymentId === input.deploymentId || s.canarySettings?.deploymentId === input.deploymentId);
      if (inUse) throw new AwsError('ApigwBadRequestException', 'Active stages pointing to this deployment must be moved or deleted');
      api.deploymentIds = api.deploymentIds.filter((d) => d !== input.deploymentId);
    });
    await backend.store.remove('apideploy', deploymentDocName(input.restApiId, input.deploymentId));
    return {};
  },
});
