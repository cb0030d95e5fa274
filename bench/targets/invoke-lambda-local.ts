// lambda-local (npm), the usual way to run a Lambda handler locally from Node: its execute() runs
// the handler in the calling process, the bench process here, with a Lambda-like context and
// environment. It is installed at run time into bench/.peers/ (not a dependency of the project).
//
// Modes: 'esm' (default) passes esm: true, which is how lambda-local loads an ES module handler:
// import(), so the module is loaded once and cached. 'cjs' runs a CommonJS copy of the handler
// the way lambda-local runs CommonJS: it deletes the module from require.cache and require()s it
// again on every execute.
//
// Caveats of running in-process: verboseLevel 0 makes lambda-local replace process.stdout.write
// and process.stderr.write with no-ops while an invocation is running (the bench only logs between
// phases), and it writes AWS_* / LAMBDA_* / NODE_PATH / TZ into process.env (children get the
// environment the bench captured at start).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ColdSample, type InvokeTarget, type InvokeTargetOptions, type WarmCell, TRIVIAL_HANDLER, checkResult } from '../lib/invoke-target.js';

export const LAMBDA_LOCAL_VERSION = '2.2.0';
const PEERS_DIR = fileURLToPath(new URL('../.peers/', import.meta.url));
const TIMEOUT_MS = 3000;
const CJS_HANDLER = 'exports.handler = async (e) => ({ ok: true, n: e.n });\n';

interface ExecuteOptions {
  event: unknown;
  lambdaPath: string;
  lambdaHandler: string;
  timeoutMs: number;
  verboseLevel: number;
  esm?: boolean;
}
interface LambdaLocal {
  version: string;
  execute(opts: ExecuteOptions): Promise<unknown>;
}

function isLambdaLocal(v: unknown): v is LambdaLocal {
  return typeof v === 'object' && v !== null && 'execute' in v && typeof v.execute === 'function' && 'version' in v && typeof v.version === 'string';
}

function installedVersion(): string | undefined {
  const pkg = join(PEERS_DIR, 'node_modules', 'lambda-local', 'package.json');
  if (!existsSync(pkg)) return undefined;
  const v = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
  return typeof v === 'string' ? v : undefined;
}

/** Installs lambda-local@LAMBDA_LOCAL_VERSION into bench/.peers (once) and loads it. */
function loadLambdaLocal(log: (line: string) => void): LambdaLocal {
  if (installedVersion() !== LAMBDA_LOCAL_VERSION) {
    log(`bench/invoke: installing lambda-local@${LAMBDA_LOCAL_VERSION} into ${PEERS_DIR}`);
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `lambda-local@${LAMBDA_LOCAL_VERSION}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    if (r.status !== 0 || installedVersion() !== LAMBDA_LOCAL_VERSION) {
      throw new Error(`npm install lambda-local@${LAMBDA_LOCAL_VERSION} failed (exit ${r.status}): ${`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.slice(-2000)}`);
    }
  }
  // It is CommonJS; a require rooted in the cache directory finds it there and nowhere else.
  const mod: unknown = createRequire(join(PEERS_DIR, 'noop.js'))('lambda-local');
  if (!isLambdaLocal(mod)) throw new Error(`lambda-local in ${PEERS_DIR} does not export execute()`);
  return mod;
}

export interface LambdaLocalTargetOptions extends InvokeTargetOptions {
  mode: 'esm' | 'cjs';
}

export function lambdaLocalTarget(o: LambdaLocalTargetOptions): InvokeTarget {
  const name = 'lambda-local';
  const ext = o.mode === 'esm' ? 'mjs' : 'cjs';
  const source = o.mode === 'esm' ? TRIVIAL_HANDLER : CJS_HANDLER;
  const handlerFile = join(o.workDir, `ll-handler.${ext}`);
  let ll: LambdaLocal | undefined;
  let seq = 0;

  const execute = async (lambdaPath: string, n: number): Promise<unknown> => {
    if (!ll) throw new Error(`${name}: used before setup`);
    return ll.execute({ event: { n }, lambdaPath, lambdaHandler: 'handler', timeoutMs: TIMEOUT_MS, verboseLevel: 0, ...(o.mode === 'esm' ? { esm: true } : {}) });
  };

  return {
    name,
    describe: `lambda-local ${LAMBDA_LOCAL_VERSION} execute() in the bench process (${o.mode === 'esm' ? 'esm: true, module imported once' : 'CommonJS, re-required every call'}, verboseLevel 0, timeoutMs ${TIMEOUT_MS})`,
    async setup(): Promise<void> {
      ll = loadLambdaLocal((line) => process.stderr.write(`${line}\n`));
      writeFileSync(handlerFile, source);
      checkResult(name, await execute(handlerFile, 7), 7);
    },
    async warmCell(concurrency: number): Promise<WarmCell> {
      return {
        async invoke(_w: number, n: number): Promise<number> {
          const r = await execute(handlerFile, n);
          if (typeof r !== 'object' || r === null) throw new Error(`${name}: handler returned ${JSON.stringify(r)}`);
          return 1;
        },
        async burst(): Promise<number> {
          const rs = await Promise.all(Array.from({ length: concurrency }, (_, i) => execute(handlerFile, -1 - i)));
          rs.forEach((r, i) => checkResult(name, r, -1 - i));
          // No environments to start: the module was loaded in setup().
          return 0;
        },
        close: async () => undefined,
      };
    },
    async coldStart(index: number): Promise<ColdSample> {
      // A file never loaded before: module load (read, parse, evaluate) plus the first call.
      const file = join(o.workDir, `ll-cold-${seq++}-${index}.${ext}`);
      writeFileSync(file, source);
      const t0 = performance.now();
      const r = await execute(file, index);
      const latencyMs = performance.now() - t0;
      checkResult(name, r, index);
      return { latencyMs, initMs: undefined };
    },
    serverCpuMs: () => undefined,
    async teardown(): Promise<void> {
      ll = undefined;
    },
  };
}
