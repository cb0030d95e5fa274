import { DecodeError, fromUtf8, utf8 } from './codec.js';
import { type CommandPayload, type Decoded, decodeResultWith, encodeQuery } from './envelope.js';
import { type MoveTaskCommand, type MoveTaskQuery, decodeMoveTaskCommand } from './meta-move-task-codec.js';
import { type QueueCatalogCommand, type QueueRecord, decodeCatalogCommand, toQueueRecord } from './meta-queue-codec.js';
import { type StreamCatalogCommand, type StreamRecord, decodeStreamCatalogCommand, toStreamRecord } from './meta-stream-codec.js';
import { type SubscriptionRecord, type TopicCatalogCommand, type TopicRecord, decodeTopicCatalogCommand, toSubscriptionRecord, toTopicRecord } from './meta-topic-codec.js';
import { type ActivityRecord, type StateMachineRecord, type WorkflowCatalogCommand, decodeWorkflowCatalogCommand, toActivityRecord, toStateMachineRecord } from './meta-workflow-codec.js';
import {
  type FunctionCatalogCommand,
  type FunctionCatalogQuery,
  type StoreRecord,
  decodeFunctionCatalogCommand,
  decodeFunctionCatalogQuery,
  toStoreRecord,
} from './meta-function-codec.js';

export * from './meta-move-task-codec.js';
export * from './meta-queue-codec.js';
export * from './meta-function-codec.js';
export * from './meta-stream-codec.js';
export * from './meta-topic-codec.js';
export * from './meta-workflow-codec.js';

/** Command ops of the `meta` kind. Wire values: append only, never renumber. */
export enum MetaOp {
  RegisterNode = 1,
  SetNodeState = 2,
  CreateLog = 3,
  DeleteLog = 4,
  SetGroupReplicas = 5,
  CreateQueue = 6,
  DeleteQueue = 7,
  SetQueueAttributes = 8,
  TagQueue = 9,
  UntagQueue = 10,
  PurgeQueue = 11,
  PutRootKey = 12,
  StartMoveTask = 13,
  UpdateMoveTask = 14,
  CancelMoveTask = 15,
  PutDoc = 16,
  EnsureStore = 17,
  SetMetaReplicas = 18,
  /** Every Kinesis stream command: the body's `type` names it (meta-stream-codec.ts). */
  StreamCatalog = 19,
  /** Every SNS topic and subscription command: the body's `type` names it (meta-topic-codec.ts). */
  TopicCatalog = 20,
  /** Every Step Functions state machine and activity command: the body's `type` names it (meta-workflow-codec.ts). */
  WorkflowCatalog = 21,
  /** An access key Stratus itself hands out (functions' credentials): the first one of an id wins. */
  PutServiceKey = 22,
}

/** Query ops of the `meta` kind. */
export enum MetaQueryOp {
  GetPlacement = 1,
  GetLog = 2,
  ListLogs = 3,
  GetAccessKey = 4,
  ListMoveTasks = 5,
  GetDoc = 6,
  ListDocs = 7,
  GetStore = 8,
  GetUsage = 9,
}

export const NODE_STATES = ['up', 'draining', 'removed'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export interface NodeRecord {
  /** Positive u32. */
  id: number;
  /** host:port of the node's gRPC endpoint. */
  address: string;
  state: NodeState;
  registeredAtMs: number;
}

/** The partition kinds a catalog group can have (meta itself is group 0, outside the catalog). */
export const GROUP_KINDS = ['log', 'queue', 'blob', 'stream', 'topic', 'workflow'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export interface GroupRecord {
  /** Allocated by meta from 1 up; group 0 is the meta group itself and is not in the catalog. */
  id: number;
  kind: GroupKind;
  /** Node ids; the first is the preferred leader. */
  replicas: number[];
  /**
   * The replicas the group was created with, kept through moves: exactly these members start
   * from the shared bootstrap configuration; replicas added later start empty and catch up by
   * snapshot.
   */
  initialReplicas?: number[];
  log?: string;
  queue?: string;
  /** The internal store (blob kind) the group belongs to. */
  store?: string;
  /** The stream (Kinesis) a shard group belongs to; `partition` is then the shard's ordinal. */
  stream?: string;
  /** The SNS topic a group belongs to. */
  topic?: string;
  /** The state machine (`<account>:stateMachine:<name>`) or activity (`<account>:activity:<name>`) a workflow group belongs to. */
  workflow?: string;
  partition?: number;
}

export interface LogRecord {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** 0: keep forever. */
  retentionMs: number;
  /** Group of partition p is groupIds[p]. */
  groupIds: number[];
  createdAtMs: number;
}

export interface Placement {
  /** Raft index of the last command that changed the catalog (0: never changed). */
  version: number;
  /** Sorted by id. */
  nodes: NodeRecord[];
  /** Sorted by id. */
  groups: GroupRecord[];
  /** Sorted by name. */
  logs: LogRecord[];
  /** Sorted by name. */
  queues: QueueRecord[];
  /** Internal stores (function code), sorted by name. */
  stores: StoreRecord[];
  /** Kinesis streams, sorted by name. */
  streams: StreamRecord[];
  /** SNS topics, sorted by name. */
  topics: TopicRecord[];
  /** SNS subscriptions, sorted by topic then id. */
  subscriptions: SubscriptionRecord[];
  /** Step Functions state machines (with versions and aliases), sorted by account then name. */
  stateMachines: StateMachineRecord[];
  /** Step Functions activities, sorted by account then name. */
  activities: ActivityRecord[];
  /**
   * The placed replicas of the meta group itself (group 0), preferred leader first. Absent
   * until the meta group is first moved: until then its members are the bootstrap peers, as
   * its Raft configuration says. Membership steps group 0's configuration toward it.
   */
  metaReplicas?: number[];
}

export interface LogWithGroups {
  log: LogRecord;
  /** In partition order. */
  groups: GroupRecord[];
}

export type MetaCommand =
  | { type: 'registerNode'; id: number; address: string }
  | { type: 'setNodeState'; id: number; state: NodeState }
  | { type: 'createLog'; name: string; partitions: number; replicationFactor: number; retentionMs: number }
  | { type: 'deleteLog'; name: string }
  | { type: 'setGroupReplicas'; groupId: number; replicas: number[] }
  | { type: 'setMetaReplicas'; replicas: number[] }
  | QueueCatalogCommand
  | MoveTaskCommand
  | FunctionCatalogCommand
  | { type: 'stream'; command: StreamCatalogCommand }
  | { type: 'topic'; command: TopicCatalogCommand }
  | { type: 'workflow'; command: WorkflowCatalogCommand };

/** getPlacement with ifNewerThan answers `{ unchanged: true }` while the version is not newer. */
export type MetaQuery =
  | { type: 'getPlacement'; ifNewerThan?: number }
  | { type: 'getLog'; name: string }
  | { type: 'listLogs' }
  | { type: 'getAccessKey'; accessKeyId: string }
  | MoveTaskQuery
  | FunctionCatalogQuery;

export function jsonBytes(v: unknown): Uint8Array {
  return utf8(JSON.stringify(v));
}

export function parseJson(b: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(b)) as unknown;
  } catch (e) {
    throw new DecodeError(`invalid JSON body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const COMMAND_OPS: Record<MetaCommand['type'], MetaOp> = {
  registerNode: MetaOp.RegisterNode,
  setNodeState: MetaOp.SetNodeState,
  createLog: MetaOp.CreateLog,
  deleteLog: MetaOp.DeleteLog,
  setGroupReplicas: MetaOp.SetGroupReplicas,
  createQueue: MetaOp.CreateQueue,
  deleteQueue: MetaOp.DeleteQueue,
  setQueueAttributes: MetaOp.SetQueueAttributes,
  tagQueue: MetaOp.TagQueue,
  untagQueue: MetaOp.UntagQueue,
  purgeQueue: MetaOp.PurgeQueue,
  putRootKey: MetaOp.PutRootKey,
  putServiceKey: MetaOp.PutServiceKey,
  startMoveTask: MetaOp.StartMoveTask,
  updateMoveTask: MetaOp.UpdateMoveTask,
  cancelMoveTask: MetaOp.CancelMoveTask,
  putDoc: MetaOp.PutDoc,
  ensureStore: MetaOp.EnsureStore,
  setMetaReplicas: MetaOp.SetMetaReplicas,
  stream: MetaOp.StreamCatalog,
  topic: MetaOp.TopicCatalog,
  workflow: MetaOp.WorkflowCatalog,
};

export function encodeMetaCommand(cmd: MetaCommand): CommandPayload {
  if (cmd.type === 'stream') return { op: MetaOp.StreamCatalog, body: jsonBytes(cmd.command) };
  if (cmd.type === 'topic') return { op: MetaOp.TopicCatalog, body: jsonBytes(cmd.command) };
  if (cmd.type === 'workflow') return { op: MetaOp.WorkflowCatalog, body: jsonBytes(cmd.command) };
  const { type, ...args } = cmd;
  return { op: COMMAND_OPS[type], body: jsonBytes(args) };
}

const QUERY_OPS: Record<FunctionCatalogQuery['type'], MetaQueryOp> = {
  getDoc: MetaQueryOp.GetDoc,
  listDocs: MetaQueryOp.ListDocs,
  getStore: MetaQueryOp.GetStore,
  getUsage: MetaQueryOp.GetUsage,
};

export function encodeMetaQuery(q: MetaQuery): Uint8Array {
  switch (q.type) {
    case 'getPlacement':
      return encodeQuery({ op: MetaQueryOp.GetPlacement, body: q.ifNewerThan === undefined ? new Uint8Array(0) : jsonBytes({ ifNewerThan: q.ifNewerThan }) });
    case 'getLog':
      return encodeQuery({ op: MetaQueryOp.GetLog, body: jsonBytes({ name: q.name }) });
    case 'listLogs':
      return encodeQuery({ op: MetaQueryOp.ListLogs, body: new Uint8Array(0) });
    case 'getAccessKey':
      return encodeQuery({ op: MetaQueryOp.GetAccessKey, body: jsonBytes({ accessKeyId: q.accessKeyId }) });
    case 'listMoveTasks':
      return encodeQuery({ op: MetaQueryOp.ListMoveTasks, body: q.source === undefined ? new Uint8Array(0) : jsonBytes({ source: q.source }) });
    case 'getDoc':
    case 'listDocs':
    case 'getStore':
    case 'getUsage': {
      const { type, ...rest } = q;
      return encodeQuery({ op: QUERY_OPS[type], body: jsonBytes(rest) });
    }
  }
}

type Obj = Record<string, unknown>;

function object(v: unknown): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError('body must be a JSON object');
  return v as Obj;
}

function num(o: Obj, field: string): number {
  const v = o[field];
  if (typeof v !== 'number') throw new DecodeError(`${field} must be a number`);
  return v;
}

function str(o: Obj, field: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new DecodeError(`${field} must be a string`);
  return v;
}

function numArray(o: Obj, field: string): number[] {
  const v = o[field];
  if (!Array.isArray(v) || !v.every((x): x is number => typeof x === 'number')) {
    throw new DecodeError(`${field} must be an array of numbers`);
  }
  return v;
}

function nodeState(o: Obj, field: string): NodeState {
  const v = str(o, field);
  const state = NODE_STATES.find((s) => s === v);
  if (state === undefined) throw new DecodeError(`${field} must be one of ${NODE_STATES.join(', ')}`);
  return state;
}

/** Checks the shape of a command body; value ranges are checked by apply. */
export function decodeMetaCommand(op: number, body: Uint8Array): MetaCommand {
  const o = object(parseJson(body));
  switch (op) {
    case MetaOp.RegisterNode:
      return { type: 'registerNode', id: num(o, 'id'), address: str(o, 'address') };
    case MetaOp.SetNodeState:
      return { type: 'setNodeState', id: num(o, 'id'), state: nodeState(o, 'state') };
    case MetaOp.CreateLog:
      return {
        type: 'createLog',
        name: str(o, 'name'),
        partitions: num(o, 'partitions'),
        replicationFactor: num(o, 'replicationFactor'),
        retentionMs: num(o, 'retentionMs'),
      };
    case MetaOp.DeleteLog:
      return { type: 'deleteLog', name: str(o, 'name') };
    case MetaOp.SetGroupReplicas:
      return { type: 'setGroupReplicas', groupId: num(o, 'groupId'), replicas: numArray(o, 'replicas') };
    case MetaOp.CreateQueue:
      return decodeCatalogCommand('createQueue', o);
    case MetaOp.DeleteQueue:
      return decodeCatalogCommand('deleteQueue', o);
    case MetaOp.SetQueueAttributes:
      return decodeCatalogCommand('setQueueAttributes', o);
    case MetaOp.TagQueue:
      return decodeCatalogCommand('tagQueue', o);
    case MetaOp.UntagQueue:
      return decodeCatalogCommand('untagQueue', o);
    case MetaOp.PurgeQueue:
      return decodeCatalogCommand('purgeQueue', o);
    case MetaOp.PutRootKey:
      return decodeCatalogCommand('putRootKey', o);
    case MetaOp.PutServiceKey:
      return decodeCatalogCommand('putServiceKey', o);
    case MetaOp.StartMoveTask:
      return decodeMoveTaskCommand('startMoveTask', o);
    case MetaOp.UpdateMoveTask:
      return decodeMoveTaskCommand('updateMoveTask', o);
    case MetaOp.CancelMoveTask:
      return decodeMoveTaskCommand('cancelMoveTask', o);
    case MetaOp.PutDoc:
      return decodeFunctionCatalogCommand('putDoc', o);
    case MetaOp.EnsureStore:
      return decodeFunctionCatalogCommand('ensureStore', o);
    case MetaOp.SetMetaReplicas:
      return { type: 'setMetaReplicas', replicas: numArray(o, 'replicas') };
    case MetaOp.StreamCatalog:
      return { type: 'stream', command: decodeStreamCatalogCommand(o) };
    case MetaOp.TopicCatalog:
      return { type: 'topic', command: decodeTopicCatalogCommand(o) };
    case MetaOp.WorkflowCatalog:
      return { type: 'workflow', command: decodeWorkflowCatalogCommand(o) };
    default:
      throw new DecodeError(`unknown meta op ${op}`);
  }
}

export function decodeMetaQuery(op: number, body: Uint8Array): MetaQuery {
  switch (op) {
    case MetaQueryOp.GetPlacement:
      return body.byteLength === 0 ? { type: 'getPlacement' } : { type: 'getPlacement', ifNewerThan: num(object(parseJson(body)), 'ifNewerThan') };
    case MetaQueryOp.GetLog:
      return { type: 'getLog', name: str(object(parseJson(body)), 'name') };
    case MetaQueryOp.ListLogs:
      return { type: 'listLogs' };
    case MetaQueryOp.GetAccessKey:
      return { type: 'getAccessKey', accessKeyId: str(object(parseJson(body)), 'accessKeyId') };
    case MetaQueryOp.ListMoveTasks:
      return body.byteLength === 0 ? { type: 'listMoveTasks' } : { type: 'listMoveTasks', source: str(object(parseJson(body)), 'source') };
    case MetaQueryOp.GetDoc:
      return decodeFunctionCatalogQuery('getDoc', object(parseJson(body)));
    case MetaQueryOp.ListDocs:
      return decodeFunctionCatalogQuery('listDocs', object(parseJson(body)));
    case MetaQueryOp.GetStore:
      return decodeFunctionCatalogQuery('getStore', object(parseJson(body)));
    case MetaQueryOp.GetUsage:
      return decodeFunctionCatalogQuery('getUsage', object(parseJson(body)));
    default:
      throw new DecodeError(`unknown meta query op ${op}`);
  }
}

/** Stored and result records are rebuilt field by field so their JSON is byte-identical. */
export function toNodeRecord(v: unknown): NodeRecord {
  const o = object(v);
  return { id: num(o, 'id'), address: str(o, 'address'), state: nodeState(o, 'state'), registeredAtMs: num(o, 'registeredAtMs') };
}

export function toGroupRecord(v: unknown): GroupRecord {
  const o = object(v);
  const kind = GROUP_KINDS.find((k) => k === o.kind);
  if (kind === undefined) throw new DecodeError(`unknown group kind ${String(o.kind)}`);
  // Field order matches the literal in MetaStateMachine.allocateGroups, so re-encoding is stable.
  const g: GroupRecord = { id: num(o, 'id'), kind, replicas: numArray(o, 'replicas') };
  if (o.initialReplicas !== undefined) g.initialReplicas = numArray(o, 'initialReplicas');
  if (o.log !== undefined) g.log = str(o, 'log');
  if (o.queue !== undefined) g.queue = str(o, 'queue');
  if (o.store !== undefined) g.store = str(o, 'store');
  if (o.stream !== undefined) g.stream = str(o, 'stream');
  if (o.topic !== undefined) g.topic = str(o, 'topic');
  if (o.workflow !== undefined) g.workflow = str(o, 'workflow');
  if (o.partition !== undefined) g.partition = num(o, 'partition');
  return g;
}

export function toLogRecord(v: unknown): LogRecord {
  const o = object(v);
  return {
    name: str(o, 'name'),
    partitions: num(o, 'partitions'),
    replicationFactor: num(o, 'replicationFactor'),
    retentionMs: num(o, 'retentionMs'),
    groupIds: numArray(o, 'groupIds'),
    createdAtMs: num(o, 'createdAtMs'),
  };
}

function toLogWithGroups(v: unknown): LogWithGroups {
  const o = object(v);
  const groups = o.groups;
  if (!Array.isArray(groups)) throw new DecodeError('groups must be an array');
  return { log: toLogRecord(o.log), groups: groups.map(toGroupRecord) };
}

function list<T>(o: Obj, field: string, each: (v: unknown) => T): T[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new DecodeError(`${field} must be an array`);
  return v.map(each);
}

/** Result of RegisterNode and SetNodeState. */
export function decodeNodeResult(bytes: Uint8Array): Decoded<NodeRecord> {
  return decodeResultWith(bytes, (b) => toNodeRecord(parseJson(b)));
}

/** Result of CreateLog, DeleteLog (the removed log) and the GetLog query. */
export function decodeLogResult(bytes: Uint8Array): Decoded<LogWithGroups> {
  return decodeResultWith(bytes, (b) => toLogWithGroups(parseJson(b)));
}

/** Result of SetMetaReplicas: the meta group's placed replicas. */
export function decodeMetaReplicasResult(bytes: Uint8Array): Decoded<number[]> {
  return decodeResultWith(bytes, (b) => numArray(object(parseJson(b)), 'replicas'));
}

/** Result of SetGroupReplicas. */
export function decodeGroupResult(bytes: Uint8Array): Decoded<GroupRecord> {
  return decodeResultWith(bytes, (b) => toGroupRecord(parseJson(b)));
}

/** The answer to getPlacement with ifNewerThan: the placement, or 'unchanged'. */
export function decodePlacementIfChanged(bytes: Uint8Array): Decoded<Placement | 'unchanged'> {
  const peek = decodeResultWith(bytes, (b) => object(parseJson(b)));
  if (peek.ok && peek.value.unchanged === true) return { ok: true, value: 'unchanged' };
  return decodePlacementResult(bytes);
}

export function decodePlacementResult(bytes: Uint8Array): Decoded<Placement> {
  return decodeResultWith(bytes, (b) => {
    const o = object(parseJson(b));
    return {
      version: num(o, 'version'),
      nodes: list(o, 'nodes', toNodeRecord),
      groups: list(o, 'groups', toGroupRecord),
      logs: list(o, 'logs', toLogRecord),
      queues: o.queues === undefined ? [] : list(o, 'queues', toQueueRecord),
      stores: o.stores === undefined ? [] : list(o, 'stores', toStoreRecord),
      streams: o.streams === undefined ? [] : list(o, 'streams', toStreamRecord),
      topics: o.topics === undefined ? [] : list(o, 'topics', toTopicRecord),
      subscriptions: o.subscriptions === undefined ? [] : list(o, 'subscriptions', toSubscriptionRecord),
      stateMachines: o.stateMachines === undefined ? [] : list(o, 'stateMachines', toStateMachineRecord),
      activities: o.activities === undefined ? [] : list(o, 'activities', toActivityRecord),
      ...(o.metaReplicas === undefined ? {} : { metaReplicas: numArray(o, 'metaReplicas') }),
    };
  });
}

export function decodeListLogsResult(bytes: Uint8Array): Decoded<LogRecord[]> {
  return decodeResultWith(bytes, (b) => list(object(parseJson(b)), 'logs', toLogRecord));
}
