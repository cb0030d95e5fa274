import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, integrationNotFound, methodOf } from './lookup.js';
import { applyPatch, badRequest } from './patch.js';
import { INTEGRATION_RULES } from './rest-patch.js';
import { httpMethodLabel, integrationShape, patchOperations, resourceIdLabel, restApiIdLabel } from './shapes.js';
import { integrationView } from './views.js';

export const updateIntegration = defineAction<ApigwBackend>()({
  name: 'UpdateIntegration',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, patchOperations }),
  output: integrationShape,
  async handler(input, _ctx, backend) {
    const saved = await editRestApi(backend, input.restApiId, (api) => {
      const i = methodOf(api, input.resourceId, input.httpMethod).methodIntegration;
      if (!i) throw integrationNotFound();
      const next = applyPatch(i, input.patchOperations ?? [], INTEGRATION_RULES);
      // The same rules as PutIntegration, on the result.
      if (next.type !== 'MOCK' && (next.uri === undefined || next.httpMethod === undefined)) throw badRequest('Invalid integration URI specified');
      if (next.type === 'AWS_PROXY' && next.httpMethod !== 'POST') throw badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
      return next;
    });
    return integrationView(saved);
  },
});
