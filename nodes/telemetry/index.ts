// The one place for telemetry names: span names and attribute keys used by every tier, and the
// helper that creates spans. With no OpenTelemetry SDK registered (the default until tracing is
// configured), @opentelemetry/api hands out no-op spans, so this costs next to nothing; once an
// SDK is registered, every tier's spans appear under these names without code changes.
import { type Attributes, type Context, type Link, type Span, SpanKind, SpanStatusCode, context, isSpanContextValid, trace } from '@opentelemetry/api';
import { presetTraceOf } from './preset.js';

export const TRACER_NAME = 'stratus';

/** Span names: `<tier>.<operation>`. Only add; dashboards and tests match on them. */
export const SpanName = {
  LogCreate: 'gateway.log.create',
  LogDelete: 'gateway.log.delete',
  LogAppend: 'gateway.log.append',
  LogRead: 'gateway.log.read',
  /** One AWS API request at the gateway: `aws.service` and `aws.operation` name it. */
  AwsRequest: 'gateway.aws.request',
  QueueReceive: 'gateway.sqs.receive',
  QueueTimers: 'storage.queue.timers',
  ClusterPropose: 'cluster.propose',
  ClusterRead: 'cluster.read',
  StoragePropose: 'storage.propose',
  StorageRead: 'storage.read',
  StorageCycle: 'storage.ready_cycle',
  /** One function invocation in a scheduler (admission, code load, the handler's run). */
  FunctionInvoke: 'scheduler.function.invoke',
  /** One async event taken from the async-invoke queue and handled (attempt, retry or disposal). */
  FunctionAsyncEvent: 'scheduler.function.async_event',
  /** A gateway asking a scheduler process to run an invocation (the gRPC client side). */
  SchedulerCall: 'gateway.scheduler.invoke',
  /** A scheduler process serving a gateway's invocation (the gRPC server side). */
  SchedulerServe: 'scheduler.rpc.invoke',
  /** The handler's run inside its execution environment (a worker thread). */
  WorkerHandler: 'worker.function.handler',
  /** A request to a function URL (`<url-id>.lambda-url.<region>.localhost`). */
  FunctionUrlRequest: 'gateway.lambda.url',
  /** A Raft proposal on the leader, from append to commit and apply. */
  RaftCommit: 'storage.raft.commit',
  /** Messages appended to a topic's log (Publish, PublishBatch, a destination). */
  TopicPublish: 'gateway.sns.publish',
  /** One batch of a subscription's messages delivered (or dead-lettered) by a scheduler. */
  TopicDeliver: 'scheduler.sns.deliver',
  /** One workflow execution, start to close (the trace's root on the executing scheduler). */
  WorkflowExecution: 'scheduler.sfn.execution',
  /** One state of an execution, entered to exited; its task calls are its children. */
  WorkflowState: 'scheduler.sfn.state',
  /** One task call a state makes (a function, a queue, a topic, a nested execution, an activity). */
  WorkflowTask: 'scheduler.sfn.task',
  /** A batch of executions' transitions committed to a state machine's group. */
  WorkflowCommit: 'scheduler.sfn.commit',
  /** One request to a user-defined API (REST, HTTP or a WebSocket message) at the gateway. */
  ApiRequest: 'gateway.apigw.request',
  /** The integration call an API request makes (a function, an HTTP endpoint, a service, MOCK). */
  ApiIntegration: 'gateway.apigw.integration',
  /** An authorizer's evaluation (Lambda TOKEN/REQUEST, JWT, IAM), cached or not. */
  ApiAuthorizer: 'gateway.apigw.authorizer',
  /** An edge hook's run (viewer-* in the sandbox, origin-* as a function). */
  ApiEdgeHook: 'gateway.apigw.edge_hook',
} as const;

/** Attribute keys. */
export const Attr = {
  LogName: 'stratus.log.name',
  Partition: 'stratus.log.partition',
  Records: 'stratus.log.records',
  Group: 'stratus.raft.group',
  Node: 'stratus.node.id',
  Commands: 'stratus.raft.commands',
  Entries: 'stratus.raft.entries',
  Groups: 'stratus.raft.groups',
  Synced: 'stratus.storage.synced',
  Stale: 'stratus.read.stale',
  // AWS requests use the OpenTelemetry semantic conventions for RPC/AWS where one exists.
  AwsService: 'rpc.service',
  AwsOperation: 'rpc.method',
  AwsRequestId: 'aws.request_id',
  AwsErrorCode: 'aws.error.code',
  AwsProtocol: 'stratus.aws.protocol',
  QueueName: 'aws.sqs.queue.name',
  TopicName: 'aws.sns.topic.name',
  SubscriptionProtocol: 'stratus.sns.protocol',
  Messages: 'messaging.batch.message_count',
  // FaaS semantic conventions.
  FunctionName: 'faas.name',
  FunctionVersion: 'faas.version',
  ColdStart: 'faas.coldstart',
  FunctionError: 'stratus.faas.error_type',
  InvokeType: 'faas.invocation_type',
  /** The tier a span belongs to (its node in the service map). */
  Service: 'stratus.service',
  HttpMethod: 'http.request.method',
  HttpStatus: 'http.response.status_code',
  HttpRoute: 'url.path',
  XRayTraceId: 'aws.xray.trace_id',
  /** On a link: `async` for a queued hop (an async invoke, a queue message). */
  LinkType: 'stratus.link.type',
  RaftIndex: 'stratus.raft.index',
  RaftTerm: 'stratus.raft.term',
  TracingMode: 'stratus.faas.tracing_mode',
  StateMachineName: 'aws.sfn.state_machine.name',
  ExecutionArn: 'aws.sfn.execution.arn',
  StateName: 'aws.sfn.state.name',
  StateType: 'aws.sfn.state.type',
  TaskResource: 'aws.sfn.task.resource',
  ApiId: 'aws.apigateway.api.id',
  ApiStage: 'aws.apigateway.stage',
  /** The matched resource path and method (`/pets/{id} GET`) or route key (`GET /pets`, `$connect`). */
  ApiRoute: 'aws.apigateway.route',
  IntegrationType: 'aws.apigateway.integration.type',
  CacheHit: 'aws.apigateway.cache_hit',
  EdgeHookEvent: 'stratus.apigw.edge_hook.event',
} as const;

export { SpanKind };

const tracer = () => trace.getTracer(TRACER_NAME);

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  links?: Link[];
  /** The parent context (default: the active one). */
  parent?: Context;
  /** When it started (epoch ms), if before now: spans built from a record of what happened. */
  startTime?: number;
}

/** Runs `f` inside a span; the span records the error and ends when `f` settles. */
export function withSpan<T>(name: string, attributes: Attributes, f: (span: Span) => Promise<T>): Promise<T> {
  return withSpanOpts(name, { attributes }, f);
}

/** A span that outlives the call that starts it (ended by its owner). */
export function startSpan(name: string, o: SpanOptions = {}): Span {
  const parent = o.parent ?? context.active();
  const start = (): Span =>
    tracer().startSpan(name, { ...(o.attributes ? { attributes: o.attributes } : {}), ...(o.kind !== undefined ? { kind: o.kind } : {}), ...(o.links ? { links: o.links } : {}), ...(o.startTime !== undefined ? { startTime: o.startTime } : {}) }, parent);
  // The SDK draws a new trace id with no context at hand: a preset one is read from the active context.
  return presetTraceOf(parent) !== undefined && parent !== context.active() ? context.with(parent, start) : start();
}

/** Ends a span with an error status. */
export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

export async function withSpanOpts<T>(name: string, o: SpanOptions, f: (span: Span) => Promise<T>): Promise<T> {
  const parent = o.parent ?? context.active();
  const span = startSpan(name, { ...o, parent });
  // Without an SDK (or under a parent that is not traced) the span is a no-op with no trace to
  // carry: skip making it the active span, which costs a context switch per call on hot paths.
  const run = (): Promise<T> => f(span);
  const traced = span.isRecording() || isSpanContextValid(span.spanContext());
  try {
    return await (traced ? context.with(trace.setSpan(parent, span), run) : o.parent !== undefined ? context.with(o.parent, run) : run());
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}
