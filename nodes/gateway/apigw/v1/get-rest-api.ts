import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { restApiIdLabel, restApiShape } from './shapes.js';
import { restApiView } from './views.js';

export const getRestApi = defineAction<ApigwBackend>()({
  name: 'GetRestApi',
  http: { method: 'GET', uri: '/restapis/{restApiId}' },
  input: t.struct({ restApiId: restApiIdLabel }),
  output: restApiShape,
  async handler(input, _ctx, backend) {
    return restApiView(await backend.restApi(input.restApiId));
  },
});
