// Commands, queries and results of the `stream` kind (a Kinesis shard). The shard is a `log`
// (same ops 1–4, same record layout) plus what a shard needs beyond a log: appends under a
// throughput limit, closing at a split or merge, and per-application leases and checkpoints so
// consumers and event source mappings keep their position in the shard's own Raft group.
import { DecodeError, Reader, Writer, fromUtf8, utf8 } from './codec.js';
import { type CommandPayload, type Decoded, decodeResultWith, encodeQuery } from './envelope.js';
import { type LeaseRecord } from './lease.js';
import { type AppendRecord, LogOp, encodeLogCommand } from './log-codec.js';

/** Stream ops start at 16, above the log's; wire values: append only, never renumber. */
export enum StreamOp {
  Append = 16,
  Close = 17,
  AcquireLease = 18,
  ReleaseLease = 19,
  Checkpoint = 20,
}

export enum StreamQueryOp {
  State = 16,
  OffsetAtTime = 17,
}

/** AWS: a shard's partition key is 1–256 Unicode characters, so up to 1,024 bytes of UTF-8. */
export const MAX_PARTITION_KEY_BYTES = 1024;

export interface ThroughputLimits {
  /** 0: unlimited. AWS: 1 MiB/s of data and partition keys per shard. */
  bytesPerSecond: number;
  /** 0: unlimited. AWS: 1,000 records/s per shard. */
  recordsPerSecond: number;
}

export { type LeaseRecord, decodeLeaseResult } from './lease.js';

export interface CheckpointRecord {
  name: string;
  /** The next offset to process. */
  offset: number;
  updatedAtMs: number;
}

export type StreamCommand =
  | { type: 'append'; limits: ThroughputLimits; records: AppendRecord[] }
  | { type: 'close' }
  | { type: 'acquireLease'; name: string; owner: string; ttlMs: number; steal: boolean }
  | { type: 'releaseLease'; name: string; owner: string; token: number }
  | { type: 'checkpoint'; name: string; offset: number; owner?: string; token?: number };

export type StreamQuery = { type: 'state' } | { type: 'offsetAtTime'; timestampMs: number };

export interface StreamAppendResult {
  firstOffset: number;
  /** Records appended, a prefix of the command's; the rest exceeded the shard's throughput. */
  accepted: number;
  timestampMs: number;
}

export interface ShardState {
  closed: boolean;
  firstOffset: number;
  nextOffset: number;
  /** Timestamp of the newest record (0 before the first). */
  lastTimestampMs: number;
  leases: LeaseRecord[];
  checkpoints: CheckpointRecord[];
}

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

export function encodeStreamCommand(cmd: StreamCommand): CommandPayload {
  switch (cmd.type) {
    case 'append': {
      const log = encodeLogCommand({ type: 'append', records: cmd.records });
      const w = new Writer(8 + log.body.length).u32(cmd.limits.bytesPerSecond).u32(cmd.limits.recordsPerSecond).raw(log.body);
      return { op: StreamOp.Append, body: w.finish() };
    }
    case 'close':
      return { op: StreamOp.Close, body: new Uint8Array(0) };
    case 'acquireLease': {
      const { type, ...rest } = cmd;
      return { op: StreamOp.AcquireLease, body: json(rest) };
    }
    case 'releaseLease': {
      const { type, ...rest } = cmd;
      return { op: StreamOp.ReleaseLease, body: json(rest) };
    }
    case 'checkpoint': {
      const { type, ...rest } = cmd;
      return { op: StreamOp.Checkpoint, body: json(rest) };
    }
  }
}

type Obj = Record<string, unknown>;
function obj(body: Uint8Array): Obj {
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(body)) as unknown;
  } catch {
    throw new DecodeError('stream command body is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError('stream command body must be an object');
  return v as Obj;
}
function str(o: Obj, f: string, max = 256): string {
  const v = o[f];
  if (typeof v !== 'string' || v.length > max) throw new DecodeError(`${f} must be a string of at most ${max} characters`);
  return v;
}
function int(o: Obj, f: string): number {
  const v = o[f];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new DecodeError(`${f} must be a non-negative integer`);
  return v;
}

/** Decodes a stream-only command; log ops (below 16) are the log's to decode. */
export function decodeStreamCommand(op: number, body: Uint8Array): StreamCommand {
  switch (op) {
    case StreamOp.Append: {
      const r = new Reader(body);
      const limits = { bytesPerSecond: r.u32('bytesPerSecond'), recordsPerSecond: r.u32('recordsPerSecond') };
      const count = r.u32('record count');
      if (count * 8 > r.remaining) throw new DecodeError(`record count ${count} exceeds the body`);
      const records: AppendRecord[] = [];
      for (let i = 0; i < count; i++) records.push({ key: r.bytes('key'), value: r.bytes('value') });
      r.end('stream append');
      return { type: 'append', limits, records };
    }
    case StreamOp.Close:
      return { type: 'close' };
    case StreamOp.AcquireLease: {
      const o = obj(body);
      return { type: 'acquireLease', name: str(o, 'name'), owner: str(o, 'owner'), ttlMs: int(o, 'ttlMs'), steal: o.steal === true };
    }
    case StreamOp.ReleaseLease: {
      const o = obj(body);
      return { type: 'releaseLease', name: str(o, 'name'), owner: str(o, 'owner'), token: int(o, 'token') };
    }
    case StreamOp.Checkpoint: {
      const o = obj(body);
      const cmd: StreamCommand = { type: 'checkpoint', name: str(o, 'name'), offset: int(o, 'offset') };
      if (o.owner !== undefined) cmd.owner = str(o, 'owner');
      if (o.token !== undefined) cmd.token = int(o, 'token');
      return cmd;
    }
    default:
      throw new DecodeError(`unknown stream op ${op}`);
  }
}

export function isLogOp(op: number): boolean {
  return op >= LogOp.Append && op <= LogOp.SetRetention;
}

export function encodeStreamQuery(q: StreamQuery): Uint8Array {
  if (q.type === 'state') return encodeQuery({ op: StreamQueryOp.State, body: new Uint8Array(0) });
  return encodeQuery({ op: StreamQueryOp.OffsetAtTime, body: new Writer(8).u64(q.timestampMs).finish() });
}

export function decodeStreamQuery(op: number, body: Uint8Array): StreamQuery {
  if (op === StreamQueryOp.State) return { type: 'state' };
  if (op === StreamQueryOp.OffsetAtTime) {
    const r = new Reader(body);
    const q: StreamQuery = { type: 'offsetAtTime', timestampMs: r.u64('timestampMs') };
    r.end('offsetAtTime query');
    return q;
  }
  throw new DecodeError(`unknown stream query op ${op}`);
}

export function encodeStreamAppendResult(r: StreamAppendResult): Uint8Array {
  return new Writer(20).u64(r.firstOffset).u32(r.accepted).u64(r.timestampMs).finish();
}

export function decodeStreamAppendResult(bytes: Uint8Array): Decoded<StreamAppendResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { firstOffset: r.u64(), accepted: r.u32(), timestampMs: r.u64() };
    r.end('stream append result');
    return res;
  });
}

export function decodeCheckpointResult(bytes: Uint8Array): Decoded<CheckpointRecord> {
  return decodeResultWith(bytes, (b) => JSON.parse(fromUtf8(b)) as CheckpointRecord);
}

export function decodeShardStateResult(bytes: Uint8Array): Decoded<ShardState> {
  return decodeResultWith(bytes, (b) => JSON.parse(fromUtf8(b)) as ShardState);
}

export function decodeOffsetResult(bytes: Uint8Array): Decoded<number> {
  return decodeResultWith(bytes, (b) => {
    const r = new Reader(b);
    const off = r.u64();
    r.end('offset result');
    return off;
  });
}
