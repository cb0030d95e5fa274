import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ModelV2Doc } from '../model.js';
import { newId } from '../store.js';
import { editApiV2 } from './lookup.js';
import { checkModelName, parseSchema } from './model-rules.js';
import { apiIdLabel, modelShape } from './shapes.js';
import { modelView } from './views.js';

export const createModel = defineAction<ApigwBackend>()({
  name: 'CreateModel',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/models', code: 201 },
  input: t.struct({ apiId: apiIdLabel, name: t.string({ required: true, min: 1, max: 128 }), schema: t.string({ required: true }), contentType: t.string(), description: t.string() }),
  output: modelShape,
  async handler(input, _ctx, backend) {
    checkModelName(input.name);
    parseSchema(input.schema);
    const m = await editApiV2(backend, input.apiId, (api) => {
      if (Object.values(api.models).some((x) => x.name === input.name)) throw new AwsError('ApigwConflictException', `Model name ${input.name} already exists for this API`);
      const doc: ModelV2Doc = {
        modelId: newId(6),
        name: input.name,
        contentType: input.contentType ?? 'application/json',
        ...(input.description !== undefined ? { description: input.description } : {}),
        schema: input.schema,
      };
      api.models[doc.modelId] = doc;
      return doc;
    });
    return modelView(m);
  },
});
