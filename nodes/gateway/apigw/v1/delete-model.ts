import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi } from './lookup.js';
import { modelByName, usedBy } from './parts.js';
import { restApiIdLabel } from './shapes.js';

export const deleteModel = defineAction<ApigwBackend>()({
  name: 'DeleteModel',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/models/{modelName}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, modelName: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const m = modelByName(api, input.modelName);
      const users = usedBy(api, (x) => Object.values(x.requestModels).includes(m.name) || Object.values(x.methodResponses).some((r) => Object.values(r.responseModels).includes(m.name)));
      if (users.length > 0) throw new AwsError('ApigwConflictException', `Cannot delete model '${m.name}', is referenced in method request: ${users[0]!}`);
      delete api.models[m.id];
    });
    return {};
  },
});
