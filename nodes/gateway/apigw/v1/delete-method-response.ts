import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, methodOf, responseNotFound } from './lookup.js';
import { httpMethodLabel, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const deleteMethodResponse = defineAction<ApigwBackend>()({
  name: 'DeleteMethodResponse',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}', code: 204 },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, statusCode: statusCodeLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const m = methodOf(api, input.resourceId, input.httpMethod);
      if (!m.methodResponses[input.statusCode]) throw responseNotFound();
      delete m.methodResponses[input.statusCode];
    });
    return {};
  },
});
