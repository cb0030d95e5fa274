import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type V2DeploymentDoc, deploymentDocName } from '../model.js';
import { httpSnapshotOf } from '../openapi/apply-v2.js';
import { newId } from '../store.js';
import { editApiV2, iso, stageOf } from './lookup.js';
import { apiIdLabel, deploymentShape } from './shapes.js';

export const createDeployment = defineAction<ApigwBackend>()({
  name: 'CreateDeployment',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/deployments', code: 201 },
  input: t.struct({ apiId: apiIdLabel, description: t.string(), stageName: t.string() }),
  output: deploymentShape,
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    if (Object.keys(api.routes).length === 0) throw new AwsError('ApigwBadRequestException', 'Unable to deploy API because no routes exist in this API');
    if (input.stageName !== undefined) {
      const s = stageOf(api, input.stageName);
      if (s.autoDeploy) throw new AwsError('ApigwBadRequestException', `Stage ${input.stageName} is managed by auto-deploy; deployments to it are automatic.`);
    }
    const d: V2DeploymentDoc = {
      kind: 'v2',
      apiId: api.apiId,
      deploymentId: newId(6),
      ...(input.description !== undefined ? { description: input.description } : {}),
      createdDate: Math.floor(Date.now() / 1000),
      autoDeployed: false,
      deploymentStatus: 'DEPLOYED',
      snapshot: httpSnapshotOf(api),
    };
    await backend.store.create('apideploy', deploymentDocName(api.apiId, d.deploymentId), d);
    await editApiV2(backend, api.apiId, (a) => {
      a.deploymentIds.push(d.deploymentId);
      if (input.stageName !== undefined && a.stages[input.stageName]) {
        a.stages[input.stageName]!.deploymentId = d.deploymentId;
        a.stages[input.stageName]!.lastUpdatedDate = d.createdDate;
      }
    }, false);
    return { autoDeployed: false, createdDate: iso(d.createdDate), deploymentId: d.deploymentId, deploymentStatus: d.deploymentStatus, description: d.description };
  },
});
