import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, methodOf, resourceOf } from './lookup.js';
import { httpMethodLabel, resourceIdLabel, restApiIdLabel } from './shapes.js';

export const deleteMethod = defineAction<ApigwBackend>()({
  name: 'DeleteMethod',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}', code: 204 },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, httpMethod: httpMethodLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      methodOf(api, input.resourceId, input.httpMethod);
      delete resourceOf(api, input.resourceId).resourceMethods[input.httpMethod.toUpperCase()];
    });
    return {};
  },
});
