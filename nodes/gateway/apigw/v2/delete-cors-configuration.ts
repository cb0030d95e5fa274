import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2 } from './lookup.js';
import { apiIdLabel } from './shapes.js';

export const deleteCorsConfiguration = defineAction<ApigwBackend>()({
  name: 'DeleteCorsConfiguration',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/cors', code: 204 },
  input: t.struct({ apiId: apiIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (a) => void delete a.corsConfiguration);
    return {};
  },
});
