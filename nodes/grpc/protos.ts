// Loads the .proto contracts once. proto-loader builds services at run time, so the shapes
// below are declared by hand and checked where bytes come in (see wire.ts).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

type ServiceCtor = grpc.ServiceClientConstructor;

function load(file: string): grpc.GrpcObject {
  return grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER_OPTIONS));
}

function service(root: grpc.GrpcObject, path: string): ServiceCtor {
  let node: unknown = root;
  for (const part of path.split('.')) {
    node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`proto: ${path} is not defined`);
  }
  return node as ServiceCtor;
}

interface Services {
  raft: ServiceCtor;
  storage: ServiceCtor;
  log: ServiceCtor;
  queue: ServiceCtor;
  functions: ServiceCtor;
  streams: ServiceCtor;
  topics: ServiceCtor;
  traces: ServiceCtor;
  workflows: ServiceCtor;
  scheduler: ServiceCtor;
}

let cache: Services | undefined;

export function services(): Services {
  if (!cache) {
    const internalRaft = load('internal/raft.proto');
    const internalStorage = load('internal/storage.proto');
    const v1Log = load('stratus/v1/log.proto');
    const v1Queue = load('stratus/v1/queue.proto');
    const v1Functions = load('stratus/v1/functions.proto');
    const v1Streams = load('stratus/v1/streams.proto');
    const v1Topics = load('stratus/v1/topics.proto');
    const v1Traces = load('stratus/v1/traces.proto');
    const v1Workflows = load('stratus/v1/workflows.proto');
    const internalScheduler = load('internal/scheduler.proto');
    cache = {
      raft: service(internalRaft, 'stratus.internal.RaftTransport'),
      storage: service(internalStorage, 'stratus.internal.StorageService'),
      log: service(v1Log, 'stratus.v1.LogService'),
      queue: service(v1Queue, 'stratus.v1.QueueService'),
      functions: service(v1Functions, 'stratus.v1.FunctionService'),
      streams: service(v1Streams, 'stratus.v1.StreamService'),
      topics: service(v1Topics, 'stratus.v1.TopicService'),
      traces: service(v1Traces, 'stratus.v1.TraceService'),
      workflows: service(v1Workflows, 'stratus.v1.WorkflowService'),
      scheduler: service(internalScheduler, 'stratus.internal.SchedulerService'),
    };
  }
  return cache;
}

/** Channel options shared by every internal client: fail fast, reconnect quickly. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // A peer restarted in a container comes back on a new address under the same name: look the
  // name up again within a second of losing it (grpc-js waits 30 s between lookups by default).
  'grpc.dns_min_time_between_resolutions_ms': 1000,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};
