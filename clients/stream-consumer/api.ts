// A promise-based client of stratus.v1.StreamService (proto/stratus/v1/streams.proto), limited
// to what consumers need: shards, leases, checkpoints, SubscribeToShard, and PutRecords for
// producers. Replies are proto-loader objects (camelCase fields, bytes as Buffer).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_FILE = fileURLToPath(new URL('../../proto/stratus/v1/streams.proto', import.meta.url));

/** A stream by name or ARN. */
export interface StreamRef {
  streamName?: string;
  streamArn?: string;
}

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  hashKeyRange: { startingHashKey: string; endingHashKey: string };
  sequenceNumberRange: { startingSequenceNumber: string; endingSequenceNumber?: string };
}

export interface Lease {
  leaseName: string;
  owner: string;
  token: number;
  expiresAtMs: number;
  remainingMs: number;
  held: boolean;
}

export interface Checkpoint {
  leaseName: string;
  sequenceNumber?: string;
  shardEnd: boolean;
  updatedAtMs: number;
}

export interface ShardLeases {
  shardId: string;
  closed: boolean;
  leases: Lease[];
  checkpoints: Checkpoint[];
}

export interface WireRecord {
  sequenceNumber: string;
  /** Epoch seconds. */
  approximateArrivalTimestamp: number;
  data: Buffer;
  partitionKey: string;
  encryptionType?: string;
}

export interface ChildShard {
  shardId: string;
  parentShards: string[];
}

export interface SubscribeEvent {
  records: WireRecord[];
  continuationSequenceNumber?: string;
  millisBehindLatest: number;
  childShards: ChildShard[];
}

export type StartingPosition =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'AT_TIMESTAMP'; timestamp: number };

export interface PutRecordsEntry {
  data: Uint8Array;
  partitionKey: string;
  explicitHashKey?: string;
}

export type PutRecordsResult = { sequenceNumber: string; shardId: string } | { errorCode: string; errorMessage: string };

type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

let ctor: grpc.ServiceClientConstructor | undefined;

function serviceClient(): grpc.ServiceClientConstructor {
  if (!ctor) {
    // longs as Number (tokens and times fit), defaults for plain fields, unset `optional` ones left out.
    const def = protoLoader.loadSync(PROTO_FILE, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def);
    const svc = ((pkg.stratus as grpc.GrpcObject | undefined)?.v1 as grpc.GrpcObject | undefined)?.StreamService;
    if (typeof svc !== 'function') throw new Error('stream-consumer: stratus.v1.StreamService is missing from streams.proto');
    ctor = svc as grpc.ServiceClientConstructor;
  }
  return ctor;
}

export function isStatus(err: unknown, ...codes: grpc.status[]): err is grpc.ServiceError {
  return typeof err === 'object' && err !== null && 'code' in err && codes.includes((err as { code: grpc.status }).code);
}

export interface StreamApiOptions {
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Deadline of each unary call; default 10 s. */
  timeoutMs?: number;
}

export class StreamApi {
  readonly client: grpc.Client;
  private readonly timeoutMs: number;

  /** address: host:port of a Stratus node's gRPC port. */
  constructor(address: string, o: StreamApiOptions = {}) {
    const Ctor = serviceClient();
    this.client = new Ctor(address, o.credentials ?? grpc.credentials.createInsecure(), {
      // An event or a GetRecords answer may carry up to 10 MiB of records.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      ...o.channelOptions,
    });
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** Calls a unary RPC by its client method name (listShards, putRecords, ...). */
  call<T>(method: string, req: object, timeoutMs = this.timeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const f = (this.client as unknown as Record<string, Unary | undefined>)[method];
      if (!f) return reject(new Error(`StreamService has no method ${method}`));
      f.call(this.client, req, { deadline: new Date(Date.now() + timeoutMs) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
    });
  }

  /** Every shard ListShards shows (open ones, and closed ones still within retention), all pages. */
  async listShards(ref: StreamRef): Promise<ShardInfo[]> {
    const out: ShardInfo[] = [];
    let page = await this.call<{ shards: ShardInfo[]; nextToken?: string }>('listShards', { ...ref, maxResults: 1000 });
    out.push(...page.shards);
    while (page.nextToken !== undefined) {
      page = await this.call('listShards', { nextToken: page.nextToken });
      out.push(...page.shards);
    }
    return out;
  }

  describeShardLeases(ref: StreamRef, shardId: string, leaseName?: string): Promise<ShardLeases> {
    return this.call('describeShardLeases', { ...ref, shardId, ...(leaseName === undefined ? {} : { leaseName }) });
  }

  async acquireShardLease(ref: StreamRef, shardId: string, leaseName: string, owner: string, ttlMs: number, steal = false, timeoutMs?: number): Promise<Lease> {
    return (await this.call<{ lease: Lease }>('acquireShardLease', { ...ref, shardId, leaseName, owner, ttlMs, steal }, timeoutMs)).lease;
  }

  releaseShardLease(ref: StreamRef, shardId: string, leaseName: string, owner: string, token: number): Promise<{ lease: Lease; released: boolean }> {
    return this.call('releaseShardLease', { ...ref, shardId, leaseName, owner, token });
  }

  /** at: after a record, or the end of a closed shard. fence: only while owner and token hold the lease. */
  async checkpointShard(ref: StreamRef, shardId: string, leaseName: string, at: { sequenceNumber: string } | { shardEnd: true }, fence?: { owner: string; token: number }): Promise<Checkpoint> {
    return (await this.call<{ checkpoint: Checkpoint }>('checkpointShard', { ...ref, shardId, leaseName, ...at, ...fence })).checkpoint;
  }

  async putRecords(ref: StreamRef, records: PutRecordsEntry[]): Promise<PutRecordsResult[]> {
    return (await this.call<{ records: PutRecordsResult[] }>('putRecords', { ...ref, records })).records;
  }

  subscribeToShard(ref: StreamRef, shardId: string, startingPosition: StartingPosition, limit?: number): grpc.ClientReadableStream<SubscribeEvent> {
    const stream = (this.client as unknown as { subscribeToShard(req: object): grpc.ClientReadableStream<SubscribeEvent> }).subscribeToShard({
      ...ref,
      shardId,
      startingPosition,
      ...(limit === undefined ? {} : { limit }),
    });
    return stream;
  }

  close(): void {
    this.client.close();
  }
}
