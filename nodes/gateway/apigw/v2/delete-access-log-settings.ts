import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, stageOf } from './lookup.js';
import { apiIdLabel, stageNameLabel } from './shapes.js';

export const deleteAccessLogSettings = defineAction<ApigwBackend>()({
  name: 'DeleteAccessLogSettings',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/stages/{stageName}/accesslogsettings', code: 204 },
  input: t.struct({ apiId: apiIdLabel, stageName: stageNameLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      const s = stageOf(api, input.stageName);
      delete s.accessLogSettings;
      s.lastUpdatedDate = Math.floor(Date.now() / 1000);
    }, false);
    return {};
  },
});
