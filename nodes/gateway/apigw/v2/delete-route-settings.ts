import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, stageOf } from './lookup.js';
import { apiIdLabel, stageNameLabel } from './shapes.js';

export const deleteRouteSettings = defineAction<ApigwBackend>()({
  name: 'DeleteRouteSettings',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, stageName: stageNameLabel, routeKey: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    // Stage settings are not part of a deployment: no auto-deployment.
    await editApiV2(backend, input.apiId, (api) => {
      const s = stageOf(api, input.stageName);
      if (!s.routeSettings[input.routeKey]) throw new AwsError('ApigwNotFoundException', `Invalid route settings key specified ${input.routeKey}`);
      delete s.routeSettings[input.routeKey];
      s.lastUpdatedDate = Math.floor(Date.now() / 1000);
    }, false);
    return {};
  },
});
