// The native TopicService (proto/stratus/v1/topics.proto): SNS over gRPC. Every RPC runs the SNS
// action of the same name through the generic machinery of action-grpc.ts (the same
// `runAction` as the HTTP front, requests and responses translated by walking the action's
// shapes), so adding one is a proto change. SNS has no streaming RPC: nothing is hand-written.
import * as grpc from '@grpc/grpc-js';
import { services } from '../grpc/protos.js';
import { type ActionRunner, type GrpcFrontOptions, type GrpcService, actionRunner, actionService } from './action-grpc.js';
import { type ErrorCode } from './errors.js';
import { type SnsBackend } from './sns/backend.js';
import { SNS_ACTIONS, snsService } from './sns/service.js';

export type TopicServiceOptions = GrpcFrontOptions;

/** stratus.v1.TopicService as proto-loader builds it (the server's definition, a client's constructor). */
export function topicServiceClient(): grpc.ServiceClientConstructor {
  return services().topics;
}

/**
 * SNS codes the shared table (action-grpc.ts) does not know, as the gRPC codes a client acts
 * on. Every SNS code is a Sender fault, so without this a missing topic or a full quota would
 * read as a malformed request.
 */
const SNS_STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  NotFound: grpc.status.NOT_FOUND,
  AuthorizationError: grpc.status.PERMISSION_DENIED,
  TopicLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  SubscriptionLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  FilterPolicyLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  TagLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  Throttled: grpc.status.RESOURCE_EXHAUSTED,
  // The endpoint's state refuses delivery; the request itself is well formed.
  EndpointDisabled: grpc.status.FAILED_PRECONDITION,
};

function remap<S extends Partial<grpc.StatusObject>>(s: S): S {
  const code = s.metadata?.get('aws-error-code')[0];
  const mapped = typeof code === 'string' ? SNS_STATUS[code as ErrorCode] : undefined;
  if (mapped !== undefined) s.code = mapped;
  return s;
}

export function topicService(sns: SnsBackend, o: TopicServiceOptions): GrpcService {
  // The HTTP front's own aliases, so both fronts report a bad member by the same code (InvalidParameter).
  const { errorAliases } = snsService(sns);
  const base = actionRunner({ name: 'TopicService', awsService: 'sns', actions: SNS_ACTIONS, deps: sns, ...(errorAliases ? { errorAliases } : {}) }, o);
  const runner: ActionRunner<SnsBackend> = {
    ...base,
    statusOf: (err, requestId, method) => remap(base.statusOf(err, requestId, method)),
    unary: (method, action) => {
      const handle = base.unary(method, action);
      return (call, cb) => handle(call, (err, value, trailer, flags) => cb(err ? remap(err) : err, value, trailer, flags));
    },
  };
  return actionService(topicServiceClient().service, runner, SNS_ACTIONS);
}
