import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { resourceOf } from './lookup.js';
import { resourceIdLabel, resourceShape, restApiIdLabel } from './shapes.js';
import { resourceView } from './views.js';

export const getResource = defineAction<ApigwBackend>()({
  name: 'GetResource',
  http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, embed: t.list(t.string(), { location: 'querystring', locationName: 'embed' }) }),
  output: resourceShape,
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    return resourceView(resourceOf(api, input.resourceId), (input.embed ?? []).includes('methods'));
  },
});
