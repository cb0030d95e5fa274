import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, integrationNotFound, methodOf, responseNotFound } from './lookup.js';
import { httpMethodLabel, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const deleteIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'DeleteIntegrationResponse',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}', code: 204 },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, statusCode: statusCodeLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const i = methodOf(api, input.resourceId, input.httpMethod).methodIntegration;
      if (!i) throw integrationNotFound();
      if (!i.integrationResponses[input.statusCode]) throw responseNotFound();
      delete i.integrationResponses[input.statusCode];
    });
    return {};
  },
});
