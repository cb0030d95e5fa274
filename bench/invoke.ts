// bench/invoke: what running a Lambda handler on Stratus costs, side by side with the floor of its
// design (the same handler in a bare piscina pool, no HTTP/SDK/scheduler) and with lambda-local
// (the npm package most people use to run handlers locally; it runs them in the caller's process).
//
// Phases, per run (each run starts every target fresh, then runs 10 s of traffic through it so
// V8 has optimised the server's and the SDK's code; targets alternate within every cell and who
// goes first rotates per run; figures are medians over runs):
//   warm   trivial handler, c closed-loop callers, 1 s warmup + 5 s window per cell, after priming
//          until every environment is up and the CPU is idle again; invokes/s, p50/p99 latency,
//          CPU per invoke (client and server), and what other processes used meanwhile
//   cold   the first invoke of a freshly created function (fresh pool, fresh module), ~10 per run
//   async  N Event invokes sent by c closed-loop senders, each recorded by the handler in a sink
//          file; 202s per second, completions per second from first send to last completion
//
//   npx tsx bench/invoke.ts [--targets stratus-embedded,piscina-floor,lambda-local] [--runs 3]
//                           [--duration-ms 5000] [--warmup-ms 1000] [--concurrency 1,16,64]
//                           [--cold 10] [--async-events 500] [--async-concurrency 16]
//                           [--phases warm,cold,async] [--data-dir /tmp] [--json FILE]
//                           [--profile DIR]                 (STRATUS_CPU_PROFILE for the Stratus server)
//                           [--floor-atomics sync]          (piscina's atomics for the floor: sync|async|disabled)
//                           [--lambda-local-mode esm]       (esm: import once; cjs: re-required per call)
//                           [--jit-warmup-ms 10000]         (traffic per target before anything is measured)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';
import { onCleanup } from './lib/cleanup.js';
import { type AsyncResult, type ColdSample, type InvokeTarget, type InvokeTargetFactory, primeBursts, selfCpuMs, waitQuiet } from './lib/invoke-target.js';
import { type Cell, fmt, formatTable, type LoadResult, median, runLoad } from './lib/load.js';
import { floorTarget } from './targets/invoke-floor.js';
import { LAMBDA_LOCAL_VERSION, lambdaLocalTarget } from './targets/invoke-lambda-local.js';
import { stratusInvokeTarget } from './targets/invoke-stratus.js';

// Before anything runs lambda-local, which writes into process.env: children and worker threads
// get the environment the bench was started with.
const BASE_ENV: NodeJS.ProcessEnv = { ...process.env };

const STRATUS = 'stratus-embedded';
const FLOOR = 'piscina-floor';
const LOCAL = 'lambda-local';
const TARGET_NAMES = [STRATUS, FLOOR, LOCAL] as const;
type TargetName = (typeof TARGET_NAMES)[number];
const isTargetName = (s: string): s is TargetName => (TARGET_NAMES as readonly string[]).includes(s);
const PHASES = ['warm', 'cold', 'async'] as const;
type Phase = (typeof PHASES)[number];
const isPhase = (s: string): s is Phase => (PHASES as readonly string[]).includes(s);
// An op that does not finish in this long fails the run instead of hanging it.
const OP_TIMEOUT_MS = 30_000;

function fail(message: string): never {
  process.stderr.write(`bench/invoke: ${message}\n`);
  process.exit(2);
}

function posInt(flag: string, value: string, min = 1): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < min) fail(`${flag} must be an integer >= ${min}, got "${value}"`);
  return x;
}

function list<T extends string>(flag: string, value: string, ok: (s: string) => s is T): T[] {
  const xs = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = xs.find((s) => !ok(s));
  if (bad !== undefined || xs.length === 0) fail(`${flag}: bad or empty list "${value}"`);
  return xs.filter(ok);
}

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: TARGET_NAMES.join(',') },
    runs: { type: 'string', default: '3' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '1,16,64' },
    cold: { type: 'string', default: '10' },
    'async-events': { type: 'string', default: '500' },
    'async-concurrency': { type: 'string', default: '16' },
    phases: { type: 'string', default: PHASES.join(',') },
    'data-dir': { type: 'string', default: tmpdir() },
    json: { type: 'string' },
    profile: { type: 'string' },
    'floor-atomics': { type: 'string', default: 'sync' },
    'lambda-local-mode': { type: 'string', default: 'esm' },
    'jit-warmup-ms': { type: 'string', default: '10000' },
  },
});

const targetNames = list('--targets', values.targets, isTargetName);
const phases = new Set(list('--phases', values.phases, isPhase));
const runs = posInt('--runs', values.runs);
const durationMs = posInt('--duration-ms', values['duration-ms']);
const warmupMs = posInt('--warmup-ms', values['warmup-ms'], 0);
const concurrencies = values.concurrency.split(',').filter((s) => s.trim() !== '').map((s) => posInt('--concurrency', s.trim()));
if (concurrencies.length === 0) fail('--concurrency: name at least one level');
const coldSamples = posInt('--cold', values.cold);
const asyncEvents = posInt('--async-events', values['async-events']);
const asyncConcurrency = posInt('--async-concurrency', values['async-concurrency']);
const dataRoot = resolve(values['data-dir']);
const profileDir = values.profile !== undefined ? resolve(values.profile) : undefined;
const atomics = values['floor-atomics'];
if (atomics !== 'sync' && atomics !== 'async' && atomics !== 'disabled') fail(`--floor-atomics: sync, async or disabled, got "${atomics}"`);
const llMode = values['lambda-local-mode'];
if (llMode !== 'esm' && llMode !== 'cjs') fail(`--lambda-local-mode: esm or cjs, got "${llMode}"`);
const jitWarmupMs = posInt('--jit-warmup-ms', values['jit-warmup-ms'], 0);
/** Callers of the JIT warm-up: some concurrency, so the code paths of concurrent invokes get optimised too. */
const JIT_WARMUP_CONCURRENCY = 8;
const maxConcurrency = Math.max(...concurrencies, asyncConcurrency, JIT_WARMUP_CONCURRENCY);

const FACTORIES: Record<TargetName, InvokeTargetFactory> = {
  [STRATUS]: (o) => stratusInvokeTarget({ ...o, profileDir }),
  [FLOOR]: (o) => floorTarget({ ...o, atomics }),
  [LOCAL]: (o) => lambdaLocalTarget({ ...o, mode: llMode }),
};

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
/** CPU ms the whole machine spent busy so far (all cores; /proc/stat counts USER_HZ = 100 ticks/s). */
function machineBusyMs(): number | undefined {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    // idle and iowait are the not-busy columns (4th and 5th).
    return ((total - (f[3] ?? 0) - (f[4] ?? 0)) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Runs `f` and says how much CPU the rest of the machine (not the bench, not the target's processes) used meanwhile, % of one core. */
async function withOtherCpu<T>(target: InvokeTarget, f: () => Promise<T>): Promise<{ value: T; otherCpuPct: number | undefined }> {
  const m0 = machineBusyMs();
  const b0 = selfCpuMs();
  const s0 = target.serverCpuMs() ?? 0;
  const w0 = performance.now();
  const value = await f();
  const m1 = machineBusyMs();
  const ours = selfCpuMs() - b0 + ((target.serverCpuMs() ?? s0) - s0);
  const otherCpuPct = m0 !== undefined && m1 !== undefined ? Math.max(0, ((m1 - m0 - ours) / (performance.now() - w0)) * 100) : undefined;
  return { value, otherCpuPct };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function pkgVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

interface WarmMeasured {
  result: LoadResult;
  /** The bench process's CPU (client, or floor threads, or lambda-local) over warmup + window, % of one core. */
  benchCpuPct: number;
  /** The target's own processes' CPU over the same time, % of one core (undefined: none). */
  serverCpuPct: number | undefined;
  /** Bench CPU per invoke completed during warmup + window. */
  benchMsPerInvoke: number;
  /** Server CPU per invoke, likewise (undefined: no server process). */
  serverMsPerInvoke: number | undefined;
  /** Of that, the server's main thread. */
  serverMainMsPerInvoke: number | undefined;
  /**
   * CPU the rest of the machine used meanwhile (other processes on this shared host), % of one
   * core; what it takes from the 2 cores is not available to the target.
   */
  otherCpuPct: number | undefined;
}

type AsyncMeasured = AsyncResult & { otherCpuPct: number | undefined };

async function main(): Promise<void> {
  const warm = new Map<string, WarmMeasured[]>();
  const cold = new Map<TargetName, ColdSample[][]>();
  const async = new Map<TargetName, AsyncMeasured[]>();
  const descriptions = new Map<TargetName, string>();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    m.set(k, [...(m.get(k) ?? []), v]);
  };
  const warmKey = (c: number, t: string): string => `${c}/${t}`;
  const cellSeconds = (warmupMs + durationMs) / 1000;
  const fixedSeconds = runs * targetNames.length * (concurrencies.length * cellSeconds + jitWarmupMs / 1000);
  log(
    `bench/invoke: ${runs} run(s) x ${targetNames.length} target(s): ${Math.ceil(fixedSeconds / 60)} min of JIT warm-up and measurement windows, ` +
      'plus start-up, priming (64 Stratus environments take 10-30 s to start on 2 cores), cold starts and async events; about 8 min in all by default',
  );

  for (let run = 1; run <= runs; run++) {
    const shift = (run - 1) % targetNames.length;
    const order = [...targetNames.slice(shift), ...targetNames.slice(0, shift)];
    const workDir = mkdtempSync(join(dataRoot, 'bench-invoke-'));
    const unregister = onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
    const targets: [TargetName, InvokeTarget][] = [];
    try {
      for (const name of order) {
        const target = FACTORIES[name]({ workDir, env: BASE_ENV, maxConcurrency });
        targets.push([name, target]);
        descriptions.set(name, target.describe);
        const t0 = Date.now();
        try {
          await target.setup();
        } catch (err) {
          throw new Error(`${name}: setup failed: ${errorText(err)}`, { cause: err });
        }
        log(`run ${run}/${runs}: ${name} up and answering in ${Date.now() - t0} ms`);
        if (jitWarmupMs > 0) {
          // A fresh server and a fresh SDK client run unoptimised code for thousands of invokes:
          // Stratus's c=1 figure rose from ~470 to ~870 invokes/s over its first ~15 s of traffic
          // (CPU per invoke halved on both sides). Without this, whichever cell comes first pays it.
          const cell = await target.warmCell(JIT_WARMUP_CONCURRENCY);
          try {
            await primeBursts(`${name} JIT warm-up`, () => withTimeout(cell.burst(), `${name} burst`), log);
            const r = await runLoad({ concurrency: JIT_WARMUP_CONCURRENCY, durationMs: jitWarmupMs, warmupMs: 0, op: (w, i) => withTimeout(cell.invoke(w, i), `${name} invoke`) });
            log(`run ${run}/${runs}: ${name} JIT warm-up: ${r.ops} invokes in ${jitWarmupMs} ms`);
          } finally {
            await cell.close();
          }
        }
      }

      if (phases.has('warm')) {
        for (const c of concurrencies) {
          for (const [name, target] of targets) {
            const label = `run ${run}/${runs}: ${name.padEnd(16)} c=${String(c).padEnd(3)}`;
            const cell = await target.warmCell(c);
            try {
              const t0 = Date.now();
              const p = await primeBursts(label, () => withTimeout(cell.burst(), `${name} burst`), log);
              const primeMs = Date.now() - t0;
              const quietMs = await waitQuiet(label, () => selfCpuMs() + (target.serverCpuMs() ?? 0), log);
              let total = 0;
              const cpu0 = process.cpuUsage();
              const wall0 = performance.now();
              const server0 = target.serverCpuMs();
              const main0 = target.serverMainThreadCpuMs?.();
              const machine0 = machineBusyMs();
              const result = await runLoad({
                concurrency: c,
                durationMs,
                warmupMs,
                op: async (w, i) => {
                  const k = await withTimeout(cell.invoke(w, i), `${name} invoke`);
                  total++;
                  return k;
                },
              });
              const wall = performance.now() - wall0;
              const cpu = process.cpuUsage(cpu0);
              const benchMs = (cpu.user + cpu.system) / 1000;
              const server1 = target.serverCpuMs();
              const main1 = target.serverMainThreadCpuMs?.();
              const machine1 = machineBusyMs();
              const serverMs = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
              const otherMs = machine0 !== undefined && machine1 !== undefined ? machine1 - machine0 - benchMs - (serverMs ?? 0) : undefined;
              const m: WarmMeasured = {
                result,
                benchCpuPct: (benchMs / wall) * 100,
                serverCpuPct: serverMs !== undefined ? (serverMs / wall) * 100 : undefined,
                benchMsPerInvoke: benchMs / total,
                serverMsPerInvoke: serverMs !== undefined ? serverMs / total : undefined,
                serverMainMsPerInvoke: main0 !== undefined && main1 !== undefined ? (main1 - main0) / total : undefined,
                // Tick rounding can make it slightly negative on an idle host.
                otherCpuPct: otherMs !== undefined ? Math.max(0, (otherMs / wall) * 100) : undefined,
              };
              push(warm, warmKey(c, name), m);
              log(
                `${label} ${fmt(result.opsPerSec)} invokes/s, p50 ${fmt(result.p50Ms)} ms, p99 ${fmt(result.p99Ms)} ms; CPU bench ${Math.round(m.benchCpuPct)}%` +
                  `${m.serverCpuPct !== undefined ? ` server ${Math.round(m.serverCpuPct)}%` : ''}${m.otherCpuPct !== undefined ? ` other ${Math.round(m.otherCpuPct)}%` : ''}, CPU ms/invoke bench ${fmt(m.benchMsPerInvoke)}${m.serverMsPerInvoke !== undefined ? ` server ${fmt(m.serverMsPerInvoke)} (main thread ${fmt(m.serverMainMsPerInvoke ?? Number.NaN)})` : ''} (primed: ${p.bursts} bursts, ${p.cold} cold starts, ${primeMs} ms, then ${quietMs} ms until idle)`,
              );
            } finally {
              await cell.close();
              // Environments shutting down (64 threads for Stratus) would otherwise run into the next target's cell.
              await waitQuiet(`${label} close`, () => selfCpuMs() + (target.serverCpuMs() ?? 0), log);
            }
          }
        }
      }

      if (phases.has('cold')) {
        const samples = new Map<TargetName, ColdSample[]>();
        // Interleaved, one sample per target in turn, so drift hits every target alike.
        for (let i = 0; i < coldSamples; i++) {
          for (const [name, target] of targets) {
            const s = await withTimeout(target.coldStart(i), `${name} cold start`);
            samples.set(name, [...(samples.get(name) ?? []), s]);
          }
        }
        for (const [name, s] of samples) {
          push(cold, name, s);
          const inits = s.map((x) => x.initMs).filter((x): x is number => x !== undefined);
          log(`run ${run}/${runs}: ${name.padEnd(16)} cold start: median ${fmt(median(s.map((x) => x.latencyMs)))} ms over ${s.length}${inits.length ? `, Init Duration median ${fmt(median(inits))} ms` : ''}`);
        }
      }

      if (phases.has('async')) {
        for (const [name, target] of targets) {
          if (!target.asyncEvents) continue;
          const asyncEventsOf = target.asyncEvents.bind(target);
          const { value: r, otherCpuPct } = await withOtherCpu(target, () => asyncEventsOf(asyncEvents, asyncConcurrency));
          push(async, name, { ...r, otherCpuPct });
          log(
            `run ${run}/${runs}: ${name.padEnd(16)} async: ${r.enqueuePerSec !== undefined ? `${fmt(r.enqueuePerSec)} accepted/s, ` : ''}` +
              `${fmt(r.endToEndPerSec)} completed/s end to end, event latency p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms; ${r.environments} environments ran them (${r.newEnvironments} started meanwhile); other CPU ${fmt(otherCpuPct ?? Number.NaN)}%`,
          );
        }
      }
    } finally {
      for (const [name, target] of [...targets].reverse()) {
        try {
          await target.teardown();
        } catch (err) {
          log(`bench/invoke: teardown of ${name} failed: ${errorText(err)}`);
        }
      }
      rmSync(workDir, { recursive: true, force: true });
      unregister();
    }
  }

  process.stdout.write(`${report(warm, cold, async, descriptions)}\n`);
  if (values.json) {
    const obj = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, runs, durationMs, warmupMs, warm: Object.fromEntries(warm), cold: Object.fromEntries(cold), async: Object.fromEntries(async) };
    writeFileSync(values.json, `${JSON.stringify(obj, null, 2)}\n`);
  }
}

const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${fmt(a / b)}×` : '—');

function report(warm: Map<string, WarmMeasured[]>, cold: Map<TargetName, ColdSample[][]>, async: Map<TargetName, AsyncMeasured[]>, descriptions: Map<TargetName, string>): string {
  const out: string[] = [
    `## bench/invoke — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}); @aws-sdk/client-lambda ${pkgVersion('@aws-sdk/client-lambda')}, piscina ${Piscina.version}, lambda-local ${LAMBDA_LOCAL_VERSION}. ` +
      `Everything on this host (the SDK client shares the CPUs with the server). Medians of ${runs} run(s).`,
    '',
  ];

  if (phases.has('warm')) {
    const med = (c: number, t: string, pick: (m: WarmMeasured) => number | undefined): number =>
      median((warm.get(`${c}/${t}`) ?? []).map(pick).filter((x): x is number => x !== undefined));
    const range = (c: number, t: string): string => {
      const xs = (warm.get(`${c}/${t}`) ?? []).map((m) => m.result.opsPerSec);
      return xs.length > 1 ? `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}` : '';
    };
    const rows: Cell[][] = [['c', 'target', 'invokes/s', 'runs min–max', 'p50 ms', 'p99 ms', 'bench CPU ms/invoke', 'server CPU ms/invoke', 'of which main thread', 'other CPU %']];
    for (const c of concurrencies) {
      for (const t of targetNames) {
        rows.push([c, t, fmt(med(c, t, (m) => m.result.opsPerSec)), range(c, t), fmt(med(c, t, (m) => m.result.p50Ms)), fmt(med(c, t, (m) => m.result.p99Ms)), fmt(med(c, t, (m) => m.benchMsPerInvoke)), fmt(med(c, t, (m) => m.serverMsPerInvoke)), fmt(med(c, t, (m) => m.serverMainMsPerInvoke)), fmt(med(c, t, (m) => m.otherCpuPct))]);
      }
    }
    out.push(`### Warm sync invoke (trivial handler; ${durationMs} ms window after ${warmupMs} ms warmup, closed loop)`, '', formatTable(rows), '');
    out.push(
      'CPU per invoke completed during warmup + window. bench: the bench process (the SDK client for Stratus; pool threads and handler for the floor; ' +
        'everything for lambda-local). server: the Stratus process, all threads; main thread: its event loop, where HTTP, SigV4, the Lambda API, ' +
        "the scheduler and the pool's dispatch run (the rest is mostly the environments' threads and GC). other: what the rest of this shared machine used meanwhile, " +
        '% of one core out of the 200% the two cores give (not available to the target).',
      '',
    );
    if (targetNames.includes(STRATUS)) {
      const r: Cell[][] = [['c', 'Stratus/floor invokes/s', 'Stratus/floor p50', 'Stratus p50 − floor p50 ms', 'Stratus/lambda-local invokes/s', 'Stratus/lambda-local p50']];
      for (const c of concurrencies) {
        const s = (p: (m: WarmMeasured) => number): number => med(c, STRATUS, p);
        const f = (p: (m: WarmMeasured) => number): number => med(c, FLOOR, p);
        const l = (p: (m: WarmMeasured) => number): number => med(c, LOCAL, p);
        const tput = (m: WarmMeasured): number => m.result.opsPerSec;
        const p50 = (m: WarmMeasured): number => m.result.p50Ms;
        r.push([c, ratio(s(tput), f(tput)), ratio(s(p50), f(p50)), fmt(s(p50) - f(p50)), ratio(s(tput), l(tput)), ratio(s(p50), l(p50))]);
      }
      out.push('Ratios (medians of the figures above; invokes/s < 1× and p50 > 1× mean Stratus is slower):', '', formatTable(r), '');
    }
  }

  if (phases.has('cold')) {
    const rows: Cell[][] = [['target', 'first invoke p50 ms', 'min ms', 'max ms', 'Init Duration p50 ms', 'rest (latency − init) p50 ms', 'samples']];
    for (const t of targetNames) {
      const perRun = cold.get(t) ?? [];
      const all = perRun.flat();
      if (all.length === 0) continue;
      const lat = all.map((s) => s.latencyMs);
      const withInit = all.filter((s): s is ColdSample & { initMs: number } => s.initMs !== undefined);
      const runMed = (pick: (s: ColdSample) => number | undefined): number => median(perRun.map((r) => median(r.map(pick).filter((x): x is number => x !== undefined))));
      rows.push([
        t,
        fmt(runMed((s) => s.latencyMs)),
        fmt(Math.min(...lat)),
        fmt(Math.max(...lat)),
        withInit.length ? fmt(runMed((s) => s.initMs)) : '—',
        withInit.length ? fmt(runMed((s) => (s.initMs !== undefined ? s.latencyMs - s.initMs : undefined))) : '—',
        all.length,
      ]);
    }
    out.push(
      `### Cold start (${coldSamples} per run: a new function for Stratus, a new pool for the floor, a new module file for lambda-local)`,
      '',
      formatTable(rows),
      '',
      'p50: median of the per-run medians; min/max over all samples. Init Duration: from the REPORT line (LogType Tail); it covers loading the handler module only.',
      '',
    );
  }

  if (phases.has('async') && async.size > 0) {
    const rows: Cell[][] = [['target', 'events', 'accepted/s (202)', 'completed/s end to end', 'event latency p50 ms', 'p99 ms', 'environments (cold)', 'other CPU %', 'Stratus/floor end to end']];
    const m = (t: TargetName, pick: (r: AsyncMeasured) => number | undefined): number => median((async.get(t) ?? []).map(pick).filter((x): x is number => x !== undefined));
    for (const t of targetNames) {
      if (!async.has(t)) continue;
      rows.push([
        t,
        asyncEvents,
        fmt(m(t, (r) => r.enqueuePerSec)),
        fmt(m(t, (r) => r.endToEndPerSec)),
        fmt(m(t, (r) => r.p50Ms)),
        fmt(m(t, (r) => r.p99Ms)),
        `${fmt(m(t, (r) => r.environments))} (${fmt(m(t, (r) => r.newEnvironments))})`,
        fmt(m(t, (r) => r.otherCpuPct)),
        t === STRATUS ? ratio(m(STRATUS, (r) => r.endToEndPerSec), m(FLOOR, (r) => r.endToEndPerSec)) : '—',
      ]);
    }
    out.push(
      `### Async invoke (${asyncEvents} events, ${asyncConcurrency} closed-loop senders)`,
      '',
      formatTable(rows),
      '',
      'Stratus: InvocationType Event (202 when queued), run by the async invoker; the floor: the same handler as pool tasks (no queue). ' +
        'End to end: first send to the last completion written by the handler. Event latency: its completion minus the start of its send.',
      '',
    );
  }
  out.push(...targetNames.map((n) => `- ${n}: ${descriptions.get(n) ?? ''}`));
  return out.join('\n');
}

main().catch((err: unknown) => {
  log(`bench/invoke: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
