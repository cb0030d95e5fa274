// The worker pool running handlers as Lambda's Node.js runtime does: module formats and handler
// styles, cold and warm starts, provisioned environments, environment variables, the context
// object, log capture, concurrency and private /tmp.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { gate, gateHandler, harness } from './helpers.js';

const COUNTER = `let n = 0; const initAt = Date.now(); console.log('init ran');
exports.handler = async () => ({ n: ++n, initAt, now: Date.now() });
`;

describe('module formats and handler styles', () => {
  it('runs CommonJS (.js, .cjs) and ESM (.mjs, .js with "type": "module") handlers', async () => {
    const h = await harness();
    const cjs = await h.code({ 'index.js': `exports.handler = async (e) => ({ format: 'cjs', got: e.x });` });
    const cjsExt = await h.code({ 'lib/app.cjs': `module.exports.main = async () => 'cjs-ext';` });
    const mjs = await h.code({ 'index.mjs': `export const handler = async (e) => ({ format: typeof require, got: e.x });` });
    const esmJs = await h.code({ 'package.json': '{"type":"module"}', 'src/app.js': `const top = await Promise.resolve('tla'); export async function main() { return top; }` });
    const req = h.req({ payload: '{"x":42}' });
    expect(JSON.parse((await h.pool.invoke(h.spec(cjs), req)).payload)).toEqual({ format: 'cjs', got: 42 });
    expect((await h.pool.invoke(h.spec(cjsExt, { handler: 'lib/app.main' }), h.req())).payload).toBe('"cjs-ext"');
    expect(JSON.parse((await h.pool.invoke(h.spec(mjs), req)).payload)).toEqual({ format: 'undefined', got: 42 });
    expect((await h.pool.invoke(h.spec(esmJs, { handler: 'src/app.main' }), h.req())).payload).toBe('"tla"');
  });

  it('answers callback handlers, promise-returning plain functions, and returns null for plain values', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': `
exports.cb = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback' }), 10); };
exports.cbErr = (event, context, callback) => { callback(new RangeError('out of range')); };
exports.promise = (event) => new Promise((resolve) => setTimeout(() => resolve('promised'), 10));
exports.plain = () => 42;
// With callbackWaitsForEmptyEventLoop the answer waits for the timer; without, it does not.
exports.waits = (event, context, callback) => { setTimeout(() => undefined, 300); callback(null, 'waited'); };
exports.nowait = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => undefined, 300); callback(null, 'did not wait'); };
`,
    });
    const run = (handler: string) => h.pool.invoke(h.spec(dir, { handler: `index.${handler}` }), h.req());
    expect((await run('cb')).payload).toBe('{"via":"callback"}');
    const err = await run('cbErr');
    expect(err.functionError).toBe('Unhandled');
    expect(err.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'out of range' });
    expect((await run('promise')).payload).toBe('"promised"');
    expect((await run('plain')).payload).toBe('null');
    const waits = await run('waits');
    expect(waits.payload).toBe('"waited"');
    expect(waits.durationMs).toBeGreaterThanOrEqual(290);
    const nowait = await run('nowait');
    expect(nowait.payload).toBe('"did not wait"');
    expect(nowait.durationMs).toBeLessThan(290);
  });
});

describe('cold and warm starts', () => {
  it('loads the module once per environment and reports Init Duration only on the cold start', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': COUNTER }));
    const cold = await h.pool.invoke(spec, h.req());
    const warm = await h.pool.invoke(spec, h.req());
    expect(JSON.parse(cold.payload).n).toBe(1);
    expect(JSON.parse(warm.payload).n).toBe(2);
    expect(cold.initDurationMs).toBeGreaterThan(0);
    expect(cold.logs).toMatch(/Init Duration: \d+\.\d\d ms\t\n$/);
    expect(cold.logs).toMatch(/^\S+\tundefined\tINFO\tinit ran\nSTART /);
    expect(warm.initDurationMs).toBeUndefined();
    expect(warm.logs).not.toContain('Init Duration');
    expect(warm.logs).not.toContain('init ran');
  });

  it('prewarm initialises environments before any request; they are not cold and do not idle out', async () => {
    const h = await harness();
    const g = await gate();
    const spec = h.spec(await h.code({ 'index.js': `let n = 0; const initAt = Date.now();\n${gateHandler('return { n: ++n, initAt };')}` }), { maxEnvironments: 1, idleMs: 1 });
    const before = Date.now();
    await h.pool.prewarm(spec, 2);
    const afterPrewarm = Date.now();
    // Two at once: both provisioned environments serve, neither initialises.
    const runs = [h.pool.invoke(spec, h.req({ payload: JSON.stringify({ url: g.url }) })), h.pool.invoke(spec, h.req({ payload: JSON.stringify({ url: g.url }) }))];
    await g.held(2);
    expect(h.pool.busy(spec.key)).toBe(2);
    g.open();
    for (const out of await Promise.all(runs)) {
      expect(out.initDurationMs).toBeUndefined();
      const body = JSON.parse(out.payload);
      expect(body.n).toBe(1);
      expect(body.initAt).toBeGreaterThanOrEqual(before);
      expect(body.initAt).toBeLessThanOrEqual(afterPrewarm);
    }
    expect(h.pool.busy(spec.key)).toBe(0);
    // idleMs is 1 ms, for on-demand environments only: both provisioned ones are still warm.
    const again = await Promise.all([h.pool.invoke(spec, h.req({ payload: JSON.stringify({ url: g.url }) })), h.pool.invoke(spec, h.req({ payload: JSON.stringify({ url: g.url }) }))]);
    expect(again.map((o) => [o.initDurationMs, JSON.parse(o.payload).n])).toEqual([
      [undefined, 2],
      [undefined, 2],
    ]);
  });

  it('prewarm rejects when the environments cannot initialise', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': 'exports.other = () => 1;' }));
    await expect(h.pool.prewarm(spec, 1)).rejects.toThrow(/Runtime.HandlerNotFound: index.handler is undefined or not exported/);
  });
});

describe('environment variables', () => {
  it('gives each function only its own variables and the runtime reserved ones', async () => {
    const h = await harness();
    process.env.STRATUS_TEST_HOST_SECRET = 'host-only';
    try {
      const dir = await h.code({ 'index.js': 'exports.handler = async () => process.env;' });
      const a = h.spec(dir, { functionName: 'alpha', env: { SECRET: 'a', ONLY_A: '1', AWS_REGION: 'not-allowed' }, endpointUrl: 'http://127.0.0.1:4566', memoryMb: 256 });
      const b = h.spec(dir, { functionName: 'beta', env: { SECRET: 'b' }, runtime: 'nodejs22.x' });
      const envA = JSON.parse((await h.pool.invoke(a, h.req({ traceId: 'Root=1-abc-def;Sampled=1' }))).payload);
      const envB = JSON.parse((await h.pool.invoke(b, h.req())).payload);
      expect(envA).toMatchObject({
        SECRET: 'a',
        ONLY_A: '1',
        AWS_LAMBDA_FUNCTION_NAME: 'alpha',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/alpha',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        LAMBDA_TASK_ROOT: dir,
        _HANDLER: 'index.handler',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        _X_AMZN_TRACE_ID: 'Root=1-abc-def;Sampled=1',
      });
      expect(envA.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(envA.PATH).toContain('/usr/bin');
      expect(envA.TMPDIR.startsWith(h.tmpRoot)).toBe(true);
      expect(envA.ONLY_A).toBe('1');
      expect(envB.SECRET).toBe('b');
      expect(envB.ONLY_A).toBeUndefined();
      expect(envB.AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs22.x');
      expect(envB.AWS_ENDPOINT_URL).toBeUndefined();
      expect(envB._X_AMZN_TRACE_ID).toBeUndefined();
      for (const env of [envA, envB]) {
        expect(env.STRATUS_TEST_HOST_SECRET).toBeUndefined();
        expect(Object.values(env)).not.toContain('host-only');
      }
      // The trace id is per invocation: the next one without a trace id does not see it.
      expect(JSON.parse((await h.pool.invoke(a, h.req())).payload)._X_AMZN_TRACE_ID).toBeUndefined();
    } finally {
      delete process.env.STRATUS_TEST_HOST_SECRET;
    }
  });
});

describe('context object', () => {
  it('has the invocation and function fields, and the remaining time decreases', async () => {
    const h = await harness();
    const dir = await h.code({
      'index.mjs': `
export const handler = async (event, context) => {
  const first = context.getRemainingTimeInMillis();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = context.getRemainingTimeInMillis();
  const { getRemainingTimeInMillis, succeed, fail, done, ...fields } = context;
  return { fields, first, second, fn: typeof getRemainingTimeInMillis };
};`,
    });
    const spec = h.spec(dir, { functionName: 'ctx', functionVersion: '7', memoryMb: 512, timeoutSec: 2 });
    const req = h.req({ invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx:live', clientContext: '{"custom":{"k":"v"},"env":{"platform":"test"}}', identity: '{"cognitoIdentityId":"id-1"}' });
    const body = JSON.parse((await h.pool.invoke(spec, req)).payload);
    expect(body.fields).toMatchObject({
      awsRequestId: req.requestId,
      functionName: 'ctx',
      functionVersion: '7',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx:live',
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/ctx',
      callbackWaitsForEmptyEventLoop: true,
      clientContext: { custom: { k: 'v' }, env: { platform: 'test' } },
      identity: { cognitoIdentityId: 'id-1' },
    });
    expect(body.fields.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[7\][0-9a-f]{32}$/);
    expect(body.fn).toBe('function');
    expect(body.first).toBeLessThanOrEqual(2000);
    expect(body.first).toBeGreaterThan(1500);
    expect(body.second).toBeLessThanOrEqual(body.first - 45);
  });
});

describe('logs', () => {
  it("captures console and stdout/stderr in the runtime's format, wrapped in START/END/REPORT, and nothing reaches the host's stdout", async () => {
    const h = await harness();
    const dir = await h.code({
      'index.js': `exports.handler = async () => {
  console.log('log', { a: 1 }); console.info('info %d', 5); console.warn('warn'); console.error('error'); console.debug('debug');
  process.stdout.write('raw out\\n'); process.stderr.write('raw err\\n');
  return 'ok';
};`,
    });
    const spec = h.spec(dir, { functionVersion: '3' });
    const req = h.req();
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    let out;
    try {
      out = await h.pool.invoke(spec, req);
      out = await h.pool.invoke(spec, h.req({ requestId: req.requestId }));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    const id = req.requestId;
    const ts = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    const expected = new RegExp(
      `^START RequestId: ${id} Version: 3\\n` +
        `${ts}\\t${id}\\tINFO\\tlog { a: 1 }\\n` +
        `${ts}\\t${id}\\tINFO\\tinfo 5\\n` +
        `${ts}\\t${id}\\tWARN\\twarn\\n` +
        `${ts}\\t${id}\\tERROR\\terror\\n` +
        `${ts}\\t${id}\\tDEBUG\\tdebug\\n` +
        'raw out\\nraw err\\n' +
        `END RequestId: ${id}\\n` +
        `REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\t\\n$`,
    );
    expect(out.logs).toMatch(expected);
    expect(out.billedDurationMs).toBe(Math.ceil(out.durationMs));
    expect(out.maxMemoryUsedMb).toBeGreaterThan(0);
    expect(out.maxMemoryUsedMb).toBeLessThanOrEqual(128);
  });
});

describe('concurrency and /tmp', () => {
  it('runs up to maxEnvironments invocations in parallel and queues the rest for a warm environment', async () => {
    const h = await harness();
    const g = await gate();
    const spec = h.spec(await h.code({ 'index.js': gateHandler(`return context.awsRequestId;`) }), { maxEnvironments: 3 });
    const payload = JSON.stringify({ url: g.url });
    const runs = Array.from({ length: 4 }, () => h.pool.invoke(spec, h.req({ payload })));
    await g.held(3);
    expect(h.pool.busy(spec.key)).toBe(4);
    g.release(1);
    // The fourth only reaches the gate once an environment is free.
    await g.held(3);
    g.open();
    const outs = await Promise.all(runs);
    expect(g.maxHeld).toBe(3);
    expect(outs.filter((o) => o.initDurationMs !== undefined)).toHaveLength(3);
    expect(outs.every((o) => o.functionError === undefined)).toBe(true);
    expect(h.pool.busy(spec.key)).toBe(0);
  });

  it('gives each environment its own /tmp under tmpRoot and removes it with the environment', async () => {
    const h = await harness();
    const g = await gate();
    const handler = gateHandler(`
  const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
  fs.writeFileSync(path.join(os.tmpdir(), context.awsRequestId), 'x');
  return { tmp: os.tmpdir(), files: fs.readdirSync(os.tmpdir()) };`);
    const spec = h.spec(await h.code({ 'index.js': handler }), { maxEnvironments: 2 });
    const payload = JSON.stringify({ url: g.url });
    const [r1, r2] = [h.req({ payload }), h.req({ payload })];
    const runs = [h.pool.invoke(spec, r1), h.pool.invoke(spec, r2)];
    await g.held(2);
    g.open();
    const [a, b] = (await Promise.all(runs)).map((o) => JSON.parse(o.payload));
    expect(a.tmp).not.toBe(b.tmp);
    expect(a.tmp.startsWith(h.tmpRoot)).toBe(true);
    expect(a.files).toEqual([r1.requestId]);
    expect(b.files).toEqual([r2.requestId]);
    await h.pool.release(spec.key);
    expect(await readdir(h.tmpRoot)).toEqual([]);
  });
});

describe('hosts', () => {
  it('works in a host that runs TypeScript through tsx register(), as bin/stratus.js does', async () => {
    const h = await harness();
    const spec = h.spec(await h.code({ 'index.js': `exports.handler = async (e) => { console.log('not on stdout'); return { doubled: e.n * 2 }; };` }));
    const poolUrl = new URL('../../worker-pool/pool.ts', import.meta.url).href;
    const script = `
import { register } from 'tsx/esm/api';
register();
const { ExecutionPool } = await import(${JSON.stringify(poolUrl)});
const pool = new ExecutionPool({ tmpRoot: ${JSON.stringify(h.tmpRoot)} });
const out = await pool.invoke(${JSON.stringify(spec)}, { requestId: 'r1', payload: '{"n":21}', invokedFunctionArn: 'arn' });
await pool.close();
process.stdout.write(JSON.stringify(out));`;
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, env: { PATH: process.env.PATH ?? '' } }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))),
    );
    const out = JSON.parse(stdout);
    expect(out.payload).toBe('{"doubled":42}');
    expect(out.logs).toContain('\tINFO\tnot on stdout\n');
  });
});
