import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, stageNotFound } from './lookup.js';
import { restApiIdLabel, stageNameLabel } from './shapes.js';

// Cached authorizer results carry the stage's generation: bumping it makes them all misses.
export const flushStageAuthorizersCache = defineAction<ApigwBackend>()({
  name: 'FlushStageAuthorizersCache',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/stages/{stageName}/cache/authorizers', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, stageName: stageNameLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const s = api.stages[input.stageName];
      if (!s) throw stageNotFound();
      s.authorizersCacheGeneration += 1;
    });
    return {};
  },
});
