import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { deploymentDocName } from '../model.js';
import { deploymentNotFound, editApiV2 } from './lookup.js';
import { apiIdLabel, deploymentIdLabel } from './shapes.js';

export const deleteDeployment = defineAction<ApigwBackend>()({
  name: 'DeleteDeployment',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/deployments/{deploymentId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, deploymentId: deploymentIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      if (!api.deploymentIds.includes(input.deploymentId)) throw deploymentNotFound(input.deploymentId);
      const active = Object.values(api.stages).find((s) => s.deploymentId === input.deploymentId);
      if (active) throw new AwsError('ApigwBadRequestException', `Active stages pointing to this deployment must be moved or deleted (stage ${active.stageName}).`);
      api.deploymentIds = api.deploymentIds.filter((d) => d !== input.deploymentId);
    }, false);
    await backend.store.remove('apideploy', deploymentDocName(input.apiId, input.deploymentId));
    return {};
  },
});
