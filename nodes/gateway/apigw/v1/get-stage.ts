import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { stageNotFound } from './lookup.js';
import { restApiIdLabel, stageNameLabel, stageShape } from './shapes.js';
import { stageView } from './views.js';

export const getStage = defineAction<ApigwBackend>()({
  name: 'GetStage',
  http: { method: 'GET', uri: '/restapis/{restApiId}/stages/{stageName}' },
  input: t.struct({ restApiId: restApiIdLabel, stageName: stageNameLabel }),
  output: stageShape,
  async handler(input, _ctx, backend) {
    const s = (await backend.restApi(input.restApiId)).stages[input.stageName];
    if (!s) throw stageNotFound();
    return stageView(s);
  },
});
