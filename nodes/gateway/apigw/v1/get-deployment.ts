import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { readDeployment } from './deploy.js';
import { deploymentIdLabel, deploymentShape, restApiIdLabel } from './shapes.js';

export const getDeployment = defineAction<ApigwBackend>()({
  name: 'GetDeployment',
  http: { method: 'GET', uri: '/restapis/{restApiId}/deployments/{deploymentId}' },
  input: t.struct({ restApiId: restApiIdLabel, deploymentId: deploymentIdLabel, embed: t.list(t.string(), { location: 'querystring', locationName: 'embed' }) }),
  output: deploymentShape,
  async handler(input, _ctx, backend) {
    await backend.restApi(input.restApiId);
    const d = await readDeployment(backend, input.restApiId, input.deploymentId);
    if (!(input.embed ?? []).includes('apisummary')) return { id: d.id, description: d.description, createdDate: d.createdDate };
    // apiSummary: path → method → what the deployment serves (how a caller sees a frozen snapshot).
    const apiSummary: Record<string, Record<string, { authorizationType: string; apiKeyRequired: boolean }>> = {};
    for (const r of Object.values(d.snapshot.resources)) {
      const methods = Object.values(r.resourceMethods);
      if (methods.length > 0) apiSummary[r.path] = Object.fromEntries(methods.map((m) => [m.httpMethod, { authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired }]));
    }
    return { id: d.id, description: d.description, createdDate: d.createdDate, apiSummary };
  },
});
