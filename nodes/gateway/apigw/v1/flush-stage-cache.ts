import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, stageNotFound } from './lookup.js';
import { restApiIdLabel, stageNameLabel } from './shapes.js';

// Every gateway keys its cache entries by the stage's generation: bumping it empties them all.
export const flushStageCache = defineAction<ApigwBackend>()({
  name: 'FlushStageCache',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/stages/{stageName}/cache/data', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, stageName: stageNameLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const s = api.stages[input.stageName];
      if (!s) throw stageNotFound();
      s.cacheGeneration += 1;
    });
    return {};
  },
});
