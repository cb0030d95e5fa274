// The queue catalog and the access keys, as part of the meta state machine (group 0). Queue
// attributes are checked by the gateway before they are proposed; apply re-checks only what
// keeps the catalog consistent (names, counts, the 60-second guards), since those depend on
// state the gateway cannot see atomically.
import { type KvOp } from '../engine/engine.js';
import { prefixEnd, utf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';
import { type MoveTaskCommand, type MoveTaskRecord } from './meta-move-task-codec.js';
import { MoveTaskTable } from './meta-move-tasks.js';
import { type AccessKeyRecord, type QueueCatalogCommand, type QueueRecord, toAccessKeyRecord, toQueueRecord } from './meta-queue-codec.js';

export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
export const FIFO_QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
/**
 * Queues Stratus keeps for itself (a function's async-invoke events): the dot makes the name
 * invalid for SQS users, so it can never collide with theirs, and the gateway hides them.
 */
export const INTERNAL_QUEUE_NAME_PATTERN = /^stratus\.[a-z0-9-]{1,64}$/;
/** AWS: "You must wait 60 seconds after deleting a queue before you can create another with the same name." */
export const QUEUE_RECREATE_GUARD_MS = 60_000;
/** AWS: only one PurgeQueue per queue every 60 seconds. */
export const PURGE_GUARD_MS = 60_000;
/** AWS: a queue has at most 50 tags. */
export const MAX_QUEUE_TAGS = 50;
export const MAX_QUEUE_PARTITIONS = 64;

const QUEUE_PREFIX = 'Q/';
const DELETED_PREFIX = 'X/';
const KEY_PREFIX = 'K/';

/** What the catalog needs from the meta machine: group allocation and release. */
export interface GroupAllocator {
  /** Shard groups of a stream number their partitions from `firstPartition` (the shard ordinal). */
  allocate(kind: 'queue' | 'blob' | 'stream' | 'topic' | 'workflow', owner: string, partitions: number, rf: number, ops: KvOp[], firstPartition?: number): number[];
  release(groupIds: number[], ops: KvOp[]): void;
  touch(ctx: ApplyContext): void;
}

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

async function scan(store: PartitionStore, prefix: string): Promise<[string, Uint8Array][]> {
  const gte = utf8(prefix);
  const out: [string, Uint8Array][] = [];
  for await (const [k, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) out.push([new TextDecoder().decode(k).slice(prefix.length), v]);
  return out;
}

const parse = (b: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(b)) as unknown;

export class QueueCatalog {
  private queues = new Map<string, QueueRecord>();
  /** Deleted queue name → deletion time, kept for the re-create guard. */
  private deleted = new Map<string, number>();
  private keys = new Map<string, AccessKeyRecord>();
  private moveTasks = new MoveTaskTable();

  async load(store: PartitionStore): Promise<void> {
    const queues = new Map<string, QueueRecord>();
    for (const [, v] of await scan(store, QUEUE_PREFIX)) {
      const q = toQueueRecord(parse(v));
      queues.set(q.name, q);
    }
    const deleted = new Map<string, number>();
    for (const [name, v] of await scan(store, DELETED_PREFIX)) deleted.set(name, Number(parse(v)));
    const keys = new Map<string, AccessKeyRecord>();
    for (const [, v] of await scan(store, KEY_PREFIX)) {
      const k = toAccessKeyRecord(parse(v));
      keys.set(k.accessKeyId, k);
    }
    const moveTasks = new MoveTaskTable();
    await moveTasks.load(store);
    this.queues = queues;
    this.deleted = deleted;
    this.keys = keys;
    this.moveTasks = moveTasks;
  }

  sortedQueues(): QueueRecord[] {
    return [...this.queues.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  accessKey(id: string): AccessKeyRecord | undefined {
    return this.keys.get(id);
  }

  /** A source queue's move tasks newest first, or (no source) every running one. */
  moveTaskList(source?: string): MoveTaskRecord[] {
    return this.moveTasks.list(source);
  }

  apply(cmd: QueueCatalogCommand | MoveTaskCommand, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    if (cmd.type === 'startMoveTask' || cmd.type === 'updateMoveTask' || cmd.type === 'cancelMoveTask') {
      return this.moveTasks.apply(cmd, now, ctx, (n) => this.queues.has(n));
    }
    if (cmd.type === 'putRootKey') return this.putRootKey(cmd.accessKeyId, cmd.secretAccessKey, now, ctx);
    if (cmd.type === 'putServiceKey') return this.putServiceKey(cmd.accessKeyId, cmd.secretAccessKey, now, ctx);
    const name = cmd.name;
    if (!QUEUE_NAME_PATTERN.test(name) && !FIFO_QUEUE_NAME_PATTERN.test(name) && !INTERNAL_QUEUE_NAME_PATTERN.test(name)) {
      return errorResult('InvalidArgument', `invalid queue name ${JSON.stringify(name)}`);
    }
    if (cmd.type === 'createQueue') return this.create(cmd, now, ctx, groups);
    const q = this.queues.get(name);
    if (q === undefined) return errorResult('NotFound', `queue ${name} does not exist`);
    switch (cmd.type) {
      case 'deleteQueue': {
        this.queues.delete(name);
        ctx.ops.push({ type: 'del', key: utf8(QUEUE_PREFIX + name) });
        this.deleted.set(name, now);
        ctx.ops.push({ type: 'put', key: utf8(DELETED_PREFIX + name), value: json(now) });
        groups.release(q.groupIds, ctx.ops);
        this.moveTasks.dropSource(name, ctx.ops);
        groups.touch(ctx);
        return okResult(json(q));
      }
      case 'setQueueAttributes':
        return this.put({ ...q, attributes: sorted({ ...q.attributes, ...cmd.attributes }), lastModifiedMs: now }, ctx, groups);
      case 'tagQueue': {
        const tags = { ...q.tags, ...cmd.tags };
        if (Object.keys(tags).length > MAX_QUEUE_TAGS) return errorResult('InvalidArgument', `a queue can have at most ${MAX_QUEUE_TAGS} tags`);
        return this.put({ ...q, tags: sorted(tags) }, ctx, groups);
      }
      case 'untagQueue': {
        const tags = { ...q.tags };
        for (const k of cmd.keys) delete tags[k];
        return this.put({ ...q, tags: sorted(tags) }, ctx, groups);
      }
      case 'purgeQueue': {
        if (q.lastPurgeMs > 0 && now - q.lastPurgeMs < PURGE_GUARD_MS) {
          return errorResult('FailedPrecondition', `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`);
        }
        return this.put({ ...q, lastPurgeMs: now }, ctx, groups);
      }
    }
  }

  private create(cmd: Extract<QueueCatalogCommand, { type: 'createQueue' }>, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const existing = this.queues.get(cmd.name);
    if (existing !== undefined) {
      // AWS: the same name with the same attributes returns the existing queue; any difference is an error.
      for (const [k, v] of Object.entries(cmd.requested)) {
        if (existing.attributes[k] !== v) {
          return errorResult('AlreadyExists', `A queue already exists with the same name and a different value for attribute ${k}`);
        }
      }
      return okResult(json(existing));
    }
    const deletedAt = this.deleted.get(cmd.name);
    if (deletedAt !== undefined && now - deletedAt < QUEUE_RECREATE_GUARD_MS) {
      return errorResult('FailedPrecondition', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
    }
    if (!Number.isInteger(cmd.partitions) || cmd.partitions < 1 || cmd.partitions > MAX_QUEUE_PARTITIONS) {
      return errorResult('InvalidArgument', `partitions must be 1-${MAX_QUEUE_PARTITIONS}, got ${cmd.partitions}`);
    }
    if (Object.keys(cmd.tags).length > MAX_QUEUE_TAGS) return errorResult('InvalidArgument', `a queue can have at most ${MAX_QUEUE_TAGS} tags`);
    let groupIds: number[];
    try {
      groupIds = groups.allocate('queue', cmd.name, cmd.partitions, cmd.replicationFactor, ctx.ops);
    } catch (e) {
      return errorResult('InvalidArgument', e instanceof Error ? e.message : String(e));
    }
    if (deletedAt !== undefined) {
      this.deleted.delete(cmd.name);
      ctx.ops.push({ type: 'del', key: utf8(DELETED_PREFIX + cmd.name) });
    }
    const q: QueueRecord = {
      name: cmd.name,
      id: ctx.index,
      fifo: cmd.name.endsWith('.fifo'),
      attributes: sorted(cmd.attributes),
      tags: sorted(cmd.tags),
      groupIds,
      createdAtMs: now,
      lastModifiedMs: now,
      lastPurgeMs: 0,
    };
    return this.put(q, ctx, groups);
  }

  private put(q: QueueRecord, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    this.queues.set(q.name, q);
    ctx.ops.push({ type: 'put', key: utf8(QUEUE_PREFIX + q.name), value: json(q) });
    groups.touch(ctx);
    return okResult(json(q));
  }

  /** The first root key wins; later calls get the existing one back, so racing gateways agree. */
  private putRootKey(accessKeyId: string, secretAccessKey: string, now: number, ctx: ApplyContext): Uint8Array {
    const existing = [...this.keys.values()].find((k) => k.root);
    if (existing) return okResult(json(existing));
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId) || secretAccessKey.length < 16) return errorResult('InvalidArgument', 'malformed access key');
    const k: AccessKeyRecord = { accessKeyId, secretAccessKey, root: true, createdAtMs: now };
    this.keys.set(accessKeyId, k);
    ctx.ops.push({ type: 'put', key: utf8(KEY_PREFIX + accessKeyId), value: json(k) });
    return okResult(json(k));
  }

  /** A key of a well-known id that Stratus hands out itself: the first secret wins, so racing nodes agree. */
  private putServiceKey(accessKeyId: string, secretAccessKey: string, now: number, ctx: ApplyContext): Uint8Array {
    const existing = this.keys.get(accessKeyId);
    if (existing) return existing.root ? errorResult('InvalidArgument', 'the root key is not a service key') : okResult(json(existing));
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId) || secretAccessKey.length < 16) return errorResult('InvalidArgument', 'malformed access key');
    const k: AccessKeyRecord = { accessKeyId, secretAccessKey, root: false, createdAtMs: now };
    this.keys.set(accessKeyId, k);
    ctx.ops.push({ type: 'put', key: utf8(KEY_PREFIX + accessKeyId), value: json(k) });
    return okResult(json(k));
  }
}

function sorted(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(m).sort()) out[k] = m[k] as string;
  return out;
}
