// Function faults: every error shape Lambda's Node.js runtime reports, and the ones that take the
// environment down (timeout, out of memory, process.exit, escaped errors). After each, the same
// pool answers a good invocation from a fresh environment, and the host process is untouched.
import { describe, expect, it } from 'vitest';
import { type ExecutionPool, type InvokeOutcome } from '../../worker-pool/pool.js';
import { gate, harness } from './helpers.js';

const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

/**
 * A handler with a module-level counter (init runs once per environment): `{"op":"good"}` counts,
 * any other op runs `faults[op]`, defined by `faulty`. One handler, because a spec key fixes the
 * handler of its environments.
 */
const withCounter = (faulty: string): string => `let n = 0;
const faults = {};
${faulty}
exports.handler = async (event, context) => (event.op === 'good' ? { n: ++n } : faults[event.op](event, context));
`;
const op = (name: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ op: name, ...extra });

/** Waits at the test's HTTP gate (event.url). */
const GATED = `const http = require('node:http');
faults.gated = (event) => new Promise((resolve, reject) => {
  http.get(event.url, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve('through')); }).on('error', reject);
});`;

function failed(out: InvokeOutcome, errorType: string): void {
  expect(out.functionError).toBe('Unhandled');
  expect(out.error?.errorType).toBe(errorType);
  expect(JSON.parse(out.payload)).toEqual(out.error);
}

/** The environment was replaced: a good invocation starts cold, with a fresh counter. */
async function answersFresh(pool: ExecutionPool, spec: Parameters<ExecutionPool['invoke']>[0], req: Parameters<ExecutionPool['invoke']>[1]): Promise<void> {
  const out = await pool.invoke(spec, { ...req, payload: op('good') });
  expect(out.functionError).toBeUndefined();
  expect(JSON.parse(out.payload)).toEqual({ n: 1 });
  expect(out.initDurationMs).toBeGreaterThan(0);
}

describe('handler errors', () => {
  it('reports thrown errors, rejections, callback errors and non-Error values as the runtime does', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': `
class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }
exports.throws = async () => { throw new ValidationError('bad input'); };
exports.rejects = () => Promise.reject(new TypeError('not a thing'));
exports.syncThrow = () => { throw new Error('sync'); };
exports.callback = (e, c, cb) => cb(new Error('via callback'));
exports.string = async () => { throw 'just a string'; };
exports.callbackString = (e, c, cb) => cb('failed');
exports.object = async () => { throw { code: 42 }; };
`,
    });
    const run = (handler: string): Promise<InvokeOutcome> => h.pool.invoke(h.spec(dir, { handler: `index.${handler}` }), h.req());
    const thrown = await run('throws');
    failed(thrown, 'ValidationError');
    expect(thrown.error?.errorMessage).toBe('bad input');
    expect(thrown.error?.trace?.[0]).toBe('ValidationError: bad input');
    expect(thrown.error?.trace?.some((l) => l.includes('index.js'))).toBe(true);
    expect(thrown.logs).toMatch(new RegExp(`${TS}\\t\\S+\\tERROR\\tInvoke Error \\t\\{"errorType":"ValidationError","errorMessage":"bad input","stack":\\[`));
    failed(await run('rejects'), 'TypeError');
    failed(await run('syncThrow'), 'Error');
    const cb = await run('callback');
    failed(cb, 'Error');
    expect(cb.error?.errorMessage).toBe('via callback');
    expect((await run('string')).error).toEqual({ errorType: 'string', errorMessage: 'just a string', trace: [] });
    expect((await run('callbackString')).error).toEqual({ errorType: 'string', errorMessage: 'failed', trace: [] });
    expect((await run('object')).error).toEqual({ errorType: 'object', errorMessage: '[object Object]', trace: [] });
  });

  it('reports init failures: missing export, missing module, import errors, syntax errors, throwing init code', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': 'exports.notAFunction = 5;',
      'esm.mjs': "import 'no-such-package';\nexport const handler = async () => 1;",
      'broken.js': 'exports.handler = async () => {',
      'throws.js': "throw new Error('init failed');",
    });
    const run = (handler: string): Promise<InvokeOutcome> => h.pool.invoke(h.spec(dir, { handler }), h.req());
    const notExported = await run('index.handler');
    expect(notExported.error).toEqual({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' });
    expect(notExported.initDurationMs).toBeGreaterThan(0);
    expect(notExported.logs).toMatch(/\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.HandlerNotFound"/);
    expect((await run('index.notAFunction')).error).toEqual({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.notAFunction is not a function' });
    const missing = await run('nothere.handler');
    failed(missing, 'Runtime.ImportModuleError');
    expect(missing.error?.errorMessage).toMatch(/^Error: Cannot find module 'nothere'\nRequire stack:\n/);
    const pkg = await run('esm.handler');
    failed(pkg, 'Runtime.ImportModuleError');
    expect(pkg.error?.errorMessage).toMatch(/^Error: Cannot find package 'no-such-package'/);
    failed(await run('broken.handler'), 'Runtime.UserCodeSyntaxError');
    const init = await run('throws.handler');
    failed(init, 'Error');
    expect(init.error?.errorMessage).toBe('init failed');
  });
});

describe('faults that end the environment', () => {
  it('times out (1 s): aborts the task, logs the timeout line, replaces the environment', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': withCounter(`faults.hang = async () => { console.log('before'); await new Promise(() => undefined); };`) }), { timeoutSec: 1 });
    expect(JSON.parse((await h.pool.invoke(spec, h.req({ payload: op('good') }))).payload)).toEqual({ n: 1 });
    const req = h.req({ payload: op('hang') });
    const out = await h.pool.invoke(spec, req);
    failed(out, 'Sandbox.Timedout');
    expect(out.error?.errorMessage).toBe(`RequestId: ${req.requestId} Error: Task timed out after 1.00 seconds`);
    expect(out.durationMs).toBeGreaterThanOrEqual(1000);
    expect(out.logs).toMatch(new RegExp(`\\tINFO\\tbefore\\n${TS} ${req.requestId} Task timed out after 1.00 seconds\\nEND RequestId: ${req.requestId}\\nREPORT `));
    await answersFresh(h.pool, spec, h.req());
  });

  it('times out a synchronous infinite loop', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': withCounter('faults.loop = () => { for (;;) {} };') }), { timeoutSec: 1 });
    failed(await h.pool.invoke(spec, h.req({ payload: op('loop') })), 'Sandbox.Timedout');
    await answersFresh(h.pool, spec, h.req());
  });

  it('reports Runtime.OutOfMemory when the heap limit (128 MB) is hit', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': withCounter('faults.grow = async () => { const a = []; for (;;) a.push({ x: new Array(1000).fill(Math.random()) }); };') }), { memoryMb: 128 });
    const req = h.req({ payload: op('grow') });
    const out = await h.pool.invoke(spec, req);
    failed(out, 'Runtime.OutOfMemory');
    expect(out.error?.errorMessage).toBe(`RequestId: ${req.requestId} Error: Runtime exited with error: signal: killed`);
    expect(out.maxMemoryUsedMb).toBe(128);
    await answersFresh(h.pool, spec, h.req());
  });

  it('reports Runtime.OutOfMemory when Buffers (outside the JS heap) outgrow the memory size', async () => {
    const h = await harness();
    const grow = 'faults.buffers = async () => { const a = []; for (;;) { a.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 1)); } };';
    const spec = h.spec(await h.code({ 'index.js': withCounter(grow) }), { memoryMb: 128 });
    failed(await h.pool.invoke(spec, h.req({ payload: op('buffers') })), 'Runtime.OutOfMemory');
    await answersFresh(h.pool, spec, h.req());
  });

  it('reports Runtime.ExitError for process.exit(n), keeping what was logged before', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': withCounter("faults.exit = async () => { console.log('leaving'); process.exit(2); };") }));
    const req = h.req({ payload: op('exit') });
    const out = await h.pool.invoke(spec, req);
    failed(out, 'Runtime.ExitError');
    expect(out.error?.errorMessage).toBe(`RequestId: ${req.requestId} Error: Runtime exited with error: exit status 2`);
    expect(out.logs).toContain('\tINFO\tleaving\n');
    expect(out.initDurationMs).toBeGreaterThan(0);
    await answersFresh(h.pool, spec, h.req());
  });

  it('fails the invocation on an exception thrown from a timer or an unhandled rejection, and replaces the environment', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': withCounter(`
faults.timer = async () => { setTimeout(() => { throw new SyntaxError('from a timer'); }, 5); await new Promise(() => undefined); };
faults.rejection = async () => { Promise.reject(new Error('nobody listens')); await new Promise((resolve) => setTimeout(resolve, 1000)); return 'late'; };
`),
    });
    const spec = h.spec(dir);
    const out = await h.pool.invoke(spec, h.req({ payload: op('timer') }));
    failed(out, 'SyntaxError');
    expect(out.error?.errorMessage).toBe('from a timer');
    expect(out.logs).toMatch(/\tERROR\tUncaught Exception \t\{"errorType":"SyntaxError"/);
    await answersFresh(h.pool, spec, h.req());
    const rej = await h.pool.invoke(spec, h.req({ payload: op('rejection') }));
    expect(rej.error).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody listens' });
    await answersFresh(h.pool, spec, h.req());
  });

  it('replaces an environment quietly when an error or exit happens between invocations', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': withCounter(`
faults.throwLater = async () => { setTimeout(() => { throw new Error('after the response'); }, 20); return 'answered'; };
faults.exitLater = async () => { setTimeout(() => process.exit(1), 20); return 'answered'; };
`),
    });
    const spec = h.spec(dir, { maxEnvironments: 1 });
    expect((await h.pool.invoke(spec, h.req({ payload: op('throwLater') }))).payload).toBe('"answered"');
    expect(await h.nextLog(/environment replaced after an error between invocations: Uncaught Exception: Error: after the response/)).toContain(spec.functionName);
    await answersFresh(h.pool, spec, h.req());
    expect((await h.pool.invoke(spec, h.req({ payload: op('exitLater') }))).payload).toBe('"answered"');
    await h.nextLog(/environment exited between invocations with status 1/);
    await answersFresh(h.pool, spec, h.req());
  });

  it('fails an invocation whose /tmp exceeds the ephemeral storage cap and retires its environment', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': withCounter(`
const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
faults.fill = async () => { fs.writeFileSync(path.join(os.tmpdir(), 'big'), Buffer.alloc(2 * 1024 * 1024)); return 'wrote'; };
faults.list = async () => fs.readdirSync(os.tmpdir());
`),
    });
    const spec = h.spec(dir, { ephemeralStorageMb: 1 });
    const out = await h.pool.invoke(spec, h.req({ payload: op('fill') }));
    expect(out.functionError).toBe('Unhandled');
    expect(out.error).toEqual({ errorType: 'Error', errorMessage: 'ENOSPC: no space left on device, ephemeral storage of 1 MB exceeded' });
    const list = await h.pool.invoke(spec, h.req({ payload: op('list') }));
    expect(list.payload).toBe('[]');
    expect(list.initDurationMs).toBeGreaterThan(0);
  });

  it('answers invocations running when their environments are released, and serves again afterwards', async () => {
    const h = await harness();
    const g = await gate();
    const spec = h.spec(await h.code({ 'index.js': withCounter(GATED) }));
    const run = h.pool.invoke(spec, h.req({ payload: op('gated', { url: g.url }) }));
    await g.held(1);
    await h.pool.release(spec.key);
    const out = await run;
    failed(out, 'Runtime.ExitError');
    expect(out.error?.errorMessage).toMatch(/Runtime exited without providing a reason$/);
    await answersFresh(h.pool, spec, h.req());
  });
});

describe('a caller that gives up', () => {
  it('does not stop a running handler (Lambda never cancels one): it finishes and its environment stays warm', async () => {
    const h = await harness();
    const g = await gate();
    const spec = h.spec(await h.code({ 'index.js': withCounter(GATED) }));
    expect(JSON.parse((await h.pool.invoke(spec, h.req({ payload: op('good') }))).payload)).toEqual({ n: 1 });
    const caller = new AbortController();
    const run = h.pool.invoke(spec, h.req({ payload: op('gated', { url: g.url }), signal: caller.signal }));
    await g.held(1);
    caller.abort();
    g.release(1);
    const out = await run;
    expect(out.functionError).toBeUndefined();
    expect(JSON.parse(out.payload)).toBe('through');
    const next = await h.pool.invoke(spec, h.req({ payload: op('good') }));
    expect(JSON.parse(next.payload)).toEqual({ n: 2 });
    expect(next.initDurationMs).toBeUndefined();
  });

  it('drops an invocation whose caller gave up before it was submitted, reported as a timeout, without touching the environment', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': withCounter('') }));
    expect(JSON.parse((await h.pool.invoke(spec, h.req({ payload: op('good') }))).payload)).toEqual({ n: 1 });
    failed(await h.pool.invoke(spec, h.req({ payload: op('good'), signal: AbortSignal.abort() })), 'Sandbox.Timedout');
    expect(JSON.parse((await h.pool.invoke(spec, h.req({ payload: op('good') }))).payload)).toEqual({ n: 2 });
  });
});
