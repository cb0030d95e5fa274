import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { newStage } from './deploy.js';
import { editRestApi } from './lookup.js';
import { cacheClusterSizeInput, canaryInput, restApiIdLabel, stageShape } from './shapes.js';
import { checkTags } from './tags.js';
import { stageView } from './views.js';

export const createStage = defineAction<ApigwBackend>()({
  name: 'CreateStage',
  http: { method: 'POST', uri: '/restapis/{restApiId}/stages', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    stageName: t.string({ required: true }),
    deploymentId: t.string({ required: true }),
    description: t.string(),
    cacheClusterEnabled: t.boolean(),
    cacheClusterSize: cacheClusterSizeInput,
    variables: t.map(t.string()),
    documentationVersion: t.string(),
    canarySettings: canaryInput,
    tracingEnabled: t.boolean(),
    tags: t.map(t.string()),
  }),
  output: stageShape,
  async handler(input, _ctx, backend) {
    checkTags(input.tags ?? {});
    const stage = await editRestApi(backend, input.restApiId, (api) => {
      if (api.stages[input.stageName]) throw new AwsError('ApigwConflictException', 'Stage already exists');
      if (!api.deploymentIds.includes(input.deploymentId)) throw new AwsError('ApigwBadRequestException', 'Invalid deployment identifier specified');
      const c = input.canarySettings;
      const s = newStage(input.stageName, input.deploymentId, {
        ...(input.description !== undefined ? { description: input.description } : {}),
        cacheClusterEnabled: input.cacheClusterEnabled ?? false,
        cacheClusterStatus: input.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE',
        // AWS: an enabled cache without a size is 0.5 GB.
        ...(input.cacheClusterSize !== undefined || input.cacheClusterEnabled ? { cacheClusterSize: input.cacheClusterSize ?? '0.5' } : {}),
        variables: input.variables ?? {},
        ...(input.documentationVersion !== undefined ? { documentationVersion: input.documentationVersion } : {}),
        ...(c ? { canarySettings: { percentTraffic: c.percentTraffic ?? 0, deploymentId: c.deploymentId ?? input.deploymentId, stageVariableOverrides: c.stageVariableOverrides ?? {}, useStageCache: c.useStageCache ?? false } } : {}),
        tracingEnabled: input.tracingEnabled ?? false,
        tags: input.tags ?? {},
      });
      api.stages[s.stageName] = s;
      return s;
    });
    return stageView(stage);
  },
});
