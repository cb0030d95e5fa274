// The viewer hooks' sandbox: one child process with a small heap runs every CloudFront Functions
// style hook, each compiled once (by code hash) into its own `vm` context with no require,
// process or network. A hook that loops hits the vm timeout; one that eats memory kills the
// sandbox, which is replaced: either way only that request fails, never the gateway. A process
// rather than a worker thread: on Node 20 a worker hitting its resourceLimits heap inside one
// large allocation aborts the whole process (FatalProcessOutOfMemory), gateway included.
// Events cross as JSON text so nothing of the host realm leaks into a hook.
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Wall-clock budget of one hook run. CloudFront's is ~1 ms of CPU, but `vm` can only measure wall
 * time, which a busy shared core stretches many times over: the budget leaves room for that.
 */
export const HOOK_TIMEOUT_MS = Number(process.env.STRATUS_EDGE_HOOK_TIMEOUT_MS ?? 50);
/** The sandbox's old-generation heap (all hooks together). */
export const HOOK_MEMORY_MB = 32;

export class HookRunFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookRunFailed';
  }
}

/** Compiles `code` without running it: the PUT check. Returns the syntax error's text, or undefined. */
export function syntaxErrorOf(code: string): string | undefined {
  try {
    new Script(`${code}\n;typeof handler`, { filename: 'edge-hook.js' });
    return undefined;
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

// Plain CommonJS run by `node -e`: no loader or build step needed.
const WORKER_SOURCE = `
const parentPort = { on: (ev, f) => process.on(ev, f), postMessage: (m) => process.send(m) };
process.on('disconnect', () => process.exit(0));
const vm = require('node:vm');
const contexts = new Map();
const call = new vm.Script('__out = JSON.stringify(handler(JSON.parse(__in)))', { filename: 'edge-hook-call.js' });
function contextOf(hash, code, timeout) {
  let ctx = contexts.get(hash);
  if (ctx) return ctx;
  ctx = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' });
  // The first run of a hook also compiles it, in a sandbox maybe just started: a wider budget.
  new vm.Script(code, { filename: 'edge-hook.js' }).runInContext(ctx, { timeout: timeout * 5 });
  if (vm.runInContext('typeof handler', ctx) !== 'function') throw new Error('the hook does not define function handler(event)');
  if (contexts.size > 500) contexts.clear();
  contexts.set(hash, ctx);
  return ctx;
}
parentPort.on('message', (m) => {
  try {
    const fresh = !contexts.has(m.hash);
    const ctx = contextOf(m.hash, m.code, m.timeout);
    ctx.__in = m.event;
    ctx.__out = undefined;
    call.runInContext(ctx, { timeout: fresh ? m.timeout * 5 : m.timeout });
    parentPort.postMessage({ id: m.id, ok: true, out: ctx.__out });
  } catch (err) {
    const msg = err && typeof err === 'object' && 'message' in err ? String(err.name || 'Error') + ': ' + String(err.message) : String(err);
    parentPort.postMessage({ id: m.id, ok: false, error: msg });
  }
});
`;

interface Job {
  id: number;
  hash: string;
  code: string;
  event: string;
  timeout: number;
}

interface Pending {
  job: Job;
  resolve: (out: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Reply {
  id: number;
  ok: boolean;
  out?: string;
  error?: string;
}

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'number';

export class HookSandbox {
  private worker: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Sandboxes killed by the watchdog, whose culprit job was already answered. */
  private readonly killed = new WeakSet<ChildProcess>();

  constructor(private readonly log: (line: string) => void) {}

  private spawn(): ChildProcess {
    const w = spawn(process.execPath, [`--max-old-space-size=${HOOK_MEMORY_MB}`, '--max-semi-space-size=4', '--stack-size=900', '-e', WORKER_SOURCE], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env: {} });
    // Neither the process nor its channel keeps the gateway alive.
    w.unref();
    w.channel?.unref();
    w.on('message', (m: unknown) => {
      if (!isReply(m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (!m.ok) return p.reject(new HookRunFailed(m.error ?? 'the hook failed'));
      try {
        p.resolve(m.out === undefined ? undefined : JSON.parse(m.out));
      } catch {
        p.reject(new HookRunFailed('the hook returned something that is not JSON'));
      }
    });
    const died = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      if (!this.closed) this.log(`apigw edge hooks: sandbox worker ${why}; starting a new one`);
      // The sandbox runs jobs in order: the oldest pending one killed it; the others queued
      // behind it go to the next sandbox.
      let culprit = !this.killed.has(w);
      for (const [id, p] of [...this.pending].sort((a, b) => a[0] - b[0])) {
        if (!culprit && !this.closed) {
          this.dispatch(p.job);
          continue;
        }
        culprit = false;
        clearTimeout(p.timer);
        p.reject(new HookRunFailed(why.includes('memory') ? 'the hook exceeded its memory limit' : `the hook sandbox stopped (${why})`));
        this.pending.delete(id);
      }
    };
    w.on('error', (err: Error) => died(`failed: ${err.message}`));
    // V8 aborts (SIGABRT, 134) on heap exhaustion.
    w.on('exit', (code, signal) => died(signal === 'SIGABRT' || code === 134 ? 'ran out of memory' : `exited (${code ?? signal})`));
    return w;
  }

  /** Runs the hook `code` on `event`; resolves with what `handler` returned (parsed JSON). */
  run(code: string, event: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new HookRunFailed('the gateway is stopping'));
    const id = this.nextId++;
    const hash = createHash('sha256').update(code).digest('hex');
    return new Promise((resolve, reject) => {
      // The vm timeout covers the hook; this covers a sandbox stuck outside it (GC thrash before the
      // OOM). It also keeps the event loop alive while a run is pending (the process is unref'd).
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new HookRunFailed('the hook sandbox did not answer in time'));
        const w = this.worker;
        if (w) {
          this.killed.add(w);
          w.kill('SIGKILL');
        }
      }, 2000 + HOOK_TIMEOUT_MS * 10);
      const job = { id, hash, code, event: JSON.stringify(event), timeout: HOOK_TIMEOUT_MS };
      this.pending.set(id, { job, resolve, reject, timer });
      this.dispatch(job);
    });
  }

  private dispatch(job: Job): void {
    this.worker ??= this.spawn();
    this.worker.send(job);
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w && w.exitCode === null) {
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.ref();
      w.kill('SIGKILL');
      await exited;
    }
  }
}
