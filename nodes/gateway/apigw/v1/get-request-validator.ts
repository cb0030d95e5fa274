import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { validatorOf } from './parts.js';
import { requestValidatorShape, restApiIdLabel } from './shapes.js';

export const getRequestValidator = defineAction<ApigwBackend>()({
  name: 'GetRequestValidator',
  http: { method: 'GET', uri: '/restapis/{restApiId}/requestvalidators/{requestValidatorId}' },
  input: t.struct({ restApiId: restApiIdLabel, requestValidatorId: t.string({ required: true, location: 'uri' }) }),
  output: requestValidatorShape,
  async handler(input, _ctx, backend) {
    return validatorOf(await backend.restApi(input.restApiId), input.requestValidatorId);
  },
});
