// What every Kinesis action needs: the stream catalog (through the placement cache and meta
// proposals), shard routing by hash key, appends and reads on shard groups, ARNs, and the
// per-gateway read limits. Stateless apart from caches: several gateways serve the same streams.
import { randomUUID } from 'node:crypto';
import { type CommandPayload, type ErrorResult } from '../../../storage/partitions/envelope.js';
import { type ReadResult, decodeReadResult, encodeLogQuery } from '../../../storage/partitions/log-codec.js';
import { type ShardRecord, type StreamCatalogCommand, type StreamRecord, decodeStreamResult, encodeMetaCommand } from '../../../storage/partitions/meta-codec.js';
import {
  type ShardState,
  type StreamAppendResult,
  type StreamCommand,
  type ThroughputLimits,
  decodeOffsetResult,
  decodeShardStateResult,
  decodeStreamAppendResult,
  encodeStreamCommand,
  encodeStreamQuery,
} from '../../../storage/partitions/stream-codec.js';
import { type AppendRecord } from '../../../storage/partitions/log-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { META_GROUP, type Placement } from '../../cluster/placement.js';
import { Sequencer } from '../../cluster/sequencer.js';
import { AwsError, type ErrorCode } from '../errors.js';
import { ReadLimiter } from './read-limits.js';

export interface KinesisOptions {
  accountId: string;
  region: string;
  /** Open shards the account may have (AWS: 500 in the large regions, 200 elsewhere). */
  shardLimit: number;
  /** Per-shard write limits; zeros turn them off (benchmarks). AWS: 1 MiB/s and 1,000 records/s. */
  writeLimits: ThroughputLimits;
  /** Per-shard GetRecords limits, counted per gateway. AWS: 5 calls/s and 2 MiB/s. */
  readLimits: { callsPerSecond: number; bytesPerSecond: number };
}

export const DEFAULT_KINESIS_OPTIONS: Omit<KinesisOptions, 'accountId' | 'region'> = {
  shardLimit: 500,
  writeLimits: { bytesPerSecond: 1024 * 1024, recordsPerSecond: 1000 },
  readLimits: { callsPerSecond: 5, bytesPerSecond: 2 * 1024 * 1024 },
};

/** How apply's result codes read as Kinesis errors. */
const ERROR_OF: Record<ErrorResult['code'], ErrorCode> = {
  NotFound: 'ResourceNotFoundException',
  AlreadyExists: 'ResourceInUseException',
  FailedPrecondition: 'ResourceInUseException',
  OutOfRange: 'LimitExceededException',
  InvalidArgument: 'InvalidArgumentException',
  SequenceTooOld: 'InternalFailureException',
};

export function toAwsError(r: ErrorResult): AwsError {
  return new AwsError(ERROR_OF[r.code], r.message);
}

export interface StreamRef {
  StreamName?: string | undefined;
  StreamARN?: string | undefined;
}

export class KinesisBackend {
  readonly sequencer = new Sequencer(`kinesis-gw-${randomUUID()}`);
  readonly reads: ReadLimiter;
  /** Shard group → the offset it ended at, once closed (closing is permanent). */
  private readonly endings = new Map<number, number>();

  constructor(
    readonly client: ClusterClient,
    readonly placement: Placement,
    readonly opts: KinesisOptions,
  ) {
    this.reads = new ReadLimiter(opts.readLimits);
  }

  propose(group: number, p: CommandPayload): Promise<Uint8Array> {
    return this.sequencer.propose(p, (bytes) => this.client.propose(group, bytes));
  }

  /** A catalog change; throws the Kinesis error apply answered. */
  async meta(cmd: StreamCatalogCommand): Promise<StreamRecord> {
    const r = decodeStreamResult(await this.propose(META_GROUP, encodeMetaCommand({ type: 'stream', command: cmd })));
    await this.placement.refresh();
    if (!r.ok) throw toAwsError(r);
    return r.value;
  }

  arn(name: string): string {
    return `arn:aws:kinesis:${this.opts.region}:${this.opts.accountId}:stream/${name}`;
  }

  consumerArn(stream: StreamRecord, consumer: { name: string; createdAtMs: number }): string {
    return `${this.arn(stream.name)}/consumer/${consumer.name}:${Math.floor(consumer.createdAtMs / 1000)}`;
  }

  notFound(name: string): AwsError {
    return new AwsError('ResourceNotFoundException', `Stream ${name} under account ${this.opts.accountId} not found.`);
  }

  async all(maxAgeMs = 1000): Promise<StreamRecord[]> {
    return (await this.placement.current(maxAgeMs)).streams;
  }

  async find(name: string): Promise<StreamRecord | undefined> {
    const hit = (await this.placement.current(5000)).streams.find((s) => s.name === name);
    return hit ?? (await this.placement.refresh()).streams.find((s) => s.name === name);
  }

  /** The stream a request names by StreamName or StreamARN (AWS accepts either; both must agree). */
  async resolve(ref: StreamRef): Promise<StreamRecord> {
    const name = this.nameOf(ref);
    const s = await this.find(name);
    if (!s) throw this.notFound(name);
    return s;
  }

  nameOf(ref: StreamRef): string {
    let fromArn: string | undefined;
    if (ref.StreamARN !== undefined) {
      const m = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/.exec(ref.StreamARN);
      if (!m) throw new AwsError('InvalidArgumentException', `StreamARN ${ref.StreamARN} is not a valid Kinesis stream ARN.`);
      if (m[2] !== this.opts.accountId || m[1] !== this.opts.region) throw new AwsError('ResourceNotFoundException', `Stream ${m[3]!} under account ${m[2]!} not found.`);
      fromArn = m[3];
    }
    if (ref.StreamName !== undefined && fromArn !== undefined && ref.StreamName !== fromArn) {
      throw new AwsError('InvalidArgumentException', 'StreamARN and StreamName refer to different streams.');
    }
    const name = ref.StreamName ?? fromArn;
    if (name === undefined) throw new AwsError('InvalidArgumentException', 'Either StreamName or StreamARN should be provided.');
    return name;
  }

  shard(stream: StreamRecord, shardId: string): ShardRecord {
    const sh = stream.shards.find((x) => x.shardId === shardId);
    if (!sh) throw new AwsError('ResourceNotFoundException', `Shard ${shardId} in stream ${stream.name} under account ${this.opts.accountId} does not exist`);
    return sh;
  }

  /** The open shard whose hash key range holds the key. */
  shardForHash(stream: StreamRecord, key: bigint): ShardRecord {
    for (const sh of stream.shards) {
      if (sh.closedAtMs === undefined && BigInt(sh.startingHashKey) <= key && key <= BigInt(sh.endingHashKey)) return sh;
    }
    throw new AwsError('InternalFailureException', `no open shard of stream ${stream.name} covers hash key ${key}`);
  }

  async appendTo(shard: ShardRecord, records: AppendRecord[]): Promise<StreamAppendResult | ErrorResult> {
    const r = decodeStreamAppendResult(await this.propose(shard.groupId, encodeStreamCommand({ type: 'append', limits: this.opts.writeLimits, records })));
    return r.ok ? r.value : r;
  }

  async command(group: number, cmd: StreamCommand): Promise<Uint8Array> {
    return this.propose(group, encodeStreamCommand(cmd));
  }

  /**
   * Records from an offset. `stale` reads a replica's applied state without a quorum round:
   * applied entries are committed and a shard only appends, so any replica answers a prefix of
   * what the leader would — a consumer may see new records a poll later, never wrong ones.
   */
  async read(shard: ShardRecord, fromOffset: number, maxRecords: number, maxBytes: number, stale = false): Promise<ReadResult | ErrorResult> {
    const r = decodeReadResult(await this.client.read(shard.groupId, encodeLogQuery({ type: 'read', fromOffset, maxRecords, maxBytes }), { stale }));
    return r.ok ? r.value : r;
  }

  async state(shard: ShardRecord): Promise<ShardState> {
    const r = decodeShardStateResult(await this.client.read(shard.groupId, encodeStreamQuery({ type: 'state' })));
    if (!r.ok) throw toAwsError(r);
    return r.value;
  }

  async offsetAt(shard: ShardRecord, timestampMs: number): Promise<number> {
    const r = decodeOffsetResult(await this.client.read(shard.groupId, encodeStreamQuery({ type: 'offsetAtTime', timestampMs })));
    if (!r.ok) throw toAwsError(r);
    return r.value;
  }

  /**
   * Where a shard the catalog retired ends. The gateway that split or merged closes the group
   * right after; any gateway that finds a retired shard still open (that gateway died in
   * between) closes it itself. Closing is idempotent, so racing closers agree.
   */
  async ending(shard: ShardRecord): Promise<number | undefined> {
    if (shard.closedAtMs === undefined) return undefined;
    const known = this.endings.get(shard.groupId);
    if (known !== undefined) return known;
    const r = await this.command(shard.groupId, { type: 'close' });
    const d = decodeOffsetResult(r);
    if (!d.ok) throw toAwsError(d);
    this.endings.set(shard.groupId, d.value);
    return d.value;
  }
}
