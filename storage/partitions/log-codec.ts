import { DecodeError, Reader, Writer } from './codec.js';
import { type CommandPayload, type Decoded, decodeResultWith, encodeQuery } from './envelope.js';

/** Command ops of the `log` kind. Wire values: append only, never renumber. */
export enum LogOp {
  Append = 1,
  /** Delete every record with offset < the given offset. */
  TrimTo = 2,
  /** Retention: delete the oldest records whose timestamp < the cutoff the proposer computed. */
  TrimBefore = 3,
  SetRetention = 4,
}

/** Query ops of the `log` kind. */
export enum LogQueryOp {
  Read = 1,
  Info = 2,
}

export const MAX_RECORDS_PER_APPEND = 10_000;
export const MAX_KEY_BYTES = 256;
export const MAX_VALUE_BYTES = 1024 * 1024;
export const MAX_RECORDS_PER_READ = 10_000;

export interface AppendRecord {
  /** Partitioning/ordering key; empty when absent. */
  key?: Uint8Array;
  value: Uint8Array;
}

export type LogCommand =
  | { type: 'append'; records: AppendRecord[] }
  | { type: 'trimTo'; offset: number }
  | { type: 'trimBefore'; cutoffMs: number }
  | { type: 'setRetention'; retentionMs: number };

export type LogQuery =
  | { type: 'read'; fromOffset: number; maxRecords: number; maxBytes: number }
  | { type: 'info' };

export interface AppendResult {
  firstOffset: number;
  lastOffset: number;
}

export interface TrimResult {
  /** First retained offset after the trim. */
  firstOffset: number;
  removedRecords: number;
  removedBytes: number;
}

export interface SetRetentionResult {
  retentionMs: number;
}

export interface LogRecordView {
  offset: number;
  timestampMs: number;
  key: Uint8Array;
  value: Uint8Array;
}

export interface ReadResult {
  records: LogRecordView[];
  /** Offset to read from next: one past the last returned record. */
  nextOffset: number;
  /** Earliest retained offset. */
  firstOffset: number;
  /** Offset the next appended record will get. */
  highWatermark: number;
}

export interface InfoResult {
  firstOffset: number;
  nextOffset: number;
  records: number;
  /** Sum of key and value sizes of the retained records. */
  bytes: number;
  retentionMs: number;
  /** Timestamp of the oldest retained record; null when the log is empty. */
  firstTimestampMs: number | null;
  /** Timestamp of the newest record ever appended (0 before the first append). */
  lastTimestampMs: number;
}

// Append body: u32 count | count × (u32 keyLen | key | u32 valueLen | value)
export function encodeLogCommand(cmd: LogCommand): CommandPayload {
  switch (cmd.type) {
    case 'append': {
      let size = 4;
      for (const r of cmd.records) size += 8 + (r.key?.length ?? 0) + r.value.length;
      const w = new Writer(size).u32(cmd.records.length);
      for (const r of cmd.records) w.bytes(r.key ?? new Uint8Array(0)).bytes(r.value);
      return { op: LogOp.Append, body: w.finish() };
    }
    case 'trimTo':
      return { op: LogOp.TrimTo, body: new Writer(8).u64(cmd.offset).finish() };
    case 'trimBefore':
      return { op: LogOp.TrimBefore, body: new Writer(8).u64(cmd.cutoffMs).finish() };
    case 'setRetention':
      return { op: LogOp.SetRetention, body: new Writer(8).u64(cmd.retentionMs).finish() };
  }
}

/** Decodes a command body; limits are checked by apply, which answers InvalidArgument. */
export function decodeLogCommand(op: number, body: Uint8Array): LogCommand {
  const r = new Reader(body);
  let cmd: LogCommand;
  switch (op) {
    case LogOp.Append: {
      const count = r.u32('record count');
      // Each record needs at least 8 bytes, so a huge count in a short body fails fast.
      if (count * 8 > r.remaining) throw new DecodeError(`record count ${count} exceeds the body`);
      const records: AppendRecord[] = [];
      for (let i = 0; i < count; i++) records.push({ key: r.bytes('key'), value: r.bytes('value') });
      cmd = { type: 'append', records };
      break;
    }
    case LogOp.TrimTo:
      cmd = { type: 'trimTo', offset: r.u64('offset') };
      break;
    case LogOp.TrimBefore:
      cmd = { type: 'trimBefore', cutoffMs: r.u64('cutoffMs') };
      break;
    case LogOp.SetRetention:
      cmd = { type: 'setRetention', retentionMs: r.u64('retentionMs') };
      break;
    default:
      throw new DecodeError(`unknown log op ${op}`);
  }
  r.end('log command');
  return cmd;
}

export function encodeLogQuery(q: LogQuery): Uint8Array {
  if (q.type === 'info') return encodeQuery({ op: LogQueryOp.Info, body: new Uint8Array(0) });
  const body = new Writer(20).u64(q.fromOffset).u32(q.maxRecords).u64(q.maxBytes).finish();
  return encodeQuery({ op: LogQueryOp.Read, body });
}

export function decodeLogQuery(op: number, body: Uint8Array): LogQuery {
  const r = new Reader(body);
  let q: LogQuery;
  if (op === LogQueryOp.Info) q = { type: 'info' };
  else if (op === LogQueryOp.Read) {
    q = { type: 'read', fromOffset: r.u64('fromOffset'), maxRecords: r.u32('maxRecords'), maxBytes: r.u64('maxBytes') };
  } else throw new DecodeError(`unknown log query op ${op}`);
  r.end('log query');
  return q;
}

export function encodeAppendResult(res: AppendResult): Uint8Array {
  return new Writer(16).u64(res.firstOffset).u64(res.lastOffset).finish();
}

export function decodeAppendResult(bytes: Uint8Array): Decoded<AppendResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { firstOffset: r.u64(), lastOffset: r.u64() };
    r.end('append result');
    return res;
  });
}

export function encodeTrimResult(res: TrimResult): Uint8Array {
  return new Writer(24).u64(res.firstOffset).u64(res.removedRecords).u64(res.removedBytes).finish();
}

export function decodeTrimResult(bytes: Uint8Array): Decoded<TrimResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { firstOffset: r.u64(), removedRecords: r.u64(), removedBytes: r.u64() };
    r.end('trim result');
    return res;
  });
}

export function encodeSetRetentionResult(res: SetRetentionResult): Uint8Array {
  return new Writer(8).u64(res.retentionMs).finish();
}

export function decodeSetRetentionResult(bytes: Uint8Array): Decoded<SetRetentionResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { retentionMs: r.u64() };
    r.end('set-retention result');
    return res;
  });
}

// Read result: u64 nextOffset | u64 firstOffset | u64 highWatermark | u32 count |
//   count × (u64 offset | u64 timestampMs | u32 keyLen | key | u32 valueLen | value)
export function encodeReadResult(res: ReadResult): Uint8Array {
  let size = 28;
  for (const rec of res.records) size += 24 + rec.key.length + rec.value.length;
  const w = new Writer(size).u64(res.nextOffset).u64(res.firstOffset).u64(res.highWatermark).u32(res.records.length);
  for (const rec of res.records) w.u64(rec.offset).u64(rec.timestampMs).bytes(rec.key).bytes(rec.value);
  return w.finish();
}

export function decodeReadResult(bytes: Uint8Array): Decoded<ReadResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const nextOffset = r.u64();
    const firstOffset = r.u64();
    const highWatermark = r.u64();
    const count = r.u32();
    const records: LogRecordView[] = [];
    for (let i = 0; i < count; i++) {
      records.push({ offset: r.u64(), timestampMs: r.u64(), key: r.bytes(), value: r.bytes() });
    }
    r.end('read result');
    return { records, nextOffset, firstOffset, highWatermark };
  });
}

export function encodeInfoResult(res: InfoResult): Uint8Array {
  return new Writer(57)
    .u64(res.firstOffset)
    .u64(res.nextOffset)
    .u64(res.records)
    .u64(res.bytes)
    .u64(res.retentionMs)
    .u8(res.firstTimestampMs === null ? 0 : 1)
    .u64(res.firstTimestampMs ?? 0)
    .u64(res.lastTimestampMs)
    .finish();
}

export function decodeInfoResult(bytes: Uint8Array): Decoded<InfoResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const firstOffset = r.u64();
    const nextOffset = r.u64();
    const records = r.u64();
    const size = r.u64();
    const retentionMs = r.u64();
    const hasFirst = r.u8() === 1;
    const firstTs = r.u64();
    const lastTimestampMs = r.u64();
    r.end('info result');
    return {
      firstOffset,
      nextOffset,
      records,
      bytes: size,
      retentionMs,
      firstTimestampMs: hasFirst ? firstTs : null,
      lastTimestampMs,
    };
  });
}
