import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type CanarySettingsDoc } from '../model.js';
import { newStage, writeDeployment } from './deploy.js';
import { editRestApi, nowSeconds } from './lookup.js';
import { cacheClusterSizeInput, canaryInput, deploymentShape, restApiIdLabel } from './shapes.js';

export const createDeployment = defineAction<ApigwBackend>()({
  name: 'CreateDeployment',
  http: { method: 'POST', uri: '/restapis/{restApiId}/deployments', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    stageName: t.string(),
    stageDescription: t.string(),
    description: t.string(),
    cacheClusterEnabled: t.boolean(),
    cacheClusterSize: cacheClusterSizeInput,
    variables: t.map(t.string()),
    canarySettings: canaryInput,
    tracingEnabled: t.boolean(),
  }),
  output: deploymentShape,
  async handler(input, _ctx, backend) {
    const api = await backend.restApi(input.restApiId);
    const d = await writeDeployment(backend, api, input.description);
    await editRestApi(backend, api.id, (a) => {
      a.deploymentIds.push(d.id);
      if (input.stageName === undefined) return;
      const existing = a.stages[input.stageName];
      if (input.canarySettings && existing) {
        // A deployment with canary settings goes to the stage's canary, not the stage itself.
        const canary: CanarySettingsDoc = { percentTraffic: input.canarySettings.percentTraffic ?? 0, deploymentId: d.id, stageVariableOverrides: input.canarySettings.stageVariableOverrides ?? {}, useStageCache: input.canarySettings.useStageCache ?? false };
        existing.canarySettings = canary;
        existing.lastUpdatedDate = nowSeconds();
        return;
      }
      if (existing) {
        existing.deploymentId = d.id;
        if (input.variables) existing.variables = { ...existing.variables, ...input.variables };
        existing.lastUpdatedDate = nowSeconds();
        return;
      }
      a.stages[input.stageName] = newStage(input.stageName, d.id, {
        ...(input.stageDescription !== undefined ? { description: input.stageDescription } : {}),
        variables: input.variables ?? {},
        cacheClusterEnabled: input.cacheClusterEnabled ?? false,
        cacheClusterStatus: input.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE',
        // AWS: an enabled cache without a size is 0.5 GB.
        ...(input.cacheClusterSize !== undefined || input.cacheClusterEnabled ? { cacheClusterSize: input.cacheClusterSize ?? '0.5' } : {}),
        tracingEnabled: input.tracingEnabled ?? false,
      });
    });
    return { id: d.id, description: d.description, createdDate: d.createdDate };
  },
});
