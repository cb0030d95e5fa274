import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { authorizerOf } from './parts.js';
import { authorizerShape, restApiIdLabel } from './shapes.js';

export const getAuthorizer = defineAction<ApigwBackend>()({
  name: 'GetAuthorizer',
  http: { method: 'GET', uri: '/restapis/{restApiId}/authorizers/{authorizerId}' },
  input: t.struct({ restApiId: restApiIdLabel, authorizerId: t.string({ required: true, location: 'uri' }) }),
  output: authorizerShape,
  async handler(input, _ctx, backend) {
    return authorizerOf(await backend.restApi(input.restApiId), input.authorizerId);
  },
});
