import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, modelNotFound } from './lookup.js';
import { checkModelName, parseSchema } from './model-rules.js';
import { apiIdLabel, modelIdLabel, modelShape } from './shapes.js';
import { modelView } from './views.js';

export const updateModel = defineAction<ApigwBackend>()({
  name: 'UpdateModel',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/models/{modelId}' },
  input: t.struct({ apiId: apiIdLabel, modelId: modelIdLabel, name: t.string({ min: 1, max: 128 }), schema: t.string(), contentType: t.string(), description: t.string() }),
  output: modelShape,
  async handler(input, _ctx, backend) {
    if (input.name !== undefined) checkModelName(input.name);
    if (input.schema !== undefined) parseSchema(input.schema);
    const m = await editApiV2(backend, input.apiId, (api) => {
      const doc = api.models[input.modelId];
      if (!doc) throw modelNotFound(input.modelId);
      if (input.name !== undefined && input.name !== doc.name) {
        if (Object.values(api.models).some((x) => x.name === input.name)) throw new AwsError('ApigwConflictException', `Model name ${input.name} already exists for this API`);
        doc.name = input.name;
      }
      if (input.schema !== undefined) doc.schema = input.schema;
      if (input.contentType !== undefined) doc.contentType = input.contentType;
      if (input.description !== undefined) doc.description = input.description;
      return doc;
    });
    return modelView(m);
  },
});
