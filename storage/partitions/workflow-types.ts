// Types of the `workflow` kind's commands, queries and results (see workflow-codec.ts for the
// wire format and workflow.ts for the semantics). Re-exported by workflow-codec.ts.
import { type ExecutionStatus, type HistoryEvent } from '../../workflows/engine/types.js';
import { type LeaseRecord } from './lease.js';

export type { ExecutionStatus, HistoryEvent, LeaseRecord };

/** Command ops start at 32, above every other kind's; wire values: append only, never renumber. */
export enum WorkflowOp {
  AcquireLease = 32,
  RenewLease = 33,
  ReleaseLease = 34,
  StartExecution = 35,
  Transitions = 36,
  StopExecution = 37,
  TaskCallback = 38,
  RedriveExecution = 39,
  AckInbox = 40,
  EnqueueActivityTask = 41,
  TakeActivityTask = 42,
  DropActivityTask = 43,
}

export enum WorkflowQueryOp {
  DescribeExecution = 32,
  ListExecutions = 33,
  History = 34,
  Runnable = 35,
  Inbox = 36,
  Definition = 37,
  Leases = 38,
  ActivityQueueLength = 39,
  ActivityTask = 40,
}

/** The lease that fences `transitions` and `ackInbox`: one executor drives a state machine's executions. */
export const EXECUTOR_LEASE = 'executor';
/** AWS: 1,000,000 open executions per account and Region (the caller may pass a lower limit). */
export const DEFAULT_MAX_OPEN = 1_000_000;
/** AWS: an execution can be redriven at most 1,000 times… */
export const DEFAULT_MAX_REDRIVES = 1000;
/** …and within 14 days of its stop. */
export const DEFAULT_REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;
/** Bound on one page of any listing query. */
export const MAX_PAGE = 1000;

/**
 * Refusals callers must tell apart carry one of these codes at the start of the error message,
 * as `<code>: <detail>` (parse with refusalOf in workflow-codec.ts).
 *  - ExecutionLimitExceeded (FailedPrecondition): startExecution beyond maxOpen RUNNING executions
 *  - DefinitionMissing (FailedPrecondition): startExecution names a definitionId the group does not hold and sends no text
 *  - LeaseLost (FailedPrecondition): transitions/ackInbox without the unexpired executor lease
 *  - TaskDoesNotExist (FailedPrecondition): a callback for a closed execution or a task not open
 *  - ExecutionNotRedrivable (FailedPrecondition): detail starts with a RedriveRefusal then ': '
 */
export type RefusalCode = 'ExecutionLimitExceeded' | 'DefinitionMissing' | 'LeaseLost' | 'TaskDoesNotExist' | 'ExecutionNotRedrivable';
export type RedriveRefusal = 'running' | 'succeeded' | 'expired' | 'limit';

/** The execution a child execution reports to (a `states:startExecution.sync` task in another group). */
export interface ParentRef {
  group: number;
  name: string;
  taskId: string;
}

export interface ExecutionRecordInput {
  executionArn: string;
  stateMachineArn: string;
  versionArn?: string;
  aliasArn?: string;
  definitionId: string;
  roleArn: string;
  /** The execution's input JSON text, as given. */
  input: string;
  traceHeader?: string;
  parent?: ParentRef;
}

export type ClosedStatus = Exclude<ExecutionStatus, 'RUNNING'>;

export interface CloseInput {
  status: ClosedStatus;
  output?: string;
  error?: string;
  cause?: string;
}

export interface TransitionItem {
  name: string;
  /** The version the executor last saw: compare-and-set. */
  version: number;
  /** The engine's ExecutionState JSON text, stored as is. */
  state: string;
  /** Appended; ids must follow the execution's last event id without gaps. */
  events: HistoryEvent[];
  /** Inbox seqs (of this execution) the executor has taken into account. */
  consumeInbox: number[];
  close?: CloseInput;
  /** Task ids that may receive callbacks from now on (ignored when closing: a closed execution has none). */
  openTokens: string[];
}

export type CallbackKind = 'success' | 'failure' | 'heartbeat' | 'started';

export type WorkflowCommand =
  | { type: 'acquireLease'; name: string; owner: string; ttlMs: number; steal: boolean }
  | { type: 'renewLease'; name: string; owner: string; token: number; ttlMs: number }
  | { type: 'releaseLease'; name: string; owner: string; token: number }
  /**
   * `first`: the execution's first step, computed by the starter and committed with the start
   * (its name, version and consumeInbox are ignored): an execution that needs no task or timer
   * closes in this one command, and one that does is picked up by the executor already stepped.
   */
  | { type: 'startExecution'; name: string; record: ExecutionRecordInput; definition?: string; startedEvent: HistoryEvent; maxOpen: number; first?: TransitionItem }
  | { type: 'transitions'; owner: string; token: number; items: TransitionItem[] }
  | { type: 'stopExecution'; name: string; error?: string; cause?: string }
  /** 'started' (an activity worker took the task; workerName set) keeps the task open like 'heartbeat'. */
  | { type: 'taskCallback'; name: string; taskId: string; kind: CallbackKind; output?: string; error?: string; cause?: string; workerName?: string }
  | { type: 'redriveExecution'; name: string; maxRedrives?: number; windowMs?: number }
  /** Deletes inbox items without a transition (e.g. the 'stopped' item of an execution a stop closed). */
  | { type: 'ackInbox'; owner: string; token: number; seqs: number[] }
  | { type: 'enqueueActivityTask'; token: string; input: string; heartbeatSeconds?: number }
  | { type: 'takeActivityTask'; workerName: string }
  | { type: 'dropActivityTask'; token: string };

export type WorkflowQuery =
  | { type: 'describeExecution'; name: string }
  /** `after`: the `next` of the previous page. */
  | { type: 'listExecutions'; status?: ExecutionStatus; versionArn?: string; aliasArn?: string; after?: string; limit: number }
  /** `afterId`: exclusive, in the direction of reading (below it when reverse). */
  | { type: 'history'; name: string; reverse: boolean; afterId?: number; limit: number }
  | { type: 'runnable'; after?: string; limit: number }
  | { type: 'inbox'; afterSeq: number; limit: number }
  | { type: 'definition'; id: string }
  | { type: 'leases' }
  | { type: 'activityQueueLength' }
  | { type: 'activityTask'; token: string };

/** An execution as the group keeps it (without its input, output, state and history). */
export interface ExecutionRecord {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  versionArn?: string;
  aliasArn?: string;
  definitionId: string;
  roleArn: string;
  traceHeader?: string;
  parent?: ParentRef;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
  /** Grows with every committed transition, stop and redrive: the executor's compare-and-set. */
  version: number;
  /** The last history event's id. */
  eventCount: number;
  /** Start order in the group: listing order and paging position. */
  startSeq: number;
  /** sha256 hex of the input: idempotent StartExecution compares it. */
  inputHash: string;
  openTokens: string[];
}

export interface ExecutionDescription extends ExecutionRecord {
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionListItem {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  versionArn?: string;
  aliasArn?: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
}

export interface Page<T> {
  items: T[];
  /** Present when more items may follow: pass it back as `after`. */
  next?: string;
}

export interface RunnableExecution {
  record: ExecutionRecord;
  input: string;
  /** The last committed ExecutionState JSON; absent before the executor's first transition. */
  state?: string;
}

export interface InboxItem {
  seq: number;
  name: string;
  kind: CallbackKind | 'stopped' | 'redrive';
  /** Leader timestamp of the command that added it. */
  atMs: number;
  taskId?: string;
  output?: string;
  error?: string;
  cause?: string;
  workerName?: string;
}

export interface StartExecutionResult {
  executionArn: string;
  startDate: number;
  /** True when a RUNNING execution with this name and input already existed (nothing changed). */
  existed: boolean;
}

export type TransitionOutcome =
  | { type: 'ok'; version: number }
  /** Version mismatch or the execution is no longer RUNNING (its inbox items were still consumed). */
  | { type: 'conflict'; status: ExecutionStatus; version: number }
  | { type: 'notFound' }
  /** The events' ids do not follow the execution's last one. */
  | { type: 'invalid'; message: string };

export interface StopExecutionResult {
  stopDate: number;
  /** False when the execution had closed already (nothing changed; stopDate is its own). */
  stopped: boolean;
  status: ExecutionStatus;
}

export interface RedriveResult {
  redriveCount: number;
  redriveDate: number;
}

export interface ActivityTask {
  seq: number;
  token: string;
  heartbeatSeconds?: number;
  enqueuedAtMs: number;
  /** Set once a worker took it; a taken task stays (never handed out again) until dropped. */
  takenBy?: string;
  takenAtMs?: number;
}
