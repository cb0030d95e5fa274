// The piscina worker's entry, in plain JavaScript because a worker thread starts without the
// host's TypeScript loader: neither `register()` from tsx (bin/stratus.js) nor vitest's transforms
// reach worker threads, and the pool starts workers with no execArgv so no `--import tsx` either.
// tsImport compiles worker.ts through a scoped loader that only applies to worker.ts and its own
// imports. Handler modules are imported from here instead, outside that scope, so user code is
// loaded by plain Node exactly as Lambda's runtime loads it.
//
// No top-level await: piscina may require() this file first (Node 20.19+ can require ESM, not
// ESM with top-level await). It awaits a promise default export before reporting the thread
// ready, and resolves it to the task function.
import { tsImport } from 'tsx/esm/api';

const sourceMaps = process.sourceMapsEnabled;
const loaders = { importModule: (url) => import(url) };

export default tsImport('./worker.ts', import.meta.url).then((environment) => {
  // tsx turns source maps on for the thread; Lambda's runtime leaves them off for user code.
  process.setSourceMapsEnabled(sourceMaps);
  return environment.start(loaders);
});
