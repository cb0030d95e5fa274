// Assembles the functions tier of one process: the Lambda backend the gateway's actions use, the
// scheduler with its worker pool and code cache, and the consumer of async invocations.
import { type AccessKey } from '../gateway/credentials.js';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type ClusterClient } from '../cluster/client.js';
import { type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { LambdaBackend } from '../gateway/lambda/backend.js';
import { MasterKey } from '../gateway/lambda/env-crypto.js';
import { type SqsBackend } from '../gateway/sqs/backend.js';
import { EventSourceMappings } from './esm/manager.js';
import { type KinesisBackend } from '../gateway/kinesis/backend.js';
import { type SnsBackend } from '../gateway/sns/backend.js';
import { TopicDeliveries } from './topics/manager.js';
import { AsyncInvoker } from './async-invoker.js';
import { CodeCache } from './code-cache.js';
import { CodeStore } from './code-store.js';
import { Destinations } from './destinations.js';
import { FunctionLogs } from './function-logs.js';
import { Provisioner } from './provisioned.js';
import { RemoteSchedulers, schedulerOrder } from './remote.js';
import { Scheduler } from './scheduler.js';
import { type MetricsRegistry } from '../telemetry/metrics.js';

export interface LambdaRuntimeOptions {
  dataDir: string;
  region: string;
  accountId: string;
  accountConcurrency: number;
  retryDelaySeconds: number;
  idleSeconds: number;
  leaseSeconds: number;
  endpointUrl: () => string | undefined;
  /** The access key handlers get as their credentials (Lambda: the execution role's). */
  credentials?: () => Promise<AccessKey | undefined>;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Function metrics (scheduler, concurrency, async events); none: not recorded. */
  metrics?: MetricsRegistry;
  /**
   * The scheduler processes of the cluster (`--schedulers`). A gateway given them runs no
   * function itself and sends invocations there; a scheduler uses them to know which functions'
   * provisioned concurrency it keeps (`self` is its own address in the list).
   */
  schedulers: readonly string[];
  self?: string;
  /** Runs functions here (scheduler, worker pool, async invoker, provisioned concurrency). */
  runFunctions: boolean;
  /** Kinesis streams, for stream event source mappings (and checking their sources exist). */
  kinesis?: KinesisBackend;
  /** SNS topics: this scheduler delivers them (and functions' destinations may be topics). */
  sns?: SnsBackend;
  /** How often event source mappings are re-read from the catalog (ms; default 2,000). */
  mappingRefreshMs?: number;
}

export interface LambdaRuntime {
  backend: LambdaBackend;
  /** The local scheduler (undefined in a gateway that sends invocations to scheduler processes). */
  scheduler: Scheduler | undefined;
  provisioner: Provisioner | undefined;
  /** The event source mappings this process runs (with its scheduler). */
  mappings: EventSourceMappings | undefined;
  /** The SNS topics this process delivers (with its scheduler). */
  topics: TopicDeliveries | undefined;
  /** Waits (up to `timeoutMs`) for invocations running here to finish, then stops. */
  drain(timeoutMs: number): Promise<void>;
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
  const settings = {
    accountId: o.accountId,
    region: o.region,
    accountConcurrency: o.accountConcurrency,
    // A limit below AWS's 100 (a test or a small box) keeps all of it unreserved.
    minUnreserved: Math.min(MIN_UNRESERVED, o.accountConcurrency),
    codeStorageBytes: CODE_STORAGE_BYTES,
  };
  if (!o.runFunctions) {
    const remote = new RemoteSchedulers(o.schedulers, o.log);
    backend = new LambdaBackend(client, placement, sqs, masterKey, remote, logs, code, remote, settings);
    if (o.kinesis) backend.eventSources.stream = streamExists(o.kinesis);
    remote.start();
    return {
      backend,
      scheduler: undefined,
      provisioner: undefined,
      mappings: undefined,
      topics: undefined,
      drain: async () => undefined,
      async stop() {
        remote.close();
        await logs.drain();
      },
    };
  }
  const scheduler = new Scheduler(
    {
      region: o.region,
      accountId: o.accountId,
      accountConcurrency: o.accountConcurrency,
      tmpRoot: join(o.dataDir, 'lambda-tmp'),
      idleMs: o.idleSeconds * 1000,
      endpointUrl: o.endpointUrl,
      ...(o.credentials ? { credentials: o.credentials } : {}),
      log: o.log,
    },
    { codeCache: new CodeCache(join(o.dataDir, 'lambda-code'), code), logs, totalReserved: () => backend!.totalReserved(), ...(o.metrics ? { metrics: o.metrics } : {}) },
  );
  const self = o.self;
  const owns = o.schedulers.length > 1 && self !== undefined ? (fn: string) => schedulerOrder(fn, o.schedulers)[0] === self : () => true;
  const provisioner = new Provisioner(() => backend!, scheduler, o.log, owns);
  backend = new LambdaBackend(client, placement, sqs, masterKey, scheduler, logs, code, provisioner, settings);
  const kinesis = o.kinesis;
  if (kinesis) backend.eventSources.stream = streamExists(kinesis);
  const destinations = new Destinations(backend, backend.asyncQueue, o.log, o.sns);
  const mappings = new EventSourceMappings(backend, kinesis, {
    // The same rendezvous as functions, keyed by the mapping's UUID.
    owns,
    deliver: (arn, body) => destinations.deliver(arn, body),
    log: o.log,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.mappingRefreshMs !== undefined ? { refreshMs: o.mappingRefreshMs } : {}),
  });
  const invoker = new AsyncInvoker(backend, backend.asyncQueue, destinations, {
    leaseMs: o.leaseSeconds * 1000,
    retryBaseMs: o.retryDelaySeconds * 1000,
    maxInFlight: 64,
    log: o.log,
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  const lambdaBackend = backend;
  const topics = o.sns
    ? new TopicDeliveries(o.sns, {
        lambda: lambdaBackend,
        asyncQueue: lambdaBackend.asyncQueue,
        // The links in notifications point at a gateway; a scheduler without one in-process names the default port.
        baseUrl: () => o.endpointUrl() ?? 'http://localhost:4566',
        region: o.region,
        accountId: o.accountId,
        log: o.log,
        ...(o.metrics ? { metrics: o.metrics } : {}),
        prefers: (topic) => (o.schedulers.length > 1 && self !== undefined ? schedulerOrder(`topic:${topic}`, o.schedulers)[0] === self : true),
      })
    : undefined;
  invoker.start();
  provisioner.start();
  mappings.start();
  topics?.start();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      provisioner.stop();
      await topics?.stop();
      await mappings.stop();
      await invoker.stop();
      await scheduler.close();
    })());
  return {
    backend,
    scheduler,
    provisioner,
    mappings,
    topics,
    async drain(timeoutMs) {
      // Take no more async events; let what runs finish (an async event not finished in time
      // comes back when its lease ends, so nothing is lost either way).
      provisioner.stop();
      const stopTopics = topics?.stop();
      const stopMappings = mappings.stop();
      const stopInvoker = invoker.stop();
      const deadline = Date.now() + timeoutMs;
      while (scheduler.running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await stopInvoker;
      await stopMappings;
      await stopTopics;
    },
    stop,
  };
}

function streamExists(kinesis: KinesisBackend): (arn: string) => Promise<boolean> {
  return async (arn) => (await kinesis.find(/:stream\/([^/]+)/.exec(arn)?.[1] ?? '')) !== undefined;
}
