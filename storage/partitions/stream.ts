import { type KvOp } from '../engine/engine.js';
import { DecodeError, Writer, fromUtf8, prefixEnd, utf8 } from './codec.js';
import { type DedupOptions } from './dedup.js';
import { type Command, CommandError, decodeQuery, decodeResult, errorResult, okResult } from './envelope.js';
import { type PartitionStore } from './kind.js';
import { LeaseTable } from './lease.js';
import { type AppendRecord } from './log-codec.js';
import { LogStateMachine } from './log.js';
import {
  type CheckpointRecord,
  type ShardState,
  type StreamCommand,
  type ThroughputLimits,
  MAX_PARTITION_KEY_BYTES,
  decodeStreamCommand,
  decodeStreamQuery,
  encodeStreamAppendResult,
  isLogOp,
} from './stream-codec.js';

export * from './stream-codec.js';

/*
 * The `stream` kind: one Kinesis shard. It is a log (records, offsets, retention) plus:
 *   's'         → shard state: JSON { closed, closedAtMs }
 *   'L' + name  → lease: JSON LeaseRecord
 *   'C' + name  → checkpoint: JSON CheckpointRecord
 *
 * The throughput limit is a sliding one-second window over the log's in-memory batch index,
 * whose timestamps are the leaders' stamps: every replica computes the same window from the
 * same state, so accepting or refusing a record is deterministic and needs no state of its own.
 */

const STATE_KEY = utf8('s');
const LEASE_PREFIX = 'L';
export const CHECKPOINT_PREFIX = 'C';
const WINDOW_MS = 1000;

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

export class StreamStateMachine extends LogStateMachine {
  private closed = false;
  private closedAtMs = 0;
  protected leases = new LeaseTable(LEASE_PREFIX);
  protected checkpoints = new Map<string, CheckpointRecord>();

  constructor(opts: { dedup?: DedupOptions } = {}) {
    super({ ...opts, maxKeyBytes: MAX_PARTITION_KEY_BYTES });
  }

  override async load(store: PartitionStore): Promise<void> {
    await super.load(store);
    const state = await store.get(STATE_KEY);
    const parsed = state === undefined ? { closed: false, closedAtMs: 0 } : (JSON.parse(fromUtf8(state)) as { closed: boolean; closedAtMs: number });
    const leases = new LeaseTable(LEASE_PREFIX);
    await leases.load(store);
    const checkpoints = new Map<string, CheckpointRecord>();
    for (const v of await scanValues(store, CHECKPOINT_PREFIX)) {
      const c = JSON.parse(fromUtf8(v)) as CheckpointRecord;
      checkpoints.set(c.name, c);
    }
    this.closed = parsed.closed;
    this.closedAtMs = parsed.closedAtMs;
    this.leases = leases;
    this.checkpoints = checkpoints;
  }

  protected override applyOp(cmd: Command, ops: KvOp[]): Uint8Array {
    if (isLogOp(cmd.op)) {
      // Appends go through the stream's own op, which knows about closing and throughput.
      if (cmd.op === 1) return errorResult('InvalidArgument', 'a shard takes appends through its stream append op');
      return super.applyOp(cmd, ops);
    }
    let c: StreamCommand;
    try {
      c = decodeStreamCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', `malformed stream command: ${e.message}`);
      throw e;
    }
    const now = cmd.timestampMs;
    switch (c.type) {
      case 'append':
        return this.appendLimited(c.records, c.limits, now, ops);
      case 'close':
        if (!this.closed) {
          this.closed = true;
          this.closedAtMs = now;
          ops.push({ type: 'put', key: STATE_KEY, value: json({ closed: true, closedAtMs: now }) });
        }
        return okResult(new Writer(8).u64(this.nextOffset).finish());
      case 'acquireLease':
        return this.leases.acquire(c, now, ops);
      case 'releaseLease':
        return this.leases.release(c, ops);
      case 'checkpoint': {
        if (c.owner !== undefined && !this.leases.holds(c.name, c.owner, c.token ?? -1, now)) {
          return errorResult('FailedPrecondition', `lease ${c.name} is no longer held by ${c.owner}`);
        }
        if (c.offset > this.nextOffset) return errorResult('OutOfRange', `checkpoint ${c.offset} is beyond the shard's end ${this.nextOffset}`);
        const cp: CheckpointRecord = { name: c.name, offset: c.offset, updatedAtMs: now };
        this.checkpoints.set(c.name, cp);
        ops.push({ type: 'put', key: utf8(CHECKPOINT_PREFIX + c.name), value: json(cp) });
        return okResult(json(cp));
      }
    }
  }

  private appendLimited(records: AppendRecord[], limits: ThroughputLimits, now: number, ops: KvOp[]): Uint8Array {
    if (this.closed) return errorResult('FailedPrecondition', 'the shard is closed');
    let accepted = records.length;
    if (limits.bytesPerSecond > 0 || limits.recordsPerSecond > 0) {
      const ts = Math.max(now, this.lastTimestampMs);
      let bytes = 0;
      let count = 0;
      for (let i = this.batches.length - 1; i >= 0; i--) {
        const b = this.batches[i]!;
        if (b.timestampMs <= ts - WINDOW_MS) break;
        bytes += b.bytes;
        count += b.sizes.length;
      }
      accepted = 0;
      for (const r of records) {
        const size = (r.key?.length ?? 0) + r.value.length;
        if (limits.bytesPerSecond > 0 && bytes + size > limits.bytesPerSecond) break;
        if (limits.recordsPerSecond > 0 && count + 1 > limits.recordsPerSecond) break;
        bytes += size;
        count++;
        accepted++;
      }
    }
    if (accepted === 0) return okResult(encodeStreamAppendResult({ firstOffset: this.nextOffset, accepted: 0, timestampMs: now }));
    const r = this.append(accepted === records.length ? records : records.slice(0, accepted), now, ops);
    if (!decodeResult(r).ok) return r;
    return okResult(encodeStreamAppendResult({ firstOffset: this.nextOffset - accepted, accepted, timestampMs: this.lastTimestampMs }));
  }

  override async read(query: Uint8Array, store: PartitionStore): Promise<Uint8Array> {
    let op: number;
    let body: Uint8Array;
    try {
      ({ op, body } = decodeQuery(query));
    } catch (e) {
      if (e instanceof CommandError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    if (op < 16) return super.read(query, store);
    try {
      const q = decodeStreamQuery(op, body);
      if (q.type === 'offsetAtTime') return okResult(new Writer(8).u64(this.offsetAtTime(q.timestampMs)).finish());
      const state: ShardState = {
        closed: this.closed,
        firstOffset: this.firstOffset,
        nextOffset: this.nextOffset,
        lastTimestampMs: this.lastTimestampMs,
        leases: [...this.leases.leases.values()],
        checkpoints: [...this.checkpoints.values()],
      };
      return okResult(json(state));
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
  }
}

async function scanValues(store: PartitionStore, prefix: string): Promise<Uint8Array[]> {
  const gte = utf8(prefix);
  const out: Uint8Array[] = [];
  for await (const [, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) out.push(v);
  return out;
}
