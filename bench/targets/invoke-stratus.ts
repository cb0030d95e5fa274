// Stratus as a Lambda under test: `stratus start` (embedded: every role in one process) in a child
// process, driven as users drive Lambda, through the AWS SDK v3 Lambda client against its HTTP
// port. Functions are deployed as zip files (nodejs20.x, index.handler), like test/compat does.
//
// Credentials: the fixed root key pair bench/targets/queue-stratus.ts starts Stratus with.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { strToU8, zipSync } from 'fflate';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { type AsyncResult, type ColdSample, type InvokeTarget, type InvokeTargetOptions, type WarmCell, SINK_HANDLER, TRIVIAL_HANDLER, checkResult, primeBursts, runAsyncEvents, selfCpuMs, waitForSink, waitQuiet } from '../lib/invoke-target.js';
import { assertPortsFree, sleep, tail } from '../lib/proc.js';
import { BENCH_ACCESS_KEY_ID, BENCH_SECRET_ACCESS_KEY, describeError, waitHealthy } from './queue-stratus.js';

const STRATUS_BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));
const ROLE = 'arn:aws:iam::000000000000:role/x';
/**
 * Environments warmed for the async test's function, at least. The async invoker may run up to 64
 * events at once (nodes/scheduler/lambda-runtime.ts), but with 16 senders it used 11 environments
 * when 64 were warm; warming 64 costs ~30 s of CPU per run on 2 cores. The sink reports any
 * environment that started during the measurement anyway.
 */
const ASYNC_PRIME_MIN = 16;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux port we run on). */
const CLK_TCK = 100;

export interface StratusInvokeTargetOptions extends InvokeTargetOptions {
  /** STRATUS_CPU_PROFILE for the server: a V8 CPU profile of its main thread is written here when it stops. */
  profileDir: string | undefined;
}

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const decode = (p: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(p ?? new Uint8Array()));
const zipOf = (source: string): Uint8Array => zipSync({ 'index.mjs': strToU8(source) });
const logText = (r: InvokeCommandOutput): string => Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');

/** The Init Duration of a REPORT line, when the invocation was a cold start. */
function initDuration(log: string): number | undefined {
  const m = /Init Duration: ([\d.]+) ms/.exec(log);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/**
 * utime + stime in ms, from /proc: of the whole process (all its threads), or of one thread when
 * `tid` is given (the main thread's tid is the pid); undefined once it is gone.
 */
function procCpuMs(pid: number | undefined, tid?: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields are counted after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export function stratusInvokeTarget(o: StratusInvokeTargetOptions): InvokeTarget {
  const name = 'stratus-embedded';
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  let unregister: (() => void) | undefined;
  let client: LambdaClient | undefined;
  let endpoint = '';
  let seq = 0;
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };

  /** Every Lambda call goes through here, so a failure names the call and the answer. */
  const call = async <T>(what: string, f: (c: LambdaClient) => Promise<T>): Promise<T> => {
    if (!client) throw new Error(`${name}: ${what} before setup`);
    try {
      return await f(client);
    } catch (err) {
      throw new Error(`${name}: Lambda ${what} on ${endpoint} failed: ${describeError(err)}`, { cause: err });
    }
  };
  const create = (input: Omit<CreateFunctionCommandInput, 'Runtime' | 'Role' | 'Handler'>): Promise<unknown> =>
    call('CreateFunction', (c) => c.send(new CreateFunctionCommand({ Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', ...input })));
  const remove = (fn: string): Promise<unknown> => call('DeleteFunction', (c) => c.send(new DeleteFunctionCommand({ FunctionName: fn })));

  /** A synchronous invoke that must succeed; with `tail`, also reports whether it was a cold start. */
  const invokeSync = async (fn: string, n: number, tail: boolean): Promise<{ out: InvokeCommandOutput; initMs: number | undefined }> => {
    const out = await call('Invoke', (c) => c.send(new InvokeCommand({ FunctionName: fn, Payload: enc({ n }), ...(tail ? { LogType: 'Tail' } : {}) })));
    if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`${name}: Invoke ${fn} answered ${out.StatusCode} ${out.FunctionError ?? ''}: ${new TextDecoder().decode(out.Payload)}`);
    return { out, initMs: tail ? initDuration(logText(out)) : undefined };
  };
  /** `count` invokes at once; how many were cold starts. */
  const burst = async (fn: string, count: number): Promise<number> => {
    const rs = await Promise.all(Array.from({ length: count }, (_, i) => invokeSync(fn, -1 - i, true)));
    rs.forEach((r, i) => checkResult(name, decode(r.out.Payload), -1 - i));
    return rs.filter((r) => r.initMs !== undefined).length;
  };

  return {
    name,
    describe:
      'Stratus embedded (`stratus start`, one process) via `@aws-sdk/client-lambda` (one client, keep-alive agent, maxAttempts 1); ' +
      'one function per concurrency level with reserved concurrency = c (so its environment pool is capped at c threads, like the floor); SigV4 on',
    async setup(): Promise<void> {
      dir = join(o.workDir, 'stratus');
      mkdirSync(dir, { recursive: true });
      const d = dir;
      const base = 34000 + Math.floor(Math.random() * 1000) * 2;
      const grpcPort = base;
      const httpPort = base + 1;
      await assertPortsFree(name, [grpcPort, httpPort]);
      const logPath = join(d, 'stratus.log');
      const fd = openSync(logPath, 'a');
      const env: NodeJS.ProcessEnv = {
        ...o.env,
        STRATUS_ROOT_ACCESS_KEY_ID: BENCH_ACCESS_KEY_ID,
        STRATUS_ROOT_SECRET_ACCESS_KEY: BENCH_SECRET_ACCESS_KEY,
        ...(o.profileDir !== undefined ? { STRATUS_CPU_PROFILE: o.profileDir } : {}),
      };
      // --lambda-retry-delay 1: a failed async event (there should be none) is retried within the
      // test instead of a minute later.
      const args = [STRATUS_BIN, 'start', '--data', join(d, 'data'), '--http-port', String(httpPort), '--grpc-port', String(grpcPort), '--lambda-retry-delay', '1'];
      const c = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      c.on('error', () => undefined);
      child = c;
      const pid = c.pid;
      unregister = onCleanup(() => {
        killPid(pid);
        rmSync(d, { recursive: true, force: true });
      });
      await waitHealthy(`http://127.0.0.1:${httpPort}/health`, 60_000, () =>
        c.exitCode !== null || c.signalCode !== null ? `${name}: stratus start exited during start-up; log tail:\n${tail(logPath)}` : undefined,
      );
      endpoint = `http://127.0.0.1:${httpPort}`;
      client = new LambdaClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: BENCH_ACCESS_KEY_ID, secretAccessKey: BENCH_SECRET_ACCESS_KEY },
        // A retry would hide a failure and add its latency to the figures.
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({
          // One keep-alive socket per closed-loop caller, plus slack for the priming bursts.
          httpAgent: new Agent({ keepAlive: true, maxSockets: Math.max(ASYNC_PRIME_MIN, o.maxConcurrency) * 2 }),
          connectionTimeout: 5000,
          requestTimeout: 30_000,
        }),
      });
      // Smoke test: deploy and run one function before anything is measured.
      await create({ FunctionName: 'smoke', Code: { ZipFile: zipOf(TRIVIAL_HANDLER) } });
      checkResult(name, decode((await invokeSync('smoke', 7, false)).out.Payload), 7);
      await remove('smoke');
    },
    async warmCell(concurrency: number): Promise<WarmCell> {
      const fn = `warm-c${concurrency}-${seq++}`;
      await create({ FunctionName: fn, Code: { ZipFile: zipOf(TRIVIAL_HANDLER) }, Timeout: 30 });
      // Reserved = c caps the function's environments at c (the floor's maxThreads). The account
      // keeps 100 of its 1,000 unreserved, so reservations may total 900: 1+16+64 fit.
      await call('PutFunctionConcurrency', (c) => c.send(new PutFunctionConcurrencyCommand({ FunctionName: fn, ReservedConcurrentExecutions: concurrency })));
      return {
        async invoke(_w: number, n: number): Promise<number> {
          await invokeSync(fn, n, false);
          return 1;
        },
        burst: () => burst(fn, concurrency),
        async close(): Promise<void> {
          // Ends the function's environments, so the next cells do not share the host with them.
          await remove(fn);
        },
      };
    },
    async coldStart(index: number): Promise<ColdSample> {
      const fn = `cold-${seq++}-${index}`;
      // Different code per function: the code cache is content-addressed, and a fresh function's
      // first invoke should fetch and unpack its own package, as a newly deployed function does.
      await create({ FunctionName: fn, Code: { ZipFile: zipOf(`// ${fn}\n${TRIVIAL_HANDLER}`) } });
      const t0 = performance.now();
      const r = await invokeSync(fn, index, true);
      const latencyMs = performance.now() - t0;
      checkResult(name, decode(r.out.Payload), index);
      if (r.initMs === undefined) throw new Error(`${name}: the first invoke of ${fn} reported no Init Duration`);
      await remove(fn);
      return { latencyMs, initMs: r.initMs };
    },
    async asyncEvents(events: number, concurrency: number): Promise<AsyncResult> {
      const fn = `sink-${seq++}`;
      const sinkFile = join(o.workDir, `${fn}.sink`);
      await create({ FunctionName: fn, Code: { ZipFile: zipOf(SINK_HANDLER) }, Environment: { Variables: { SINK_FILE: sinkFile } }, Timeout: 30 });
      // Warm as many environments as the async invoker will use, so the figure is warm throughput.
      await primeBursts(`${name} async`, () => burst(fn, Math.max(ASYNC_PRIME_MIN, concurrency)), log);
      await waitQuiet(`${name} async`, () => selfCpuMs() + (procCpuMs(child?.pid) ?? 0), log);
      // The first Event invoke creates the async-invoke queue, which the invoker only looks for
      // every 500 ms; one event through the whole path first keeps that out of the figure.
      const first = await call('Invoke', (c) => c.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: enc({ n: -1000 }) })));
      if (first.StatusCode !== 202) throw new Error(`${name}: Event invoke answered ${first.StatusCode}`);
      await waitForSink(sinkFile, -1000, 30_000, `${name} async warm-up`);
      const r = await runAsyncEvents({
        events,
        concurrency,
        sinkFile,
        acceptOnly: true,
        timeoutMs: 120_000,
        what: `${name} async`,
        send: async (n) => {
          const a = await call('Invoke', (c) => c.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: enc({ n }) })));
          if (a.StatusCode !== 202) throw new Error(`${name}: Event invoke answered ${a.StatusCode}`);
        },
      });
      await remove(fn);
      return r;
    },
    serverCpuMs: () => procCpuMs(child?.pid),
    serverMainThreadCpuMs: () => procCpuMs(child?.pid, child?.pid),
    async teardown(): Promise<void> {
      client?.destroy();
      client = undefined;
      if (child && child.exitCode === null && child.signalCode === null) {
        const c = child;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        // SIGTERM: a clean stop, which is also when the CPU profile (if asked for) is written.
        killPid(c.pid, 'SIGTERM');
        if (!(await Promise.race([exited.then(() => true), sleep(o.profileDir !== undefined ? 60_000 : 10_000).then(() => false)]))) killPid(c.pid);
      }
      child = undefined;
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      unregister?.();
      unregister = undefined;
    },
  };
}
