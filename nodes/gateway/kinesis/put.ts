// Routing records to shards and appending them. A PutRecords request is grouped by shard and
// each group is one append (one Raft entry) per shard, in request order; a record refused by
// the shard's throughput limit or lost to a split racing the request gets its own error entry.
import { type ShardRecord, type StreamRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';
import { type KinesisBackend, toAwsError } from './backend.js';
import { hashKeyOf, sequenceNumber } from './positions.js';

export interface RecordIn {
  Data: Uint8Array;
  PartitionKey: string;
  ExplicitHashKey?: string | undefined;
}

export type RecordOut = { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string };

/** AWS: a record's data plus partition key is at most 1 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_HASH = (1n << 128n) - 1n;

/**
 * What the model's shapes cannot say (the key's length and the hash key's pattern are checked
 * with them): data and partition key together fit in a record, and the hash key in 128 bits.
 */
export function checkRecord(r: RecordIn, where: string): bigint {
  const keyBytes = Buffer.byteLength(r.PartitionKey, 'utf8');
  if (r.Data.length + keyBytes > MAX_RECORD_BYTES) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at '${where}data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
  }
  if (r.ExplicitHashKey === undefined) return hashKeyOf(r.PartitionKey);
  const h = BigInt(r.ExplicitHashKey);
  if (h > MAX_HASH) throw new AwsError('InvalidArgumentException', `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${r.ExplicitHashKey}`);
  return h;
}

/** Appends records (hash keys precomputed); the result has one entry per record, in order. */
export async function putRecords(k: KinesisBackend, stream: StreamRecord, records: RecordIn[], hashes: bigint[]): Promise<RecordOut[]> {
  const out: (RecordOut | undefined)[] = new Array(records.length).fill(undefined);
  let pending = records.map((_, i) => i);
  let s = stream;
  // A split or merge may close a shard between our catalog read and the append: refresh and re-route.
  for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
    const byShard = new Map<ShardRecord, number[]>();
    for (const i of pending) {
      const sh = k.shardForHash(s, hashes[i]!);
      const list = byShard.get(sh);
      if (list) list.push(i);
      else byShard.set(sh, [i]);
    }
    const retry: number[] = [];
    await Promise.all(
      [...byShard].map(async ([sh, idx]) => {
        const r = await k.appendTo(sh, idx.map((i) => ({ key: Buffer.from(records[i]!.PartitionKey, 'utf8'), value: records[i]!.Data })));
        if ('ok' in r) {
          if (r.code === 'FailedPrecondition') retry.push(...idx);
          else throw toAwsError(r);
          return;
        }
        idx.forEach((i, n) => {
          out[i] =
            n < r.accepted
              ? { SequenceNumber: sequenceNumber(sh.ordinal, r.firstOffset + n), ShardId: sh.shardId }
              : { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: `Rate exceeded for shard ${sh.shardId} in stream ${s.name} under account ${k.opts.accountId}.` };
        });
      }),
    );
    pending = retry.sort((a, b) => a - b);
    if (pending.length > 0) {
      const fresh = await k.find(s.name);
      if (!fresh) throw k.notFound(s.name);
      s = fresh;
    }
  }
  return out.map((o) => o ?? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' });
}
