// Reading an HTTP or WebSocket API's deployment documents (`apideploy` `<apiId>.<deploymentId>`).
import { type ApigwBackend } from '../backend.js';
import { type ApiV2Doc, type V2DeploymentDoc, asDeploymentDoc, deploymentDocName } from '../model.js';
import { deploymentNotFound } from './lookup.js';

export async function readDeployment(backend: ApigwBackend, api: ApiV2Doc, id: string): Promise<V2DeploymentDoc> {
  if (!api.deploymentIds.includes(id)) throw deploymentNotFound(id);
  const d = await backend.store.get('apideploy', deploymentDocName(api.apiId, id), asDeploymentDoc, 0);
  if (!d || d.kind !== 'v2') throw deploymentNotFound(id);
  return d;
}
