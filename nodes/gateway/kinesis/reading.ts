// Positions and reads shared by GetShardIterator, GetRecords, SubscribeToShard, the native API
// and the event source mappings' stream pollers.
import { type ShardRecord, type StreamRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';
import { type KinesisBackend, toAwsError } from './backend.js';
import { childShards } from './describe.js';
import { parseSequenceNumber, sequenceNumber } from './positions.js';

export type IteratorType = 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface StartingPosition {
  type: string;
  sequenceNumber?: string | undefined;
  /** Epoch seconds, as the API carries timestamps. */
  timestamp?: number | undefined;
}

/** The offset a starting position names in a shard. */
export async function startOffset(k: KinesisBackend, stream: StreamRecord, shard: ShardRecord, p: StartingPosition): Promise<number> {
  switch (p.type) {
    case 'TRIM_HORIZON':
      return (await k.state(shard)).firstOffset;
    case 'LATEST':
      return (await k.state(shard)).nextOffset;
    case 'AT_TIMESTAMP': {
      if (p.timestamp === undefined) throw new AwsError('InvalidArgumentException', 'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.');
      return k.offsetAt(shard, Math.round(p.timestamp * 1000));
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      if (p.sequenceNumber === undefined) {
        throw new AwsError('InvalidArgumentException', `Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${p.type} and no StartingSequenceNumber.`);
      }
      const pos = parseSequenceNumber(p.sequenceNumber);
      if (!pos) throw new AwsError('InvalidArgumentException', `StartingSequenceNumber ${p.sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${k.opts.accountId} is invalid.`);
      if (pos.ordinal !== shard.ordinal) {
        throw new AwsError('InvalidArgumentException', `Invalid StartingSequenceNumber. It encodes shardId-${String(pos.ordinal).padStart(12, '0')}, while it was used in a call to a shard with ${shard.shardId}`);
      }
      const st = await k.state(shard);
      // AT the next offset is where the shard's next record goes: an empty shard's
      // StartingSequenceNumber names it. AFTER it would skip a record not yet written.
      if (p.type === 'AT_SEQUENCE_NUMBER' ? pos.offset > st.nextOffset : pos.offset >= st.nextOffset) {
        throw new AwsError('InvalidArgumentException', `StartingSequenceNumber ${p.sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${k.opts.accountId} is invalid because it did not come from this stream.`);
      }
      // A position older than the retained records reads from the oldest one left.
      return Math.max(st.firstOffset, p.type === 'AT_SEQUENCE_NUMBER' ? pos.offset : pos.offset + 1);
    }
    default:
      throw new AwsError('InvalidArgumentException', `Unknown ShardIteratorType ${p.type}.`);
  }
}

export interface StreamRecordOut {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  Data: Uint8Array;
  PartitionKey: string;
  EncryptionType?: string;
}

export interface ShardBatch {
  records: StreamRecordOut[];
  /** Offset to read next. */
  nextOffset: number;
  millisBehindLatest: number;
  /** Set once a closed shard has been read to its end: where its records continue. */
  children?: ReturnType<typeof childShards>;
  /** Bytes of data and keys returned. */
  bytes: number;
}

/** AWS: one GetRecords call returns at most 10,000 records and 10 MiB. */
export const MAX_READ_BYTES = 10 * 1024 * 1024;

export async function readShard(k: KinesisBackend, stream: StreamRecord, shard: ShardRecord, from: number, limit: number, now = Date.now()): Promise<ShardBatch> {
  let r = await k.read(shard, from, limit, MAX_READ_BYTES, true);
  if ('ok' in r && r.code === 'OutOfRange') {
    // A replica behind the position (the stale read), or retention trimmed past it: ask the
    // leader, and continue from the oldest record left, as AWS does.
    const st = await k.state(shard);
    r = await k.read(shard, Math.max(from, st.firstOffset), limit, MAX_READ_BYTES);
  }
  if ('ok' in r) throw toAwsError(r);
  let bytes = 0;
  const records: StreamRecordOut[] = r.records.map((rec) => {
    bytes += rec.key.length + rec.value.length;
    const out: StreamRecordOut = {
      SequenceNumber: sequenceNumber(shard.ordinal, rec.offset),
      ApproximateArrivalTimestamp: rec.timestampMs / 1000,
      Data: rec.value,
      PartitionKey: Buffer.from(rec.key).toString('utf8'),
    };
    if (stream.encryption === 'KMS') out.EncryptionType = 'KMS';
    return out;
  });
  const last = r.records[r.records.length - 1];
  const atTip = r.nextOffset >= r.highWatermark;
  const batch: ShardBatch = { records, nextOffset: r.nextOffset, millisBehindLatest: atTip || !last ? 0 : Math.max(0, now - last.timestampMs), bytes };
  if (atTip) {
    const end = await k.ending(shard);
    if (end !== undefined && r.nextOffset >= end) batch.children = childShards(stream, shard);
  }
  return batch;
}
