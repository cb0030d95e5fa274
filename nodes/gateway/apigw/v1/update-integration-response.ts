import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, integrationNotFound, methodOf, responseNotFound } from './lookup.js';
import { applyPatch } from './patch.js';
import { INTEGRATION_RESPONSE_RULES } from './rest-patch.js';
import { httpMethodLabel, integrationResponseShape, patchOperations, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const updateIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'UpdateIntegrationResponse',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, statusCode: statusCodeLabel, patchOperations }),
  output: integrationResponseShape,
  async handler(input, _ctx, backend) {
    return editRestApi(backend, input.restApiId, (api) => {
      const i = methodOf(api, input.resourceId, input.httpMethod).methodIntegration;
      if (!i) throw integrationNotFound();
      const r = i.integrationResponses[input.statusCode];
      if (!r) throw responseNotFound();
      return applyPatch(r, input.patchOperations ?? [], INTEGRATION_RESPONSE_RULES);
    });
  },
});
