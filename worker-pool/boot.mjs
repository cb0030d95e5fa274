// The piscina worker's entry. It is plain JavaScript on purpose: a worker thread starts without
// the TypeScript loader the host process has, so this file registers it before loading the
// execution environment (worker.ts). It stays this small so there is nothing here to type.
import { register } from 'tsx/esm/api';

register();
const environment = await import('./worker.ts');
export default environment.default;
