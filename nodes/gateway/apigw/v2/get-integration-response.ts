import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { integrationNotFound, integrationResponseNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationResponseIdLabel, integrationResponseShape } from './shapes.js';
import { integrationResponseView } from './views.js';

export const getIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'GetIntegrationResponse',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}' },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel, integrationResponseId: integrationResponseIdLabel }),
  output: integrationResponseShape,
  async handler(input, _ctx, backend) {
    const i = (await backend.apiV2(input.apiId)).integrations[input.integrationId];
    if (!i) throw integrationNotFound(input.integrationId);
    const r = i.integrationResponses[input.integrationResponseId];
    if (!r) throw integrationResponseNotFound(input.integrationResponseId);
    return integrationResponseView(r);
  },
});
