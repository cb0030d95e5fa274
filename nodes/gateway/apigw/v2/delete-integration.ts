import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, integrationNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel } from './shapes.js';

export const deleteIntegration = defineAction<ApigwBackend>()({
  name: 'DeleteIntegration',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/integrations/{integrationId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      if (!api.integrations[input.integrationId]) throw integrationNotFound(input.integrationId);
      const user = Object.values(api.routes).find((r) => r.target === `integrations/${input.integrationId}`);
      if (user) throw new AwsError('ApigwConflictException', `Cannot delete integration ${input.integrationId}: route ${user.routeKey} targets it.`);
      delete api.integrations[input.integrationId];
    });
    return {};
  },
});
