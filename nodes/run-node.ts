// Starts the roles of one process: a storage node (multi-Raft, its gRPC services), a gateway
// (the native LogService over gRPC, and the HTTP port), or all of them (the embedded default).
import { createServer, type Server as HttpServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { EngineFormatError } from '../storage/engine/engine.js';
import { ClusterClient, UnavailableError } from './cluster/client.js';
import { Placement } from './cluster/placement.js';
import { type RootKey, ensureRootKey, sigV4Authenticator } from './gateway/auth.js';
import { rootFromEnv } from './gateway/credentials.js';
import { httpFront } from './gateway/http.js';
import { logService } from './gateway/log-service.js';
import { queueService } from './gateway/queue-service.js';
import { functionService } from './gateway/function-service.js';
import { SqsBackend } from './gateway/sqs/backend.js';
import { sqsService } from './gateway/sqs/service.js';
import { lambdaService } from './gateway/lambda/service.js';
import { lambdaUrlFront } from './gateway/lambda/url-front.js';
import { startLambdaRuntime } from './scheduler/lambda-runtime.js';
import { Sequencer } from './cluster/sequencer.js';
import { META_GROUP } from './cluster/placement.js';
import { QueueTimers } from './storage/queue-timers.js';
import { type NodeOptions, OptionError } from './options.js';
import { Membership } from './storage/membership.js';
import { Retention } from './storage/retention.js';
import { StorageNode } from './storage/node.js';
import { storageService } from './storage/service.js';

export interface RunningNode {
  grpcAddress: string;
  httpAddress: string | undefined;
  storage: StorageNode | undefined;
  /** The cluster's root access key as this start settles it (undefined with --auth off or no gateway). */
  rootKey: Promise<RootKey> | undefined;
  stop(): Promise<void>;
}

function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(new OptionError(`--grpc-port: cannot listen on ${host}:${port} (${/in use|EADDRINUSE|No address added/.test(err.message) ? 'the port is in use' : err.message})`));
      else resolve(bound);
    });
  });
}

function listenHttp(server: HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new OptionError(`--http-port: cannot listen on ${host}:${port} (${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message})`));
    });
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

// grpc-js logs its own line for a failed bind; the error reaching the user says it better.
if (process.env.GRPC_VERBOSITY === undefined) grpc.setLogVerbosity(grpc.logVerbosity.NONE);

export async function runNode(o: NodeOptions, log: (line: string) => void): Promise<RunningNode> {
  if (o.auth && o.role !== 'storage') {
    try {
      rootFromEnv(process.env); // a half-set environment is refused before anything starts
    } catch (err) {
      throw new OptionError(err instanceof Error ? err.message : String(err));
    }
  }
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  let storage: StorageNode | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    if (o.role === 'storage' || o.role === 'all') {
      try {
        storage = await StorageNode.open({
          nodeId: o.id,
          dataDir: o.data,
          advertise: o.advertise,
          peers: o.peers,
          tickMs: o.tickMs,
          electionTick: o.electionTicks,
          heartbeatTick: o.heartbeatTicks,
          proposalTimeoutMs: o.proposalTimeoutMs,
          snapshotEntries: o.snapshotEntries,
          quiesce: o.quiesce,
          log,
        });
      } catch (err) {
        if (err instanceof EngineFormatError) throw new OptionError(`--data: ${err.message}`);
        if (err instanceof Error && /lock|Resource temporarily unavailable/i.test(err.message)) {
          throw new OptionError(`--data: ${o.data} is in use by another Stratus process`);
        }
        throw err;
      }
      const s = storage;
      cleanups.push(() => s.stop());
      const t = server.addService.bind(server);
      const transport = s.transport.service();
      t(transport.definition, transport.implementation);
      const svc = storageService(s, { proposalTimeoutMs: o.proposalTimeoutMs, readTimeoutMs: o.proposalTimeoutMs });
      t(svc.definition, svc.implementation);
    }
    const seeds = storage ? [o.advertise, ...[...o.peers.values()].filter((a) => a !== o.advertise)] : [...o.peers.values()];
    const client = new ClusterClient({ seeds, local: storage });
    cleanups.push(() => client.close());
    const placement = new Placement(client, storage);
    cleanups.push(() => placement.stop());
    let membership: Membership | undefined;
    if (storage) {
      const m = (membership = new Membership(storage, client, placement, log));
      cleanups.push(() => m.stop());
      const retention = new Retention(storage, placement, log);
      retention.start();
      cleanups.push(() => retention.stop());
      const timers = new QueueTimers(storage, client, placement, log);
      timers.start();
      cleanups.push(() => timers.stop());
    }
    let httpAddress: string | undefined;
    if (o.role === 'gateway' || o.role === 'all') {
      const svc = logService(client, placement);
      server.addService(svc.definition, svc.implementation);
      const sqs = new SqsBackend(client, placement, { accountId: o.accountId, region: o.region });
      // Queue URLs over gRPC name the HTTP front; its port is known only once it listens.
      const queues = queueService(sqs, {
        accountId: o.accountId,
        region: o.region,
        get baseUrl() {
          return `http://${httpAddress ?? `${o.host}:${o.httpPort}`}`;
        },
        log,
      });
      server.addService(queues.definition, queues.implementation);
      // The scheduler runs in a front process that has it switched on (`cluster up`: the gateway).
      const lambda = !o.scheduler ? undefined : startLambdaRuntime(client, placement, sqs, {
        dataDir: o.data,
        region: o.region,
        accountId: o.accountId,
        accountConcurrency: o.lambdaConcurrency,
        retryDelaySeconds: o.lambdaRetryDelay,
        idleSeconds: o.lambdaIdle,
        leaseSeconds: o.lambdaLease,
        endpointUrl: () => (httpAddress === undefined ? undefined : `http://${httpAddress}`),
        env: process.env,
        log,
      });
      // Runs after the gRPC and HTTP servers close, before storage stops (cleanups run in reverse).
      if (lambda) cleanups.push(() => lambda.stop());
      if (lambda) { const fns = functionService(lambda.backend, { accountId: o.accountId, region: o.region, get baseUrl() { return `http://${httpAddress ?? `${o.host}:${o.httpPort}`}`; }, log }); server.addService(fns.definition, fns.implementation); }
      const authenticate = o.auth ? sigV4Authenticator(client) : undefined;
      // Function URLs (`<url-id>.lambda-url.<region>.localhost` Hosts, or /_lambda-url/<url-id>/…)
      // share the HTTP port; they are answered before AWS dispatch.
      const urls = lambda ? lambdaUrlFront({ lambda: lambda.backend, authenticate, log }) : undefined;
      const front = httpFront({
        services: [sqsService(sqs), ...(lambda ? [lambdaService(lambda.backend)] : [])],
        authenticate,
        region: o.region,
        accountId: o.accountId,
        // AWS: an SQS batch may carry 1 MiB of bodies; JSON and base64 framing add to that.
        maxBodyBytes: 4 * 1024 * 1024,
        log,
        extra: (req, res) => {
          if (urls?.(req, res)) return true;
          if (req.url !== '/health' && req.url !== '/_stratus/health') return false;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok', role: o.role, node: o.id, auth: o.auth }));
          return true;
        },
      });
      const http = createServer(front);
      // Long polls hold a request for up to 20 s; keep idle sockets longer than SDK agents do.
      http.keepAliveTimeout = 65_000;
      const httpPort = await listenHttp(http, o.host, o.httpPort);
      cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
      httpAddress = `${o.host}:${httpPort}`;
    }
    const grpcPort = await bindGrpc(server, o.host, o.grpcPort);
    cleanups.push(() => new Promise<void>((r) => server.tryShutdown(() => r())));
    // Only now: registration calls this node's own server, which must be listening.
    membership?.start();
    // Settled in the background: the meta group may still be electing (this node's peers may
    // not be up yet), and start-up must not wait for the cluster it is part of.
    let stopped = false;
    cleanups.push(() => {
      stopped = true;
    });
    let rootKey: Promise<RootKey> | undefined;
    if (o.auth && (o.role === 'gateway' || o.role === 'all')) {
      const session = new Sequencer(`root-key-${o.id}`);
      rootKey = (async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await ensureRootKey((p) => session.propose(p, (b) => client.propose(META_GROUP, b)), o.data, process.env);
          } catch (err) {
            if (!(err instanceof UnavailableError) || stopped) throw err;
            if (attempt % 6 === 1) log(`gateway: waiting for the meta group to settle the root access key (${err.message})`);
          }
        }
      })();
      rootKey.catch(() => undefined); // awaited by whoever shows it; never an unhandled rejection
    }
    return {
      rootKey,
      grpcAddress: `${o.host}:${grpcPort}`,
      httpAddress,
      storage,
      async stop() {
        server.forceShutdown();
        for (const c of cleanups.reverse()) await c();
      },
    };
  } catch (err) {
    server.forceShutdown();
    for (const c of cleanups.reverse()) await c();
    throw err;
  }
}
