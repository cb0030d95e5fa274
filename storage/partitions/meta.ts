import { type KvOp } from '../engine/engine.js';
import { DecodeError, fromUtf8, prefixEnd, utf8 } from './codec.js';
import { DedupTable, type DedupOptions } from './dedup.js';
import { type Command, CommandError, decodeQuery, errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from './kind.js';
import { StreamCatalog } from './meta-streams.js';
import { TopicCatalog } from './meta-topics.js';
import { WorkflowCatalog } from './meta-workflows.js';
import { FunctionCatalog } from './meta-functions.js';
import { type GroupAllocator, QueueCatalog } from './meta-queues.js';
import {
  type GroupKind,
  type GroupRecord,
  type LogRecord,
  type LogWithGroups,
  type MetaCommand,
  type MetaQuery,
  type NodeRecord,
  type NodeState,
  type Placement,
  decodeMetaCommand,
  decodeMetaQuery,
  jsonBytes,
  parseJson,
  toGroupRecord,
  toLogRecord,
  toNodeRecord,
} from './meta-codec.js';

export * from './meta-codec.js';

/*
 * The `meta` kind: the catalog of nodes, Raft groups and logs, and replica placement. It lives
 * in group 0. The whole catalog is small and kept in memory; each record is persisted as JSON
 * under its own relative key:
 *   'n/<id>' node, 'g/<id>' group, 'l/<name>' log, 'c/nextGroupId', 'c/version',
 *   'c/metaReplicas' (the meta group's own placed replicas, once it was first moved).
 * The service catalogs keep their own prefixes (meta-*.ts); Step Functions uses 'W/' and 'A/'.
 * Maps are never iterated for decisions or output without sorting first: a replica that
 * reloaded from the store has a different insertion order than one that applied live.
 */

export const LOG_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
export const MAX_PARTITIONS = 1024;
export const MAX_REPLICATION_FACTOR = 5;
/** Moves may briefly need more replicas than the replication factor. */
export const MAX_GROUP_REPLICAS = 7;
const MAX_NODE_ID = 0xffff_ffff;
const ADDRESS_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

const NODE_PREFIX = 'n/';
const GROUP_PREFIX = 'g/';
const LOG_PREFIX = 'l/';
const NEXT_GROUP_KEY = utf8('c/nextGroupId');
const VERSION_KEY = utf8('c/version');
const META_REPLICAS_KEY = utf8('c/metaReplicas');

export interface MetaStateMachineOptions {
  dedup?: DedupOptions;
}

class Invalid extends Error {}

function invalid(message: string): Invalid {
  return new Invalid(message);
}

export class MetaStateMachine implements PartitionStateMachine {
  private readonly dedupOptions: DedupOptions;
  private dedup: DedupTable;
  private nodes = new Map<number, NodeRecord>();
  private groups = new Map<number, GroupRecord>();
  private logs = new Map<string, LogRecord>();
  private nextGroupId = 1;
  private version = 0;
  /** The meta group's placed replicas; undefined until first set (the bootstrap peers). */
  private metaReplicas: number[] | undefined;
  private catalog = new QueueCatalog();
  private functions = new FunctionCatalog();
  private streams = new StreamCatalog();
  private topics = new TopicCatalog();
  private workflows = new WorkflowCatalog();
  /** How the queue catalog allocates and releases groups (bound once). */
  private readonly allocator: GroupAllocator = {
    allocate: (kind, owner, partitions, rf, ops, firstPartition) => this.allocateGroups(kind, owner, partitions, rf, ops, firstPartition).map((g) => g.id),
    release: (ids, ops) => {
      for (const id of ids) {
        this.groups.delete(id);
        ops.push({ type: 'del', key: utf8(GROUP_PREFIX + String(id)) });
      }
    },
    touch: (ctx) => this.touch(ctx),
  };

  constructor(opts: MetaStateMachineOptions = {}) {
    this.dedupOptions = opts.dedup ?? {};
    this.dedup = new DedupTable(this.dedupOptions);
  }

  async load(store: PartitionStore): Promise<void> {
    const dedup = new DedupTable(this.dedupOptions);
    await dedup.load(store);
    const nodes = new Map<number, NodeRecord>();
    for (const v of await scanJson(store, NODE_PREFIX)) {
      const n = toNodeRecord(v);
      nodes.set(n.id, n);
    }
    const groups = new Map<number, GroupRecord>();
    for (const v of await scanJson(store, GROUP_PREFIX)) {
      const g = toGroupRecord(v);
      groups.set(g.id, g);
    }
    const logs = new Map<string, LogRecord>();
    for (const v of await scanJson(store, LOG_PREFIX)) {
      const l = toLogRecord(v);
      logs.set(l.name, l);
    }
    const next = await store.get(NEXT_GROUP_KEY);
    const version = await store.get(VERSION_KEY);
    const metaReplicas = await store.get(META_REPLICAS_KEY);
    const catalog = new QueueCatalog();
    await catalog.load(store);
    const streams = new StreamCatalog();
    await streams.load(store);
    const topics = new TopicCatalog();
    await topics.load(store);
    const workflows = new WorkflowCatalog();
    await workflows.load(store);
    const functions = new FunctionCatalog();
    await functions.load(store);
    this.catalog = catalog;
    this.functions = functions;
    this.streams = streams;
    this.topics = topics;
    this.workflows = workflows;
    this.dedup = dedup;
    this.nodes = nodes;
    this.groups = groups;
    this.logs = logs;
    this.nextGroupId = next === undefined ? 1 : Number(fromUtf8(next));
    this.version = version === undefined ? 0 : Number(fromUtf8(version));
    this.metaReplicas = metaReplicas === undefined ? undefined : toReplicaList(parseJson(metaReplicas));
  }

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    return this.dedup.applyEncoded(command, ctx, (c, cx) => this.applyOp(c, cx));
  }

  private applyOp(cmd: Command, ctx: ApplyContext): Uint8Array {
    let decoded: MetaCommand;
    try {
      decoded = decodeMetaCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', `malformed meta command: ${e.message}`);
      throw e;
    }
    // Validation runs before any state changes, so an Invalid never leaves a half-applied command.
    try {
      switch (decoded.type) {
        case 'registerNode':
          return this.registerNode(decoded.id, decoded.address, cmd.timestampMs, ctx);
        case 'setNodeState':
          return this.setNodeState(decoded.id, decoded.state, ctx);
        case 'createLog':
          return this.createLog(decoded, cmd.timestampMs, ctx);
        case 'deleteLog':
          return this.deleteLog(decoded.name, ctx);
        case 'setGroupReplicas':
          return this.setGroupReplicas(decoded.groupId, decoded.replicas, ctx);
        case 'setMetaReplicas':
          return this.setMetaReplicas(decoded.replicas, ctx);
        case 'putDoc':
        case 'ensureStore':
          return this.functions.apply(decoded, cmd.timestampMs, ctx, this.allocator);
        case 'stream':
          return this.streams.apply(decoded.command, cmd.timestampMs, ctx, this.allocator);
        case 'topic':
          return this.topics.apply(decoded.command, cmd.timestampMs, ctx, this.allocator);
        case 'workflow':
          return this.workflows.apply(decoded.command, cmd.timestampMs, ctx, this.allocator);
        default:
          return this.catalog.apply(decoded, cmd.timestampMs, ctx, this.allocator);
      }
    } catch (e) {
      if (e instanceof Invalid) return errorResult('InvalidArgument', e.message);
      throw e;
    }
  }

  /** Registers a node as 'up', or updates its address; an existing node keeps its state. */
  private registerNode(id: number, address: string, nowMs: number, ctx: ApplyContext): Uint8Array {
    checkNodeId(id);
    const m = ADDRESS_PATTERN.exec(address);
    if (m === null || Number(m[2]) > 65535) throw invalid(`address must be host:port, got ${JSON.stringify(address)}`);
    const existing = this.nodes.get(id);
    if (existing !== undefined && existing.address === address) return okResult(jsonBytes(existing));
    const node: NodeRecord = existing
      ? { ...existing, address }
      : { id, address, state: 'up', registeredAtMs: nowMs };
    this.putNode(node, ctx);
    return okResult(jsonBytes(node));
  }

  private setNodeState(id: number, state: NodeState, ctx: ApplyContext): Uint8Array {
    checkNodeId(id);
    const existing = this.nodes.get(id);
    if (existing === undefined) return errorResult('NotFound', `node ${id} is not registered`);
    if (existing.state === state) return okResult(jsonBytes(existing));
    const node: NodeRecord = { ...existing, state };
    this.putNode(node, ctx);
    return okResult(jsonBytes(node));
  }

  private createLog(cmd: Extract<MetaCommand, { type: 'createLog' }>, nowMs: number, ctx: ApplyContext): Uint8Array {
    const { name, partitions, replicationFactor: rf, retentionMs } = cmd;
    checkLogName(name);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw invalid(`partitions must be an integer 1-${MAX_PARTITIONS}, got ${partitions}`);
    }
    if (!Number.isInteger(rf) || rf < 1 || rf > MAX_REPLICATION_FACTOR) {
      throw invalid(`replicationFactor must be an integer 1-${MAX_REPLICATION_FACTOR}, got ${rf}`);
    }
    if (!Number.isSafeInteger(retentionMs) || retentionMs < 0) {
      throw invalid(`retentionMs must be a non-negative integer (0 = forever), got ${retentionMs}`);
    }
    if (this.logs.has(name)) return errorResult('AlreadyExists', `log ${name} already exists`);
    const groups = this.allocateGroups('log', name, partitions, rf, ctx.ops);
    const log: LogRecord = {
      name,
      partitions,
      replicationFactor: rf,
      retentionMs,
      groupIds: groups.map((g) => g.id),
      createdAtMs: nowMs,
    };
    this.logs.set(name, log);
    ctx.ops.push({ type: 'put', key: utf8(LOG_PREFIX + name), value: jsonBytes(log) });
    this.touch(ctx);
    return okResult(jsonBytes({ log, groups } satisfies LogWithGroups));
  }

  /** Places and records the groups of a new log or queue; throws Invalid when too few nodes are up. */
  private allocateGroups(kind: GroupKind, owner: string, partitions: number, rf: number, ops: KvOp[], firstPartition = 0): GroupRecord[] {
    if (!Number.isInteger(rf) || rf < 1 || rf > MAX_REPLICATION_FACTOR) {
      throw invalid(`replicationFactor must be an integer 1-${MAX_REPLICATION_FACTOR}, got ${rf}`);
    }
    const up = [...this.nodes.values()].filter((n) => n.state === 'up').map((n) => n.id);
    if (up.length < rf) {
      throw invalid(`replicationFactor ${rf} needs ${rf} up nodes, but ${up.length} ${up.length === 1 ? 'is' : 'are'} up`);
    }
    const groups: GroupRecord[] = this.place(up, partitions, rf).map((replicas, p) => ({
      id: this.nextGroupId + p,
      kind,
      replicas,
      initialReplicas: [...replicas],
      ...(kind === 'log' ? { log: owner } : kind === 'queue' ? { queue: owner } : kind === 'stream' ? { stream: owner } : kind === 'topic' ? { topic: owner } : kind === 'workflow' ? { workflow: owner } : { store: owner }),
      partition: firstPartition + p,
    }));
    this.nextGroupId += partitions;
    ops.push({ type: 'put', key: NEXT_GROUP_KEY, value: utf8(String(this.nextGroupId)) });
    for (const g of groups) this.putGroup(g, ops);
    return groups;
  }

  /**
   * Picks rf distinct up nodes per partition: the least-loaded (replica count, counting the
   * partitions placed so far) first, ties by node id, which rotates through equally loaded nodes.
   * The preferred leader (first replica) is the pick with the fewest leaderships, so leaders
   * spread too even when every partition lands on the same nodes.
   */
  private place(up: number[], partitions: number, rf: number): number[][] {
    const load = new Map<number, number>();
    const leads = new Map<number, number>();
    for (const id of up) {
      load.set(id, 0);
      leads.set(id, 0);
    }
    for (const g of this.groups.values()) {
      g.replicas.forEach((id, i) => {
        const l = load.get(id);
        if (l !== undefined) load.set(id, l + 1);
        const c = leads.get(id);
        if (i === 0 && c !== undefined) leads.set(id, c + 1);
      });
    }
    const loadOf = (id: number): number => load.get(id) ?? 0;
    const leadsOf = (id: number): number => leads.get(id) ?? 0;
    const result: number[][] = [];
    for (let p = 0; p < partitions; p++) {
      const picked = [...up].sort((a, b) => loadOf(a) - loadOf(b) || a - b).slice(0, rf);
      let leader = picked[0] as number;
      for (const id of picked) if (leadsOf(id) < leadsOf(leader)) leader = id;
      const replicas = [leader, ...picked.filter((id) => id !== leader)];
      for (const id of replicas) load.set(id, loadOf(id) + 1);
      leads.set(leader, leadsOf(leader) + 1);
      result.push(replicas);
    }
    return result;
  }

  private deleteLog(name: string, ctx: ApplyContext): Uint8Array {
    checkLogName(name);
    const log = this.logs.get(name);
    if (log === undefined) return errorResult('NotFound', `log ${name} does not exist`);
    const groups = this.groupsOf(log);
    for (const id of log.groupIds) {
      this.groups.delete(id);
      ctx.ops.push({ type: 'del', key: utf8(GROUP_PREFIX + String(id)) });
    }
    this.logs.delete(name);
    ctx.ops.push({ type: 'del', key: utf8(LOG_PREFIX + name) });
    this.touch(ctx);
    return okResult(jsonBytes({ log, groups } satisfies LogWithGroups));
  }

  private setGroupReplicas(groupId: number, replicas: number[], ctx: ApplyContext): Uint8Array {
    if (!Number.isInteger(groupId) || groupId < 1) throw invalid(`groupId must be a positive integer, got ${groupId}`);
    this.checkReplicas(replicas);
    const existing = this.groups.get(groupId);
    if (existing === undefined) return errorResult('NotFound', `group ${groupId} does not exist`);
    const group: GroupRecord = { ...existing, replicas: [...replicas] };
    this.putGroup(group, ctx.ops);
    this.touch(ctx);
    return okResult(jsonBytes(group));
  }

  /**
   * Places the meta group's own replicas (preferred leader first). The meta group's leader
   * steps group 0's Raft configuration toward them, as for any group (membership.ts).
   */
  private setMetaReplicas(replicas: number[], ctx: ApplyContext): Uint8Array {
    this.checkReplicas(replicas);
    this.metaReplicas = [...replicas];
    ctx.ops.push({ type: 'put', key: META_REPLICAS_KEY, value: jsonBytes({ replicas: this.metaReplicas }) });
    this.touch(ctx);
    return okResult(jsonBytes({ replicas: this.metaReplicas }));
  }

  private checkReplicas(replicas: number[]): void {
    if (replicas.length < 1 || replicas.length > MAX_GROUP_REPLICAS) {
      throw invalid(`a group needs 1-${MAX_GROUP_REPLICAS} replicas, got ${replicas.length}`);
    }
    if (new Set(replicas).size !== replicas.length) throw invalid('replicas must be distinct');
    for (const id of replicas) {
      const node = this.nodes.get(id);
      if (node === undefined) throw invalid(`replica ${id} is not a registered node`);
      if (node.state === 'removed') throw invalid(`replica ${id} is a removed node`);
    }
  }

  private putNode(node: NodeRecord, ctx: ApplyContext): void {
    this.nodes.set(node.id, node);
    ctx.ops.push({ type: 'put', key: utf8(NODE_PREFIX + String(node.id)), value: jsonBytes(node) });
    this.touch(ctx);
  }

  private putGroup(group: GroupRecord, ops: KvOp[]): void {
    this.groups.set(group.id, group);
    ops.push({ type: 'put', key: utf8(GROUP_PREFIX + String(group.id)), value: jsonBytes(group) });
  }

  private touch(ctx: ApplyContext): void {
    this.version = ctx.index;
    ctx.ops.push({ type: 'put', key: VERSION_KEY, value: utf8(String(ctx.index)) });
  }

  private groupsOf(log: LogRecord): GroupRecord[] {
    const out: GroupRecord[] = [];
    for (const id of log.groupIds) {
      const g = this.groups.get(id);
      if (g !== undefined) out.push(g);
    }
    return out;
  }

  placement(): Placement {
    return {
      version: this.version,
      nodes: [...this.nodes.values()].sort((a, b) => a.id - b.id),
      groups: [...this.groups.values()].sort((a, b) => a.id - b.id),
      logs: this.sortedLogs(),
      queues: this.catalog.sortedQueues(),
      stores: this.functions.sortedStores(),
      streams: this.streams.sorted(),
      topics: this.topics.sortedTopics(),
      subscriptions: this.topics.sortedSubscriptions(),
      stateMachines: this.workflows.sortedStateMachines(),
      activities: this.workflows.sortedActivities(),
      ...(this.metaReplicas === undefined ? {} : { metaReplicas: [...this.metaReplicas] }),
    };
  }

  private sortedLogs(): LogRecord[] {
    return [...this.logs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async read(query: Uint8Array): Promise<Uint8Array> {
    let q: MetaQuery;
    try {
      const { op, body } = decodeQuery(query);
      q = decodeMetaQuery(op, body);
    } catch (e) {
      if (e instanceof CommandError || e instanceof DecodeError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    switch (q.type) {
      case 'getPlacement': {
        // Pollers send the version they hold: a small answer while nothing changed.
        const current = this.placement();
        if (q.ifNewerThan !== undefined && current.version <= q.ifNewerThan) return okResult(jsonBytes({ unchanged: true, version: current.version }));
        return okResult(jsonBytes(current));
      }
      case 'getLog': {
        const log = this.logs.get(q.name);
        if (log === undefined) return errorResult('NotFound', `log ${q.name} does not exist`);
        return okResult(jsonBytes({ log, groups: this.groupsOf(log) } satisfies LogWithGroups));
      }
      case 'listLogs':
        return okResult(jsonBytes({ logs: this.sortedLogs() }));
      case 'getAccessKey': {
        const k = this.catalog.accessKey(q.accessKeyId);
        return k === undefined ? errorResult('NotFound', `access key ${q.accessKeyId} does not exist`) : okResult(jsonBytes(k));
      }
      case 'listMoveTasks':
        return okResult(jsonBytes({ tasks: this.catalog.moveTaskList(q.source) }));
      case 'getDoc':
      case 'listDocs':
      case 'getStore':
      case 'getUsage':
        return this.functions.read(q);
    }
  }
}

function checkNodeId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_NODE_ID) throw invalid(`node id must be an integer 1-${MAX_NODE_ID}, got ${id}`);
}

function checkLogName(name: string): void {
  if (!LOG_NAME_PATTERN.test(name)) {
    throw invalid(`log name must be 1-128 characters of [A-Za-z0-9_.-], got ${JSON.stringify(name)}`);
  }
}

function toReplicaList(v: unknown): number[] {
  const r = typeof v === 'object' && v !== null ? (v as { replicas?: unknown }).replicas : undefined;
  if (!Array.isArray(r) || !r.every((x): x is number => typeof x === 'number')) throw new DecodeError('metaReplicas: replicas must be an array of numbers');
  return r;
}

async function scanJson(store: PartitionStore, prefix: string): Promise<unknown[]> {
  const gte = utf8(prefix);
  const out: unknown[] = [];
  for await (const [, value] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) out.push(parseJson(value));
  return out;
}
