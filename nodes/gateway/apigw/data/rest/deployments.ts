// Deployments are immutable: each is read once per gateway and kept with its compiled router.
import { type ApigwBackend } from '../../backend.js';
import { type RestDeploymentDoc, asDeploymentDoc, deploymentDocName } from '../../model.js';
import { RestRouter } from './router.js';

export interface LoadedDeployment {
  doc: RestDeploymentDoc;
  router: RestRouter;
}

const MAX_CACHED = 1000;
const cache = new Map<string, Promise<LoadedDeployment | undefined>>();

export function loadRestDeployment(backend: ApigwBackend, apiId: string, deploymentId: string): Promise<LoadedDeployment | undefined> {
  const name = deploymentDocName(apiId, deploymentId);
  let p = cache.get(name);
  if (!p) {
    p = backend.store.get('apideploy', name, asDeploymentDoc, 60_000).then((d) => (d && d.kind === 'rest' ? { doc: d, router: new RestRouter(d.snapshot) } : undefined));
    // A failed or missing read is retried next time (the deployment may be being written).
    p.then((v) => v === undefined && cache.delete(name), () => cache.delete(name));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(name, p);
  }
  return p;
}
