import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, stageOf, stageView } from './lookup.js';
import { apiIdLabel, stageInput, stageNameLabel, stageShape } from './shapes.js';

const { tags: _tags, ...updatable } = stageInput;

export const updateStage = defineAction<ApigwBackend>()({
  name: 'UpdateStage',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/stages/{stageName}' },
  input: t.struct({ apiId: apiIdLabel, stageName: stageNameLabel, ...updatable }),
  output: stageShape,
  async handler(input, _ctx, backend) {
    // Turning autoDeploy on deploys the API's current state to the stage at once.
    await editApiV2(backend, input.apiId, (api) => {
      const s = stageOf(api, input.stageName);
      const auto = input.autoDeploy ?? s.autoDeploy;
      if (input.deploymentId !== undefined) {
        if (auto) throw new AwsError('ApigwBadRequestException', `Stage ${input.stageName} is managed by auto-deploy; its deployment cannot be set.`);
        if (!api.deploymentIds.includes(input.deploymentId)) throw new AwsError('ApigwBadRequestException', `Invalid deployment identifier specified ${input.deploymentId}`);
        s.deploymentId = input.deploymentId;
      }
      s.autoDeploy = auto;
      if (input.description !== undefined) s.description = input.description;
      if (input.stageVariables !== undefined) s.stageVariables = { ...s.stageVariables, ...input.stageVariables };
      if (input.defaultRouteSettings !== undefined) s.defaultRouteSettings = { ...s.defaultRouteSettings, ...input.defaultRouteSettings };
      if (input.routeSettings !== undefined) {
        for (const [key, v] of Object.entries(input.routeSettings)) s.routeSettings[key] = { ...(s.routeSettings[key] ?? {}), ...v };
      }
      if (input.accessLogSettings !== undefined) s.accessLogSettings = { ...(s.accessLogSettings ?? {}), ...input.accessLogSettings };
      if (input.clientCertificateId !== undefined) s.clientCertificateId = input.clientCertificateId;
      s.lastUpdatedDate = Math.floor(Date.now() / 1000);
    }, input.autoDeploy === true);
    const s = stageOf((await backend.apiV2(input.apiId)), input.stageName);
    return stageView(s);
  },
});
