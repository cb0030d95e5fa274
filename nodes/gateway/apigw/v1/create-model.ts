import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ModelDoc } from '../model.js';
import { newId } from '../store.js';
import { editRestApi } from './lookup.js';
import { checkSchema } from './parts.js';
import { modelShape, restApiIdLabel } from './shapes.js';

export const createModel = defineAction<ApigwBackend>()({
  name: 'CreateModel',
  http: { method: 'POST', uri: '/restapis/{restApiId}/models', code: 201 },
  input: t.struct({ restApiId: restApiIdLabel, name: t.string({ required: true }), contentType: t.string({ required: true }), description: t.string(), schema: t.string() }),
  output: modelShape,
  async handler(input, _ctx, backend) {
    if (!/^[A-Za-z0-9]+$/.test(input.name)) throw new AwsError('ApigwBadRequestException', 'Model name must be alphanumeric');
    if (input.schema !== undefined) checkSchema(input.schema);
    return editRestApi(backend, input.restApiId, (api) => {
      if (Object.values(api.models).some((m) => m.name === input.name)) throw new AwsError('ApigwConflictException', 'Model name already exists for this REST API');
      const m: ModelDoc = {
        id: newId(6),
        name: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.schema !== undefined ? { schema: input.schema } : {}),
        contentType: input.contentType,
      };
      api.models[m.id] = m;
      return m;
    });
  },
});
