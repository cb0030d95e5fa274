import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { deploymentDocName } from '../model.js';
import { apiIdLabel } from './shapes.js';

export const deleteApi = defineAction<ApigwBackend>()({
  name: 'DeleteApi',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    const api = await backend.apiV2(input.apiId);
    await backend.store.remove('api', api.apiId);
    for (const d of api.deploymentIds) await backend.store.remove('apideploy', deploymentDocName(api.apiId, d));
    return {};
  },
});
