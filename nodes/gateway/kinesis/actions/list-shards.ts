import { type ShardRecord } from '../../../../storage/partitions/meta-codec.js';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { shardView, visibleShards } from '../describe.js';
import { decodeToken, encodeToken } from '../paging.js';
import { nextToken, shard, shardId, streamArn, streamName, timestamp } from '../shapes.js';

const FILTERS = ['AFTER_SHARD_ID', 'AT_TRIM_HORIZON', 'FROM_TRIM_HORIZON', 'AT_LATEST', 'AT_TIMESTAMP', 'FROM_TIMESTAMP'] as const;

export const listShards = defineAction<KinesisBackend>()({
  name: 'ListShards',
  input: t.struct({
    StreamName: streamName,
    StreamARN: streamArn,
    StreamId: t.string(),
    NextToken: nextToken,
    ExclusiveStartShardId: shardId,
    MaxResults: t.integer({ min: 1, max: 10000 }),
    StreamCreationTimestamp: timestamp,
    ShardFilter: t.struct({ Type: t.string({ enum: FILTERS, required: true }), ShardId: shardId, Timestamp: timestamp }),
  }),
  output: t.struct({ Shards: t.list(shard), NextToken: t.string() }),
  async handler(input, _ctx, k) {
    // AWS: 1,000 by default, and at most 1,000 whatever MaxResults says.
    const limit = Math.min(input.MaxResults ?? 1000, 1000);
    let name: string;
    let after: string | undefined;
    let filter = input.ShardFilter;
    if (input.NextToken !== undefined) {
      // AWS's wording (kinesalite recorded it) for the common mistake; ours for the rest.
      if (input.StreamName !== undefined) throw new AwsError('InvalidArgumentException', 'NextToken and StreamName cannot be provided together.');
      if (input.StreamARN !== undefined || input.ExclusiveStartShardId !== undefined || input.StreamCreationTimestamp !== undefined || filter !== undefined) {
        throw new AwsError('InvalidArgumentException', 'NextToken and StreamARN or ExclusiveStartShardId or StreamCreationTimestamp or ShardFilter cannot be provided together.');
      }
      const tok = pageOf(decodeToken(input.NextToken, 'shards').after);
      name = tok.s;
      after = tok.a;
      filter = tok.f;
    } else {
      if (input.StreamName === undefined && input.StreamARN === undefined) throw new AwsError('InvalidArgumentException', 'Either NextToken or StreamName should be provided.');
      name = k.nameOf(input);
      after = input.ExclusiveStartShardId;
    }
    const s = await k.find(name);
    if (!s) throw k.notFound(name);
    if (input.StreamCreationTimestamp !== undefined && Math.floor(input.StreamCreationTimestamp) !== Math.floor(s.createdAtMs / 1000)) throw k.notFound(name);
    let shards = visibleShards(s);
    if (filter) shards = applyFilter(shards, filter);
    if (after !== undefined) shards = shards.filter((sh) => sh.shardId > after);
    const page = shards.slice(0, limit);
    const more = shards.length > page.length;
    return {
      Shards: await Promise.all(page.map((sh) => shardView(k, sh))),
      ...(more ? { NextToken: encodeToken('shards', JSON.stringify({ s: s.name, a: page[page.length - 1]!.shardId, f: filter })) } : {}),
    };
  },
});

type Filter = { Type: string; ShardId?: string; Timestamp?: number };

function pageOf(after: string): { s: string; a: string; f?: Filter } {
  let o: unknown;
  try {
    o = JSON.parse(after) as unknown;
  } catch {
    throw new AwsError('InvalidArgumentException', 'NextToken is invalid.');
  }
  if (typeof o !== 'object' || o === null || !('s' in o) || !('a' in o) || typeof o.s !== 'string' || typeof o.a !== 'string') {
    throw new AwsError('InvalidArgumentException', 'NextToken is invalid.');
  }
  const f = 'f' in o && typeof o.f === 'object' && o.f !== null && 'Type' in o.f && typeof o.f.Type === 'string' ? (o.f as Filter) : undefined;
  return { s: o.s, a: o.a, ...(f === undefined ? {} : { f }) };
}

function applyFilter(shards: ShardRecord[], f: { Type: string; ShardId?: string; Timestamp?: number }): ShardRecord[] {
  switch (f.Type) {
    case 'AFTER_SHARD_ID': {
      if (f.ShardId === undefined) throw new AwsError('InvalidArgumentException', 'ShardId must be provided with the AFTER_SHARD_ID filter.');
      return shards.filter((sh) => sh.shardId > f.ShardId!);
    }
    case 'AT_LATEST':
      return shards.filter((sh) => sh.closedAtMs === undefined);
    case 'AT_TIMESTAMP':
    case 'FROM_TIMESTAMP': {
      if (f.Timestamp === undefined) throw new AwsError('InvalidArgumentException', `Timestamp must be provided with the ${f.Type} filter.`);
      // Epoch seconds with a fraction: 1795870401.335 * 1000 is 1795870401334.9998.
      const ts = Math.round(f.Timestamp * 1000);
      // AWS: AT_TIMESTAMP includes a shard closed at the very time, as FROM_TIMESTAMP does.
      return f.Type === 'AT_TIMESTAMP'
        ? shards.filter((sh) => sh.createdAtMs <= ts && (sh.closedAtMs === undefined || sh.closedAtMs >= ts))
        : shards.filter((sh) => sh.closedAtMs === undefined || sh.closedAtMs >= ts);
    }
    case 'AT_TRIM_HORIZON': {
      // The shards whose records start the retained stream: those with no visible parent.
      const ids = new Set(shards.map((sh) => sh.shardId));
      return shards.filter((sh) => !sh.parents.some((p) => ids.has(p)));
    }
    default:
      return shards;
  }
}
