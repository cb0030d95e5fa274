import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RequestValidatorDoc } from '../model.js';
import { editRestApi } from './lookup.js';
import { type PatchRules, applyPatch, parseBool, stringRule } from './patch.js';
import { validatorOf } from './parts.js';
import { patchOperations, requestValidatorShape, restApiIdLabel } from './shapes.js';

const RULES: PatchRules<RequestValidatorDoc> = {
  '/name': stringRule<RequestValidatorDoc>('name', { removable: false }),
  '/validateRequestBody': { set: (v, s, _a, p) => (v.validateRequestBody = parseBool(s, p)), get: (v) => String(v.validateRequestBody) },
  '/validateRequestParameters': { set: (v, s, _a, p) => (v.validateRequestParameters = parseBool(s, p)), get: (v) => String(v.validateRequestParameters) },
};

export const updateRequestValidator = defineAction<ApigwBackend>()({
  name: 'UpdateRequestValidator',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/requestvalidators/{requestValidatorId}' },
  input: t.struct({ restApiId: restApiIdLabel, requestValidatorId: t.string({ required: true, location: 'uri' }), patchOperations }),
  output: requestValidatorShape,
  async handler(input, _ctx, backend) {
    return editRestApi(backend, input.restApiId, (api) => applyPatch(validatorOf(api, input.requestValidatorId), input.patchOperations ?? [], RULES));
  },
});
