// piscina-floor: the same handler module called directly through a bare piscina pool in the bench
// process: no HTTP, no SDK, no signing, no scheduler, no Lambda context or log capture. What is
// left is the cost of handing a task to a worker thread and back, the floor under Stratus's
// worker-pool design (worker-pool/pool.ts runs every invocation the same way).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { type AsyncResult, type ColdSample, type InvokeTarget, type InvokeTargetOptions, type WarmCell, SINK_HANDLER, TRIVIAL_HANDLER, checkResult, primeBursts, runAsyncEvents, selfCpuMs, waitQuiet } from '../lib/invoke-target.js';

/**
 * The pool's task module. No top-level await (piscina may require() it first); a promise default
 * export is awaited by piscina before the thread counts as ready, so the handler import is part of
 * thread start-up, as Stratus's init phase is part of its environment's start.
 */
const WORKER_SOURCE = `import { workerData } from 'node:worker_threads';
let cold = true;
export default import(workerData.handlerUrl).then((mod) => async (event) => {
  const wasCold = cold;
  cold = false;
  return { result: await mod.handler(event, {}), cold: wasCold };
});
`;

/** As long as Stratus keeps an idle environment (--lambda-idle default 300 s); piscina's default 0 would end idle threads at once. */
const IDLE_TIMEOUT_MS = 300_000;

interface FloorResult {
  result: unknown;
  cold: boolean;
}
type Pool = Piscina<{ n: number }, FloorResult>;

function isFloorResult(v: unknown): v is FloorResult {
  return typeof v === 'object' && v !== null && 'cold' in v && typeof v.cold === 'boolean' && 'result' in v;
}

export interface FloorTargetOptions extends InvokeTargetOptions {
  /** piscina's `atomics` option: 'sync' is its default; Stratus's pool uses 'disabled'. */
  atomics: 'sync' | 'async' | 'disabled';
}

export function floorTarget(o: FloorTargetOptions): InvokeTarget {
  const name = 'piscina-floor';
  const workerFile = join(o.workDir, 'floor-worker.mjs');
  const handlerFile = join(o.workDir, 'floor-handler.mjs');
  const sinkHandlerFile = join(o.workDir, 'floor-sink.mjs');
  const pools = new Set<Pool>();
  let seq = 0;
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };

  const newPool = (maxThreads: number, handler: string, env: NodeJS.ProcessEnv = o.env): Pool => {
    const pool: Pool = new Piscina<{ n: number }, FloorResult>({
      filename: workerFile,
      minThreads: 1,
      maxThreads,
      idleTimeout: IDLE_TIMEOUT_MS,
      atomics: o.atomics,
      workerData: { handlerUrl: pathToFileURL(handler).href },
      env,
    });
    pools.add(pool);
    return pool;
  };
  const dispose = async (pool: Pool): Promise<void> => {
    pools.delete(pool);
    await pool.destroy();
  };
  const run = async (pool: Pool, n: number): Promise<FloorResult> => {
    const r: unknown = await pool.run({ n });
    if (!isFloorResult(r)) throw new Error(`${name}: task returned ${JSON.stringify(r)}`);
    return r;
  };
  const burst = async (pool: Pool, count: number): Promise<number> => {
    const rs = await Promise.all(Array.from({ length: count }, (_, i) => run(pool, -1 - i)));
    rs.forEach((r, i) => checkResult(name, r.result, -1 - i));
    return rs.filter((r) => r.cold).length;
  };

  return {
    name,
    get describe(): string {
      return `the handler module imported by a bare piscina ${Piscina.version} pool in the bench process (maxThreads = c, minThreads 1, atomics '${o.atomics}', idleTimeout 300 s); a task is handler(event, {})`;
    },
    async setup(): Promise<void> {
      writeFileSync(workerFile, WORKER_SOURCE);
      writeFileSync(handlerFile, TRIVIAL_HANDLER);
      writeFileSync(sinkHandlerFile, SINK_HANDLER);
      const pool = newPool(1, handlerFile);
      checkResult(name, (await run(pool, 7)).result, 7);
      await dispose(pool);
    },
    async warmCell(concurrency: number): Promise<WarmCell> {
      const pool = newPool(concurrency, handlerFile);
      return {
        async invoke(_w: number, n: number): Promise<number> {
          const r = await run(pool, n);
          // The cheapest check that the handler ran: a full deep check costs the bench CPU.
          if (typeof r.result !== 'object' || r.result === null) throw new Error(`${name}: handler returned ${JSON.stringify(r.result)}`);
          return 1;
        },
        burst: () => burst(pool, concurrency),
        close: () => dispose(pool),
      };
    },
    async coldStart(index: number): Promise<ColdSample> {
      // A new pool starts its one thread at construction (minThreads 1): thread start, the task
      // module, the handler import and the first task are all inside the figure.
      const t0 = performance.now();
      const pool = newPool(1, handlerFile);
      const r = await run(pool, index);
      const latencyMs = performance.now() - t0;
      checkResult(name, r.result, index);
      if (!r.cold) throw new Error(`${name}: the first task of a fresh pool was not cold`);
      await dispose(pool);
      return { latencyMs, initMs: undefined };
    },
    async asyncEvents(events: number, concurrency: number): Promise<AsyncResult> {
      // The floor of an async event: the same sink handler run as a task by `concurrency`
      // closed-loop callers, no queue in between.
      const sinkFile = join(o.workDir, `floor-sink-${seq++}.sink`);
      const pool = newPool(concurrency, sinkHandlerFile, { ...o.env, SINK_FILE: sinkFile });
      try {
        await primeBursts(`${name} async`, () => burst(pool, concurrency), log);
        await waitQuiet(`${name} async`, selfCpuMs, log);
        return await runAsyncEvents({
          events,
          concurrency,
          sinkFile,
          acceptOnly: false,
          timeoutMs: 60_000,
          what: `${name} async`,
          send: async (n) => {
            await run(pool, n);
          },
        });
      } finally {
        await dispose(pool);
      }
    },
    // Its threads are in the bench process: their CPU shows up as the bench's.
    serverCpuMs: () => undefined,
    async teardown(): Promise<void> {
      await Promise.all([...pools].map((p) => dispose(p)));
    },
  };
}
