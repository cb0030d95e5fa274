import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { authorizerNotFound, editApiV2 } from './lookup.js';
import { apiIdLabel, authorizerIdLabel } from './shapes.js';

export const deleteAuthorizer = defineAction<ApigwBackend>()({
  name: 'DeleteAuthorizer',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/authorizers/{authorizerId}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, authorizerId: authorizerIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      if (!api.authorizers[input.authorizerId]) throw authorizerNotFound(input.authorizerId);
      const user = Object.values(api.routes).find((r) => r.authorizerId === input.authorizerId);
      if (user) throw new AwsError('ApigwConflictException', `Cannot delete authorizer ${input.authorizerId}: route ${user.routeKey} uses it.`);
      delete api.authorizers[input.authorizerId];
    });
    return {};
  },
});
