// Kinesis streams in the meta state machine (group 0). Apply owns everything that changes the
// shard map — hash key ranges, lineage, group allocation, the account's shard limit — so racing
// gateways always agree; the gateway checks request shapes and closes retired shard groups.
import { prefixEnd, utf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';
import { type GroupAllocator } from './meta-queues.js';
import { type ShardRecord, type StreamCatalogCommand, type StreamRecord, toStreamRecord } from './meta-stream-codec.js';

export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
/** AWS: retention is 24 hours (default) to 8,760 hours (365 days). */
export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;
/** AWS: at most 50 tags per stream, 20 registered consumers per stream. */
export const MAX_STREAM_TAGS = 50;
export const MAX_STREAM_CONSUMERS = 20;
/** AWS: an on-demand stream starts with 4 shards (4 MB/s of writes). */
export const ON_DEMAND_SHARDS = 4;
const HASH_SPACE = 1n << 128n;
// Every catalog in the meta group loads by scanning its own prefix whole: 'T/' is the SQS move
// tasks' (meta-move-tasks.ts), and sharing it made each catalog fail to load the other's records.
const PREFIX = 'R/';

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

export function shardIdOf(ordinal: number): string {
  return `shardId-${String(ordinal).padStart(12, '0')}`;
}

/** Ranges that split the hash key space evenly in `n` (the last one ends at 2^128 − 1). */
export function evenRanges(n: number): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (let i = 0; i < n; i++) {
    const start = (HASH_SPACE * BigInt(i)) / BigInt(n);
    const end = (HASH_SPACE * BigInt(i + 1)) / BigInt(n) - 1n;
    out.push([start, end]);
  }
  return out;
}

export class StreamCatalog {
  private streams = new Map<string, StreamRecord>();
  private openShards = 0;

  async load(store: PartitionStore): Promise<void> {
    const streams = new Map<string, StreamRecord>();
    const gte = utf8(PREFIX);
    for await (const [, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) {
      const s = toStreamRecord(JSON.parse(new TextDecoder().decode(v)) as unknown);
      streams.set(s.name, s);
    }
    this.streams = streams;
    this.openShards = [...streams.values()].reduce((n, s) => n + openOf(s).length, 0);
  }

  sorted(): StreamRecord[] {
    return [...this.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  apply(cmd: StreamCatalogCommand, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    if (!STREAM_NAME_PATTERN.test(cmd.name)) return errorResult('InvalidArgument', `invalid stream name ${JSON.stringify(cmd.name)}`);
    const where = `stream ${cmd.name} under account ${cmd.account}`;
    if (cmd.type === 'createStream') return this.create(cmd, now, ctx, groups);
    const s = this.streams.get(cmd.name);
    if (s === undefined) return errorResult('NotFound', `Stream ${cmd.name} under account ${cmd.account} not found.`);
    switch (cmd.type) {
      case 'deleteStream': {
        if (s.consumers.length > 0 && !cmd.enforceConsumerDeletion) {
          return errorResult('FailedPrecondition', `Stream ${cmd.name} under account ${cmd.account} has registered consumers. Deregister them or set EnforceConsumerDeletion.`);
        }
        this.streams.delete(s.name);
        this.openShards -= openOf(s).length;
        ctx.ops.push({ type: 'del', key: utf8(PREFIX + s.name) });
        groups.release(s.shards.map((sh) => sh.groupId), ctx.ops);
        groups.touch(ctx);
        return okResult(json(s));
      }
      case 'splitShard': {
        const parent = s.shards.find((sh) => sh.shardId === cmd.shardId);
        if (parent === undefined) return errorResult('NotFound', `Could not find shard ${cmd.shardId} in ${where}.`);
        if (parent.closedAtMs !== undefined) return alreadyClosed(cmd.shardId, where);
        const start = BigInt(parent.startingHashKey);
        const end = BigInt(parent.endingHashKey);
        let key: bigint;
        try {
          key = BigInt(cmd.newStartingHashKey);
        } catch {
          return errorResult('InvalidArgument', `NewStartingHashKey ${cmd.newStartingHashKey} is not a number.`);
        }
        // AWS: greater than one plus the start and less than the end, so both children hold two keys or more.
        if (key <= start + 1n || key >= end) {
          return errorResult(
            'InvalidArgument',
            `NewStartingHashKey ${cmd.newStartingHashKey} used in SplitShard() on shard ${cmd.shardId} in ${where} is not both greater than one plus the shard's StartingHashKey ${parent.startingHashKey} and less than the shard's EndingHashKey ${parent.endingHashKey}.`,
          );
        }
        const limit = this.checkLimit(1, cmd.shardLimit, cmd.account, cmd.region);
        if (limit) return limit;
        return this.reshard(s, [parent], [[start, key - 1n, [parent.shardId]], [key, end, [parent.shardId]]], now, ctx, groups);
      }
      case 'mergeShards': {
        const a = s.shards.find((sh) => sh.shardId === cmd.shardId);
        const b = s.shards.find((sh) => sh.shardId === cmd.adjacentShardId);
        if (a === undefined || b === undefined) return errorResult('NotFound', `Could not find shard ${a === undefined ? cmd.shardId : cmd.adjacentShardId} in ${where}.`);
        for (const x of [a, b]) {
          if (x.closedAtMs !== undefined) return alreadyClosed(x.shardId, where);
        }
        const [lo, hi] = BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? [a, b] : [b, a];
        if (BigInt(lo.endingHashKey) + 1n !== BigInt(hi.startingHashKey)) {
          return errorResult('InvalidArgument', `Shards ${cmd.shardId} and ${cmd.adjacentShardId} in ${where} are not an adjacent pair of shards eligible for merging`);
        }
        return this.reshard(s, [a, b], [[BigInt(lo.startingHashKey), BigInt(hi.endingHashKey), [a.shardId, b.shardId]]], now, ctx, groups);
      }
      case 'updateShardCount':
        return this.rescale(s, cmd, now, ctx, groups);
      case 'setMode': {
        if (s.mode === cmd.mode) return okResult(json(s));
        return this.put({ ...s, mode: cmd.mode }, ctx, groups);
      }
      case 'setRetention': {
        const h = cmd.hours;
        if (h < MIN_RETENTION_HOURS) return errorResult('InvalidArgument', `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${h} hours) is too short.`);
        if (h > MAX_RETENTION_HOURS) return errorResult('InvalidArgument', `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${h} hours) is too long.`);
        if (cmd.direction === 'increase' && h < s.retentionHours) {
          return errorResult('InvalidArgument', `Requested retention period (${h} hours) for stream ${s.name} can not be shorter than existing retention period (${s.retentionHours} hours). Use DecreaseRetentionPeriod API.`);
        }
        if (cmd.direction === 'decrease' && h > s.retentionHours) {
          return errorResult('InvalidArgument', `Requested retention period (${h} hours) for stream ${s.name} can not be longer than existing retention period (${s.retentionHours} hours). Use IncreaseRetentionPeriod API.`);
        }
        return this.put({ ...s, retentionHours: h }, ctx, groups);
      }
      case 'tagStream': {
        const tags = { ...s.tags, ...cmd.tags };
        if (Object.keys(tags).length > MAX_STREAM_TAGS) {
          return errorResult('InvalidArgument', `Failed to add tags to ${where} because a given stream cannot have more than ${MAX_STREAM_TAGS} tags associated with it.`);
        }
        return this.put({ ...s, tags }, ctx, groups);
      }
      case 'untagStream': {
        const tags = { ...s.tags };
        for (const k of cmd.keys) delete tags[k];
        return this.put({ ...s, tags }, ctx, groups);
      }
      case 'setEncryption': {
        const { keyId: _old, ...rest } = s;
        return this.put({ ...rest, encryption: cmd.encryption, ...(cmd.keyId === undefined ? {} : { keyId: cmd.keyId }) }, ctx, groups);
      }
      case 'registerConsumer': {
        if (s.consumers.some((c) => c.name === cmd.consumerName)) {
          return errorResult('FailedPrecondition', `Consumer ${cmd.consumerName} under ${where} already exists.`);
        }
        if (s.consumers.length >= MAX_STREAM_CONSUMERS) {
          return errorResult('OutOfRange', `Consumer limit of ${MAX_STREAM_CONSUMERS} for ${where} has been reached.`);
        }
        return this.put({ ...s, consumers: [...s.consumers, { name: cmd.consumerName, createdAtMs: now }] }, ctx, groups);
      }
      case 'deregisterConsumer': {
        if (!s.consumers.some((c) => c.name === cmd.consumerName)) return errorResult('NotFound', `Consumer ${cmd.consumerName} under ${where} not found.`);
        return this.put({ ...s, consumers: s.consumers.filter((c) => c.name !== cmd.consumerName) }, ctx, groups);
      }
    }
  }

  private create(cmd: Extract<StreamCatalogCommand, { type: 'createStream' }>, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    if (this.streams.has(cmd.name)) return errorResult('AlreadyExists', `Stream ${cmd.name} under account ${cmd.account} already exists.`);
    const count = cmd.mode === 'ON_DEMAND' ? ON_DEMAND_SHARDS : cmd.shardCount;
    if (!Number.isInteger(count) || count < 1) return errorResult('InvalidArgument', `ShardCount must be at least 1, got ${count}`);
    if (Object.keys(cmd.tags).length > MAX_STREAM_TAGS) {
      return errorResult('InvalidArgument', `Failed to create stream ${cmd.name} under account ${cmd.account} because a given stream cannot have more than ${MAX_STREAM_TAGS} tags associated with it.`);
    }
    const limit = this.checkLimit(count, cmd.shardLimit, cmd.account, cmd.region);
    if (limit) return limit;
    let ids: number[];
    try {
      ids = groups.allocate('stream', cmd.name, count, cmd.replicationFactor, ctx.ops, 0);
    } catch (e) {
      return errorResult('InvalidArgument', e instanceof Error ? e.message : String(e));
    }
    const shards: ShardRecord[] = evenRanges(count).map(([a, b], i) => ({
      shardId: shardIdOf(i),
      ordinal: i,
      groupId: ids[i]!,
      startingHashKey: a.toString(),
      endingHashKey: b.toString(),
      parents: [],
      createdAtMs: now,
    }));
    this.openShards += count;
    return this.put(
      {
        name: cmd.name,
        id: ctx.index,
        mode: cmd.mode,
        retentionHours: cmd.retentionHours,
        shards,
        nextOrdinal: count,
        tags: cmd.tags,
        encryption: 'NONE',
        consumers: [],
        replicationFactor: cmd.replicationFactor,
        createdAtMs: now,
      },
      ctx,
      groups,
    );
  }

  /**
   * AWS: target within [half, double] of the open shards (LimitExceededException, one of the
   * API's default limits), uniform ranges afterwards.
   */
  private rescale(s: StreamRecord, cmd: Extract<StreamCatalogCommand, { type: 'updateShardCount' }>, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const target = cmd.target;
    const open = openOf(s).sort((x, y) => (BigInt(x.startingHashKey) < BigInt(y.startingHashKey) ? -1 : 1));
    const n = open.length;
    if (target > 2 * n) return errorResult('OutOfRange', `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${n} Target shard count: ${target}`);
    if (target * 2 < n) return errorResult('OutOfRange', `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${n} Target shard count: ${target}`);
    if (target === n) return okResult(json(s));
    const limit = this.checkLimit(target - n, cmd.shardLimit, cmd.account, cmd.region);
    if (limit) return limit;
    const specs: [bigint, bigint, string[]][] = evenRanges(target).map(([a, b]) => [
      a,
      b,
      open.filter((p) => BigInt(p.startingHashKey) <= b && BigInt(p.endingHashKey) >= a).map((p) => p.shardId),
    ]);
    return this.reshard(s, open, specs, now, ctx, groups);
  }

  /** Closes `retire` and opens shards with the given ranges and parents, in one command. */
  private reshard(s: StreamRecord, retire: ShardRecord[], specs: [bigint, bigint, string[]][], now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    let ids: number[];
    try {
      ids = groups.allocate('stream', s.name, specs.length, s.replicationFactor, ctx.ops, s.nextOrdinal);
    } catch (e) {
      return errorResult('InvalidArgument', e instanceof Error ? e.message : String(e));
    }
    const closing = new Set(retire.map((r) => r.shardId));
    const shards = s.shards.map((sh) => (closing.has(sh.shardId) ? { ...sh, closedAtMs: now } : sh));
    specs.forEach(([a, b, parents], i) => {
      const ordinal = s.nextOrdinal + i;
      shards.push({ shardId: shardIdOf(ordinal), ordinal, groupId: ids[i]!, startingHashKey: a.toString(), endingHashKey: b.toString(), parents, createdAtMs: now });
    });
    this.openShards += specs.length - retire.length;
    return this.put({ ...s, shards, nextOrdinal: s.nextOrdinal + specs.length }, ctx, groups);
  }

  private checkLimit(extra: number, limit: number, account: string, region: string): Uint8Array | undefined {
    if (extra <= 0 || this.openShards + extra <= limit) return undefined;
    return errorResult(
      'OutOfRange',
      `This request would exceed the shard limit for the account ${account} in ${region}. Current shard count for the account: ${this.openShards}. Limit: ${limit}. Number of additional shards that would have resulted from this request: ${extra}. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.`,
    );
  }

  private put(r: StreamRecord, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    // Normalised through the decoder so a replica that reloads the record encodes it identically.
    const rec = toStreamRecord(JSON.parse(JSON.stringify(r)) as unknown);
    this.streams.set(rec.name, rec);
    ctx.ops.push({ type: 'put', key: utf8(PREFIX + rec.name), value: json(rec) });
    groups.touch(ctx);
    return okResult(json(rec));
  }
}

/** AWS answers a split or merge of a closed shard with InvalidArgumentException. */
function alreadyClosed(shardId: string, where: string): Uint8Array {
  return errorResult('InvalidArgument', `Shard ${shardId} in ${where} has already been merged or split, and thus is not eligible for merging or splitting.`);
}

function openOf(s: StreamRecord): ShardRecord[] {
  return s.shards.filter((sh) => sh.closedAtMs === undefined);
}
