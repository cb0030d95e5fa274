import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, modelNotFound } from './lookup.js';
import { apiIdLabel, modelIdLabel } from './shapes.js';

export const deleteModel = defineAction<ApigwBackend>()({
  name: 'DeleteModel',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/models/{modelId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, modelId: modelIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      const m = api.models[input.modelId];
      if (!m) throw modelNotFound(input.modelId);
      const user = Object.values(api.routes).find((r) => Object.values(r.requestModels).includes(m.name) || Object.values(r.routeResponses).some((rr) => Object.values(rr.responseModels).includes(m.name)));
      if (user) throw new AwsError('ApigwConflictException', `Cannot delete model ${m.name}: route ${user.routeKey} uses it.`);
      delete api.models[input.modelId];
    });
    return {};
  },
});
