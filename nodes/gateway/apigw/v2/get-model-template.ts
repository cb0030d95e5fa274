import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { modelNotFound } from './lookup.js';
import { parseSchema, templateFor } from './model-rules.js';
import { apiIdLabel, modelIdLabel } from './shapes.js';

export const getModelTemplate = defineAction<ApigwBackend>()({
  name: 'GetModelTemplate',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/models/{modelId}/template' },
  input: t.struct({ apiId: apiIdLabel, modelId: modelIdLabel }),
  output: t.struct({ value: t.string() }),
  async handler(input, _ctx, backend) {
    const m = (await backend.apiV2(input.apiId)).models[input.modelId];
    if (!m) throw modelNotFound(input.modelId);
    return { value: templateFor(parseSchema(m.schema)) };
  },
});
