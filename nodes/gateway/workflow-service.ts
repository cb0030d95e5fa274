// The native WorkflowService (proto/stratus/v1/workflows.proto): Step Functions over gRPC. Every
// RPC runs the Step Functions action of the same name through the machinery of action-grpc.ts
// (the same `runAction` as the HTTP front), so adding one is a proto change. Two things differ
// from the other services:
// - The actions check their own input (withModelChecks, AWS's "1 validation error detected"),
//   and the HTTP front runs them with constraint-free input shapes so every violation reaches
//   that check. This front does the same, but still reads a request with the strict shape: only
//   it knows which plain proto3 fields are required, whose empty value means "not given".
// - Two outputs have no proto3 mirror: GetExecutionHistory's `*EventDetails` members are AWS's
//   free-form objects (carried here as details_type + details_json), and variableReferences is
//   a map of lists (a map of messages here). The gRPC view of those actions reshapes the output.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { services } from '../grpc/protos.js';
import { type AnyAction, type RequestContext, actionMap } from './action.js';
import { type ActionRunner, type GrpcFrontOptions, type GrpcService, actionRunner, actionService, decoded, fromProtoValue, isRecord, toProto } from './action-grpc.js';
import { type ErrorCode } from './errors.js';
import { type Members, type StructShape, t } from './shapes.js';
import { withLooseInput } from './kinesis/validation.js';
import { DETAIL_KEYS } from './sfn/actions/executions/history-shapes.js';
import { type SfnBackend } from './sfn/backend.js';
import { SFN_ACTIONS, sfnService } from './sfn/service.js';
import { nextToken, timestamp } from './sfn/shapes.js';

export type WorkflowServiceOptions = GrpcFrontOptions;

/** stratus.v1.WorkflowService as proto-loader builds it (the server's definition, a client's constructor). */
export function workflowServiceClient(): grpc.ServiceClientConstructor {
  return services().workflows;
}

/**
 * Step Functions codes the shared table (action-grpc.ts) does not know, as the gRPC codes a
 * client acts on. Every SFN code is a Sender fault, so without this a missing execution or a
 * full quota would read as a malformed request.
 */
const SFN_STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  StateMachineDoesNotExist: grpc.status.NOT_FOUND,
  ExecutionDoesNotExist: grpc.status.NOT_FOUND,
  ActivityDoesNotExist: grpc.status.NOT_FOUND,
  TaskDoesNotExist: grpc.status.NOT_FOUND,
  SfnResourceNotFound: grpc.status.NOT_FOUND,
  StateMachineAlreadyExists: grpc.status.ALREADY_EXISTS,
  ExecutionAlreadyExists: grpc.status.ALREADY_EXISTS,
  ActivityAlreadyExists: grpc.status.ALREADY_EXISTS,
  StateMachineLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  ExecutionLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  ActivityLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  ActivityWorkerLimitExceeded: grpc.status.RESOURCE_EXHAUSTED,
  SfnServiceQuotaExceededException: grpc.status.RESOURCE_EXHAUSTED,
  TooManyTags: grpc.status.RESOURCE_EXHAUSTED,
  SfnKmsThrottlingException: grpc.status.RESOURCE_EXHAUSTED,
  // The request is well formed; the resource's state refuses it (a revision moved on, the
  // execution cannot be redriven, the machine is of the other type, the task is gone by time).
  SfnConflictException: grpc.status.FAILED_PRECONDITION,
  ExecutionNotRedrivable: grpc.status.FAILED_PRECONDITION,
  StateMachineTypeNotSupported: grpc.status.FAILED_PRECONDITION,
  TaskTimedOut: grpc.status.FAILED_PRECONDITION,
  StateMachineDeleting: grpc.status.FAILED_PRECONDITION,
  SfnKmsAccessDeniedException: grpc.status.PERMISSION_DENIED,
};

function remap<S extends Partial<grpc.StatusObject>>(s: S): S {
  const code = s.metadata?.get('aws-error-code')[0];
  const mapped = typeof code === 'string' ? SFN_STATUS[code as ErrorCode] : undefined;
  if (mapped !== undefined) s.code = mapped;
  return s;
}

// --- The gRPC view of the actions ---

type Handler = (input: never, ctx: RequestContext, deps: SfnBackend) => Promise<unknown>;

/** The action with some output members replaced, its answer converted to match. */
function reshaped(action: AnyAction<SfnBackend>, members: Members, convert: (out: Record<string, unknown>) => Record<string, unknown>): AnyAction<SfnBackend> {
  const handler: Handler = action.handler;
  const output: StructShape = t.struct({ ...action.output.members, ...members });
  return {
    ...action,
    output,
    handler: async (input, ctx, deps) => {
      const out = await handler(input, ctx, deps);
      return isRecord(out) ? convert(out) : out;
    },
  };
}

/** The one details member an event has (AWS sets at most one), as its name and its JSON. */
const historyEvent = t.struct({ timestamp, type: t.string(), id: t.integer(), previousEventId: t.integer(), detailsType: t.string(), detailsJson: t.string() });

function eventOut(e: unknown): unknown {
  if (!isRecord(e)) return e;
  const key = DETAIL_KEYS.find((k) => e[k] !== undefined);
  return { timestamp: e.timestamp, type: e.type, id: e.id, previousEventId: e.previousEventId, ...(key ? { detailsType: key, detailsJson: JSON.stringify(e[key]) } : {}) };
}

const variableReferences = t.map(t.struct({ values: t.list(t.string()) }));

function referencesOut(out: Record<string, unknown>): Record<string, unknown> {
  const refs = out.variableReferences;
  if (!isRecord(refs)) return out;
  return { ...out, variableReferences: Object.fromEntries(Object.entries(refs).map(([k, v]) => [k, { values: v }])) };
}

function grpcView(action: AnyAction<SfnBackend>): AnyAction<SfnBackend> {
  if (action.name === 'GetExecutionHistory') {
    return reshaped(action, { events: t.list(historyEvent), nextToken }, (out) => ({ ...out, events: Array.isArray(out.events) ? out.events.map(eventOut) : out.events }));
  }
  if ('variableReferences' in action.output.members) return reshaped(action, { variableReferences }, referencesOut);
  return action;
}

/**
 * Every Step Functions action as the proto mirrors it: the strict input shape (which fields a
 * request must carry) and the output as it travels. workflows.proto is checked against these.
 */
export const WORKFLOW_ACTIONS: ReadonlyMap<string, AnyAction<SfnBackend>> = actionMap(SFN_ACTIONS.map(grpcView));

export function workflowService(sfn: SfnBackend, o: WorkflowServiceOptions): GrpcService {
  // The HTTP front's aliases: a violation is SfnValidationException on both fronts.
  const { errorAliases } = sfnService(sfn);
  // What runs: the view with the constraint-free input, so the action's own check words every violation.
  const strict = actionMap(SFN_ACTIONS);
  const actions = actionMap(
    [...WORKFLOW_ACTIONS.values()].map((view) => {
      const action = strict.get(view.name);
      return action ? { ...view, input: withLooseInput(action).input } : view;
    }),
  );
  const base = actionRunner({ name: 'WorkflowService', awsService: 'states', actions, deps: sfn, ...(errorAliases ? { errorAliases } : {}) }, o);
  const statusOf = (err: unknown, requestId: string, method: string): grpc.StatusObject => remap(base.statusOf(err, requestId, method));
  const runner: ActionRunner<SfnBackend> = {
    ...base,
    statusOf,
    // base.unary, except that the request is read with the strict shape and run with the loose one.
    unary: (method, action) => (call, cb) => {
      const abort = new AbortController();
      // A GetActivityTask long poll or a StartSyncExecution stops waiting when its caller goes away.
      call.on('cancelled', () => abort.abort());
      const requestId = randomUUID();
      (async () => {
        const input = fromProtoValue((WORKFLOW_ACTIONS.get(method) ?? action).input, decoded(call.request, method));
        const out = await base.run(action, input, base.context(requestId, abort.signal));
        return toProto(action.output, out);
      })().then(
        (reply) => cb(null, reply),
        (err: unknown) => cb(statusOf(err, requestId, method)),
      );
    },
  };
  return actionService(workflowServiceClient().service, runner, actions);
}
