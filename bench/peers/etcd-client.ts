// A minimal etcd v3 gRPC client for the benchmark: Put, Txn-of-puts (etcd's batched write) and
// Maintenance.Status. Writes go to the current leader (found with Status), so etcd is not charged
// a follower->leader forwarding hop; `connections` separate HTTP/2 connections are used
// round-robin (grpc-js otherwise shares one connection per target).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = fileURLToPath(new URL('./etcd-kv.proto', import.meta.url));

export interface ResponseHeader {
  clusterId: string;
  memberId: string;
  revision: string;
  raftTerm: string;
}
export interface PutRequest {
  key: Uint8Array;
  value: Uint8Array;
}
export interface PutResponse {
  header: ResponseHeader | null;
}
export interface TxnRequest {
  success: { requestPut: PutRequest }[];
}
export interface TxnResponse {
  header: ResponseHeader | null;
  succeeded: boolean;
  responses: { responsePut?: PutResponse | null }[];
}
export interface StatusResponse {
  header: ResponseHeader | null;
  version: string;
  leader: string;
  raftIndex: string;
  raftTerm: string;
  errors: string[];
}

type Unary<Req, Res> = (request: Req, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response?: Res) => void) => grpc.ClientUnaryCall;

interface KvHandle extends grpc.Client {
  Put: Unary<PutRequest, PutResponse>;
  Txn: Unary<TxnRequest, TxnResponse>;
}
interface MaintenanceHandle extends grpc.Client {
  Status: Unary<Record<string, never>, StatusResponse>;
}

let ctors: { kv: grpc.ServiceClientConstructor; maintenance: grpc.ServiceClientConstructor } | undefined;

function constructors(): { kv: grpc.ServiceClientConstructor; maintenance: grpc.ServiceClientConstructor } {
  if (!ctors) {
    // longs as strings: member ids are random 64-bit values that do not fit a double.
    const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
    const root = grpc.loadPackageDefinition(def);
    const pkg = root['etcdserverpb'] as grpc.GrpcObject | undefined;
    const kv = pkg?.['KV'];
    const maintenance = pkg?.['Maintenance'];
    if (typeof kv !== 'function' || typeof maintenance !== 'function') throw new Error('etcd-kv.proto: etcdserverpb.KV / Maintenance not found');
    ctors = { kv: kv as grpc.ServiceClientConstructor, maintenance: maintenance as grpc.ServiceClientConstructor };
  }
  return ctors;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  // A private subchannel pool per client, so `connections` really opens that many connections.
  'grpc.use_local_subchannel_pool': 1,
};

function call<Req, Res>(fn: Unary<Req, Res>, handle: grpc.Client, request: Req, timeoutMs: number): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    fn.call(handle, request, { deadline: Date.now() + timeoutMs }, (err, response) => {
      if (err) reject(err);
      else if (response === undefined) reject(new Error('etcd: empty response'));
      else resolve(response);
    });
  });
}

/** "http://127.0.0.1:2379" or "127.0.0.1:2379" -> "127.0.0.1:2379". */
function grpcAddress(endpoint: string): string {
  return endpoint.replace(/^https?:\/\//, '');
}

/** One-shot Status call against a single endpoint. */
export async function etcdStatus(endpoint: string, timeoutMs = 1000): Promise<StatusResponse> {
  const handle = new (constructors().maintenance)(grpcAddress(endpoint), grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as MaintenanceHandle;
  try {
    return await call(handle.Status, handle, {}, timeoutMs);
  } finally {
    handle.close();
  }
}

/** Finds the endpoint whose member is the leader; undefined when no endpoint knows a leader. */
export async function findLeader(endpoints: readonly string[], timeoutMs = 1000): Promise<string | undefined> {
  for (const endpoint of endpoints) {
    try {
      const s = await etcdStatus(endpoint, timeoutMs);
      if (s.leader !== '0' && s.header && s.header.memberId === s.leader) return endpoint;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export interface EtcdKvClientOptions {
  endpoints: readonly string[];
  /** HTTP/2 connections to open (default 1). */
  connections?: number;
  /** Per-RPC deadline (default 30 s). */
  timeoutMs?: number;
  /** Send to the leader (default) or spread across all endpoints round-robin. */
  routing?: 'leader' | 'round-robin';
}

export class EtcdKvClient {
  readonly targets: readonly string[];
  private readonly handles: KvHandle[];
  private readonly timeoutMs: number;
  private next = 0;

  private constructor(targets: readonly string[], connections: number, timeoutMs: number) {
    this.targets = targets;
    this.timeoutMs = timeoutMs;
    const Kv = constructors().kv;
    this.handles = [];
    for (let c = 0; c < connections; c++) {
      for (const t of targets) {
        this.handles.push(new Kv(grpcAddress(t), grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, 'grpc.bench_connection': c }) as unknown as KvHandle);
      }
    }
  }

  static async connect(options: EtcdKvClientOptions): Promise<EtcdKvClient> {
    const connections = options.connections ?? 1;
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (options.endpoints.length === 0) throw new Error('etcd client: no endpoints');
    let targets: readonly string[] = options.endpoints;
    if ((options.routing ?? 'leader') === 'leader') {
      const leader = await findLeader(options.endpoints);
      if (leader === undefined) throw new Error(`etcd client: no leader among ${options.endpoints.join(', ')}`);
      targets = [leader];
    }
    return new EtcdKvClient(targets, connections, timeoutMs);
  }

  private handle(): KvHandle {
    const s = this.handles[this.next] as KvHandle;
    this.next = (this.next + 1) % this.handles.length;
    return s;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<PutResponse> {
    const handle = this.handle();
    return call(handle.Put, handle, { key, value }, this.timeoutMs);
  }

  /** One unconditional Txn carrying every put: committed as a single Raft entry. */
  async putMany(kvs: readonly PutRequest[]): Promise<TxnResponse> {
    const handle = this.handle();
    const res = await call(handle.Txn, handle, { success: kvs.map((requestPut) => ({ requestPut })) }, this.timeoutMs);
    if (!res.succeeded) throw new Error('etcd: unconditional Txn did not succeed');
    return res;
  }

  close(): void {
    for (const s of this.handles) s.close();
  }
}
