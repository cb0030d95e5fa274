import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi } from './lookup.js';
import { authorizerOf, usedBy } from './parts.js';
import { restApiIdLabel } from './shapes.js';

export const deleteAuthorizer = defineAction<ApigwBackend>()({
  name: 'DeleteAuthorizer',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/authorizers/{authorizerId}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, authorizerId: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const a = authorizerOf(api, input.authorizerId);
      const users = usedBy(api, (m) => m.authorizerId === a.id);
      if (users.length > 0) throw new AwsError('ApigwConflictException', `Cannot delete authorizer '${a.name}', is referenced in method: ${users[0]!}`);
      delete api.authorizers[a.id];
    });
    return {};
  },
});
