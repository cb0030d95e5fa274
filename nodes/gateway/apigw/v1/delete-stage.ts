import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { forgetStage } from './keys.js';
import { editRestApi, stageNotFound } from './lookup.js';
import { restApiIdLabel, stageNameLabel } from './shapes.js';

export const deleteStage = defineAction<ApigwBackend>()({
  name: 'DeleteStage',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/stages/{stageName}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, stageName: stageNameLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      if (!api.stages[input.stageName]) throw stageNotFound();
      delete api.stages[input.stageName];
    });
    await forgetStage(backend, input.restApiId, input.stageName);
    return {};
  },
});
