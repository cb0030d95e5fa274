// The code an environment thread starts from: worker.ts and its imports compiled once per host
// process into one plain ES module. A worker thread starts without the host's TypeScript loader
// (neither tsx's `register()` from bin/stratus.js nor vitest's transforms reach it), and compiling
// in every thread (tsx's `tsImport`, which also starts a loader-hooks thread per environment) cost
// ~150 ms of CPU per cold start and kept both cores busy for seconds after 64 environments
// started. The handler's own modules are imported by the `importModule` given here, a dynamic
// import the bundler leaves alone, so user code is loaded by plain Node as Lambda's runtime does.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ENTRY = `import { start } from './worker.ts';
// piscina takes the default export (a promise may stand in for it) as the task function.
export default start({ importModule: (url) => import(url) });
`;

let built: string | undefined;

/** The environment module's path (in the system's temporary directory); built on the first call, and again if removed. */
export function environmentScript(): string {
  if (built !== undefined && existsSync(built)) return built;
  const dir = join(tmpdir(), 'stratus-environments');
  const out = buildSync({
    stdin: { contents: ENTRY, resolveDir: fileURLToPath(new URL('.', import.meta.url)), sourcefile: 'environment-entry.mjs', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Every `require` in the bundled packages is of a Node built-in; ESM output needs one to hand.
    banner: { js: "import { createRequire as __stratusRequire } from 'node:module'; const require = __stratusRequire(import.meta.url);" },
  });
  const text = out.outputFiles[0]!.text;
  // Named by content: pools of one process (and of processes sharing the directory) reuse it.
  const path = join(dir, `environment-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  built = path;
  return path;
}
