// Inside an execution environment: finding and loading the function's handler as Lambda's
// Node.js runtime (aws-lambda-nodejs-runtime-interface-client) does, and turning what a handler
// throws into Lambda's error bodies.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { type FunctionErrorBody } from './types.js';

export type Callback = (err?: unknown, result?: unknown) => void;
export type Handler = (event: unknown, context: object, callback: Callback) => unknown;

/** How handler modules are imported: from a module that no TypeScript loader hooks, so user code loads exactly as plain Node loads it. */
export interface Loaders {
  importModule(url: string): Promise<unknown>;
}

/** An error of the init phase that already has Lambda's shape. */
export class InitError extends Error {
  constructor(readonly body: FunctionErrorBody) {
    super(body.errorMessage);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return isRecord(v) && typeof v.then === 'function';
}

/** The runtime's error body: an Error by its name, anything else by its type (a thrown string is "string"). */
export function errorBody(err: unknown): FunctionErrorBody {
  if (isRecord(err) && (types.isNativeError(err) || (typeof err.name === 'string' && typeof err.message === 'string'))) {
    const ctor = isRecord(err.constructor) && typeof err.constructor.name === 'string' ? err.constructor.name : 'Error';
    const name = typeof err.name === 'string' && err.name !== '' ? err.name : ctor;
    const message = typeof err.message === 'string' ? err.message : '';
    return { errorType: name, errorMessage: message, trace: typeof err.stack === 'string' ? err.stack.split('\n') : [] };
  }
  if (err === null || err === undefined) {
    // What the runtime answers when toString() of the thrown value itself fails.
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

/** The JSON the runtime logs for an error (its "stack" is the body's "trace"). */
export function formatted(body: FunctionErrorBody): string {
  return JSON.stringify({ errorType: body.errorType, errorMessage: body.errorMessage, stack: body.trace ?? [] });
}

/** `index.handler` => module `index`, export path `handler`; the runtime splits at the first dot. */
export function splitHandler(handler: string): { module: string; exportPath: string } | undefined {
  const m = /^([^.]*)\.(.*)$/.exec(handler);
  if (!m || m[1] === undefined || m[2] === undefined || m[1] === '' || m[2] === '') return undefined;
  return { module: m[1], exportPath: m[2] };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether Node treats `.js` here as ESM: the nearest package.json up the tree says "type": "module". */
function hasTypeModule(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(pj, 'utf8'));
        return isRecord(parsed) && parsed.type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

function codeOf(err: unknown): unknown {
  return isRecord(err) ? err.code : undefined;
}

async function importFile(file: string, loaders: Loaders): Promise<unknown> {
  return loaders.importModule(pathToFileURL(file).href);
}

/** Loads the module the way the runtime does: .js (require, or import when ESM), .mjs (import), .cjs (require), then a package. */
async function loadModule(codeDir: string, modulePath: string, loaders: Loaders): Promise<unknown> {
  const base = resolve(codeDir, modulePath);
  const req = createRequire(join(codeDir, 'index.js'));
  if (isFile(base + '.js')) {
    if (hasTypeModule(base + '.js')) return importFile(base + '.js', loaders);
    try {
      return req(base + '.js');
    } catch (err) {
      if (codeOf(err) === 'ERR_REQUIRE_ESM' || codeOf(err) === 'ERR_REQUIRE_ASYNC_MODULE') return importFile(base + '.js', loaders);
      throw err;
    }
  }
  if (isFile(base + '.mjs')) return importFile(base + '.mjs', loaders);
  if (isFile(base + '.cjs')) return req(base + '.cjs');
  if (isFile(base)) return req(base);
  let resolved: string;
  try {
    resolved = req.resolve(modulePath, { paths: [codeDir] });
  } catch {
    // The runtime's own message: it resolves from its bootstrap file in /var/runtime.
    throw new InitError({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`,
      trace: [`Runtime.ImportModuleError: Error: Cannot find module '${modulePath}'`, 'Require stack:', '- /var/runtime/index.mjs'],
    });
  }
  return req(resolved);
}

/** Errors of loading user code, classified as the runtime does. */
export function initErrorBody(err: unknown): FunctionErrorBody {
  if (err instanceof InitError) return err.body;
  const body = errorBody(err);
  const named = `${body.errorType}: ${body.errorMessage}`;
  if (err instanceof SyntaxError) return { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: named, trace: [`Runtime.UserCodeSyntaxError: ${named}`, ...(body.trace ?? []).slice(1)] };
  const code = codeOf(err);
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return { errorType: 'Runtime.ImportModuleError', errorMessage: named, trace: [`Runtime.ImportModuleError: ${named}`, ...(body.trace ?? []).slice(1)] };
  }
  return body;
}

/** Loads the handler module (running its init code) and finds the export. Throws; initErrorBody classifies. */
export async function loadHandler(codeDir: string, handlerString: string, loaders: Loaders): Promise<Handler> {
  const parts = splitHandler(handlerString);
  if (!parts) throw new InitError({ errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' });
  const mod = await loadModule(codeDir, parts.module, loaders);
  let target: unknown = mod;
  for (const key of parts.exportPath.split('.')) target = isRecord(target) ? target[key] : undefined;
  if (target === undefined) throw new InitError({ errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerString} is undefined or not exported` });
  if (typeof target !== 'function') throw new InitError({ errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerString} is not a function` });
  const fn = target;
  return (event, context, callback) => Reflect.apply(fn, undefined, [event, context, callback]);
}
