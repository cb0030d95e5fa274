import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RequestValidatorDoc } from '../model.js';
import { newId } from '../store.js';
import { editRestApi } from './lookup.js';
import { requestValidatorShape, restApiIdLabel } from './shapes.js';

export const createRequestValidator = defineAction<ApigwBackend>()({
  name: 'CreateRequestValidator',
  http: { method: 'POST', uri: '/restapis/{restApiId}/requestvalidators', code: 201 },
  input: t.struct({ restApiId: restApiIdLabel, name: t.string(), validateRequestBody: t.boolean(), validateRequestParameters: t.boolean() }),
  output: requestValidatorShape,
  async handler(input, _ctx, backend) {
    return editRestApi(backend, input.restApiId, (api) => {
      const name = input.name ?? '';
      if (name !== '' && Object.values(api.requestValidators).some((v) => v.name === name)) throw new AwsError('ApigwConflictException', `Validator with name '${name}' already exists`);
      const v: RequestValidatorDoc = { id: newId(6), name, validateRequestBody: input.validateRequestBody ?? false, validateRequestParameters: input.validateRequestParameters ?? false };
      api.requestValidators[v.id] = v;
      return v;
    });
  },
});
