import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, stageOf } from './lookup.js';
import { apiIdLabel, stageNameLabel } from './shapes.js';

export const resetAuthorizersCache = defineAction<ApigwBackend>()({
  name: 'ResetAuthorizersCache',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/stages/{stageName}/cache/authorizers', code: 204 },
  input: t.struct({ apiId: apiIdLabel, stageName: stageNameLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    // The authorizers' caches key on this generation, so bumping it empties them everywhere.
    await editApiV2(backend, input.apiId, (api) => {
      const s = stageOf(api, input.stageName);
      s.authorizersCacheGeneration = (s.authorizersCacheGeneration ?? 0) + 1;
    }, false);
    return {};
  },
});
