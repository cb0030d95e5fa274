// Commands, queries and results of the `workflow` kind (one state machine's Standard executions,
// or one activity's task queue). Bodies are JSON objects (without the `type` member; the op says
// it), validated field by field on decode: a command is in the Raft log, so whatever bytes it
// holds must decode the same way on every replica or be refused the same way.
//
// Results (ok bodies, JSON):
//   lease ops             → LeaseRecord (releaseLease of a lease one does not hold: the current record or null)
//   startExecution        → StartExecutionResult
//   transitions           → TransitionOutcome[] (one per item, in order)
//   stopExecution         → StopExecutionResult
//   taskCallback          → { seq } (the inbox item's)
//   redriveExecution      → RedriveResult
//   ackInbox              → { deleted }
//   enqueueActivityTask   → { queued } (false: the token was known already, nothing changed)
//   takeActivityTask      → ActivityTask | null (the queue is empty); read its input with the activityTask query
//   dropActivityTask      → { dropped }
// Queries (ok bodies, JSON; `next` of a Page is the token for the next page: `after` of
// listExecutions/runnable, the decimal afterId/afterSeq of history/inbox):
//   describeExecution → ExecutionDescription       listExecutions → Page<ExecutionListItem> (newest start first)
//   history → Page<HistoryEvent>                   runnable → Page<RunnableExecution> (start order)
//   inbox → Page<InboxItem> (seq order)            definition → string (the text)
//   leases → LeaseRecord[]                         activityQueueLength → { queued, taken }
//   activityTask → { task: ActivityTask, input }
// Errors: NotFound for an unknown execution/definition/task; InvalidArgument for malformed
// bytes or a bad paging token; see RefusalCode in workflow-types.ts for the message prefixes
// of the FailedPrecondition refusals callers must tell apart.
import { type Json } from '../../workflows/language/json.js';
import { DecodeError, fromUtf8, utf8 } from './codec.js';
import { type CommandPayload, type Decoded, type ErrorResult, decodeResultWith, encodeQuery } from './envelope.js';
import {
  type ActivityTask,
  type CallbackKind,
  type CloseInput,
  type ExecutionRecordInput,
  type ExecutionDescription,
  type ExecutionListItem,
  type ExecutionStatus,
  type HistoryEvent,
  type InboxItem,
  type LeaseRecord,
  type Page,
  type ParentRef,
  type RedriveResult,
  type RefusalCode,
  type RunnableExecution,
  type StartExecutionResult,
  type StopExecutionResult,
  type TransitionItem,
  type TransitionOutcome,
  type WorkflowCommand,
  type WorkflowQuery,
  MAX_PAGE,
  WorkflowOp,
  WorkflowQueryOp,
} from './workflow-types.js';

export * from './workflow-types.js';
export { decodeLeaseResult } from './lease.js';

type Obj = Record<string, unknown>;
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
const CALLBACK_KINDS: readonly CallbackKind[] = ['success', 'failure', 'heartbeat', 'started'];
/** Names are keys with a one-byte length (workflow-executions.ts). */
const MAX_NAME_BYTES = 255;

const COMMAND_OPS: Record<WorkflowCommand['type'], WorkflowOp> = {
  acquireLease: WorkflowOp.AcquireLease,
  renewLease: WorkflowOp.RenewLease,
  releaseLease: WorkflowOp.ReleaseLease,
  startExecution: WorkflowOp.StartExecution,
  transitions: WorkflowOp.Transitions,
  stopExecution: WorkflowOp.StopExecution,
  taskCallback: WorkflowOp.TaskCallback,
  redriveExecution: WorkflowOp.RedriveExecution,
  ackInbox: WorkflowOp.AckInbox,
  enqueueActivityTask: WorkflowOp.EnqueueActivityTask,
  takeActivityTask: WorkflowOp.TakeActivityTask,
  dropActivityTask: WorkflowOp.DropActivityTask,
};

const QUERY_OPS: Record<WorkflowQuery['type'], WorkflowQueryOp> = {
  describeExecution: WorkflowQueryOp.DescribeExecution,
  listExecutions: WorkflowQueryOp.ListExecutions,
  history: WorkflowQueryOp.History,
  runnable: WorkflowQueryOp.Runnable,
  inbox: WorkflowQueryOp.Inbox,
  definition: WorkflowQueryOp.Definition,
  leases: WorkflowQueryOp.Leases,
  activityQueueLength: WorkflowQueryOp.ActivityQueueLength,
  activityTask: WorkflowQueryOp.ActivityTask,
};

function body(v: { type: string }): Uint8Array {
  const { type, ...rest } = v;
  return utf8(JSON.stringify(rest));
}

export function encodeWorkflowCommand(cmd: WorkflowCommand): CommandPayload {
  return { op: COMMAND_OPS[cmd.type], body: body(cmd) };
}

export function encodeWorkflowQuery(q: WorkflowQuery): Uint8Array {
  return encodeQuery({ op: QUERY_OPS[q.type], body: body(q) });
}

export function isWorkflowOp(op: number): boolean {
  return op >= WorkflowOp.AcquireLease && op <= WorkflowOp.DropActivityTask;
}

// --- validation helpers: every failure is a DecodeError ---

function parse(b: Uint8Array): Obj {
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(b)) as unknown;
  } catch {
    throw new DecodeError('workflow body is not JSON');
  }
  return object(v, 'body');
}
function object(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(`${what} must be an object`);
  return v as Obj;
}
function str(o: Obj, f: string): string {
  const v = o[f];
  if (typeof v !== 'string') throw new DecodeError(`${f} must be a string`);
  return v;
}
function optStr(o: Obj, f: string): string | undefined {
  return o[f] === undefined ? undefined : str(o, f);
}
function name(o: Obj, f = 'name'): string {
  const v = str(o, f);
  const n = utf8(v).length;
  if (n < 1 || n > MAX_NAME_BYTES) throw new DecodeError(`${f} must be 1-${MAX_NAME_BYTES} bytes of UTF-8`);
  return v;
}
function int(o: Obj, f: string): number {
  const v = o[f];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new DecodeError(`${f} must be a non-negative integer`);
  return v;
}
function optInt(o: Obj, f: string): number | undefined {
  return o[f] === undefined ? undefined : int(o, f);
}
function limit(o: Obj): number {
  const v = int(o, 'limit');
  if (v < 1 || v > MAX_PAGE) throw new DecodeError(`limit must be 1-${MAX_PAGE}`);
  return v;
}
function array(o: Obj, f: string): unknown[] {
  const v = o[f];
  if (!Array.isArray(v)) throw new DecodeError(`${f} must be an array`);
  return v;
}
function strings(o: Obj, f: string): string[] {
  return array(o, f).map((s) => {
    if (typeof s !== 'string') throw new DecodeError(`${f} must hold strings`);
    return s;
  });
}
function ints(o: Obj, f: string): number[] {
  return array(o, f).map((n) => {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new DecodeError(`${f} must hold non-negative integers`);
    return n;
  });
}
/** Optional fields are copied only when present, so re-encoding a decoded value gives the same JSON. */
function withOpt<T extends object>(base: T, o: Obj, fields: readonly string[]): T {
  const out = base as Record<string, unknown>;
  for (const f of fields) {
    const v = optStr(o, f);
    if (v !== undefined) out[f] = v;
  }
  return base;
}

export function toHistoryEvent(v: unknown): HistoryEvent {
  const o = object(v, 'event');
  const e: HistoryEvent = { id: int(o, 'id'), previousEventId: int(o, 'previousEventId'), timestamp: int(o, 'timestamp'), type: str(o, 'type') };
  if (o.details !== undefined) {
    const d = object(o.details, 'event details');
    // Parsed JSON: the members are JSON values by construction.
    e.details = { key: str(d, 'key'), value: object(d.value, 'event details value') as Record<string, Json> };
  }
  return e;
}

function toParent(v: unknown): ParentRef {
  const o = object(v, 'parent');
  return { group: int(o, 'group'), name: name(o), taskId: str(o, 'taskId') };
}

function toRecordInput(v: unknown): ExecutionRecordInput {
  const o = object(v, 'record');
  const r: ExecutionRecordInput = {
    executionArn: str(o, 'executionArn'),
    stateMachineArn: str(o, 'stateMachineArn'),
    definitionId: name(o, 'definitionId'),
    roleArn: str(o, 'roleArn'),
    input: str(o, 'input'),
  };
  withOpt(r, o, ['versionArn', 'aliasArn', 'traceHeader']);
  if (o.parent !== undefined) r.parent = toParent(o.parent);
  return r;
}

function status(o: Obj, f: string): ExecutionStatus {
  const s = STATUSES.find((x) => x === o[f]);
  if (s === undefined) throw new DecodeError(`${f} must be an execution status`);
  return s;
}

function toClose(v: unknown): CloseInput {
  const o = object(v, 'close');
  const s = status(o, 'status');
  if (s === 'RUNNING') throw new DecodeError('close.status must not be RUNNING');
  return withOpt<CloseInput>({ status: s }, o, ['output', 'error', 'cause']);
}

function toItem(v: unknown): TransitionItem {
  const o = object(v, 'transition item');
  const item: TransitionItem = {
    name: name(o),
    version: int(o, 'version'),
    state: str(o, 'state'),
    events: array(o, 'events').map(toHistoryEvent),
    consumeInbox: ints(o, 'consumeInbox'),
    openTokens: strings(o, 'openTokens'),
  };
  if (o.close !== undefined) item.close = toClose(o.close);
  return item;
}

/** Decodes a workflow command body; throws DecodeError on anything malformed. */
export function decodeWorkflowCommand(op: number, b: Uint8Array): WorkflowCommand {
  const o = parse(b);
  switch (op) {
    case WorkflowOp.AcquireLease:
      return { type: 'acquireLease', name: name(o), owner: str(o, 'owner'), ttlMs: int(o, 'ttlMs'), steal: o.steal === true };
    case WorkflowOp.RenewLease:
      return { type: 'renewLease', name: name(o), owner: str(o, 'owner'), token: int(o, 'token'), ttlMs: int(o, 'ttlMs') };
    case WorkflowOp.ReleaseLease:
      return { type: 'releaseLease', name: name(o), owner: str(o, 'owner'), token: int(o, 'token') };
    case WorkflowOp.StartExecution: {
      const c: WorkflowCommand = { type: 'startExecution', name: name(o), record: toRecordInput(o.record), startedEvent: toHistoryEvent(o.startedEvent), maxOpen: int(o, 'maxOpen') };
      const def = optStr(o, 'definition');
      if (def !== undefined) c.definition = def;
      if (o.first !== undefined) c.first = toItem(o.first);
      return c;
    }
    case WorkflowOp.Transitions:
      return { type: 'transitions', owner: str(o, 'owner'), token: int(o, 'token'), items: array(o, 'items').map(toItem) };
    case WorkflowOp.StopExecution:
      return withOpt<WorkflowCommand>({ type: 'stopExecution', name: name(o) }, o, ['error', 'cause']);
    case WorkflowOp.TaskCallback: {
      const kind = CALLBACK_KINDS.find((k) => k === o.kind);
      if (kind === undefined) throw new DecodeError(`kind must be one of ${CALLBACK_KINDS.join(', ')}`);
      return withOpt<WorkflowCommand>({ type: 'taskCallback', name: name(o), taskId: str(o, 'taskId'), kind }, o, ['output', 'error', 'cause', 'workerName']);
    }
    case WorkflowOp.RedriveExecution: {
      const c: WorkflowCommand = { type: 'redriveExecution', name: name(o) };
      const maxRedrives = optInt(o, 'maxRedrives');
      const windowMs = optInt(o, 'windowMs');
      if (maxRedrives !== undefined) c.maxRedrives = maxRedrives;
      if (windowMs !== undefined) c.windowMs = windowMs;
      return c;
    }
    case WorkflowOp.AckInbox:
      return { type: 'ackInbox', owner: str(o, 'owner'), token: int(o, 'token'), seqs: ints(o, 'seqs') };
    case WorkflowOp.EnqueueActivityTask: {
      const c: WorkflowCommand = { type: 'enqueueActivityTask', token: name(o, 'token'), input: str(o, 'input') };
      const hb = optInt(o, 'heartbeatSeconds');
      if (hb !== undefined) c.heartbeatSeconds = hb;
      return c;
    }
    case WorkflowOp.TakeActivityTask:
      return { type: 'takeActivityTask', workerName: str(o, 'workerName') };
    case WorkflowOp.DropActivityTask:
      return { type: 'dropActivityTask', token: name(o, 'token') };
    default:
      throw new DecodeError(`unknown workflow op ${op}`);
  }
}

export function decodeWorkflowQuery(op: number, b: Uint8Array): WorkflowQuery {
  const o = parse(b);
  switch (op) {
    case WorkflowQueryOp.DescribeExecution:
      return { type: 'describeExecution', name: name(o) };
    case WorkflowQueryOp.ListExecutions: {
      const q: WorkflowQuery = withOpt({ type: 'listExecutions', limit: limit(o) }, o, ['versionArn', 'aliasArn', 'after']);
      if (o.status !== undefined) q.status = status(o, 'status');
      return q;
    }
    case WorkflowQueryOp.History: {
      const q: WorkflowQuery = { type: 'history', name: name(o), reverse: o.reverse === true, limit: limit(o) };
      const afterId = optInt(o, 'afterId');
      if (afterId !== undefined) q.afterId = afterId;
      return q;
    }
    case WorkflowQueryOp.Runnable:
      return withOpt<WorkflowQuery>({ type: 'runnable', limit: limit(o) }, o, ['after']);
    case WorkflowQueryOp.Inbox:
      return { type: 'inbox', afterSeq: int(o, 'afterSeq'), limit: limit(o) };
    case WorkflowQueryOp.Definition:
      return { type: 'definition', id: name(o, 'id') };
    case WorkflowQueryOp.Leases:
      return { type: 'leases' };
    case WorkflowQueryOp.ActivityQueueLength:
      return { type: 'activityQueueLength' };
    case WorkflowQueryOp.ActivityTask:
      return { type: 'activityTask', token: name(o, 'token') };
    default:
      throw new DecodeError(`unknown workflow query op ${op}`);
  }
}

/** A refusal's machine-readable code and detail (see RefusalCode), or undefined for other errors. */
export function refusalOf(err: ErrorResult): { code: RefusalCode; detail: string } | undefined {
  const m = /^(ExecutionLimitExceeded|DefinitionMissing|LeaseLost|TaskDoesNotExist|ExecutionNotRedrivable): ?(.*)$/s.exec(err.message);
  return m === null ? undefined : { code: m[1] as RefusalCode, detail: m[2] ?? '' };
}

/**
 * Decodes any workflow result, command's or query's: every ok body is JSON written by this kind's
 * own apply/read, and T names what the op returns (the table above; the typed decoders below).
 */
export function decodeWorkflowResult<T>(bytes: Uint8Array): Decoded<T> {
  return decodeResultWith(bytes, (b) => JSON.parse(fromUtf8(b)) as T);
}
const jsonResult = decodeWorkflowResult;

export const decodeStartExecutionResult = (b: Uint8Array): Decoded<StartExecutionResult> => jsonResult(b);
export const decodeTransitionsResult = (b: Uint8Array): Decoded<TransitionOutcome[]> => jsonResult(b);
export const decodeStopExecutionResult = (b: Uint8Array): Decoded<StopExecutionResult> => jsonResult(b);
export const decodeTaskCallbackResult = (b: Uint8Array): Decoded<{ seq: number }> => jsonResult(b);
export const decodeRedriveResult = (b: Uint8Array): Decoded<RedriveResult> => jsonResult(b);
export const decodeAckInboxResult = (b: Uint8Array): Decoded<{ deleted: number }> => jsonResult(b);
export const decodeEnqueueActivityTaskResult = (b: Uint8Array): Decoded<{ queued: boolean }> => jsonResult(b);
export const decodeTakeActivityTaskResult = (b: Uint8Array): Decoded<ActivityTask | null> => jsonResult(b);
export const decodeDropActivityTaskResult = (b: Uint8Array): Decoded<{ dropped: boolean }> => jsonResult(b);

export const decodeDescribeExecutionResult = (b: Uint8Array): Decoded<ExecutionDescription> => jsonResult(b);
export const decodeListExecutionsResult = (b: Uint8Array): Decoded<Page<ExecutionListItem>> => jsonResult(b);
export const decodeHistoryResult = (b: Uint8Array): Decoded<Page<HistoryEvent>> => jsonResult(b);
export const decodeRunnableResult = (b: Uint8Array): Decoded<Page<RunnableExecution>> => jsonResult(b);
export const decodeInboxResult = (b: Uint8Array): Decoded<Page<InboxItem>> => jsonResult(b);
/** The definition's text as stored (a JSON string on the wire). */
export const decodeDefinitionResult = (b: Uint8Array): Decoded<string> => jsonResult(b);
export const decodeLeasesResult = (b: Uint8Array): Decoded<LeaseRecord[]> => jsonResult(b);
export const decodeActivityQueueLengthResult = (b: Uint8Array): Decoded<{ queued: number; taken: number }> => jsonResult(b);
export const decodeActivityTaskResult = (b: Uint8Array): Decoded<{ task: ActivityTask; input: string }> => jsonResult(b);
