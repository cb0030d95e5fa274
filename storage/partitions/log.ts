import { type KvOp } from '../engine/engine.js';
import { DecodeError, Reader, Writer, u64Key, utf8 } from './codec.js';
import { DedupTable, type DedupOptions } from './dedup.js';
import { type Command, CommandError, decodeQuery, errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from './kind.js';
import {
  type AppendRecord,
  type LogCommand,
  type LogQuery,
  type LogRecordView,
  LogOp,
  MAX_KEY_BYTES,
  MAX_RECORDS_PER_APPEND,
  MAX_RECORDS_PER_READ,
  MAX_VALUE_BYTES,
  decodeLogCommand,
  decodeLogQuery,
  encodeAppendResult,
  encodeInfoResult,
  encodeReadResult,
  encodeSetRetentionResult,
  encodeTrimResult,
} from './log-codec.js';

export * from './log-codec.js';

/*
 * The `log` kind: an append-only partitioned log (one partition per Raft group).
 *
 * Relative keys:
 *   'm'                  → meta: u8 v | u64 firstOffset | u64 nextOffset | u64 retentionMs | u64 lastTimestampMs
 *   'b' + u64 firstOffset → append batch: u8 v | u64 timestampMs | u32 count | count × u32 record size
 *   'r' + u64 offset      → record: u8 v | u64 timestampMs | u32 keyLen | key | value
 *
 * Offsets start at 0, are dense and are never reused. Record timestamps are the envelope's
 * timestamp clamped to be non-decreasing (a new leader's clock may be behind the old one's), so
 * the log is sorted by timestamp and retention always trims a prefix.
 *
 * The batch entries form the sparse index kept in memory: retention trims and byte counts are
 * computed in apply without reading the store, and load() rebuilds the index from the 'b' keys
 * without reading record values. Per-record sizes are kept so that a trim in the middle of a
 * batch still knows how many bytes it removes.
 */

const META_KEY = utf8('m');
const BATCH_PREFIX = utf8('b');
const RECORD_PREFIX = utf8('r');
const FORMAT_VERSION = 1;
const EMPTY = new Uint8Array(0);

export interface Batch {
  firstOffset: number;
  timestampMs: number;
  /** Key + value size of each record still retained, starting at firstOffset. */
  sizes: Uint32Array;
  bytes: number;
}

export interface LogStateMachineOptions {
  dedup?: DedupOptions;
  /** Largest record key accepted (default MAX_KEY_BYTES); streams allow 256 characters of UTF-8. */
  maxKeyBytes?: number;
}

export class LogStateMachine implements PartitionStateMachine {
  private readonly dedupOptions: DedupOptions;
  private dedup: DedupTable;
  protected firstOffset = 0;
  protected nextOffset = 0;
  private retentionMs = 0;
  protected lastTimestampMs = 0;
  private readonly maxKeyBytes: number;
  private bytes = 0;
  /** Sorted by firstOffset, contiguous from firstOffset to nextOffset. */
  protected batches: Batch[] = [];

  constructor(opts: LogStateMachineOptions = {}) {
    this.dedupOptions = opts.dedup ?? {};
    this.dedup = new DedupTable(this.dedupOptions);
    this.maxKeyBytes = opts.maxKeyBytes ?? MAX_KEY_BYTES;
  }

  async load(store: PartitionStore): Promise<void> {
    const dedup = new DedupTable(this.dedupOptions);
    await dedup.load(store);
    const meta = await store.get(META_KEY);
    let first = 0;
    let next = 0;
    let retention = 0;
    let lastTs = 0;
    if (meta !== undefined) {
      const r = new Reader(meta);
      checkVersion(r.u8(), 'log meta');
      first = r.u64();
      next = r.u64();
      retention = r.u64();
      lastTs = r.u64();
    }
    const batches: Batch[] = [];
    let bytes = 0;
    let expected = first;
    for await (const [key, value] of store.scan({ gte: BATCH_PREFIX, lt: utf8('c') })) {
      const batch = decodeBatch(key, value);
      if (batch.firstOffset !== expected) {
        throw new Error(`corrupt log index: batch at offset ${batch.firstOffset}, expected ${expected}`);
      }
      expected += batch.sizes.length;
      bytes += batch.bytes;
      batches.push(batch);
    }
    if (expected !== next) throw new Error(`corrupt log index: batches end at ${expected}, next offset is ${next}`);
    // Assign only once everything decoded, so a failed load leaves the old state intact.
    this.dedup = dedup;
    this.firstOffset = first;
    this.nextOffset = next;
    this.retentionMs = retention;
    this.lastTimestampMs = lastTs;
    this.batches = batches;
    this.bytes = bytes;
  }

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    return this.dedup.applyEncoded(command, ctx, (c, cx) => this.applyOp(c, cx.ops));
  }

  /** Subclasses (the stream kind) add ops of their own and hand the log's back here. */
  protected applyOp(cmd: Command, ops: KvOp[]): Uint8Array {
    let decoded: LogCommand;
    try {
      decoded = decodeLogCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', `malformed log command: ${e.message}`);
      throw e;
    }
    switch (decoded.type) {
      case 'append':
        return this.append(decoded.records, cmd.timestampMs, ops);
      case 'trimTo':
        return this.trimTo(decoded.offset, ops);
      case 'trimBefore':
        return this.trimTo(this.offsetAtTime(decoded.cutoffMs), ops);
      case 'setRetention':
        this.retentionMs = decoded.retentionMs;
        ops.push(this.metaOp());
        return okResult(encodeSetRetentionResult({ retentionMs: this.retentionMs }));
    }
  }

  protected append(records: AppendRecord[], timestampMs: number, ops: KvOp[]): Uint8Array {
    if (records.length === 0) return errorResult('InvalidArgument', 'append needs at least one record');
    if (records.length > MAX_RECORDS_PER_APPEND) {
      return errorResult('InvalidArgument', `append has ${records.length} records, at most ${MAX_RECORDS_PER_APPEND} allowed`);
    }
    for (let i = 0; i < records.length; i++) {
      const rec = records[i] as AppendRecord;
      const keyLen = rec.key?.length ?? 0;
      if (keyLen > this.maxKeyBytes) {
        return errorResult('InvalidArgument', `record ${i}: key is ${keyLen} bytes, at most ${this.maxKeyBytes} allowed`);
      }
      if (rec.value.length > MAX_VALUE_BYTES) {
        return errorResult('InvalidArgument', `record ${i}: value is ${rec.value.length} bytes, at most ${MAX_VALUE_BYTES} allowed`);
      }
    }
    const ts = Math.max(timestampMs, this.lastTimestampMs);
    const first = this.nextOffset;
    const sizes = new Uint32Array(records.length);
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i] as AppendRecord;
      const key = rec.key ?? EMPTY;
      sizes[i] = key.length + rec.value.length;
      bytes += key.length + rec.value.length;
      const value = new Writer(13 + key.length + rec.value.length)
        .u8(FORMAT_VERSION)
        .u64(ts)
        .bytes(key)
        .raw(rec.value)
        .finish();
      ops.push({ type: 'put', key: u64Key(RECORD_PREFIX, first + i), value });
    }
    const batch: Batch = { firstOffset: first, timestampMs: ts, sizes, bytes };
    this.batches.push(batch);
    this.bytes += bytes;
    this.nextOffset = first + records.length;
    this.lastTimestampMs = ts;
    ops.push(batchOp(batch), this.metaOp());
    return okResult(encodeAppendResult({ firstOffset: first, lastOffset: this.nextOffset - 1 }));
  }

  /** The offset of the first record with timestamp ≥ cutoffMs (nextOffset if none). */
  protected offsetAtTime(cutoffMs: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid] as Batch).timestampMs < cutoffMs) lo = mid + 1;
      else hi = mid;
    }
    return this.batches[lo]?.firstOffset ?? this.nextOffset;
  }

  private trimTo(offset: number, ops: KvOp[]): Uint8Array {
    if (offset > this.nextOffset) {
      return errorResult('OutOfRange', `cannot trim to offset ${offset}: the log ends at offset ${this.nextOffset}`);
    }
    if (offset <= this.firstOffset) {
      return okResult(encodeTrimResult({ firstOffset: this.firstOffset, removedRecords: 0, removedBytes: 0 }));
    }
    let removedBytes = 0;
    let whole = 0;
    for (const b of this.batches) {
      if (b.firstOffset + b.sizes.length > offset) break;
      removedBytes += b.bytes;
      whole++;
    }
    this.batches.splice(0, whole);
    const removedFrom = this.firstOffset;
    // One range delete per key family; trims are rare next to appends.
    ops.push(
      { type: 'delRange', start: u64Key(RECORD_PREFIX, removedFrom), end: u64Key(RECORD_PREFIX, offset) },
      { type: 'delRange', start: u64Key(BATCH_PREFIX, removedFrom), end: u64Key(BATCH_PREFIX, offset) },
    );
    const head = this.batches[0];
    if (head !== undefined && head.firstOffset < offset) {
      // The trim point falls inside this batch: re-key its index entry at the new first offset.
      const cut = offset - head.firstOffset;
      let cutBytes = 0;
      for (let i = 0; i < cut; i++) cutBytes += head.sizes[i] as number;
      removedBytes += cutBytes;
      const rest: Batch = {
        firstOffset: offset,
        timestampMs: head.timestampMs,
        sizes: head.sizes.slice(cut),
        bytes: head.bytes - cutBytes,
      };
      this.batches[0] = rest;
      ops.push(batchOp(rest));
    }
    this.bytes -= removedBytes;
    this.firstOffset = offset;
    ops.push(this.metaOp());
    return okResult(encodeTrimResult({ firstOffset: offset, removedRecords: offset - removedFrom, removedBytes }));
  }

  private metaOp(): KvOp {
    const value = new Writer(33)
      .u8(FORMAT_VERSION)
      .u64(this.firstOffset)
      .u64(this.nextOffset)
      .u64(this.retentionMs)
      .u64(this.lastTimestampMs)
      .finish();
    return { type: 'put', key: META_KEY, value };
  }

  /**
   * Read: records from `fromOffset`, at most maxRecords and maxBytes (key + value sizes), but
   * always at least one record if any exists, so a record larger than maxBytes cannot stall a
   * consumer. Reading below the first retained offset answers OutOfRange (naming the first
   * offset) rather than silently skipping ahead: the consumer learns it lost data. Reading at the
   * high watermark answers no records; beyond it, OutOfRange.
   */
  async read(query: Uint8Array, store: PartitionStore): Promise<Uint8Array> {
    let q: LogQuery;
    try {
      const { op, body } = decodeQuery(query);
      q = decodeLogQuery(op, body);
    } catch (e) {
      if (e instanceof CommandError || e instanceof DecodeError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    const first = this.firstOffset;
    const next = this.nextOffset;
    if (q.type === 'info') {
      return okResult(
        encodeInfoResult({
          firstOffset: first,
          nextOffset: next,
          records: next - first,
          bytes: this.bytes,
          retentionMs: this.retentionMs,
          firstTimestampMs: this.batches[0]?.timestampMs ?? null,
          lastTimestampMs: this.lastTimestampMs,
        }),
      );
    }
    if (q.maxRecords < 1 || q.maxRecords > MAX_RECORDS_PER_READ) {
      return errorResult('InvalidArgument', `maxRecords must be 1-${MAX_RECORDS_PER_READ}, got ${q.maxRecords}`);
    }
    if (q.maxBytes < 1) return errorResult('InvalidArgument', 'maxBytes must be at least 1');
    if (q.fromOffset < first) {
      return errorResult('OutOfRange', `offset ${q.fromOffset} is below the first retained offset ${first}`);
    }
    if (q.fromOffset > next) {
      return errorResult('OutOfRange', `offset ${q.fromOffset} is beyond the high watermark ${next}`);
    }
    const records: LogRecordView[] = [];
    let bytes = 0;
    let nextOffset = q.fromOffset;
    if (q.fromOffset < next) {
      const scan = store.scan({
        gte: u64Key(RECORD_PREFIX, q.fromOffset),
        lt: u64Key(RECORD_PREFIX, next),
        limit: q.maxRecords,
      });
      for await (const [key, value] of scan) {
        const rec = decodeRecord(key, value);
        const size = rec.key.length + rec.value.length;
        if (records.length > 0 && bytes + size > q.maxBytes) break;
        records.push(rec);
        bytes += size;
        nextOffset = rec.offset + 1;
        if (records.length >= q.maxRecords || bytes >= q.maxBytes) break;
      }
    }
    return okResult(encodeReadResult({ records, nextOffset, firstOffset: first, highWatermark: next }));
  }
}

function checkVersion(v: number, what: string): void {
  if (v !== FORMAT_VERSION) throw new Error(`unsupported ${what} format version ${v}`);
}

function batchOp(b: Batch): KvOp {
  const w = new Writer(13 + 4 * b.sizes.length).u8(FORMAT_VERSION).u64(b.timestampMs).u32(b.sizes.length);
  for (const s of b.sizes) w.u32(s);
  return { type: 'put', key: u64Key(BATCH_PREFIX, b.firstOffset), value: w.finish() };
}

function decodeBatch(key: Uint8Array, value: Uint8Array): Batch {
  const k = new Reader(key);
  k.raw(BATCH_PREFIX.length);
  const firstOffset = k.u64('batch offset');
  k.end('batch key');
  const r = new Reader(value);
  checkVersion(r.u8(), 'log batch');
  const timestampMs = r.u64();
  const count = r.u32();
  const sizes = new Uint32Array(count);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const s = r.u32();
    sizes[i] = s;
    bytes += s;
  }
  r.end('batch entry');
  return { firstOffset, timestampMs, sizes, bytes };
}

function decodeRecord(key: Uint8Array, value: Uint8Array): LogRecordView {
  const k = new Reader(key);
  k.raw(RECORD_PREFIX.length);
  const offset = k.u64('record offset');
  const r = new Reader(value);
  checkVersion(r.u8(), 'log record');
  const timestampMs = r.u64();
  const recKey = r.bytes('key');
  return { offset, timestampMs, key: recKey, value: r.rest() };
}
