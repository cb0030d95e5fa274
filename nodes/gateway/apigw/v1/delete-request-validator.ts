import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi } from './lookup.js';
import { usedBy, validatorOf } from './parts.js';
import { restApiIdLabel } from './shapes.js';

export const deleteRequestValidator = defineAction<ApigwBackend>()({
  name: 'DeleteRequestValidator',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/requestvalidators/{requestValidatorId}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, requestValidatorId: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const v = validatorOf(api, input.requestValidatorId);
      const users = usedBy(api, (m) => m.requestValidatorId === v.id);
      if (users.length > 0) throw new AwsError('ApigwConflictException', `Cannot delete request validator '${v.id}', is referenced in method: ${users[0]!}`);
      delete api.requestValidators[v.id];
    });
    return {};
  },
});
