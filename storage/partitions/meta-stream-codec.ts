// Kinesis streams in the meta group: the records and the command bodies. A stream's shards are
// Raft groups of the `stream` kind; the record keeps each shard's hash key range and lineage.
// Records are rebuilt field by field on decode so replicas re-encode them byte for byte.
import { DecodeError } from './codec.js';
import { type Decoded, decodeResultWith } from './envelope.js';
import { type Obj, num, object, str } from './meta-queue-codec.js';

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export interface ShardRecord {
  /** `shardId-` and the ordinal in 12 digits, as Kinesis names shards. */
  shardId: string;
  ordinal: number;
  groupId: number;
  /** Decimal strings in [0, 2^128). */
  startingHashKey: string;
  endingHashKey: string;
  /**
   * The shards this one came from: none for an original shard, one for a split, two for a
   * merge. A uniform re-scale (UpdateShardCount) may give a shard up to three parents; the API
   * shows the first two, consumers use all of them to finish parents before children.
   */
  parents: string[];
  createdAtMs: number;
  /** Set when the shard was split, merged or re-scaled away: it takes no more writes. */
  closedAtMs?: number;
}

export interface ConsumerRecord {
  name: string;
  createdAtMs: number;
}

export interface StreamRecord {
  name: string;
  /** The meta index that created this incarnation of the name. */
  id: number;
  mode: StreamMode;
  retentionHours: number;
  shards: ShardRecord[];
  nextOrdinal: number;
  tags: Record<string, string>;
  encryption: 'NONE' | 'KMS';
  keyId?: string;
  consumers: ConsumerRecord[];
  replicationFactor: number;
  createdAtMs: number;
}

interface Named {
  name: string;
  /** Account id, only for AWS's error messages. */
  account: string;
}

/** Commands that may add open shards carry the account's limit and, for AWS's message, the region. */
interface Limited {
  shardLimit: number;
  region: string;
}

export type StreamCatalogCommand =
  | ({ type: 'createStream'; shardCount: number; mode: StreamMode; retentionHours: number; tags: Record<string, string>; replicationFactor: number } & Named & Limited)
  | ({ type: 'deleteStream'; enforceConsumerDeletion: boolean } & Named)
  | ({ type: 'splitShard'; shardId: string; newStartingHashKey: string } & Named & Limited)
  | ({ type: 'mergeShards'; shardId: string; adjacentShardId: string } & Named)
  | ({ type: 'updateShardCount'; target: number } & Named & Limited)
  | ({ type: 'setRetention'; hours: number; direction: 'increase' | 'decrease' } & Named)
  | ({ type: 'tagStream'; tags: Record<string, string> } & Named)
  | ({ type: 'untagStream'; keys: string[] } & Named)
  | ({ type: 'setEncryption'; encryption: 'NONE' | 'KMS'; keyId?: string } & Named)
  | ({ type: 'setMode'; mode: StreamMode; shardLimit: number } & Named)
  | ({ type: 'registerConsumer'; consumerName: string } & Named)
  | ({ type: 'deregisterConsumer'; consumerName: string } & Named);

export const STREAM_COMMAND_TYPES = [
  'createStream',
  'deleteStream',
  'splitShard',
  'mergeShards',
  'updateShardCount',
  'setRetention',
  'tagStream',
  'untagStream',
  'setEncryption',
  'setMode',
  'registerConsumer',
  'deregisterConsumer',
] as const;

const strMap = (v: unknown, f: string): Record<string, string> => {
  const o = object(v, f);
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) {
    const x = o[k];
    if (typeof x !== 'string') throw new DecodeError(`${f}.${k} must be a string`);
    out[k] = x;
  }
  return out;
};
const mode = (o: Obj, f: string): StreamMode => {
  const v = str(o, f);
  if (v !== 'PROVISIONED' && v !== 'ON_DEMAND') throw new DecodeError(`${f} must be PROVISIONED or ON_DEMAND`);
  return v;
};

/** Checks the shape of a stream command body (its `type` field picks the command). */
export function decodeStreamCatalogCommand(o: Obj): StreamCatalogCommand {
  const named = { name: str(o, 'name'), account: str(o, 'account') };
  const limited = (): Limited => ({ shardLimit: num(o, 'shardLimit'), region: str(o, 'region') });
  const type = str(o, 'type');
  switch (type) {
    case 'createStream':
      return { type, ...named, ...limited(), shardCount: num(o, 'shardCount'), mode: mode(o, 'mode'), retentionHours: num(o, 'retentionHours'), tags: strMap(o.tags, 'tags'), replicationFactor: num(o, 'replicationFactor') };
    case 'deleteStream':
      return { type, ...named, enforceConsumerDeletion: o.enforceConsumerDeletion === true };
    case 'splitShard':
      return { type, ...named, ...limited(), shardId: str(o, 'shardId'), newStartingHashKey: str(o, 'newStartingHashKey') };
    case 'mergeShards':
      return { type, ...named, shardId: str(o, 'shardId'), adjacentShardId: str(o, 'adjacentShardId') };
    case 'updateShardCount':
      return { type, ...named, ...limited(), target: num(o, 'target') };
    case 'setRetention': {
      const d = str(o, 'direction');
      if (d !== 'increase' && d !== 'decrease') throw new DecodeError('direction must be increase or decrease');
      return { type, ...named, hours: num(o, 'hours'), direction: d };
    }
    case 'tagStream':
      return { type, ...named, tags: strMap(o.tags, 'tags') };
    case 'untagStream': {
      const keys = o.keys;
      if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string')) throw new DecodeError('keys must be strings');
      return { type, ...named, keys };
    }
    case 'setEncryption': {
      const e = str(o, 'encryption');
      if (e !== 'NONE' && e !== 'KMS') throw new DecodeError('encryption must be NONE or KMS');
      return { type, ...named, encryption: e, ...(o.keyId === undefined ? {} : { keyId: str(o, 'keyId') }) };
    }
    case 'setMode':
      return { type, ...named, mode: mode(o, 'mode'), shardLimit: num(o, 'shardLimit') };
    case 'registerConsumer':
    case 'deregisterConsumer':
      return { type, ...named, consumerName: str(o, 'consumerName') };
    default:
      throw new DecodeError(`unknown stream command ${type}`);
  }
}

function toShard(v: unknown): ShardRecord {
  const o = object(v, 'shard');
  const parents = o.parents;
  if (!Array.isArray(parents) || !parents.every((p): p is string => typeof p === 'string')) throw new DecodeError('parents must be strings');
  const s: ShardRecord = {
    shardId: str(o, 'shardId'),
    ordinal: num(o, 'ordinal'),
    groupId: num(o, 'groupId'),
    startingHashKey: str(o, 'startingHashKey'),
    endingHashKey: str(o, 'endingHashKey'),
    parents,
    createdAtMs: num(o, 'createdAtMs'),
  };
  if (o.closedAtMs !== undefined) s.closedAtMs = num(o, 'closedAtMs');
  return s;
}

export function toStreamRecord(v: unknown): StreamRecord {
  const o = object(v, 'stream');
  const shards = o.shards;
  const consumers = o.consumers;
  if (!Array.isArray(shards) || !Array.isArray(consumers)) throw new DecodeError('shards and consumers must be arrays');
  const enc = str(o, 'encryption');
  if (enc !== 'NONE' && enc !== 'KMS') throw new DecodeError('encryption must be NONE or KMS');
  const r: StreamRecord = {
    name: str(o, 'name'),
    id: num(o, 'id'),
    mode: mode(o, 'mode'),
    retentionHours: num(o, 'retentionHours'),
    shards: shards.map(toShard),
    nextOrdinal: num(o, 'nextOrdinal'),
    tags: strMap(o.tags, 'tags'),
    encryption: enc,
    consumers: consumers.map((c) => {
      const co = object(c, 'consumer');
      return { name: str(co, 'name'), createdAtMs: num(co, 'createdAtMs') };
    }),
    replicationFactor: num(o, 'replicationFactor'),
    createdAtMs: num(o, 'createdAtMs'),
  };
  if (o.keyId !== undefined) r.keyId = str(o, 'keyId');
  return r;
}

export function decodeStreamResult(bytes: Uint8Array): Decoded<StreamRecord> {
  return decodeResultWith(bytes, (b) => toStreamRecord(JSON.parse(new TextDecoder().decode(b)) as unknown));
}
