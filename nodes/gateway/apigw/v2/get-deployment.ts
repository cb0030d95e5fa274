import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { readDeployment } from './deployments.js';
import { apiIdLabel, deploymentIdLabel, deploymentShape } from './shapes.js';
import { deploymentView } from './views.js';

export const getDeployment = defineAction<ApigwBackend>()({
  name: 'GetDeployment',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/deployments/{deploymentId}' },
  input: t.struct({ apiId: apiIdLabel, deploymentId: deploymentIdLabel }),
  output: deploymentShape,
  async handler(input, _ctx, backend) {
    return deploymentView(await readDeployment(backend, await backend.apiV2(input.apiId), input.deploymentId));
  },
});
