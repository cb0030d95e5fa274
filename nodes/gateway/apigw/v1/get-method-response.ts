import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { methodOf, responseNotFound } from './lookup.js';
import { httpMethodLabel, methodResponseShape, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const getMethodResponse = defineAction<ApigwBackend>()({
  name: 'GetMethodResponse',
  http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, statusCode: statusCodeLabel }),
  output: methodResponseShape,
  async handler(input, _ctx, backend) {
    const m = methodOf(await backend.restApi(input.restApiId), input.resourceId, input.httpMethod);
    const r = m.methodResponses[input.statusCode];
    if (!r) throw responseNotFound();
    return r;
  },
});
