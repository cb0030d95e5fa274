import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { integrationView } from './create-integration.js';
import { integrationNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationShape } from './shapes.js';

export const getIntegration = defineAction<ApigwBackend>()({
  name: 'GetIntegration',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/integrations/{integrationId}' },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel }),
  output: integrationShape,
  async handler(input, _ctx, backend) {
    const i = (await backend.apiV2(input.apiId)).integrations[input.integrationId];
    if (!i) throw integrationNotFound(input.integrationId);
    return integrationView(i);
  },
});
