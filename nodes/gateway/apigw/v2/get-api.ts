import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { apiV2Shape, apiV2View } from '../openapi/actions/v2-output.js';
import { apiIdLabel } from './shapes.js';

export const getApi = defineAction<ApigwBackend>()({
  name: 'GetApi',
  http: { method: 'GET', uri: '/v2/apis/{apiId}' },
  input: t.struct({ apiId: apiIdLabel }),
  output: apiV2Shape,
  async handler(input, ctx, backend) {
    return apiV2View(await backend.apiV2(input.apiId), ctx.baseUrl, []);
  },
});
