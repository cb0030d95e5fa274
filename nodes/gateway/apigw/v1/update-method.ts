import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, methodOf } from './lookup.js';
import { applyPatch } from './patch.js';
import { methodRules } from './rest-patch.js';
import { httpMethodLabel, methodShape, patchOperations, resourceIdLabel, restApiIdLabel } from './shapes.js';
import { methodView } from './views.js';

export const updateMethod = defineAction<ApigwBackend>()({
  name: 'UpdateMethod',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel, patchOperations }),
  output: methodShape,
  async handler(input, _ctx, backend) {
    const m = await editRestApi(backend, input.restApiId, (api) => applyPatch(methodOf(api, input.resourceId, input.httpMethod), input.patchOperations ?? [], methodRules(api)));
    return methodView(m);
  },
});
