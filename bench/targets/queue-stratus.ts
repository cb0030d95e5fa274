// Stratus as a queue under test, driven exactly as users drive SQS: through the AWS SDK v3 SQS
// client (default settings: retries, MD5 checks of bodies) against Stratus's HTTP port.
//
//   embedded: `stratus start` (one process, every role, one replica per group)
//   3node:    `stratus cluster up --nodes 3` (3 storage processes + a gateway process; the SDK
//             talks to the gateway's HTTP port, one more hop than the peers' leader connections)
//
// Credentials: Stratus is started with a fixed root key pair (STRATUS_ROOT_ACCESS_KEY_ID /
// STRATUS_ROOT_SECRET_ACCESS_KEY) that the SDK signs with.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { assertPortsFree, run, sleep, tail } from '../lib/proc.js';
import type { QueueTarget, QueueTargetOptions } from '../lib/queue-target.js';

const STRATUS_BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));
export const BENCH_ACCESS_KEY_ID = 'AKIABENCHBENCHBENCH0';
export const BENCH_SECRET_ACCESS_KEY = 'benchSecretKeyForStratusQueueBench000000';

export interface StratusQueueTargetOptions extends QueueTargetOptions {
  mode: 'embedded' | '3node';
}

/**
 * The pids `stratus cluster up` records in DIR/cluster.json. Read here rather than imported from
 * nodes/cli so the benchmark only depends on the CLI's documented output.
 */
function clusterPids(dir: string): number[] {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return [];
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { processes?: { pid?: unknown }[] };
  return (rec.processes ?? []).map((p) => p.pid).filter((p): p is number => typeof p === 'number');
}

/** "Name (HTTP 404): message", from whatever the SDK threw. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode !== undefined ? ` (HTTP ${meta.httpStatusCode})` : '';
  return `${err.name}${status}: ${err.message}`;
}

export async function waitHealthy(url: string, timeoutMs: number, alive: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(dead);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer from ${url} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

export function stratusQueueTarget(options: StratusQueueTargetOptions): QueueTarget {
  const name = `stratus-${options.mode}`;
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  let pids: number[] = [];
  let unregister: (() => void) | undefined;
  let client: SQSClient | undefined;
  let endpoint = '';
  let queueUrl: string | undefined;

  const env = (): NodeJS.ProcessEnv => ({ ...process.env, STRATUS_ROOT_ACCESS_KEY_ID: BENCH_ACCESS_KEY_ID, STRATUS_ROOT_SECRET_ACCESS_KEY: BENCH_SECRET_ACCESS_KEY });

  /** Every SQS call goes through here, so a failing API is reported with the call and the answer. */
  const call = async <T>(what: string, f: (c: SQSClient) => Promise<T>): Promise<T> => {
    if (!client) throw new Error(`${name}: ${what} before setup`);
    try {
      return await f(client);
    } catch (err) {
      throw new Error(`${name}: SQS ${what} on ${endpoint} failed: ${describeError(err)}`, { cause: err });
    }
  };
  const url = (): string => {
    if (!queueUrl) throw new Error(`${name}: used before createQueue`);
    return queueUrl;
  };

  return {
    name,
    describe:
      options.mode === 'embedded'
        ? 'Stratus embedded (`stratus start`, one process, one replica, fsync per commit), AWS SDK v3 SQS client'
        : 'Stratus 3-node cluster (`stratus cluster up`, 3 replicas, fsync per commit) via its gateway process, AWS SDK v3 SQS client',
    async setup(): Promise<void> {
      dir = mkdtempSync(join(options.dataRoot, `bench-stratus-sqs-${options.mode}-`));
      const d = dir;
      const base = 30000 + Math.floor(Math.random() * 500) * 8;
      const httpPort = base + 6;
      const grpcPort = base + 5;
      await assertPortsFree(name, [base, base + 1, base + 2, grpcPort, httpPort]);
      if (options.mode === 'embedded') {
        const logPath = join(d, 'stratus.log');
        const fd = openSync(logPath, 'a');
        const c = spawn(process.execPath, [STRATUS_BIN, 'start', '--data', join(d, 'data'), '--http-port', String(httpPort), '--grpc-port', String(grpcPort)], { env: env(), stdio: ['ignore', fd, fd] });
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
      } else {
        // Register removal of the dir before `cluster up` runs, so an interrupted start-up is
        // still cleaned up (the pids are only known once cluster.json exists).
        unregister = onCleanup(() => {
          for (const pid of clusterPids(d)) killPid(pid);
          rmSync(d, { recursive: true, force: true });
        });
        const r = await run(process.execPath, [STRATUS_BIN, 'cluster', 'up', '--nodes', '3', '--dir', d, '--base-port', String(base), '--grpc-port', String(grpcPort), '--http-port', String(httpPort)], env());
        if (r.code !== 0) throw new Error(`${name}: stratus cluster up failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-3000)}`);
        pids = clusterPids(d);
        await waitHealthy(`http://127.0.0.1:${httpPort}/health`, 30_000, () => undefined);
      }
      endpoint = `http://127.0.0.1:${httpPort}`;
      client = new SQSClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: BENCH_ACCESS_KEY_ID, secretAccessKey: BENCH_SECRET_ACCESS_KEY },
        requestHandler: new NodeHttpHandler({
          // One keep-alive socket per closed-loop worker (plus slack for the prefill workers).
          httpAgent: new Agent({ keepAlive: true, maxSockets: Math.max(64, options.maxConcurrency * 2) }),
          connectionTimeout: 5000,
          requestTimeout: 30_000,
        }),
      });
    },
    async createQueue(queueName: string): Promise<void> {
      const r = await call('CreateQueue', (c) => c.send(new CreateQueueCommand({ QueueName: queueName })));
      if (!r.QueueUrl) throw new Error(`${name}: SQS CreateQueue on ${endpoint} answered without a QueueUrl`);
      queueUrl = r.QueueUrl;
    },
    async send(_workerIndex: number, bodies: readonly Buffer[]): Promise<number> {
      const QueueUrl = url();
      if (bodies.length === 1) {
        await call('SendMessage', (c) => c.send(new SendMessageCommand({ QueueUrl, MessageBody: (bodies[0] as Buffer).toString('utf8') })));
        return 1;
      }
      const r = await call('SendMessageBatch', (c) =>
        c.send(new SendMessageBatchCommand({ QueueUrl, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b.toString('utf8') })) })),
      );
      if (r.Failed?.length) throw new Error(`${name}: SendMessageBatch: ${r.Failed.length} entr(ies) failed, first: ${r.Failed[0]?.Code}: ${r.Failed[0]?.Message}`);
      return r.Successful?.length ?? 0;
    },
    async receiveAndDelete(_workerIndex: number, max: number): Promise<number> {
      const QueueUrl = url();
      // WaitTimeSeconds 1: with a backlog it answers at once; on an empty queue it waits instead
      // of spinning, as the peers' receives do.
      const r = await call('ReceiveMessage', (c) => c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 1 })));
      const messages = r.Messages ?? [];
      if (messages.length === 0) return 0;
      if (max === 1) {
        await call('DeleteMessage', (c) => c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: messages[0]?.ReceiptHandle })));
        return messages.length;
      }
      const d = await call('DeleteMessageBatch', (c) =>
        c.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) })),
      );
      if (d.Failed?.length) throw new Error(`${name}: DeleteMessageBatch: ${d.Failed.length} entr(ies) failed, first: ${d.Failed[0]?.Code}: ${d.Failed[0]?.Message}`);
      return messages.length;
    },
    async endPhase(): Promise<void> {
      // Nothing held client-side: every received message was deleted within its op.
    },
    async deleteQueue(): Promise<void> {
      const QueueUrl = queueUrl;
      queueUrl = undefined;
      if (QueueUrl) await call('DeleteQueue', (c) => c.send(new DeleteQueueCommand({ QueueUrl })));
    },
    async teardown(): Promise<void> {
      client?.destroy();
      client = undefined;
      if (options.mode === '3node' && dir && existsSync(join(dir, 'cluster.json'))) await run(process.execPath, [STRATUS_BIN, 'cluster', 'down', '--dir', dir], env()).catch(() => undefined);
      for (const p of pids) killPid(p);
      if (child && child.exitCode === null && child.signalCode === null) {
        const c = child;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        killPid(c.pid, 'SIGTERM');
        if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) killPid(c.pid);
      }
      child = undefined;
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      unregister?.();
      unregister = undefined;
    },
  };
}
