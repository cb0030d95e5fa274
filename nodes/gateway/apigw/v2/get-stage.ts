import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { stageOf, stageView } from './lookup.js';
import { apiIdLabel, stageNameLabel, stageShape } from './shapes.js';

export const getStage = defineAction<ApigwBackend>()({
  name: 'GetStage',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/stages/{stageName}' },
  input: t.struct({ apiId: apiIdLabel, stageName: stageNameLabel }),
  output: stageShape,
  async handler(input, _ctx, backend) {
    const s = stageOf((await backend.apiV2(input.apiId)), input.stageName);
    return stageView(s);
  },
});
