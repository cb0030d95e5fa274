import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, stageNotFound } from './lookup.js';
import { apiIdLabel, stageNameLabel } from './shapes.js';

export const deleteStage = defineAction<ApigwBackend>()({
  name: 'DeleteStage',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/stages/{stageName}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, stageName: stageNameLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      if (!api.stages[input.stageName]) throw stageNotFound(input.stageName);
      delete api.stages[input.stageName];
    }, false);
    return {};
  },
});
