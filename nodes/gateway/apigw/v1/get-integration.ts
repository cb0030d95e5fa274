import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { integrationNotFound, methodOf } from './lookup.js';
import { httpMethodLabel, integrationShape, resourceIdLabel, restApiIdLabel } from './shapes.js';
import { integrationView } from './views.js';

export const getIntegration = defineAction<ApigwBackend>()({
  name: 'GetIntegration',
  http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel }),
  output: integrationShape,
  async handler(input, _ctx, backend) {
    const integration = methodOf(await backend.restApi(input.restApiId), input.resourceId, input.httpMethod).methodIntegration;
    if (!integration) throw integrationNotFound();
    return integrationView(integration);
  },
});
