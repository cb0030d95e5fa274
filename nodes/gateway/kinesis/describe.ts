// Builds the API's views of streams and shards from catalog records.
import { type ShardRecord, type StreamRecord } from '../../../storage/partitions/meta-codec.js';
import { type KinesisBackend } from './backend.js';
import { sequenceNumber } from './positions.js';

export interface ShardView {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

export async function shardView(k: KinesisBackend, sh: ShardRecord): Promise<ShardView> {
  const v: ShardView = {
    ShardId: sh.shardId,
    HashKeyRange: { StartingHashKey: sh.startingHashKey, EndingHashKey: sh.endingHashKey },
    SequenceNumberRange: { StartingSequenceNumber: sequenceNumber(sh.ordinal, 0) },
  };
  if (sh.parents[0] !== undefined) v.ParentShardId = sh.parents[0];
  if (sh.parents[1] !== undefined) v.AdjacentParentShardId = sh.parents[1];
  const end = await k.ending(sh);
  // A closed shard that never took a record ends where it starts.
  if (end !== undefined) v.SequenceNumberRange.EndingSequenceNumber = sequenceNumber(sh.ordinal, Math.max(0, end - 1));
  return v;
}

/** Open shards, and closed ones whose records may still be within the retention period. */
export function visibleShards(s: StreamRecord, now = Date.now()): ShardRecord[] {
  const horizon = now - s.retentionHours * 3_600_000;
  return s.shards.filter((sh) => sh.closedAtMs === undefined || sh.closedAtMs >= horizon);
}

export function childShards(s: StreamRecord, parent: ShardRecord): { ShardId: string; ParentShards: string[]; HashKeyRange: { StartingHashKey: string; EndingHashKey: string } }[] {
  return s.shards
    .filter((c) => c.parents.includes(parent.shardId))
    .map((c) => ({ ShardId: c.shardId, ParentShards: c.parents.slice(0, 2), HashKeyRange: { StartingHashKey: c.startingHashKey, EndingHashKey: c.endingHashKey } }));
}

export function streamStatus(_s: StreamRecord): 'ACTIVE' {
  // Catalog changes apply atomically and shard groups come up behind them (writes wait for a
  // leader), so a stream is never seen half-created or half-resharded.
  return 'ACTIVE';
}

export function summaryOf(k: KinesisBackend, s: StreamRecord): { StreamName: string; StreamARN: string; StreamStatus: string; StreamModeDetails: { StreamMode: string }; StreamCreationTimestamp: number } {
  return { StreamName: s.name, StreamARN: k.arn(s.name), StreamStatus: streamStatus(s), StreamModeDetails: { StreamMode: s.mode }, StreamCreationTimestamp: s.createdAtMs / 1000 };
}
