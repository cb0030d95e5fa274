// One shard of a Kinesis event source mapping, processed by one scheduler at a time: it holds
// the shard's lease for the mapping (in the shard's own Raft group), reads from the mapping's
// checkpoint there, hands batches to the function in order and moves the checkpoint only after
// a batch is done with (processed, or discarded after its retries). The lease token fences the
// checkpoint, so a worker that lost its lease (paused, cut off) can no longer move the position:
// after a crash the next worker resumes at the last checkpoint, re-delivering at most the batch
// that was in flight and skipping nothing.
//
// ParallelizationFactor N: a read takes up to N batches; records are split into N lanes by
// partition key (same key, same lane, in order) and the lanes run at once; the checkpoint moves
// when all lanes are done.
import { createHash, randomUUID } from 'node:crypto';
import { type ShardRecord, type StreamRecord } from '../../../storage/partitions/meta-codec.js';
import { type LeaseRecord, decodeCheckpointResult, decodeLeaseResult } from '../../../storage/partitions/stream-codec.js';
import { type KinesisBackend } from '../../gateway/kinesis/backend.js';
import { parseSequenceNumber } from '../../gateway/kinesis/positions.js';
import { type StreamRecordOut, readShard, startOffset } from '../../gateway/kinesis/reading.js';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { type MappingDoc } from '../../gateway/lambda/mappings.js';
import { type CompiledFilters, kinesisFilterView, matches } from '../event-filter.js';
import { PROCESSING_FAILED, PROCESSING_OK, invokeBatch } from './batch.js';
import { sleep } from '../../sleep.js';
import { type DiscardCondition, discardedBatchRecord, kinesisRecord } from './kinesis-event.js';

export const LEASE_TTL_MS = 15_000;
const RENEW_EVERY_MS = 4_000;
const IDLE_POLL_MS = 250;
const MAX_RETRY_BACKOFF_MS = 30_000;

export interface ShardWorkerDeps {
  lambda: LambdaBackend;
  kinesis: KinesisBackend;
  /** This scheduler's identity in leases. */
  owner: string;
  filters: CompiledFilters;
  report: (result: string) => void;
  deliver: (arn: string, body: string) => Promise<void>;
  iteratorAge?: (ms: number) => void;
  log: (line: string) => void;
}

export function leaseName(m: MappingDoc): string {
  return `esm:${m.uuid}`;
}

export class ShardWorker {
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  private lease: LeaseRecord | undefined;

  constructor(
    private readonly d: ShardWorkerDeps,
    private readonly m: MappingDoc,
    private stream: StreamRecord,
    private shard: ShardRecord,
  ) {
    this.done = this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) d.log(`scheduler: mapping ${m.uuid} shard ${shard.shardId}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async acquire(): Promise<boolean> {
    const r = decodeLeaseResult(await this.d.kinesis.command(this.shard.groupId, { type: 'acquireLease', name: leaseName(this.m), owner: this.d.owner, ttlMs: LEASE_TTL_MS, steal: false }));
    if (!r.ok) return false;
    this.lease = r.value;
    return true;
  }

  private async run(): Promise<void> {
    if (!(await this.acquire())) return;
    const renew = setInterval(() => {
      this.acquire().then(
        (ok) => {
          if (!ok) this.abort.abort();
        },
        () => undefined,
      );
    }, RENEW_EVERY_MS);
    renew.unref();
    try {
      await this.consume();
    } finally {
      clearInterval(renew);
      const l = this.lease;
      if (l) await this.d.kinesis.command(this.shard.groupId, { type: 'releaseLease', name: l.name, owner: l.owner, token: l.token }).catch(() => undefined);
    }
  }

  private async consume(): Promise<void> {
    const k = this.d.kinesis;
    const signal = this.abort.signal;
    const state = await k.state(this.shard);
    const cp = state.checkpoints.find((c) => c.name === leaseName(this.m));
    let pos: number;
    if (cp) pos = cp.offset;
    else {
      // A child of a split or merge holds only records newer than any position: read it all.
      const p = this.shard.parents.length > 0 ? { type: 'TRIM_HORIZON' } : { type: this.m.startingPosition ?? 'LATEST', timestamp: (this.m.startingPositionTimestampMs ?? 0) / 1000 };
      pos = await startOffset(k, this.stream, this.shard, p);
      // Fixed now, so a restart does not move LATEST forward past records that arrived meanwhile.
      await this.checkpoint(pos);
    }
    while (!signal.aborted) {
      const batch = await readShard(k, this.stream, this.shard, pos, Math.min(10_000, this.m.batchSize * this.m.parallelizationFactor));
      let records = batch.records;
      if (records.length === 0) {
        if (batch.children !== undefined) return; // the shard is closed and fully processed
        await sleep(IDLE_POLL_MS, signal);
        // A split or merge shows in the catalog: the next read then sees where the shard ends.
        const fresh = await k.find(this.stream.name);
        const sh = fresh?.id === this.stream.id ? fresh.shards.find((x) => x.shardId === this.shard.shardId) : undefined;
        if (!fresh || !sh) return;
        this.stream = fresh;
        this.shard = sh;
        continue;
      }
      // A batching window lets a small batch wait for more records (AWS: up to 300 s).
      if (this.m.maximumBatchingWindowInSeconds > 0 && records.length < this.m.batchSize) {
        await sleep(this.m.maximumBatchingWindowInSeconds * 1000, signal);
        records = (await readShard(k, this.stream, this.shard, pos, Math.min(10_000, this.m.batchSize * this.m.parallelizationFactor))).records;
      }
      if (signal.aborted) return;
      const last = records[records.length - 1]!;
      this.d.iteratorAge?.(Math.max(0, Date.now() - last.ApproximateArrivalTimestamp * 1000));
      await Promise.all(lanes(records, this.m.parallelizationFactor).map((lane) => this.runLane(lane)));
      if (signal.aborted) return;
      pos = parseSequenceNumber(last.SequenceNumber)!.offset + 1;
      await this.checkpoint(pos);
    }
  }

  private async checkpoint(offset: number): Promise<void> {
    const l = this.lease!;
    const r = decodeCheckpointResult(await this.d.kinesis.command(this.shard.groupId, { type: 'checkpoint', name: l.name, offset, owner: l.owner, token: l.token }));
    if (!r.ok) {
      // The lease moved on: whoever holds it now owns the position.
      this.abort.abort();
      throw new Error(`checkpoint refused (${r.message})`);
    }
  }

  private async runLane(records: StreamRecordOut[]): Promise<void> {
    for (let i = 0; i < records.length && !this.abort.signal.aborted; i += this.m.batchSize) {
      await this.runBatch(records.slice(i, i + this.m.batchSize));
    }
  }

  /** Returns once the batch succeeded or was discarded; retries (bisecting if asked) in between. */
  private async runBatch(batch: StreamRecordOut[]): Promise<void> {
    const signal = this.abort.signal;
    const region = this.d.lambda.opts.region;
    const account = this.d.lambda.opts.accountId;
    const arn = this.m.eventSourceArn;
    // AWS: with no age limit a failing batch is retried until its records leave the stream.
    const maxAgeMs = (this.m.maximumRecordAgeInSeconds >= 0 ? this.m.maximumRecordAgeInSeconds : this.stream.retentionHours * 3600) * 1000;
    const pending: { records: StreamRecordOut[]; attempts: number }[] = [{ records: batch, attempts: 0 }];
    while (pending.length > 0 && !signal.aborted) {
      const item = pending[0]!;
      const events = item.records.map((r) => kinesisRecord(r, this.shard.shardId, arn, region, account));
      const passing = this.d.filters.patterns.length === 0 ? events : events.filter((e) => matches(this.d.filters, kinesisFilterView(e)));
      if (passing.length === 0) {
        pending.shift();
        continue;
      }
      if (Date.now() - item.records[0]!.ApproximateArrivalTimestamp * 1000 > maxAgeMs) {
        await this.discard(item.records, 'RecordAgeExceeded', item.attempts, undefined);
        pending.shift();
        continue;
      }
      const outcome = await invokeBatch(this.d.lambda, this.m, { Records: passing }, passing.map((e) => e.kinesis.sequenceNumber));
      if (outcome.kind === 'ok') {
        this.d.report(PROCESSING_OK);
        pending.shift();
        continue;
      }
      if (outcome.kind === 'throttled') {
        await sleep(1000, signal);
        continue;
      }
      this.d.report(PROCESSING_FAILED);
      item.attempts++;
      if (outcome.kind === 'partial') {
        // Everything before the first failed record is done: retry from there.
        const failed = new Set(outcome.failed);
        const first = item.records.findIndex((r) => failed.has(r.SequenceNumber));
        item.records = item.records.slice(Math.max(0, first));
      }
      if (this.m.maximumRetryAttempts >= 0 && item.attempts > this.m.maximumRetryAttempts) {
        await this.discard(item.records, 'RetryAttemptsExhausted', item.attempts, outcome.kind === 'error' ? outcome.result?.errorType : undefined);
        pending.shift();
        continue;
      }
      if (this.m.bisectBatchOnFunctionError && outcome.kind === 'error' && item.records.length > 1) {
        const half = Math.ceil(item.records.length / 2);
        pending.splice(0, 1, { records: item.records.slice(0, half), attempts: item.attempts }, { records: item.records.slice(half), attempts: item.attempts });
        continue;
      }
      await sleep(Math.min(MAX_RETRY_BACKOFF_MS, 500 * 2 ** Math.min(6, item.attempts - 1)), signal);
    }
  }

  private async discard(records: StreamRecordOut[], condition: DiscardCondition, attempts: number, functionError: string | undefined): Promise<void> {
    const dest = this.m.onFailureDestination;
    if (dest === undefined) {
      this.d.log(`scheduler: mapping ${this.m.uuid} discarded ${records.length} records of ${this.shard.shardId} (${condition})`);
      return;
    }
    const body = discardedBatchRecord({ requestId: randomUUID(), functionArn: this.m.functionArn, condition, attempts, functionError, shardId: this.shard.shardId, streamArn: this.m.eventSourceArn, records });
    await this.d.deliver(dest, body);
  }
}

/** Splits records into n lanes by partition key, keeping each key's records in order. */
export function lanes(records: StreamRecordOut[], n: number): StreamRecordOut[][] {
  if (n <= 1) return [records];
  const out: StreamRecordOut[][] = Array.from({ length: n }, () => []);
  for (const r of records) out[createHash('md5').update(r.PartitionKey).digest().readUInt32BE(0) % n]!.push(r);
  return out.filter((l) => l.length > 0);
}
