import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { restApiIdLabel, stageShape } from './shapes.js';
import { stageView } from './views.js';

export const getStages = defineAction<ApigwBackend>()({
  name: 'GetStages',
  http: { method: 'GET', uri: '/restapis/{restApiId}/stages' },
  input: t.struct({ restApiId: restApiIdLabel, deploymentId: t.string({ location: 'querystring', locationName: 'deploymentId' }) }),
  output: t.struct({ item: t.list(stageShape) }),
  async handler(input, _ctx, backend) {
    const stages = Object.values((await backend.restApi(input.restApiId)).stages).filter((s) => input.deploymentId === undefined || s.deploymentId === input.deploymentId);
    return { item: stages.map(stageView) };
  },
});
