import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { deploymentDocName } from '../model.js';
import { forgetStage } from './keys.js';
import { restApiIdLabel } from './shapes.js';

export const deleteRestApi = defineAction<ApigwBackend>()({
  name: 'DeleteRestApi',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    await backend.store.remove('api', api.id);
    // Deployments are separate documents; they go once nothing can point at them.
    for (const d of api.deploymentIds) await backend.store.remove('apideploy', deploymentDocName(api.id, d));
    await forgetStage(backend, api.id, undefined);
    return {};
  },
});
