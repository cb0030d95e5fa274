import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ModelDoc } from '../model.js';
import { editRestApi } from './lookup.js';
import { type PatchRules, applyPatch, stringRule } from './patch.js';
import { checkSchema, modelByName } from './parts.js';
import { modelShape, patchOperations, restApiIdLabel } from './shapes.js';

const RULES: PatchRules<ModelDoc> = {
  '/schema': stringRule<ModelDoc>('schema', { removable: false, check: (v) => checkSchema(v) }),
  '/description': stringRule<ModelDoc>('description'),
};

export const updateModel = defineAction<ApigwBackend>()({
  name: 'UpdateModel',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/models/{modelName}' },
  input: t.struct({ restApiId: restApiIdLabel, modelName: t.string({ required: true, location: 'uri' }), patchOperations }),
  output: modelShape,
  async handler(input, _ctx, backend) {
    return editRestApi(backend, input.restApiId, (api) => applyPatch(modelByName(api, input.modelName), input.patchOperations ?? [], RULES));
  },
});
