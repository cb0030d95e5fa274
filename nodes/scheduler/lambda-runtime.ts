// Assembles the functions tier of one process: the Lambda backend the gateway's actions use, the
// scheduler with its worker pool and code cache, and the consumer of async invocations.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type ClusterClient } from '../cluster/client.js';
import { type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { LambdaBackend } from '../gateway/lambda/backend.js';
import { MasterKey } from '../gateway/lambda/env-crypto.js';
import { type SqsBackend } from '../gateway/sqs/backend.js';
import { AsyncInvoker } from './async-invoker.js';
import { CodeCache } from './code-cache.js';
import { CodeStore } from './code-store.js';
import { Destinations } from './destinations.js';
import { FunctionLogs } from './function-logs.js';
import { Provisioner } from './provisioned.js';
import { Scheduler } from './scheduler.js';

export interface LambdaRuntimeOptions {
  dataDir: string;
  region: string;
  accountId: string;
  accountConcurrency: number;
  retryDelaySeconds: number;
  idleSeconds: number;
  leaseSeconds: number;
  endpointUrl: () => string | undefined;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface LambdaRuntime {
  backend: LambdaBackend;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/** AWS: 75 GB of code storage per account and region. */
const CODE_STORAGE_BYTES = 75 * 1000 * 1000 * 1000;
/** AWS: 100 concurrent executions always stay unreserved. */
const MIN_UNRESERVED = 100;

export function startLambdaRuntime(client: ClusterClient, placement: Placement, sqs: SqsBackend, o: LambdaRuntimeOptions): LambdaRuntime {
  const masterKey = MasterKey.load(o.dataDir, o.env);
  const sequencer = new Sequencer(`lambda-code-${randomUUID()}`);
  let backend: LambdaBackend | undefined;
  const code = new CodeStore(
    {
      propose: (group, p) => sequencer.propose(p, (b) => client.propose(group, b)),
      read: (group, q) => client.read(group, q),
    },
    () => backend!.storeGroups(),
  );
  const logs = new FunctionLogs(client, placement, o.log);
  const scheduler = new Scheduler(
    {
      region: o.region,
      accountId: o.accountId,
      accountConcurrency: o.accountConcurrency,
      tmpRoot: join(o.dataDir, 'lambda-tmp'),
      idleMs: o.idleSeconds * 1000,
      endpointUrl: o.endpointUrl,
      log: o.log,
    },
    { codeCache: new CodeCache(join(o.dataDir, 'lambda-code'), code), logs, totalReserved: () => backend!.totalReserved() },
  );
  const provisioner = new Provisioner(() => backend!, o.log);
  backend = new LambdaBackend(client, placement, sqs, masterKey, scheduler, logs, code, provisioner, {
    accountId: o.accountId,
    region: o.region,
    accountConcurrency: o.accountConcurrency,
    // A limit below AWS's 100 (a test or a small box) keeps all of it unreserved.
    minUnreserved: Math.min(MIN_UNRESERVED, o.accountConcurrency),
    codeStorageBytes: CODE_STORAGE_BYTES,
  });
  const invoker = new AsyncInvoker(backend, backend.asyncQueue, new Destinations(backend, backend.asyncQueue, o.log), {
    leaseMs: o.leaseSeconds * 1000,
    retryBaseMs: o.retryDelaySeconds * 1000,
    maxInFlight: 64,
    log: o.log,
  });
  invoker.start();
  provisioner.start();
  return {
    backend,
    scheduler,
    async stop() {
      provisioner.stop();
      await invoker.stop();
      await scheduler.close();
    },
  };
}
