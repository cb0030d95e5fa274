import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, methodOf, responseNotFound } from './lookup.js';
import { applyPatch } from './patch.js';
import { METHOD_RESPONSE_RULES } from './rest-patch.js';
import { httpMethodLabel, methodResponseShape, patchOperations, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const updateMethodResponse = defineAction<ApigwBackend>()({
  name: 'UpdateMethodResponse',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}', code: 201 },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, statusCode: statusCodeLabel, patchOperations }),
  output: methodResponseShape,
  async handler(input, _ctx, backend) {
    return editRestApi(backend, input.restApiId, (api) => {
      const r = methodOf(api, input.resourceId, input.httpMethod).methodResponses[input.statusCode];
      if (!r) throw responseNotFound();
      return applyPatch(r, input.patchOperations ?? [], METHOD_RESPONSE_RULES);
    });
  },
});
