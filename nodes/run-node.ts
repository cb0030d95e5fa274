// Starts the roles of one process: a storage node (multi-Raft, its gRPC services), a gateway
// (the native LogService over gRPC, and the HTTP port), or all of them (the embedded default).
import { createServer, type Server as HttpServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { EngineFormatError } from '../storage/engine/engine.js';
import { ClusterClient } from './cluster/client.js';
import { Placement } from './cluster/placement.js';
import { logService } from './gateway/log-service.js';
import { type NodeOptions, OptionError } from './options.js';
import { Membership } from './storage/membership.js';
import { Retention } from './storage/retention.js';
import { StorageNode } from './storage/node.js';
import { storageService } from './storage/service.js';

export interface RunningNode {
  grpcAddress: string;
  httpAddress: string | undefined;
  storage: StorageNode | undefined;
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
    }
    let httpAddress: string | undefined;
    if (o.role === 'gateway' || o.role === 'all') {
      const svc = logService(client, placement);
      server.addService(svc.definition, svc.implementation);
      const http = createServer((req, res) => {
        if (req.url === '/health' || req.url === '/_stratus/health') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok', role: o.role, node: o.id }));
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'no AWS service is served on this port yet; see /health' }));
      });
      const httpPort = await listenHttp(http, o.host, o.httpPort);
      cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
      httpAddress = `${o.host}:${httpPort}`;
    }
    const grpcPort = await bindGrpc(server, o.host, o.grpcPort);
    cleanups.push(() => new Promise<void>((r) => server.tryShutdown(() => r())));
    // Only now: registration calls this node's own server, which must be listening.
    membership?.start();
    return {
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
