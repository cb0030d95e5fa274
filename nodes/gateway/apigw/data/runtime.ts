// Builds the data plane's parts once per gateway (see types.ts for what each does).
import { type Authenticate } from '../../http.js';
import { type ApigwBackend } from '../backend.js';
import { createAuthorizers } from './auth/index.js';
import { createCache } from './cache.js';
import { createEdgeHooks } from './edge/index.js';
import { createObserver } from './observe.js';
import { createAdmission } from './throttle/index.js';
import { type DataRuntime } from './types.js';

export function createRuntime(backend: ApigwBackend, authenticate: Authenticate): DataRuntime & { close(): Promise<void> } {
  const authorizers = createAuthorizers(backend, authenticate);
  const admission = createAdmission(backend, { log: backend.deps.log });
  const hooks = createEdgeHooks(backend);
  return {
    backend,
    authenticate,
    authorizers,
    admission,
    cache: createCache(backend),
    hooks,
    observer: createObserver(backend),
    async close() {
      await Promise.all([authorizers.close(), admission.close(), hooks.close()]);
    },
  };
}
