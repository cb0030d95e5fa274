import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { authorizerNotFound } from './lookup.js';
import { apiIdLabel, authorizerIdLabel, authorizerShape } from './shapes.js';
import { authorizerView } from './views.js';

export const getAuthorizer = defineAction<ApigwBackend>()({
  name: 'GetAuthorizer',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/authorizers/{authorizerId}' },
  input: t.struct({ apiId: apiIdLabel, authorizerId: authorizerIdLabel }),
  output: authorizerShape,
  async handler(input, _ctx, backend) {
    const a = (await backend.apiV2(input.apiId)).authorizers[input.authorizerId];
    if (!a) throw authorizerNotFound(input.authorizerId);
    return authorizerView(a);
  },
});
