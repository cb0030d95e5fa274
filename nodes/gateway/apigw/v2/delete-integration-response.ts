import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, integrationNotFound, integrationResponseNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationResponseIdLabel } from './shapes.js';

export const deleteIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'DeleteIntegrationResponse',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel, integrationResponseId: integrationResponseIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      const i = api.integrations[input.integrationId];
      if (!i) throw integrationNotFound(input.integrationId);
      if (!i.integrationResponses[input.integrationResponseId]) throw integrationResponseNotFound(input.integrationResponseId);
      delete i.integrationResponses[input.integrationResponseId];
    });
    return {};
  },
});
