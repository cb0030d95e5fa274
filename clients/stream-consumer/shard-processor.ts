// Processes one leased shard: subscribes from a position, hands each batch to the application in
// order (one call at a time), checkpoints under the lease's token, and finishes a closed shard
// by checkpointing its end. It stops at once when the lease is lost (the worker's renewal says
// so, the local clock says it may have expired, or a checkpoint is refused) and never
// checkpoints again after that: the server fences checkpoints by token anyway.
import * as grpc from '@grpc/grpc-js';
import { type StartingPosition, type StreamApi, type StreamRef, type SubscribeEvent, type WireRecord, isStatus } from './api.js';

export interface ConsumerRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  approximateArrivalTimestamp: Date;
  encryptionType?: string;
}

export interface ProcessContext {
  shardId: string;
  /**
   * The lease token this batch is processed under. It grows each time the shard changes hands,
   * so an application writing results to a store of its own can refuse a write from an older
   * holder.
   */
  leaseToken: number;
  millisBehindLatest: number;
  /**
   * Records that the application is done with the shard up to and including sequenceNumber
   * (default: this batch's last record). Rejects with LeaseLostError when this worker no longer
   * holds the shard: the application should stop working on the batch.
   */
  checkpoint(sequenceNumber?: string): Promise<void>;
}

export type ProcessRecords = (records: ConsumerRecord[], ctx: ProcessContext) => Promise<void> | void;

export class LeaseLostError extends Error {
  constructor(readonly shardId: string) {
    super(`the lease on ${shardId} is no longer held by this worker`);
    this.name = 'LeaseLostError';
  }
}

/** How a processor ended: the shard was read and checkpointed to its end, stop() was called, the lease was lost, or the application threw. */
export type Outcome = 'finished' | 'stopped' | 'lost' | 'failed';

export interface ProcessorDeps {
  api: StreamApi;
  ref: StreamRef;
  leaseName: string;
  owner: string;
  shardId: string;
  token: number;
  start: StartingPosition;
  limit: number;
  processRecords: ProcessRecords;
  checkpointAfterBatch: boolean;
  /** Whether the worker may still act on the lease. */
  holds(): boolean;
  /** A checkpoint was refused: the lease belongs to someone else now. */
  onLost(): void;
  onError(err: unknown): void;
}

/** Marks an error thrown by the application, to tell it from the stream's. */
class ApplicationError {
  constructor(readonly err: unknown) {}
}

const MAX_RETRY_WAIT_MS = 2000;

function toRecord(r: WireRecord): ConsumerRecord {
  return {
    sequenceNumber: r.sequenceNumber,
    partitionKey: r.partitionKey,
    data: r.data,
    approximateArrivalTimestamp: new Date(Math.round(r.approximateArrivalTimestamp * 1000)),
    ...(r.encryptionType === undefined ? {} : { encryptionType: r.encryptionType }),
  };
}

export class ShardProcessor {
  private call: grpc.ClientReadableStream<SubscribeEvent> | undefined;
  private halted: 'stop' | 'lose' | undefined;
  private lastProcessed: string | undefined;
  private lastCheckpointed: string | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly d: ProcessorDeps) {}

  async run(): Promise<Outcome> {
    let position = this.d.start;
    let wait = 0;
    while (!this.halted) {
      if (!this.d.holds()) return 'lost';
      const call = this.d.api.subscribeToShard(this.d.ref, this.d.shardId, position, this.d.limit);
      // Errors reach the loop through the iterator; this keeps a late CANCELLED from being unhandled.
      call.on('error', () => undefined);
      this.call = call;
      try {
        for await (const ev of call as AsyncIterable<SubscribeEvent>) {
          if (this.halted || !this.d.holds()) break;
          wait = 0;
          if (ev.records.length > 0) await this.deliver(ev);
          if (ev.childShards.length > 0) return await this.finish();
        }
      } catch (err) {
        if (err instanceof ApplicationError) {
          this.d.onError(err.err);
          return 'failed';
        }
        if (err instanceof LeaseLostError) return 'lost';
        if (!this.halted) {
          this.d.onError(err);
          if (isStatus(err, grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT)) return 'failed';
        }
      } finally {
        call.cancel();
        this.call = undefined;
      }
      if (this.halted) break;
      // The subscription broke (or an open shard's stream ended): resume after what was processed.
      if (this.lastProcessed !== undefined) position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastProcessed };
      wait = Math.min(MAX_RETRY_WAIT_MS, Math.max(100, wait * 2));
      await this.sleep(wait);
    }
    return this.halted === 'lose' || !this.d.holds() ? 'lost' : 'stopped';
  }

  /** Stops after the batch in progress (the worker then checkpoints and releases). */
  stop(): void {
    this.halt('stop');
  }

  /** Stops without another checkpoint: the lease is gone. */
  lose(): void {
    this.halt('lose');
  }

  /** Checkpoints the last batch the application finished, if that is past the last checkpoint. */
  async checkpointProcessed(): Promise<void> {
    if (this.lastProcessed !== undefined && this.lastProcessed !== this.lastCheckpointed && this.halted !== 'lose') await this.checkpoint(this.lastProcessed);
  }

  private halt(how: 'stop' | 'lose'): void {
    if (this.halted !== 'lose') this.halted = how;
    this.call?.cancel();
    this.wake?.();
  }

  private async deliver(ev: SubscribeEvent): Promise<void> {
    const records = ev.records.map(toRecord);
    const last = records[records.length - 1]!.sequenceNumber;
    const ctx: ProcessContext = {
      shardId: this.d.shardId,
      leaseToken: this.d.token,
      millisBehindLatest: ev.millisBehindLatest,
      checkpoint: (sequenceNumber = last) => this.checkpoint(sequenceNumber),
    };
    try {
      await this.d.processRecords(records, ctx);
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      throw new ApplicationError(err);
    }
    this.lastProcessed = last;
    if (this.d.checkpointAfterBatch) await this.checkpoint(last);
  }

  private async checkpoint(sequenceNumber: string): Promise<void> {
    await this.fenced({ sequenceNumber });
    this.lastCheckpointed = sequenceNumber;
  }

  /** Every record was processed and the shard is closed: marks it finished, so its children may start. */
  private async finish(): Promise<Outcome> {
    await this.fenced({ shardEnd: true });
    return 'finished';
  }

  private async fenced(at: { sequenceNumber: string } | { shardEnd: true }): Promise<void> {
    if (this.halted === 'lose' || !this.d.holds()) throw new LeaseLostError(this.d.shardId);
    try {
      await this.d.api.checkpointShard(this.d.ref, this.d.shardId, this.d.leaseName, at, { owner: this.d.owner, token: this.d.token });
    } catch (err) {
      if (isStatus(err, grpc.status.FAILED_PRECONDITION)) {
        this.d.onLost();
        throw new LeaseLostError(this.d.shardId);
      }
      throw err;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
