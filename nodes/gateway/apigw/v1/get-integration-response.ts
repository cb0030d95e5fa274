import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { integrationNotFound, methodOf, responseNotFound } from './lookup.js';
import { httpMethodLabel, integrationResponseShape, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const getIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'GetIntegrationResponse',
  http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, statusCode: statusCodeLabel }),
  output: integrationResponseShape,
  async handler(input, _ctx, backend) {
    const i = methodOf(await backend.restApi(input.restApiId), input.resourceId, input.httpMethod).methodIntegration;
    if (!i) throw integrationNotFound();
    const r = i.integrationResponses[input.statusCode];
    if (!r) throw responseNotFound();
    return r;
  },
});
