import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { modelNotFound } from './lookup.js';
import { apiIdLabel, modelIdLabel, modelShape } from './shapes.js';
import { modelView } from './views.js';

export const getModel = defineAction<ApigwBackend>()({
  name: 'GetModel',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/models/{modelId}' },
  input: t.struct({ apiId: apiIdLabel, modelId: modelIdLabel }),
  output: modelShape,
  async handler(input, _ctx, backend) {
    const m = (await backend.apiV2(input.apiId)).models[input.modelId];
    if (!m) throw modelNotFound(input.modelId);
    return modelView(m);
  },
});
