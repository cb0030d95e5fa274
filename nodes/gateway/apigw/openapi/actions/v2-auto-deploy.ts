// Stages with autoDeploy serve every change: after a reimport each gets a fresh deployment.
import { type AwsError } from '../../../errors.js';
import { type ApigwBackend } from '../../backend.js';
import { type ApiV2Doc, type V2DeploymentDoc, asApiDoc, deploymentDocName } from '../../model.js';
import { newId } from '../../store.js';
import { httpSnapshotOf } from '../apply-v2.js';

export async function autoDeploy(backend: ApigwBackend, api: ApiV2Doc, notFound: () => AwsError): Promise<ApiV2Doc> {
  const stages = Object.values(api.stages).filter((s) => s.autoDeploy);
  if (stages.length === 0) return api;
  const now = Math.floor(Date.now() / 1000);
  const d: V2DeploymentDoc = { kind: 'v2', apiId: api.apiId, deploymentId: newId(6), createdDate: now, autoDeployed: true, deploymentStatus: 'DEPLOYED', snapshot: httpSnapshotOf(api) };
  await backend.store.create('apideploy', deploymentDocName(api.apiId, d.deploymentId), d);
  const asV2 = (v: unknown): ApiV2Doc => {
    const doc = asApiDoc(v);
    if (doc.kind !== 'v2') throw notFound();
    return doc;
  };
  const updated = await backend.store.update('api', api.apiId, asV2, notFound, (doc) => {
    doc.deploymentIds.push(d.deploymentId);
    for (const s of Object.values(doc.stages)) {
      if (!s.autoDeploy) continue;
      s.deploymentId = d.deploymentId;
      s.lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${d.deploymentId}'`;
      s.lastUpdatedDate = now;
    }
    return doc;
  });
  return updated ?? api;
}
