import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { modelByName } from './parts.js';
import { modelShape, restApiIdLabel } from './shapes.js';

export const getModel = defineAction<ApigwBackend>()({
  name: 'GetModel',
  http: { method: 'GET', uri: '/restapis/{restApiId}/models/{modelName}' },
  input: t.struct({ restApiId: restApiIdLabel, modelName: t.string({ required: true, location: 'uri' }), flatten: t.boolean({ location: 'querystring', locationName: 'flatten' }) }),
  output: modelShape,
  async handler(input, _ctx, backend) {
    return modelByName(await backend.restApi(input.restApiId), input.modelName);
  },
});
