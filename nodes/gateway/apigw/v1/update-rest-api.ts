import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi } from './lookup.js';
import { applyPatch } from './patch.js';
import { REST_API_RULES } from './rest-patch.js';
import { patchOperations, restApiIdLabel, restApiShape } from './shapes.js';
import { restApiView } from './views.js';

export const updateRestApi = defineAction<ApigwBackend>()({
  name: 'UpdateRestApi',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}' },
  input: t.struct({ restApiId: restApiIdLabel, patchOperations }),
  output: restApiShape,
  async handler(input, _ctx, backend) {
    const api = await editRestApi(backend, input.restApiId, (a) => applyPatch(a, input.patchOperations ?? [], REST_API_RULES));
    return restApiView(api);
  },
});
