// Carries out a Task state's call: functions through the Lambda backend (the same path as
// Invoke), queues and topics through the gateway's own SendMessage and Publish actions (so
// validation and errors are SQS's and SNS's), nested executions and activities through the
// workflow layer. Failures come back as Step Functions names them (`Lambda.…`, `SQS.…`,
// `States.TaskFailed`), never as exceptions: the interpreter decides what a failure means.
import { randomUUID } from 'node:crypto';
import { type AnyAction, type RequestContext, runAction } from '../../gateway/action.js';
import { AwsError } from '../../gateway/errors.js';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { Throttled } from '../scheduler.js';
import { Attr, SpanName, withSpan } from '../../telemetry/index.js';
import { type Json, isJsonObject } from '../../../workflows/language/json.js';
import { type Effect } from '../../../workflows/engine/types.js';
import { type IntegrationPattern, OPTIMIZED_PREFIX, type TaskTarget, actionName, parseResource, sdkPrefix, serviceErrorName } from './integrations.js';

export type TaskOutcome =
  | { kind: 'succeeded'; output: Json }
  | { kind: 'failed'; error: string; cause: string }
  /** Sent; the outcome comes by SendTaskSuccess/Failure with the token. */
  | { kind: 'submitted' }
  /** Queued for an activity worker; GetActivityTask reports the start, the worker the outcome. */
  | { kind: 'queued' };

export type TaskEffect = Extract<Effect, { type: 'task' }>;

/** A service the gateway serves, as integrations call it. */
export interface ServicePort {
  actions: ReadonlyMap<string, AnyAction<unknown>>;
  deps: unknown;
}

/** Nested executions (`states:startExecution`) and activities, served by the workflow layer. */
export interface WorkflowPort {
  startExecution(params: Record<string, Json>, ctx: RequestContext): Promise<Record<string, Json>>;
  /** Resolves with DescribeExecution's answer once the execution closed. */
  awaitClose(executionArn: string, signal: AbortSignal): Promise<Record<string, Json>>;
  enqueueActivityTask(activityArn: string, token: string, input: Json, heartbeatSeconds: number | undefined): Promise<void>;
}

export interface TaskRunnerDeps {
  accountId: string;
  region: string;
  baseUrl: () => string;
  lambda: LambdaBackend | undefined;
  /** By signing name: 'sqs', 'sns', 'kinesis', 'states'. */
  services: (name: string) => ServicePort | undefined;
  workflows: WorkflowPort;
}

export interface TaskCall {
  signal: AbortSignal;
  /** Reported once a `.sync` call started its job (TaskStarted/TaskSubmitted come before the result). */
  onSubmitted?: () => void;
}

const failed = (error: string, cause: string): TaskOutcome => ({ kind: 'failed', error, cause });

export class TaskRunner {
  constructor(private readonly d: TaskRunnerDeps) {}

  run(effect: TaskEffect, call: TaskCall): Promise<TaskOutcome> {
    return withSpan(SpanName.WorkflowTask, { [Attr.TaskResource]: effect.resource, [Attr.StateName]: effect.state }, () => this.dispatch(parseResource(effect.resource), effect, call));
  }

  private async dispatch(t: TaskTarget, e: TaskEffect, call: TaskCall): Promise<TaskOutcome> {
    switch (t.kind) {
      case 'function':
        return this.invokeDirect(t.arn, e.input);
      case 'activity':
        try {
          await this.d.workflows.enqueueActivityTask(t.arn, e.token ?? e.id, e.input, e.heartbeatSeconds);
        } catch (err) {
          if (err instanceof AwsError) return failed(err.code, err.message);
          throw err;
        }
        return { kind: 'queued' };
      case 'unknown':
        return failed('States.Runtime', `Stratus does not integrate with the resource ${t.resource}`);
      case 'service':
        try {
          if (t.sdk) return await this.sdk(t.service, t.action, e.input, call);
          return await this.optimized(t.service, t.action, t.pattern, e, call);
        } catch (err) {
          if (err instanceof AwsError) return failed(serviceErrorName(t.sdk ? sdkPrefix(t.service) : (OPTIMIZED_PREFIX[t.service] ?? sdkPrefix(t.service)), err.spec.jsonType ?? err.code), err.message);
          return failed('States.TaskFailed', err instanceof Error ? err.message : String(err));
        }
    }
  }

  private async optimized(service: string, action: string, pattern: IntegrationPattern, e: TaskEffect, call: TaskCall): Promise<TaskOutcome> {
    const params = isJsonObject(e.input) ? e.input : {};
    const key = `${service}:${action}`;
    if (key === 'lambda:invoke') {
      const out = await this.lambdaInvoke(params);
      if (pattern === 'callback' && out.kind === 'succeeded') return { kind: 'submitted' };
      return out;
    }
    if (key === 'sqs:sendMessage') {
      const body = params.MessageBody;
      const out = await this.call('sqs', 'SendMessage', { ...params, MessageBody: typeof body === 'string' ? body : JSON.stringify(body ?? null) }, call.signal);
      return pattern === 'callback' ? { kind: 'submitted' } : { kind: 'succeeded', output: withSdkMetadata(out) };
    }
    if (key === 'sns:publish') {
      const message = params.Message;
      const out = await this.call('sns', 'Publish', { ...params, Message: typeof message === 'string' ? message : JSON.stringify(message ?? null) }, call.signal);
      return pattern === 'callback' ? { kind: 'submitted' } : { kind: 'succeeded', output: withSdkMetadata(out) };
    }
    if (key === 'states:startExecution') return this.nested(params, pattern, e, call);
    return failed('States.Runtime', `Stratus does not integrate with arn:aws:states:::${service}:${action}`);
  }

  private async nested(params: Record<string, Json>, pattern: IntegrationPattern, e: TaskEffect, call: TaskCall): Promise<TaskOutcome> {
    // A task re-issued after a crash must find the execution it already started: its name
    // comes from the task's token, unless the definition names it.
    const input = params.Input;
    const name = typeof params.Name === 'string' ? params.Name : `${(e.token ?? e.id).replace(/[^A-Za-z0-9_-]/g, '').slice(-64)}`;
    const started = await this.d.workflows.startExecution({ ...params, Name: name, Input: typeof input === 'string' || input === undefined ? (input ?? '{}') : JSON.stringify(input) }, this.ctx(call.signal));
    if (pattern === 'callback') return { kind: 'submitted' };
    if (pattern === 'response') return { kind: 'succeeded', output: started };
    call.onSubmitted?.();
    const arn = started.ExecutionArn;
    if (typeof arn !== 'string') return failed('States.TaskFailed', 'StartExecution returned no ExecutionArn');
    const closed = await this.d.workflows.awaitClose(arn, call.signal);
    const out: Record<string, Json> = { ...closed };
    if (pattern === 'sync2') {
      for (const k of ['Input', 'Output'] as const) if (typeof out[k] === 'string') out[k] = parseOr(out[k]);
    }
    if (closed.Status === 'SUCCEEDED') return { kind: 'succeeded', output: out };
    return failed('States.TaskFailed', JSON.stringify(out));
  }

  private async sdk(service: string, action: string, input: Json, call: TaskCall): Promise<TaskOutcome> {
    const out = await this.call(service, actionName(action), isJsonObject(input) ? input : {}, call.signal);
    return { kind: 'succeeded', output: out };
  }

  private async call(service: string, action: string, params: Record<string, Json>, signal: AbortSignal): Promise<Record<string, Json>> {
    const port = this.d.services(service);
    const a = port?.actions.get(action);
    if (!port || !a) throw new AwsError('InvalidAction', `Stratus does not serve ${service}:${action}`);
    const out = await runAction(a, params, this.ctx(signal), port.deps);
    return JSON.parse(JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))) as Record<string, Json>;
  }

  private ctx(signal: AbortSignal): RequestContext {
    return { requestId: randomUUID(), accessKeyId: undefined, region: this.d.region, accountId: this.d.accountId, baseUrl: this.d.baseUrl(), path: '/', signal };
  }

  /** A function ARN as the Resource: the state's input is the event, the function's answer the result. */
  private async invokeDirect(arn: string, input: Json): Promise<TaskOutcome> {
    const r = await this.invokeFunction(arn, undefined, input);
    if (r.kind !== 'ran') return r.outcome;
    if (r.functionError) return functionFailure(r.payload);
    return { kind: 'succeeded', output: parseOr(r.payload) };
  }

  /** `lambda:invoke`: AWS wraps the answer with the response's metadata. */
  private async lambdaInvoke(params: Record<string, Json>): Promise<TaskOutcome> {
    const fn = params.FunctionName;
    if (typeof fn !== 'string') return failed('Lambda.InvalidParameterValueException', 'FunctionName is required');
    const qualifier = typeof params.Qualifier === 'string' ? params.Qualifier : undefined;
    const payload = params.Payload ?? {};
    if (params.InvocationType === 'Event') {
      const lambda = this.d.lambda;
      if (!lambda) return failed('Lambda.ServiceException', 'functions are not served here');
      const id = lambda.id(fn, qualifier, { accountId: this.d.accountId });
      await lambda.function(id.name, id.qualifier);
      const requestId = randomUUID();
      await lambda.asyncQueue.put({ functionName: id.name, qualifier: id.qualifier, requestId, enqueuedMs: Date.now(), attempts: 0, payload: JSON.stringify(payload) });
      return { kind: 'succeeded', output: { Payload: '', SdkResponseMetadata: { RequestId: requestId }, StatusCode: 202 } };
    }
    const r = await this.invokeFunction(fn, qualifier, payload);
    if (r.kind !== 'ran') return r.outcome;
    if (r.functionError) return functionFailure(r.payload);
    return {
      kind: 'succeeded',
      output: {
        ExecutedVersion: r.version,
        Payload: parseOr(r.payload),
        SdkHttpMetadata: { AllHttpHeaders: { 'X-Amz-Executed-Version': [r.version] }, HttpHeaders: { 'X-Amz-Executed-Version': r.version }, HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: r.requestId },
        StatusCode: 200,
      },
    };
  }

  private async invokeFunction(fn: string, qualifier: string | undefined, input: Json): Promise<{ kind: 'ran'; payload: string; functionError: string | undefined; version: string; requestId: string } | { kind: 'failed'; outcome: TaskOutcome }> {
    const lambda = this.d.lambda;
    if (!lambda) return { kind: 'failed', outcome: failed('Lambda.ServiceException', 'functions are not served here') };
    const requestId = randomUUID();
    try {
      const id = lambda.id(fn, qualifier, { accountId: this.d.accountId });
      const f = await lambda.function(id.name, id.qualifier);
      const target = lambda.resolve(f, id.qualifier);
      const r = await lambda.scheduler.invoke(target, { requestId, payload: JSON.stringify(input) });
      return { kind: 'ran', payload: r.payload, functionError: r.functionError, version: target.version, requestId };
    } catch (err) {
      if (err instanceof Throttled) return { kind: 'failed', outcome: failed('Lambda.TooManyRequestsException', `Rate Exceeded. (${err.reason})`) };
      if (err instanceof AwsError) return { kind: 'failed', outcome: failed(serviceErrorName('Lambda', err.spec.jsonType ?? err.code), err.message) };
      return { kind: 'failed', outcome: failed('Lambda.ServiceException', err instanceof Error ? err.message : String(err)) };
    }
  }
}

/** A function's error: its errorType names the error (what Retry and Catch match), its whole answer is the cause. */
function functionFailure(payload: string): TaskOutcome {
  const v = parseOr(payload);
  const type = isJsonObject(v) && typeof v.errorType === 'string' ? v.errorType : 'Lambda.Unknown';
  return failed(type, payload);
}

function parseOr(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function withSdkMetadata(out: Record<string, Json>): Json {
  return { ...out, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: randomUUID() } };
}
