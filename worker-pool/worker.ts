// One execution environment (a piscina worker thread): loads the function's handler once (the
// init phase of a cold start), then runs invocations one at a time with Lambda's context object,
// capturing console output in the Node.js runtime's log format.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { format } from 'node:util';
import { threadId, workerData } from 'node:worker_threads';
import { type EnvironmentData, type FunctionErrorBody, type Invocation, type Outcome } from './protocol.js';

const data = workerData as EnvironmentData;
const MB = 1024 * 1024;

// A private /tmp: os.tmpdir() reads TMPDIR, and this thread's process.env is its own copy.
const tmp = join(data.tmpBase, `env-${process.pid}-${threadId}`);
mkdirSync(tmp, { recursive: true });
process.env.TMPDIR = tmp;
process.env.TMP = tmp;
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// ---- log capture -------------------------------------------------------------------------
let current: { requestId: string; lines: string[] } | undefined;
const initLines: string[] = [];

function emit(level: string, args: unknown[]): void {
  const text = format(...args);
  const line = `${new Date().toISOString()}\t${current?.requestId ?? 'undefined'}\t${level}\t${text}\n`;
  (current?.lines ?? initLines).push(line);
}
console.log = (...a: unknown[]) => emit('INFO', a);
console.info = (...a: unknown[]) => emit('INFO', a);
console.warn = (...a: unknown[]) => emit('WARN', a);
console.error = (...a: unknown[]) => emit('ERROR', a);
console.debug = (...a: unknown[]) => emit('DEBUG', a);
console.trace = (...a: unknown[]) => emit('TRACE', a);
const capture = (chunk: unknown): boolean => {
  const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
  (current?.lines ?? initLines).push(text);
  return true;
};
process.stdout.write = capture as typeof process.stdout.write;
process.stderr.write = capture as typeof process.stderr.write;

// ---- errors ------------------------------------------------------------------------------
export function errorBody(err: unknown): FunctionErrorBody {
  if (err instanceof Error) {
    const type = err.name && err.name !== 'Error' ? err.name : err.constructor?.name ?? 'Error';
    return { errorType: type, errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
  }
  // Lambda reports a thrown non-Error by its type, with its value as the message.
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), trace: [] };
}

/** An error of an invocation that happened outside the handler's promise (a timer, a stray rejection). */
let stray: ((err: unknown, rejection: boolean) => void) | undefined;
process.on('uncaughtException', (err) => {
  if (stray) stray(err, false);
  else emit('ERROR', ['Uncaught Exception', err]);
});
process.on('unhandledRejection', (reason) => {
  if (stray) stray(reason, true);
  else emit('ERROR', ['Unhandled Promise Rejection', reason]);
});

// ---- init: load the handler once ---------------------------------------------------------
type Handler = (event: unknown, context: object, callback: (err: unknown, result?: unknown) => void) => unknown;

const dot = data.handler.lastIndexOf('.');
const modulePath = data.handler.slice(0, dot);
const exportName = data.handler.slice(dot + 1);
const initStart = performance.now();

async function load(): Promise<Handler> {
  const base = join(data.codeDir, modulePath);
  const candidates = ['.mjs', '.js', '.cjs'].map((ext) => base + ext);
  const file = candidates.find((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
  if (file === undefined) {
    throw Object.assign(new Error(`Cannot find module '${modulePath}'\nRequire stack:\n- ${data.codeDir}`), { lambdaType: 'Runtime.ImportModuleError' });
  }
  let mod: Record<string, unknown>;
  try {
    mod = file.endsWith('.cjs') ? (createRequire(file)(file) as Record<string, unknown>) : ((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    throw Object.assign(new Error(`${e.name}: ${e.message}`), { lambdaType: 'Runtime.ImportModuleError', stack: e.stack });
  }
  // CommonJS handlers loaded through import() sit on the default export.
  const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== 'function') throw Object.assign(new Error(`${modulePath}.${exportName} is undefined or not exported`), { lambdaType: 'Runtime.HandlerNotFound' });
  return fn as Handler;
}

const loading: Promise<{ ok: true; handler: Handler } | { ok: false; error: FunctionErrorBody }> = load().then(
  (handler) => ({ ok: true as const, handler }),
  (err: unknown) => {
    const body = errorBody(err);
    const t = (err as { lambdaType?: string }).lambdaType;
    return { ok: false as const, error: t ? { ...body, errorType: t } : body };
  },
);
// Init runs at thread start (before piscina reports the worker ready), as Lambda's init phase.
const initResult = await loading;
const initDurationMs = performance.now() - initStart;
let coldStartPending = !data.provisioned;

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

async function invoke(task: Invocation): Promise<Outcome> {
  if (task.kind === 'ping') {
    // Held a moment, so the pings of one prewarm land on distinct environments.
    await new Promise((r) => setTimeout(r, 20));
    return { ok: true, payload: 'null', logs: '', durationMs: 0, maxMemoryUsedMb: 0 };
  }
  current = { requestId: task.requestId, lines: [...initLines.splice(0)] };
  const cold = coldStartPending;
  coldStartPending = false;
  if (task.traceId !== undefined) process.env._X_AMZN_TRACE_ID = task.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  const started = performance.now();
  const deadlineMs = Date.now() + task.timeoutMs;
  task.port?.postMessage('started');
  task.port?.close();
  let peak = getHeapStatistics().used_heap_size;
  const sample = setInterval(() => {
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
  }, 20);
  let ok = true;
  let payload = 'null';
  let error: FunctionErrorBody | undefined;
  try {
    if (!initResult.ok) throw Object.assign(new Error(initResult.error.errorMessage), { body: initResult.error });
    const handler = initResult.handler;
    const event: unknown = JSON.parse(task.payload);
    const context = {
      awsRequestId: task.requestId,
      functionName: data.functionName,
      functionVersion: data.functionVersion,
      invokedFunctionArn: task.invokedFunctionArn,
      memoryLimitInMB: String(data.memoryMb),
      logGroupName: data.logGroupName,
      logStreamName: data.logStreamName,
      // Settable as in Lambda; a thread cannot tell when its event loop is empty, so a callback
      // answers at once either way (documented in docs/ARCHITECTURE.md).
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
      ...(task.clientContext !== undefined ? { clientContext: JSON.parse(task.clientContext) as unknown } : {}),
    };
    const result = await new Promise<unknown>((resolve, reject) => {
      stray = (err, rejection) => reject(rejection && !(err instanceof Error) ? Object.assign(new Error(String(err)), { name: 'Runtime.UnhandledPromiseRejection' }) : err);
      let returned: unknown;
      try {
        returned = handler(event, context, (err, res) => (err !== null && err !== undefined ? reject(err) : resolve(res)));
      } catch (err) {
        reject(err);
        return;
      }
      if (returned !== null && typeof returned === 'object' && typeof (returned as { then?: unknown }).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    });
    payload = result === undefined ? 'null' : JSON.stringify(result);
  } catch (err) {
    ok = false;
    const given = (err as { body?: FunctionErrorBody }).body;
    error = given ?? errorBody(err);
    payload = JSON.stringify(error);
    emit('ERROR', [`Invoke Error \t${JSON.stringify(error)}`]);
  } finally {
    stray = undefined;
    clearInterval(sample);
  }
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
  if (ok && dirBytes(tmp) > data.ephemeralStorageMb * MB) {
    ok = false;
    error = { errorType: 'Error', errorMessage: `ENOSPC: no space left on device, ephemeral storage of ${data.ephemeralStorageMb} MB exceeded` };
    payload = JSON.stringify(error);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
  }
  const durationMs = performance.now() - started;
  const logs = current.lines.join('');
  current = undefined;
  return {
    ok,
    payload,
    ...(error ? { error } : {}),
    logs,
    ...(cold ? { initDurationMs } : {}),
    durationMs,
    maxMemoryUsedMb: Math.ceil(peak / MB),
  };
}

export default invoke;
