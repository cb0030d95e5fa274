// The execution side of Step Functions, shared by the gateway's actions and by tasks that start
// nested executions: starting (Standard: a command to the state machine's group, which the
// executor holding the group's lease picks up; Express: run here, in memory), finding an
// execution's group from its ARN, routing task tokens back to their executions, and activity
// task queues.
import { randomBytes, randomUUID } from 'node:crypto';
import { asyncHop, currentXRayHeader } from '../../telemetry/propagation.js';
import { formatXRayHeader } from '../../telemetry/xray.js';
import { type ErrorResult } from '../../../storage/partitions/envelope.js';
import { type LoggingConfiguration, type StateMachineRecord } from '../../../storage/partitions/meta-workflow-codec.js';
import { type ExecutionLogs } from '../../scheduler/workflows/execution-logs.js';
import { type ExecutionDescription, type ExecutionRecordInput, type HistoryEvent, type StartExecutionResult, refusalOf } from '../../../storage/partitions/workflow-codec.js';
import { MAX_HISTORY_EVENTS, newExecution, step as engineStep } from '../../../workflows/engine/index.js';
import { type Step } from '../../../workflows/engine/types.js';
import { transitionItem } from '../../scheduler/workflows/commit.js';
import { executionInfo } from '../../scheduler/workflows/execution-info.js';
import { StateSpans } from '../../scheduler/workflows/state-spans.js';
import { Attr, SpanName, withSpanOpts } from '../../telemetry/index.js';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { type Json, MAX_PAYLOAD_BYTES } from '../../../workflows/language/json.js';
import { type ExecutionInfo } from '../../../workflows/engine/types.js';
import { type ExpressExecutions, type ExpressResult } from '../../scheduler/workflows/express.js';
import { type TaskRunner, type WorkflowPort } from '../../scheduler/workflows/tasks.js';
import { runAction } from '../action.js';
import { startExecution } from './actions/executions/start-execution.js';
import { GroupRefusal, WorkflowGroup } from '../../scheduler/workflows/group.js';
import { type TaskTokenParts, parseTaskToken, taskTokenPrefix } from '../../scheduler/workflows/tokens.js';
import { AwsError } from '../errors.js';
import { aliasArn, executionArn, expectArn, stateMachineArn, versionArn } from './arns.js';
import { type ResolvedMachine, type SfnBackend } from './backend.js';

/** AWS: execution names are 1–80 characters without whitespace, wildcards, brackets, control characters or these symbols. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;

export interface StartRequest {
  stateMachineArn: string;
  name?: string;
  input?: string;
  traceHeader?: string;
}

/** What an execution will run: the definition (of a version, when the ARN or alias names one) and the ARNs it is associated with. */
export interface Target {
  machine: StateMachineRecord;
  /** The logging configuration of what runs (a version keeps its own). */
  logging: LoggingConfiguration;
  definition: string;
  definitionId: string;
  roleArn: string;
  versionArn?: string;
  aliasArn?: string;
}

export class Executions {
  private readonly groups = new Map<number, WorkflowGroup>();
  private readonly parsed = new Map<string, StateMachineDefinition>();
  /** Told when a Standard execution was started here: an executor in this process can take a new machine at once rather than at its next catalog read. */
  onStandardStart: ((machine: StateMachineRecord) => void) | undefined;
  /** Express executions started here, by ARN, until they closed (awaited by `.sync` parents). */
  private readonly expressRuns = new Map<string, Promise<ExpressResult>>();

  constructor(
    private readonly sfn: SfnBackend,
    readonly express: ExpressExecutions,
    /** TestState runs a Task state's real integration through these. */
    readonly tasks: TaskRunner,
    /** Express executions' CloudWatch-style logs (none: not logged). */
    private readonly logs?: ExecutionLogs,
  ) {}

  group(id: number): WorkflowGroup {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new WorkflowGroup(this.sfn.client, id)));
    return g;
  }

  /** Picks the version an alias routes this execution to (weights in percent). */
  target(r: ResolvedMachine, roll = Math.random()): Target {
    const m = r.machine;
    const scope = this.sfn.scope;
    if (r.alias) {
      let acc = 0;
      const pick = r.alias.routes.find((x) => (acc += x.weight) > roll * 100) ?? r.alias.routes[r.alias.routes.length - 1]!;
      const v = m.versions.find((x) => x.version === pick.version);
      if (!v) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${versionArn(scope, m.name, pick.version)}'`);
      return { machine: m, logging: v.loggingConfiguration, definition: v.definition, definitionId: v.revisionId, roleArn: v.roleArn, versionArn: versionArn(scope, m.name, v.version), aliasArn: aliasArn(scope, m.name, r.alias.name) };
    }
    if (r.version) return { machine: m, logging: r.version.loggingConfiguration, definition: r.version.definition, definitionId: r.version.revisionId, roleArn: r.version.roleArn, versionArn: versionArn(scope, m.name, r.version.version) };
    return { machine: m, logging: m.loggingConfiguration, definition: m.definition, definitionId: m.revisionId, roleArn: m.roleArn };
  }

  definitionOf(text: string): StateMachineDefinition {
    let d = this.parsed.get(text);
    if (!d) {
      d = JSON.parse(text) as StateMachineDefinition;
      if (this.parsed.size > 1000) this.parsed.clear();
      this.parsed.set(text, d);
    }
    return d;
  }

  /**
   * The trace an execution continues: the caller's header, else the request's own trace, else —
   * the machine has tracing enabled — a new sampled one. Stored with the execution, so every
   * scheduler that runs it adds to the same trace.
   */
  traceHeaderFor(t: Target, given: string | undefined): string | undefined {
    if (given !== undefined && given !== '') return given;
    const current = currentXRayHeader();
    if (current !== undefined) return current;
    return t.machine.tracingConfiguration.enabled ? formatXRayHeader(randomBytes(16).toString('hex'), undefined, true) : undefined;
  }

  /** The name and input checks every start makes, with AWS's errors. */
  checkStart(name: string, input: string): Json {
    if (!EXECUTION_NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    if (Buffer.byteLength(input, 'utf8') > MAX_PAYLOAD_BYTES) throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Input exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes'`);
    try {
      return JSON.parse(input) as Json;
    } catch (err) {
      throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${err instanceof Error ? err.message : String(err)}'`);
    }
  }

  startedEvent(t: Target, input: string, nowMs: number): HistoryEvent {
    return {
      id: 1,
      previousEventId: 0,
      timestamp: nowMs,
      type: 'ExecutionStarted',
      details: {
        key: 'executionStartedEventDetails',
        value: {
          input,
          inputDetails: { truncated: false },
          roleArn: t.roleArn,
          ...(t.versionArn ? { stateMachineVersionArn: t.versionArn } : {}),
          ...(t.aliasArn ? { stateMachineAliasArn: t.aliasArn } : {}),
        },
      },
    };
  }

  /** StartExecution of a Standard machine: the execution exists (and will run) once this returns. */
  /**
   * StartExecution of a Standard machine: the execution exists (and will run) once this returns.
   * Its first step is computed here and committed with the start: a machine that needs no task
   * or timer (a chain of Pass and Choice states, a Map of them) finishes in that one command,
   * and one that does is found by the executor already stepped, its tasks and timers to start.
   */
  async startStandard(t: Target, name: string, input: string, parsedInput: Json, traceHeader: string | undefined, maxOpen: number): Promise<StartExecutionResult> {
    const arn = executionArn(this.sfn.scope, t.machine.name, name);
    const g = this.group(t.machine.groupId);
    traceHeader = this.traceHeaderFor(t, traceHeader);
    const now = Date.now();
    const startedEvent = this.startedEvent(t, input, now);
    const record: ExecutionRecordInput = {
      executionArn: arn,
      stateMachineArn: stateMachineArn(this.sfn.scope, t.machine.name),
      ...(t.versionArn ? { versionArn: t.versionArn } : {}),
      ...(t.aliasArn ? { aliasArn: t.aliasArn } : {}),
      definitionId: t.definitionId,
      roleArn: t.roleArn,
      input,
      ...(traceHeader !== undefined ? { traceHeader } : {}),
    };
    const first = await this.firstStep(t, name, parsedInput, now, traceHeader);
    const cmd = (withDefinition: boolean) =>
      g.command<StartExecutionResult>({
        type: 'startExecution',
        name,
        record,
        ...(withDefinition ? { definition: t.definition } : {}),
        startedEvent,
        maxOpen,
        ...(first ? { first: transitionItem(name, 1, first, []) } : {}),
      });
    let r: StartExecutionResult;
    try {
      try {
        r = await cmd(false);
      } catch (err) {
        // The group keeps each definition once: the first execution of a revision carries its text.
        if (!(err instanceof GroupRefusal && err.code === 'DefinitionMissing')) throw err;
        r = await cmd(true);
      }
    } catch (err) {
      if (!(err instanceof GroupRefusal)) throw err;
      if (err.result.code === 'AlreadyExists') throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      if (err.code === 'ExecutionLimitExceeded') throw new AwsError('ExecutionLimitExceeded', `The maximum number of running executions (${maxOpen}) has been reached.`);
      throw internal(err.result);
    }
    if (!r.existed) {
      this.logs?.record(t.logging, arn, first ? [startedEvent, ...first.events] : [startedEvent]);
      if (!first || first.state.status === 'RUNNING') this.onStandardStart?.(t.machine);
    }
    return r;
  }

  /** The execution's first step, or undefined when the interpreter failed on it (the executor then steps it and reports why). */
  private async firstStep(t: Target, name: string, input: Json, now: number, traceHeader: string | undefined): Promise<Step | undefined> {
    const info = executionInfo({ executionArn: executionArn(this.sfn.scope, t.machine.name, name), name, startDate: now, roleArn: t.roleArn, stateMachineArn: stateMachineArn(this.sfn.scope, t.machine.name), ...(t.versionArn ? { versionArn: t.versionArn } : {}), redriveCount: 0 }, t.machine.name, t.machine.groupId);
    try {
      return await withSpanOpts(SpanName.WorkflowExecution, { ...asyncHop(traceHeader), attributes: { [Attr.ExecutionArn]: info.id, [Attr.StateMachineName]: info.stateMachineName } }, async (span) => {
        const s = await engineStep(this.definitionOf(t.definition), info, newExecution(), { type: 'start', input }, { nowMs: now, random: Math.random }, { inPlace: true, maxEvents: MAX_HISTORY_EVENTS });
        const spans = new StateSpans(span, info.id);
        spans.observe(s.events);
        spans.closeAll();
        return s;
      });
    } catch {
      return undefined;
    }
  }

  /** StartExecution / StartSyncExecution of an Express machine: runs here. */
  startExpress(t: Target, name: string, input: Json, inputText: string, traceHeader?: string): { arn: string; startDate: number; done: Promise<ExpressResult> } {
    const arn = `${executionArn(this.sfn.scope, t.machine.name, name, true)}:${randomUUID()}`;
    const startDate = Date.now();
    const info: ExecutionInfo = {
      id: arn,
      name,
      startTime: new Date(startDate).toISOString(),
      roleArn: t.roleArn,
      stateMachineId: t.versionArn ?? stateMachineArn(this.sfn.scope, t.machine.name),
      stateMachineName: t.machine.name,
      redriveCount: 0,
      // Express executions take no callbacks (AWS refuses .waitForTaskToken and activities in them).
      taskTokenPrefix: `express-${randomUUID()}.`,
    };
    const done = this.express.run(this.definitionOf(t.definition), info, input, this.startedEvent(t, inputText, startDate), this.traceHeaderFor(t, traceHeader));
    this.expressRuns.set(arn, done);
    void done.then((r) => this.logs?.record(t.logging, arn, r.events));
    void done.finally(() => setTimeout(() => this.expressRuns.delete(arn), 60_000).unref());
    return { arn, startDate, done };
  }

  /** The running express execution started here, if any. */
  expressRun(arn: string): Promise<ExpressResult> | undefined {
    return this.expressRuns.get(arn);
  }

  /** An execution ARN's state machine and group; ExecutionDoesNotExist when either is gone. */
  async locate(arnText: string): Promise<{ machine: StateMachineRecord; group: WorkflowGroup; name: string; express: boolean }> {
    const arn = expectArn(arnText, 'execution');
    const missing = new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arnText}'`);
    if (arn.region !== this.sfn.opts.region || arn.account !== this.sfn.opts.accountId) throw missing;
    const machine = await this.sfn.findStateMachine(arn.machine);
    if (!machine) throw missing;
    return { machine, group: this.group(machine.groupId), name: arn.execution, express: arn.express };
  }

  async describe(arnText: string): Promise<{ machine: StateMachineRecord; group: WorkflowGroup; d: ExecutionDescription }> {
    const { machine, group, name, express } = await this.locate(arnText);
    if (express || machine.type === 'EXPRESS') throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arnText}'`);
    try {
      return { machine, group, d: await group.describe(name) };
    } catch (err) {
      if (err instanceof GroupRefusal && err.result.code === 'NotFound') throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arnText}'`);
      throw err;
    }
  }

  /** A task token's execution; InvalidToken when it is not one of ours. */
  token(token: string): TaskTokenParts {
    const parts = parseTaskToken(token);
    if (!parts) throw new AwsError('InvalidToken', 'Invalid Token');
    return parts;
  }

  taskTokenPrefix(group: number, name: string): string {
    return taskTokenPrefix(group, name);
  }

  /**
   * Sends a callback to the token's execution. AWS answers TaskTimedOut ("Provided task does not
   * exist anymore") for a task that closed (answered, timed out, or its execution ended), and
   * TaskDoesNotExist only when the token names no execution at all.
   */
  async callback(token: string, c: { kind: 'success' | 'failure' | 'heartbeat' | 'started'; output?: string; error?: string; cause?: string; workerName?: string }): Promise<void> {
    const parts = this.token(token);
    try {
      await this.group(parts.group).command({ type: 'taskCallback', name: parts.name, taskId: parts.taskId, ...c });
    } catch (err) {
      if (err instanceof GroupRefusal && err.result.code === 'NotFound') throw new AwsError('TaskDoesNotExist', 'Task Does Not Exist');
      if (err instanceof GroupRefusal && err.code === 'TaskDoesNotExist') throw new AwsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
      throw err;
    }
  }

  /** Waits until a Standard execution closed; its description then. */
  async awaitClose(arnText: string, signal: AbortSignal): Promise<ExecutionDescription> {
    const { group, name } = await this.locate(arnText);
    let mark = 0;
    while (!signal.aborted) {
      const d = await group.describe(name);
      if (d.status !== 'RUNNING') return d;
      mark = await group.watch(mark, 5000);
    }
    throw new Error('stopped waiting for the execution');
  }
}

/** What tasks use: nested executions (`states:startExecution`) and activity queues. */
export function workflowPort(ex: Executions, sfn: SfnBackend): WorkflowPort {
  return {
    async startExecution(params, ctx) {
      const out = (await runAction(startExecution, lowerFirst(params), ctx, sfn)) as { executionArn: string; startDate: number };
      return { ExecutionArn: out.executionArn, StartDate: Math.round(out.startDate * 1000) };
    },
    async awaitClose(arn, signal) {
      const express = ex.expressRun(arn);
      if (express) {
        const r = await express;
        const st = r.state;
        return {
          ExecutionArn: arn,
          Name: arn.split(':').slice(-2, -1)[0] ?? '',
          StartDate: r.startMs,
          StopDate: r.stopMs,
          Status: st.status,
          ...(st.output !== undefined ? { Output: JSON.stringify(st.output) } : {}),
          ...(st.error !== undefined ? { Error: st.error } : {}),
          ...(st.cause !== undefined ? { Cause: st.cause } : {}),
        };
      }
      const d = await ex.awaitClose(arn, signal);
      return {
        ExecutionArn: d.executionArn,
        StateMachineArn: d.stateMachineArn,
        Name: d.name,
        Status: d.status,
        StartDate: d.startDate,
        ...(d.stopDate !== undefined ? { StopDate: d.stopDate } : {}),
        Input: d.input,
        InputDetails: { Included: true },
        ...(d.output !== undefined ? { Output: d.output, OutputDetails: { Included: true } } : {}),
        ...(d.error !== undefined ? { Error: d.error } : {}),
        ...(d.cause !== undefined ? { Cause: d.cause } : {}),
      };
    },
    async enqueueActivityTask(activityArn, token, input, heartbeatSeconds) {
      const arn = expectArn(activityArn, 'activity');
      const activity = await sfn.findActivity(arn.name);
      if (!activity) throw new AwsError('ActivityDoesNotExist', `Activity Does Not Exist: '${activityArn}'`);
      await ex.group(activity.groupId).command({ type: 'enqueueActivityTask', token, input: JSON.stringify(input), ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}) });
    },
  };
}

/** Optimized integrations take AWS's PascalCase member names; the API's are camelCase. */
function lowerFirst(params: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
}

export function internal(r: ErrorResult): AwsError {
  return new AwsError('InternalFailure', `${r.code}: ${refusalOf(r)?.detail ?? r.message}`);
}
