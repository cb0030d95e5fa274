// Stratus as a Step Functions target, driven as users drive AWS: the AWS SDK v3 SFN client
// against the gateway of a local 3-node cluster (`stratus cluster up --nodes 3`: 3 storage
// processes + a gateway process, which runs the scheduler that executes workflows).
//
// Per workload, two state machines: STANDARD (every step committed through Raft on the
// machine's workflow group, 3 replicas, before it takes effect) and EXPRESS (run in memory by
// the scheduler, nothing stored per step).
//   standard single(): StartExecution (acked once the execution is durably created), then
//                      DescribeExecution every describePollMs until it is not RUNNING
//   standard loaded(): StartExecution, then wait for a shared poller that lists the machine's
//                      RUNNING executions (ListExecutions, statusFilter RUNNING, paged) every
//                      listPollMs: one request per interval however many executions are open,
//                      where describing each would cost one request per open execution
//   express:           StartSyncExecution (answers once the execution finished, with its output)
//
// Credentials: the fixed root key pair of bench/targets/queue-stratus.ts, in the environment of
// `stratus cluster up`, which the SDK signs with.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { assertPortsFree, run, sleep, tail } from '../lib/proc.js';
import type { Mode, WorkflowRunner, WorkflowTarget, WorkflowTargetOptions } from '../lib/workflow-target.js';
import type { Workload } from '../lib/workflow-workloads.js';
import { BENCH_ACCESS_KEY_ID, BENCH_SECRET_ACCESS_KEY, describeError, waitHealthy } from './queue-stratus.js';

const STRATUS_BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));
const REGION = 'us-east-1';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/bench-workflows';
// A Standard execution still RUNNING this long after its start fails the phase instead of hanging it.
const EXECUTION_TIMEOUT_MS = 120_000;

/** The pids `stratus cluster up` records in DIR/cluster.json (its documented output). */
function clusterPids(dir: string): number[] {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return [];
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { processes?: { pid?: unknown }[] };
  return (rec.processes ?? []).map((p) => p.pid).filter((p): p is number => typeof p === 'number');
}

const parseOutput = (what: string, text: string | undefined): unknown => {
  if (text === undefined) throw new Error(`${what}: SUCCEEDED without an output`);
  return JSON.parse(text) as unknown;
};
const spanMs = (start: Date | undefined, stop: Date | undefined): number | undefined => (start && stop ? stop.getTime() - start.getTime() : undefined);

/**
 * Resolves waiters once their execution is no longer in the machine's RUNNING list. The list is a
 * linearizable read, so an execution whose StartExecution was acknowledged before a list request
 * was sent is in that list if it is still running: only such waiters are resolved from it.
 */
class RunningPoller {
  private readonly waiters = new Map<string, { ackedAt: number; resolve: () => void; reject: (err: Error) => void }>();
  private polling = false;

  constructor(
    private readonly listRunning: () => Promise<Set<string>>,
    private readonly intervalMs: number,
  ) {}

  wait(executionArn: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.set(executionArn, { ackedAt: performance.now(), resolve, reject });
      if (!this.polling) void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        const sentAt = performance.now();
        let running: Set<string>;
        try {
          running = await this.listRunning();
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          for (const w of this.waiters.values()) w.reject(e);
          this.waiters.clear();
          return;
        }
        for (const [arn, w] of this.waiters) {
          if (w.ackedAt < sentAt && !running.has(arn)) {
            this.waiters.delete(arn);
            w.resolve();
          } else if (sentAt - w.ackedAt > EXECUTION_TIMEOUT_MS) {
            this.waiters.delete(arn);
            w.reject(new Error(`execution ${arn} still RUNNING ${EXECUTION_TIMEOUT_MS} ms after its start`));
          }
        }
        if (this.waiters.size > 0) await sleep(this.intervalMs);
      }
    } finally {
      this.polling = false;
    }
  }
}

export function stratusWorkflowTarget(options: WorkflowTargetOptions): WorkflowTarget {
  const name = 'stratus';
  let dir: string | undefined;
  let pids: number[] = [];
  let unregister: (() => void) | undefined;
  let sfn: SFNClient | undefined;
  let endpoint = '';
  const arns = new Map<string, string>();

  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    STRATUS_ROOT_ACCESS_KEY_ID: BENCH_ACCESS_KEY_ID,
    STRATUS_ROOT_SECRET_ACCESS_KEY: BENCH_SECRET_ACCESS_KEY,
    ...(options.profileDir !== undefined ? { STRATUS_CPU_PROFILE: options.profileDir } : {}),
  });
  /** Every call goes through here, so a failing API is reported with the call and the answer. */
  const call = async <T>(what: string, f: (c: SFNClient) => Promise<T>): Promise<T> => {
    if (!sfn) throw new Error(`${name}: SFN ${what} before setup`);
    try {
      return await f(sfn);
    } catch (err) {
      throw new Error(`${name}: SFN ${what} on ${endpoint} failed: ${describeError(err)}`, { cause: err });
    }
  };
  const machineArn = (w: Workload, type: 'STANDARD' | 'EXPRESS'): string => {
    const arn = arns.get(`${w.name}/${type}`);
    if (!arn) throw new Error(`${name}: workload ${w.name} (${type}) used before setup`);
    return arn;
  };

  const standardRunner = (w: Workload): WorkflowRunner => {
    const stateMachineArn = machineArn(w, 'STANDARD');
    const input = JSON.stringify(w.input);
    const start = async (): Promise<string> => {
      const s = await call('StartExecution', (c) => c.send(new StartExecutionCommand({ stateMachineArn, input })));
      if (!s.executionArn) throw new Error(`${name}: StartExecution answered without an executionArn`);
      return s.executionArn;
    };
    const listing = async (statusFilter: ExecutionStatus, maxPages: number): Promise<string[]> => {
      const out: string[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const r = await call(`ListExecutions(${statusFilter})`, (c) => c.send(new ListExecutionsCommand({ stateMachineArn, statusFilter, maxResults: 1000, ...(nextToken ? { nextToken } : {}) })));
        for (const e of r.executions ?? []) if (e.executionArn) out.push(e.executionArn);
        nextToken = r.nextToken;
        if (!nextToken) break;
      }
      return out;
    };
    const poller = new RunningPoller(async () => new Set(await listing('RUNNING', Number.MAX_SAFE_INTEGER)), options.listPollMs);
    return {
      async single() {
        const executionArn = await start();
        const t0 = performance.now();
        for (;;) {
          const d = await call('DescribeExecution', (c) => c.send(new DescribeExecutionCommand({ executionArn })));
          if (d.status === 'SUCCEEDED') {
            w.check(parseOutput(`${name} ${w.name}`, d.output));
            const serverMs = spanMs(d.startDate, d.stopDate);
            return serverMs === undefined ? {} : { serverMs };
          }
          if (d.status !== 'RUNNING') throw new Error(`${name}: ${w.name} execution ${executionArn} ended ${d.status}: ${d.error ?? ''} ${d.cause ?? ''}`);
          if (performance.now() - t0 > EXECUTION_TIMEOUT_MS) throw new Error(`${name}: ${w.name} execution ${executionArn} still RUNNING after ${EXECUTION_TIMEOUT_MS} ms`);
          await sleep(options.describePollMs);
        }
      },
      async loaded() {
        await poller.wait(await start());
      },
      async settle() {
        // loaded() only knows an execution left RUNNING; here every other end is looked for.
        for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const) {
          const bad = await listing(status, 1);
          if (bad.length > 0) throw new Error(`${name}: ${w.name}: ${bad.length}+ execution(s) ${status}, e.g. ${bad[0]}`);
        }
      },
      async countTransitions() {
        const executionArn = await start();
        await poller.wait(executionArn);
        let entered = 0;
        let nextToken: string | undefined;
        do {
          const h = await call('GetExecutionHistory', (c) => c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) })));
          for (const e of h.events ?? []) if (e.type?.endsWith('StateEntered')) entered++;
          nextToken = h.nextToken;
        } while (nextToken);
        return entered;
      },
    };
  };

  const expressRunner = (w: Workload): WorkflowRunner => {
    const stateMachineArn = machineArn(w, 'EXPRESS');
    const input = JSON.stringify(w.input);
    const execute = async (): Promise<number | undefined> => {
      const r = await call('StartSyncExecution', (c) => c.send(new StartSyncExecutionCommand({ stateMachineArn, input })));
      if (r.status !== 'SUCCEEDED') throw new Error(`${name}: ${w.name} express execution ended ${r.status}: ${r.error ?? ''} ${r.cause ?? ''}`);
      w.check(parseOutput(`${name} ${w.name}`, r.output));
      return spanMs(r.startDate, r.stopDate);
    };
    return {
      async single() {
        const serverMs = await execute();
        return serverMs === undefined ? {} : { serverMs };
      },
      async loaded() {
        await execute();
      },
      async settle() {
        // StartSyncExecution reports each execution's end itself.
      },
      async countTransitions() {
        // Express executions keep no history (AWS: only CloudWatch logs).
        return undefined;
      },
    };
  };

  return {
    name,
    describe:
      'Stratus 3-node cluster (`stratus cluster up`, 3 replicas, fsync per commit) via its gateway process, which runs the workflow scheduler; AWS SDK v3 SFN client. ' +
      'standard: STANDARD machines, every step committed through Raft before it takes effect; express: EXPRESS machines, run in the scheduler\'s memory (StartSyncExecution)',
    modes: ['standard', 'express'],
    async setup(workloads: readonly Workload[]): Promise<void> {
      dir = mkdtempSync(join(options.dataRoot, 'bench-stratus-workflows-'));
      const d = dir;
      const base = 46000 + Math.floor(Math.random() * 400) * 8;
      const grpcPort = base + 5;
      const httpPort = base + 6;
      await assertPortsFree(name, [base, base + 1, base + 2, grpcPort, httpPort]);
      // Registered before `cluster up` runs, so an interrupted start-up is still cleaned up.
      unregister = onCleanup(() => {
        for (const pid of clusterPids(d)) killPid(pid);
        rmSync(d, { recursive: true, force: true });
      });
      const r = await run(process.execPath, [STRATUS_BIN, 'cluster', 'up', '--nodes', '3', '--dir', d, '--base-port', String(base), '--grpc-port', String(grpcPort), '--http-port', String(httpPort)], env());
      pids = clusterPids(d);
      if (r.code !== 0) {
        // teardown() removes the directory, and with it the logs `cluster up` points at: keep their tails.
        const logs = readdirSync(d).filter((f) => f.endsWith('.log')).map((f) => `--- ${f}:\n${tail(join(d, f), 1500)}`);
        throw new Error(`${name}: stratus cluster up failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-3000)}\n${logs.join('\n')}`);
      }
      await waitHealthy(`http://127.0.0.1:${httpPort}/health`, 30_000, () => undefined);
      endpoint = `http://127.0.0.1:${httpPort}`;
      sfn = new SFNClient({
        endpoint,
        region: REGION,
        credentials: { accessKeyId: BENCH_ACCESS_KEY_ID, secretAccessKey: BENCH_SECRET_ACCESS_KEY },
        // StartSyncExecution's model has the host prefix "sync-": the gateway answers on one host.
        disableHostPrefix: true,
        // A throttled or failed call fails the phase (and is reported) rather than being retried unseen.
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({
          httpAgent: new Agent({ keepAlive: true, maxSockets: options.maxConcurrency * 2 + 16 }),
          connectionTimeout: 5000,
          requestTimeout: EXECUTION_TIMEOUT_MS,
        }),
      });
      for (const w of workloads) {
        for (const type of ['STANDARD', 'EXPRESS'] as const) {
          const m = await call('CreateStateMachine', (c) =>
            c.send(new CreateStateMachineCommand({ name: `bench-${w.name}-${type.toLowerCase()}`, type, definition: JSON.stringify(w.definition), roleArn: ROLE_ARN })),
          );
          if (!m.stateMachineArn) throw new Error(`${name}: CreateStateMachine answered without a stateMachineArn`);
          arns.set(`${w.name}/${type}`, m.stateMachineArn);
        }
      }
    },
    runner(w: Workload, mode: Mode): WorkflowRunner {
      if (mode === 'standard') return standardRunner(w);
      if (mode === 'express') return expressRunner(w);
      throw new Error(`${name}: no ${mode} mode`);
    },
    async teardown(): Promise<void> {
      sfn?.destroy();
      sfn = undefined;
      if (dir && existsSync(join(dir, 'cluster.json'))) await run(process.execPath, [STRATUS_BIN, 'cluster', 'down', '--dir', dir], env()).catch(() => undefined);
      for (const p of dir ? [...pids, ...clusterPids(dir)] : pids) killPid(p);
      pids = [];
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      unregister?.();
      unregister = undefined;
    },
  };
}
