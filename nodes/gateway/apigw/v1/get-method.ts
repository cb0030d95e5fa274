import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { methodOf } from './lookup.js';
import { httpMethodLabel, methodShape, resourceIdLabel, restApiIdLabel } from './shapes.js';
import { methodView } from './views.js';

export const getMethod = defineAction<ApigwBackend>()({
  name: 'GetMethod',
  http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel }),
  output: methodShape,
  async handler(input, _ctx, backend) {
    return methodView(methodOf(await backend.restApi(input.restApiId), input.resourceId, input.httpMethod));
  },
});
