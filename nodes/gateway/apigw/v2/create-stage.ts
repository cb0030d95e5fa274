import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type StageV2Doc } from '../model.js';
import { STAGE_NAME, editApiV2, stageView } from './lookup.js';
import { apiIdLabel, stageInput, stageShape } from './shapes.js';

export const createStage = defineAction<ApigwBackend>()({
  name: 'CreateStage',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/stages', code: 201 },
  input: t.struct({ apiId: apiIdLabel, stageName: t.string({ required: true }), ...stageInput }),
  output: stageShape,
  async handler(input, _ctx, backend) {
    // An autoDeploy stage is deployed by the edit's auto-deployment, which runs after this change.
    const stage = await editApiV2(backend, input.apiId, (api) => {
      if (!STAGE_NAME.test(input.stageName)) throw new AwsError('ApigwBadRequestException', `Invalid stage name ${input.stageName}`);
      if (input.stageName === '$default' && api.protocolType !== 'HTTP') throw new AwsError('ApigwBadRequestException', 'The $default stage is only supported for HTTP APIs.');
      if (api.stages[input.stageName]) throw new AwsError('ApigwConflictException', `Stage ${input.stageName} already exists`);
      if (input.deploymentId !== undefined && !api.deploymentIds.includes(input.deploymentId)) throw new AwsError('ApigwBadRequestException', `Invalid deployment identifier specified ${input.deploymentId}`);
      const now = Math.floor(Date.now() / 1000);
      const s: StageV2Doc = {
        stageName: input.stageName,
        ...(input.deploymentId !== undefined ? { deploymentId: input.deploymentId } : {}),
        autoDeploy: input.autoDeploy ?? false,
        ...(input.description !== undefined ? { description: input.description } : {}),
        stageVariables: input.stageVariables ?? {},
        defaultRouteSettings: input.defaultRouteSettings ?? {},
        routeSettings: input.routeSettings ?? {},
        ...(input.accessLogSettings !== undefined ? { accessLogSettings: input.accessLogSettings } : {}),
        ...(input.clientCertificateId !== undefined ? { clientCertificateId: input.clientCertificateId } : {}),
        tags: input.tags ?? {},
        createdDate: now,
        lastUpdatedDate: now,
        edgeHooks: [],
      };
      api.stages[s.stageName] = s;
      return s;
    }, input.autoDeploy === true);
    const now = (await backend.apiV2(input.apiId)).stages[input.stageName] ?? stage;
    return stageView(now);
  },
});
