import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, integrationNotFound, methodOf } from './lookup.js';
import { httpMethodLabel, resourceIdLabel, restApiIdLabel } from './shapes.js';

export const deleteIntegration = defineAction<ApigwBackend>()({
  name: 'DeleteIntegration',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration', code: 204 },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const m = methodOf(api, input.resourceId, input.httpMethod);
      if (!m.methodIntegration) throw integrationNotFound();
      delete m.methodIntegration;
    });
    return {};
  },
});
