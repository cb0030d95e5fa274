import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, nowSeconds, stageNotFound } from './lookup.js';
import { patchOperations, restApiIdLabel, stageNameLabel, stageShape } from './shapes.js';
import { patchStage } from './stage-patch.js';
import { stageView } from './views.js';

export const updateStage = defineAction<ApigwBackend>()({
  name: 'UpdateStage',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/stages/{stageName}' },
  input: t.struct({ restApiId: restApiIdLabel, stageName: stageNameLabel, patchOperations }),
  output: stageShape,
  async handler(input, _ctx, backend) {
    const stage = await editRestApi(backend, input.restApiId, (api) => {
      const s = api.stages[input.stageName];
      if (!s) throw stageNotFound();
      const next = patchStage(api, s, input.patchOperations ?? []);
      next.lastUpdatedDate = nowSeconds();
      api.stages[input.stageName] = next;
      return next;
    });
    return stageView(stage);
  },
});
