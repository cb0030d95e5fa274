// Starts the roles of one process: a storage node (multi-Raft, its gRPC services), a scheduler
// (functions: worker pool, async invoker, provisioned concurrency, served to gateways over gRPC),
// a gateway (the AWS APIs on the HTTP port, the native APIs over gRPC), or all of them (the
// embedded default). Every role serves the operations endpoints (ops-http.ts) on its HTTP port,
// and stops gracefully: not ready first, then in-flight invocations drain, then leaderships are
// handed over, then servers close.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import { type Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { EngineFormatError } from '../storage/engine/engine.js';
import { ClusterClient, UnavailableError } from './cluster/client.js';
import { Placement } from './cluster/placement.js';
import { type RootKey, ensureFunctionKey, ensureRootKey, sigV4Authenticator } from './gateway/auth.js';
import { type AccessKey } from './gateway/credentials.js';
import { rootFromEnv } from './gateway/credentials.js';
import { H2cServer } from './gateway/h2c.js';
import { httpFront } from './gateway/http.js';
import { logService } from './gateway/log-service.js';
import { queueService } from './gateway/queue-service.js';
import { streamService } from './gateway/stream-service.js';
import { topicService } from './gateway/topic-service.js';
import { workflowService } from './gateway/workflow-service.js';
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
import { Rebalancer } from './storage/rebalancer.js';
import { type Readiness, opsHttp } from './ops-http.js';
import { MetricsRegistry } from './telemetry/metrics.js';
import { initTracing } from './telemetry/tracing.js';
import { TraceStore } from './telemetry/trace-store.js';
import { traceService } from './telemetry/trace-service.js';
import { tracedService } from './telemetry/propagation.js';
import { schedulerService } from './scheduler/scheduler-service.js';
import { type LambdaRuntime } from './scheduler/lambda-runtime.js';
import { StorageNode } from './storage/node.js';
import { DEFAULT_KINESIS_OPTIONS, KinesisBackend } from './gateway/kinesis/backend.js';
import { kinesisService } from './gateway/kinesis/service.js';
import { DEFAULT_SNS_LIMITS, SnsBackend } from './gateway/sns/backend.js';
import { snsService } from './gateway/sns/service.js';
import { startWorkflowRuntime } from './scheduler/workflows/runtime.js';
import { type ServicePort } from './scheduler/workflows/tasks.js';
// Step Functions (issue 9): management actions; the lead adds executions.
import { DEFAULT_SFN_LIMITS, SfnBackend } from './gateway/sfn/backend.js';
import { sfnService } from './gateway/sfn/service.js';
import { serveSigningCert } from './gateway/sns/signing-cert.js';
import { ApigwBackend, DEFAULT_APIGW_LIMITS } from './gateway/apigw/backend.js';
import { apigwService } from './gateway/apigw/service.js';
import { apiFront } from './gateway/apigw/data/front.js';
import { gatewayPeers } from './gateway/apigw/data/ws/peers.js';
import { createRuntime as createApiRuntime } from './gateway/apigw/data/runtime.js';
import { storageService } from './storage/service.js';

export interface RunningNode {
  grpcAddress: string;
  httpAddress: string | undefined;
  storage: StorageNode | undefined;
  metrics: MetricsRegistry;
  traces: TraceStore;
  /** The functions tier of this process, when it serves Lambda. */
  lambda: LambdaRuntime | undefined;
  /** Kinesis streams as this process's gateway or scheduler sees them. */
  kinesis: KinesisBackend | undefined;
  ready(): Promise<Readiness>;
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

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Hands the leadership of every group this node leads to another voter, waiting up to `timeoutMs`. */
async function handOverLeadership(storage: StorageNode, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const leading = (): Set<number> => new Set([...storage.replicas.values()].filter((r) => !r.closed && r.isLeader() && r.confState.voters.some((v) => v !== storage.nodeId)).map((r) => r.group));
  const before = leading();
  if (before.size === 0) return;
  while (Date.now() < deadline) {
    let left = 0;
    for (const rep of storage.replicas.values()) {
      if (rep.closed || !rep.isLeader()) continue;
      const others = rep.confState.voters.filter((v) => v !== storage.nodeId);
      if (others.length === 0) continue;
      left++;
      // The core brings the target up to date first, then tells it to campaign at once.
      rep.raw.transferLeadership(others[Math.floor(Math.random() * others.length)]!);
      storage.kick(rep);
    }
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const still = leading();
  log(`node ${storage.nodeId}: handed over ${[...before].filter((g) => !still.has(g)).length} of ${before.size} leaderships before stopping`);
}

export async function runNode(o: NodeOptions, log: (line: string) => void): Promise<RunningNode> {
  const fronts = o.role === 'gateway' || o.role === 'all';
  if (o.auth && fronts) {
    try {
      rootFromEnv(process.env); // a half-set environment is refused before anything starts
    } catch (err) {
      throw new OptionError(err instanceof Error ? err.message : String(err));
    }
  }
  const metrics = new MetricsRegistry({ constLabels: { node: String(o.id) } });
  const tracing = initTracing({
    role: o.role,
    node: String(o.id),
    sampling: { reservoirPerSecond: o.traceReservoir, rate: o.traceRate },
    ...(o.otlpEndpoint !== '' ? { otlpEndpoint: o.otlpEndpoint } : {}),
    sink: new TraceStore(),
  });
  const traces = tracing.sink as TraceStore;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const addService = (svc: { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation }): void => {
    server.addService(svc.definition, tracedService(svc.implementation));
  };
  let storage: StorageNode | undefined;
  let stopping = false;
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
          metrics,
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
      // Raft's own streams carry no request traces.
      const transport = s.transport.service();
      server.addService(transport.definition, transport.implementation);
      addService(storageService(s, { proposalTimeoutMs: o.proposalTimeoutMs, readTimeoutMs: o.proposalTimeoutMs }));
    }
    addService(traceService(traces));
    const seeds = storage ? [o.advertise, ...[...o.peers.values()].filter((a) => a !== o.advertise)] : [...o.peers.values()];
    const client = new ClusterClient({ seeds, local: storage });
    cleanups.push(() => client.close());
    const placement = new Placement(client, storage);
    cleanups.push(() => placement.stop());
    let membership: Membership | undefined;
    let rebalancer: Rebalancer | undefined;
    if (storage) {
      const m = (membership = new Membership(storage, client, placement, log));
      cleanups.push(() => m.stop());
      const r = (rebalancer = new Rebalancer(storage, client, placement, log));
      cleanups.push(() => r.stop());
      const retention = new Retention(storage, placement, log);
      retention.start();
      cleanups.push(() => retention.stop());
      const timers = new QueueTimers(storage, client, placement, log);
      timers.start();
      cleanups.push(() => timers.stop());
    }
    let httpAddress: string | undefined;
    const baseUrl = (): string => `http://${httpAddress ?? `${o.host}:${o.httpPort ?? 4566}`}`;
    let lambda: LambdaRuntime | undefined;
    let sqs: SqsBackend | undefined;
    let kinesis: KinesisBackend | undefined;
    let sns: SnsBackend | undefined;
    let sfn: SfnBackend | undefined;
    const runsFunctions = o.role === 'scheduler' || (fronts && o.scheduler && o.schedulers.length === 0);
    const servesLambda = runsFunctions || (fronts && o.schedulers.length > 0);
    if (fronts || o.role === 'scheduler') {
      sqs = new SqsBackend(client, placement, { accountId: o.accountId, region: o.region, metrics });
      kinesis = new KinesisBackend(client, placement, {
        accountId: o.accountId,
        region: o.region,
        shardLimit: o.kinesisShardLimit,
        writeLimits: o.kinesisLimits ? DEFAULT_KINESIS_OPTIONS.writeLimits : { bytesPerSecond: 0, recordsPerSecond: 0 },
        readLimits: o.kinesisLimits ? DEFAULT_KINESIS_OPTIONS.readLimits : { callsPerSecond: 0, bytesPerSecond: 0 },
      });
      sns = new SnsBackend(client, placement, { accountId: o.accountId, region: o.region, replicationFactor: 3, metrics, ...DEFAULT_SNS_LIMITS });
      sfn = new SfnBackend(client, placement, { accountId: o.accountId, region: o.region, replicationFactor: 3, ...DEFAULT_SFN_LIMITS });
    }
    // Functions' credentials: settled in the background (the meta group may still be electing);
    // an invocation waits for them, so every environment starts with them.
    let functionKey: Promise<AccessKey> | undefined;
    if (runsFunctions) {
      const session = new Sequencer(`functions-key-${o.id}-${randomUUID()}`);
      functionKey = (async () => {
        for (;;) {
          try {
            return await ensureFunctionKey((p) => session.propose(p, (b) => client.propose(META_GROUP, b)));
          } catch (err) {
            if (!(err instanceof UnavailableError)) throw err;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      })();
      functionKey.catch((err: unknown) => log(`scheduler: functions get no credentials: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (servesLambda && sqs) {
      lambda = startLambdaRuntime(client, placement, sqs, {
        dataDir: o.data,
        region: o.region,
        accountId: o.accountId,
        accountConcurrency: o.lambdaConcurrency,
        retryDelaySeconds: o.lambdaRetryDelay,
        idleSeconds: o.lambdaIdle,
        leaseSeconds: o.lambdaLease,
        // A scheduler's handlers reach the cluster through a gateway (--endpoint-url); without one known, AWS_ENDPOINT_URL is unset.
        endpointUrl: () => (o.endpointUrl !== '' ? o.endpointUrl : fronts && httpAddress !== undefined ? `http://${httpAddress}` : undefined),
        ...(functionKey ? { credentials: () => functionKey!.catch(() => undefined) } : {}),
        env: process.env,
        log,
        metrics,
        schedulers: o.schedulers,
        self: o.advertise,
        runFunctions: runsFunctions,
        ...(kinesis ? { kinesis } : {}),
        ...(sns ? { sns } : {}),
      });
      const l = lambda;
      // Runs after the gRPC and HTTP servers close, before storage stops (cleanups run in reverse).
      cleanups.push(() => l.stop());
      if (o.role === 'scheduler' && l.scheduler && l.provisioner) addService(schedulerService(l.scheduler, l.provisioner, log));
    }
    if (sfn && sqs) {
      // Task integrations call the gateway's own actions (validation and errors as each service's).
      const ports = new Map<string, ServicePort>([['sqs', sqsService(sqs)], ...(sns ? [['sns', snsService(sns)] as const] : []), ...(kinesis ? [['kinesis', kinesisService(kinesis)] as const] : []), ['states', sfnService(sfn)]]);
      const workflows = startWorkflowRuntime({
        client,
        placement,
        sfn,
        lambda: lambda?.backend,
        services: (name) => ports.get(name),
        baseUrl,
        log,
        runExecutors: runsFunctions,
        schedulers: o.schedulers,
        ...(o.advertise !== undefined ? { self: o.advertise } : {}),
      });
      // Stops before the functions tier it invokes (cleanups run in reverse).
      cleanups.push(() => workflows.stop());
    }
    const ready = async (): Promise<Readiness> => {
      const checks: Record<string, true | string> = {};
      if (stopping) checks.running = 'stopping';
      if (membership) checks.registered = membership.registered ? true : 'not yet registered in the meta group';
      try {
        await withTimeout(placement.current(2000), 1500, 'meta group');
        checks.catalog = true;
      } catch (err) {
        checks.catalog = err instanceof Error ? err.message : String(err);
      }
      return { ready: Object.values(checks).every((c) => c === true), checks };
    };
    const ops = opsHttp({
      role: o.role,
      node: o.id,
      ...(fronts ? { auth: o.auth } : {}),
      ready,
      metrics,
      traces,
      ...(servesLambda ? { logs: { client, placement } } : {}),
    });
    if (fronts && sqs) {
      addService(logService(client, placement));
      addService(queueService(sqs, { accountId: o.accountId, region: o.region, get baseUrl() { return baseUrl(); }, log }));
      if (kinesis) addService(streamService(kinesis, { accountId: o.accountId, region: o.region, get baseUrl() { return baseUrl(); }, log }));
      if (sns) addService(topicService(sns, { accountId: o.accountId, region: o.region, get baseUrl() { return baseUrl(); }, log }));
      if (sfn) addService(workflowService(sfn, { accountId: o.accountId, region: o.region, get baseUrl() { return baseUrl(); }, log }));
      if (lambda) addService(functionService(lambda.backend, { accountId: o.accountId, region: o.region, get baseUrl() { return baseUrl(); }, log }));
      const authenticate = o.auth ? sigV4Authenticator(client) : undefined;
      // Function URLs (`<url-id>.lambda-url.<region>.localhost` Hosts, or /_lambda-url/<url-id>/…)
      // share the HTTP port; they are answered before AWS dispatch.
      const urls = lambda ? lambdaUrlFront({ lambda: lambda.backend, authenticate, log }) : undefined;
      // API Gateway: management (`apigateway` REST service) and the data plane of user-defined APIs
      // (`{apiId}.execute-api.localhost` Hosts, or /_api/{apiId}/…), answered before AWS dispatch.
      const apiPorts = new Map<string, ServicePort>([['sqs', sqsService(sqs)], ...(sns ? [['sns', snsService(sns)] as const] : []), ...(kinesis ? [['kinesis', kinesisService(kinesis)] as const] : []), ...(sfn ? [['states', sfnService(sfn)] as const] : []), ...(lambda ? [['lambda', lambdaService(lambda.backend)] as const] : [])]);
      const apigw = new ApigwBackend(
        { accountId: o.accountId, region: o.region, ...DEFAULT_APIGW_LIMITS },
        { client, placement, ...(lambda ? { lambda: lambda.backend } : {}), services: (name) => apiPorts.get(name), baseUrl, metrics, log },
      );
      const peers = gatewayPeers(apigw, o.id);
      const apis = apiFront(createApiRuntime(apigw, authenticate), { region: o.region, log, peers });
      const front = httpFront({
        services: [sqsService(sqs), ...(sns ? [snsService(sns)] : []), ...(kinesis ? [kinesisService(kinesis)] : []), ...(sfn ? [sfnService(sfn)] : []), ...(lambda ? [lambdaService(lambda.backend)] : []), apigwService(apigw)],
        authenticate,
        region: o.region,
        accountId: o.accountId,
        // AWS: an SQS batch may carry 1 MiB of bodies; JSON and base64 framing add to that.
        maxBodyBytes: 4 * 1024 * 1024,
        log,
        extra: (req, res) => serveSigningCert(req, res) || (urls?.(req, res) ?? false) || apis.request(req, res) || ops(req, res),
      });
      const http = new H2cServer(front);
      // WebSocket APIs: an upgrade no API takes is refused.
      http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!apis.upgrade(req, socket, head)) socket.destroy();
      });
      // Long polls hold a request for up to 20 s; keep idle sockets longer than SDK agents do.
      http.keepAliveTimeout = 65_000;
      const httpPort = await listenHttp(http, o.host, o.httpPort ?? 4566);
      cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
      // Runs first (cleanups run in reverse): open WebSockets would keep the HTTP server from closing.
      cleanups.push(() => apis.close());
      httpAddress = `${o.host}:${httpPort}`;
      // Where the other gateways pass on @connections calls: this node's advertised host.
      const announce = (): void => {
        peers.announce(`${o.advertise.slice(0, o.advertise.lastIndexOf(':'))}:${httpPort}`).catch(() => {
          const t = setTimeout(announce, 2000);
          t.unref();
          cleanups.push(() => clearTimeout(t));
        });
      };
      announce();
    } else if (o.httpPort !== undefined) {
      const http = new H2cServer((req: IncomingMessage, res: ServerResponse) => {
        if (ops(req, res)) return;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'NotFound', message: `a ${o.role} node serves only the operations endpoints (/health, /ready, /metrics, /_stratus/...)` }));
      });
      const httpPort = await listenHttp(http, o.host, o.httpPort);
      cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
      httpAddress = `${o.host}:${httpPort}`;
    }
    const grpcPort = await bindGrpc(server, o.host, o.grpcPort);
    cleanups.push(() => new Promise<void>((r) => server.tryShutdown(() => r())));
    // Only now: registration calls this node's own server, which must be listening.
    membership?.start();
    rebalancer?.start();
    // Settled in the background: the meta group may still be electing (this node's peers may
    // not be up yet), and start-up must not wait for the cluster it is part of.
    let stopped = false;
    cleanups.push(() => {
      stopped = true;
    });
    let rootKey: Promise<RootKey> | undefined;
    if (o.auth && fronts) {
      // A session of its own per start: a restarted gateway must not reuse sequence numbers an
      // earlier start already spent under the same client id (the dedup table refuses them).
      const session = new Sequencer(`root-key-${o.id}-${randomUUID()}`);
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
      metrics,
      traces,
      lambda,
      kinesis,
      ready,
      async stop() {
        if (stopping) return;
        stopping = true;
        const deadline = Date.now() + o.drainTimeout * 1000;
        // Let invocations running here finish (async events not finished come back after their lease).
        if (lambda) await lambda.drain(Math.max(0, deadline - Date.now())).catch(() => undefined);
        rebalancer?.stop();
        membership?.stop();
        // Hand leaderships over so the groups this node led do not wait an election timeout.
        if (storage) await handOverLeadership(storage, Math.min(5000, Math.max(0, deadline - Date.now())), log).catch(() => undefined);
        await tracing.flush().catch(() => undefined);
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
