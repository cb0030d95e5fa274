// A consumer worker in the spirit of the KCL: it lists the stream's shards, holds leases on some
// of them (renewed every ttl/3), balances with the other workers of the same application by
// taking free leases and stealing from the most loaded, and runs one ShardProcessor per leased
// shard. Leases and checkpoints live in each shard's own Raft group under the application's
// name, so workers coordinate through the server alone.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { type ShardInfo, type StartingPosition, StreamApi, type StreamRef, isStatus } from './api.js';
import { type ShardView, plan } from './balance.js';
import { type Outcome, type ProcessRecords, ShardProcessor } from './shard-processor.js';

export interface StreamConsumerOptions {
  /** host:port of a Stratus node's gRPC port; or `api`. */
  address?: string;
  /** A client to use instead of `address` (the consumer does not close it). */
  api?: StreamApi;
  streamName?: string;
  streamArn?: string;
  /** The application: names the lease and the checkpoint in every shard. Workers of one application share the shards. */
  applicationName: string;
  /** Unique among the application's workers; default host, pid and a random suffix. */
  workerId?: string;
  processRecords: ProcessRecords;
  /** Where a shard without a checkpoint starts; shards born of a split or merge always start at their beginning. Default TRIM_HORIZON. */
  initialPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Default 10 s. */
  leaseTtlMs?: number;
  /** Default ttl / 3. */
  renewIntervalMs?: number;
  /** How often leases are balanced; default ttl / 3. */
  balanceIntervalMs?: number;
  /** Records per processRecords call at most; default 1000. */
  maxRecordsPerBatch?: number;
  /** Checkpoint after every processRecords call that returns; default false (the application calls ctx.checkpoint). */
  checkpointAfterBatch?: boolean;
  /** On stop(), checkpoint after the last batch processRecords finished; default true. */
  checkpointOnStop?: boolean;
  /** Leases this worker holds at most. */
  maxLeases?: number;
  /** Failures worth knowing about (the worker carries on); default: printed to stderr. */
  onError?: (err: unknown, shardId?: string) => void;
  onLeaseEvent?: (e: LeaseEvent) => void;
}

/** acquired/stolen: processing starts; lost: it stopped because another worker has the shard; released: stop() gave it up; finished: read and checkpointed to its end. */
export interface LeaseEvent {
  type: 'acquired' | 'stolen' | 'lost' | 'released' | 'finished';
  shardId: string;
  token: number;
}

interface Held {
  shardId: string;
  token: number;
  /** When the request that last took or renewed the lease was sent: the lease lasts at least ttl from then. */
  renewedAt: number;
  lost: boolean;
  stopping: boolean;
  processor: ShardProcessor | undefined;
  /** Wakes a pause (the grace after a steal, a retry wait) when the shard is stopped or lost. */
  abort: AbortController;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export class StreamConsumer {
  readonly workerId: string;
  private readonly api: StreamApi;
  private readonly ownsApi: boolean;
  private readonly ref: StreamRef;
  private readonly app: string;
  private readonly ttl: number;
  private readonly renewEvery: number;
  private readonly balanceEvery: number;
  /** The lease is treated as gone this long before it would expire, for clock drift and a slow event loop. */
  private readonly margin: number;
  private readonly held = new Map<string, Held>();
  /** Shard → the run of a processor that may still be inside processRecords: a new one waits for it. */
  private readonly draining = new Map<string, Promise<void>>();
  private shards = new Map<string, ShardInfo>();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private renewTimer: NodeJS.Timeout | undefined;
  private balanceTimer: NodeJS.Timeout | undefined;
  private balancing: Promise<void> | undefined;
  private balanceAgain = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly o: StreamConsumerOptions) {
    if (o.streamName === undefined && o.streamArn === undefined) throw new Error('stream-consumer: give streamName or streamArn');
    if (!o.applicationName) throw new Error('stream-consumer: applicationName is required');
    if (o.api) this.api = o.api;
    else if (o.address !== undefined) this.api = new StreamApi(o.address);
    else throw new Error('stream-consumer: give address or api');
    this.ownsApi = o.api === undefined;
    this.ref = { ...(o.streamName === undefined ? {} : { streamName: o.streamName }), ...(o.streamArn === undefined ? {} : { streamArn: o.streamArn }) };
    this.app = o.applicationName;
    this.workerId = o.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.ttl = o.leaseTtlMs ?? 10_000;
    this.renewEvery = o.renewIntervalMs ?? Math.floor(this.ttl / 3);
    this.balanceEvery = o.balanceIntervalMs ?? Math.floor(this.ttl / 3);
    this.margin = Math.min(1000, Math.floor(this.ttl / 5));
    if (this.renewEvery >= this.ttl - this.margin) throw new Error('stream-consumer: renewIntervalMs must be well below leaseTtlMs');
  }

  /** Starts the loops; resolves after the first balancing round (its failures go to onError). */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('stream-consumer: a worker starts once');
    this.state = 'running';
    this.scheduleRenew();
    await this.runBalance();
  }

  /** Shards this worker holds and processes. */
  heldShards(): string[] {
    return [...this.held.values()].filter((h) => !h.lost).map((h) => h.shardId).sort();
  }

  /**
   * Stops gracefully: no new leases; each processor finishes the batch in progress, checkpoints
   * it (checkpointOnStop) and releases its lease, so other workers take over at once.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      if (this.ownsApi) this.api.close();
      return;
    }
    this.state = 'stopping';
    clearTimeout(this.balanceTimer);
    // A round in flight may still take a lease: it sees the state and gives it back.
    await this.balancing;
    for (const h of this.held.values()) this.halt(h);
    // Renewals go on meanwhile: a long processRecords must not cost the lease before its checkpoint.
    while (this.draining.size > 0) await Promise.all([...this.draining.values()]);
    this.state = 'stopped';
    clearTimeout(this.renewTimer);
    if (this.ownsApi) this.api.close();
  }

  private halt(h: Held): void {
    h.stopping = true;
    h.abort.abort();
    h.processor?.stop();
  }

  private report(err: unknown, shardId?: string): void {
    if (this.o.onError) this.o.onError(err, shardId);
    else console.error(`stream-consumer ${this.workerId}${shardId === undefined ? '' : ` ${shardId}`}:`, err instanceof Error ? err.message : err);
  }

  private emit(type: LeaseEvent['type'], h: { shardId: string; token: number }): void {
    this.o.onLeaseEvent?.({ type, shardId: h.shardId, token: h.token });
  }

  private holds(h: Held): boolean {
    return !h.lost && Date.now() < h.renewedAt + this.ttl - this.margin;
  }

  // --- Renewal ---

  private scheduleRenew(): void {
    this.renewTimer = setTimeout(() => {
      void this.renewAll().finally(() => {
        if (this.state !== 'stopped') this.scheduleRenew();
      });
    }, this.renewEvery);
  }

  private async renewAll(): Promise<void> {
    await Promise.all([...this.held.values()].map((h) => this.renew(h)));
  }

  private async renew(h: Held): Promise<void> {
    if (h.lost) return;
    const sentAt = Date.now();
    try {
      const l = await this.api.acquireShardLease(this.ref, h.shardId, this.app, this.workerId, this.ttl, false, this.renewEvery);
      if (this.held.get(h.shardId) !== h || h.lost) {
        // Released or lost while the renewal was on its way, which then took the free lease anew: give it back.
        if (l.token !== h.token) await this.api.releaseShardLease(this.ref, h.shardId, this.app, this.workerId, l.token).catch(() => undefined);
        return;
      }
      if (l.token !== h.token) {
        // The lease lapsed and this renewal took it afresh: someone may have held it in between.
        this.lose(h);
        await this.api.releaseShardLease(this.ref, h.shardId, this.app, this.workerId, l.token).catch(() => undefined);
        return;
      }
      h.renewedAt = sentAt;
    } catch (err) {
      if (isStatus(err, grpc.status.FAILED_PRECONDITION, grpc.status.NOT_FOUND)) return this.lose(h);
      this.report(err, h.shardId);
    }
    if (!this.holds(h)) this.lose(h);
  }

  /** Stops processing at once: another worker may have the shard. No checkpoint, no release. */
  private lose(h: Held): void {
    if (h.lost) return;
    h.lost = true;
    if (this.held.get(h.shardId) === h) this.held.delete(h.shardId);
    h.abort.abort();
    h.processor?.lose();
    this.emit('lost', h);
    this.kick();
  }

  // --- Balancing ---

  private scheduleBalance(delay: number): void {
    clearTimeout(this.balanceTimer);
    if (this.state !== 'running') return;
    this.balanceTimer = setTimeout(() => void this.runBalance(), delay);
  }

  /** Balances soon: a shard finished (its children may be ready) or a lease was lost. */
  private kick(): void {
    if (this.balancing) this.balanceAgain = true;
    else this.scheduleBalance(0);
  }

  private async runBalance(): Promise<void> {
    if (this.balancing || this.state !== 'running') return;
    this.balancing = this.balance()
      .catch((err: unknown) => this.report(err))
      .finally(() => {
        this.balancing = undefined;
        const again = this.balanceAgain;
        this.balanceAgain = false;
        this.scheduleBalance(again ? 0 : this.balanceEvery);
      });
    await this.balancing;
  }

  private async balance(): Promise<void> {
    const shards = await this.api.listShards(this.ref);
    this.shards = new Map(shards.map((s) => [s.shardId, s]));
    const views = await Promise.all(
      shards.map(async (s): Promise<ShardView> => {
        const d = await this.api.describeShardLeases(this.ref, s.shardId, this.app);
        const lease = d.leases.find((l) => l.leaseName === this.app);
        const cp = d.checkpoints.find((c) => c.leaseName === this.app);
        return { shardId: s.shardId, parents: parentsOf(s), finished: cp?.shardEnd === true, owner: lease?.held ? lease.owner : undefined };
      }),
    );
    if (this.state !== 'running') return;
    const p = plan(views, this.workerId, new Set(this.held.keys()), this.o.maxLeases);
    for (const id of p.take) await this.acquire(id, false);
    if (p.steal) await this.acquire(p.steal.shardId, true);
  }

  private async acquire(shardId: string, steal: boolean): Promise<void> {
    const sentAt = Date.now();
    let token: number;
    try {
      token = (await this.api.acquireShardLease(this.ref, shardId, this.app, this.workerId, this.ttl, steal)).token;
    } catch (err) {
      // Another worker took it first: the next round sees that.
      if (!isStatus(err, grpc.status.FAILED_PRECONDITION)) this.report(err, shardId);
      return;
    }
    if (this.state !== 'running') {
      await this.api.releaseShardLease(this.ref, shardId, this.app, this.workerId, token).catch(() => undefined);
      return;
    }
    const h: Held = { shardId, token, renewedAt: sentAt, lost: false, stopping: false, processor: undefined, abort: new AbortController() };
    this.held.set(shardId, h);
    this.emit(steal ? 'stolen' : 'acquired', h);
    // The previous owner learns of a steal at its next renewal, up to an interval later: starting
    // only then keeps two workers from processing the shard at once.
    const grace = steal ? Math.round(this.renewEvery * 1.5) : 0;
    const before = this.draining.get(shardId) ?? Promise.resolve();
    const run = before.then(() => this.process(h, grace));
    this.draining.set(shardId, run);
    void run.finally(() => {
      if (this.draining.get(shardId) === run) this.draining.delete(shardId);
    });
  }

  // --- Processing ---

  private async process(h: Held, grace: number): Promise<void> {
    try {
      if (grace > 0) await pause(grace, h.abort.signal);
      const outcome = await this.runShard(h);
      if (outcome === 'lost') return this.lose(h);
      if (outcome === 'finished') {
        await this.release(h, 'finished');
        this.kick();
        return;
      }
      await this.release(h, 'released');
    } catch (err) {
      this.report(err, h.shardId);
      this.lose(h);
    }
  }

  /** Processes the shard from its checkpoint until it is finished, stopped or lost; an application error is retried from the checkpoint. */
  private async runShard(h: Held): Promise<Outcome> {
    for (let failures = 0; ; ) {
      if (h.stopping) return 'stopped';
      if (!this.holds(h)) return 'lost';
      let start: StartingPosition | 'finished';
      try {
        start = await this.startOf(h.shardId);
      } catch (err) {
        this.report(err, h.shardId);
        await pause(Math.min(5000, 200 * 2 ** failures++), h.abort.signal);
        continue;
      }
      if (start === 'finished') return 'finished';
      const p = new ShardProcessor({
        api: this.api,
        ref: this.ref,
        leaseName: this.app,
        owner: this.workerId,
        shardId: h.shardId,
        token: h.token,
        start,
        limit: this.o.maxRecordsPerBatch ?? 1000,
        processRecords: this.o.processRecords,
        checkpointAfterBatch: this.o.checkpointAfterBatch === true,
        holds: () => this.holds(h),
        onLost: () => this.lose(h),
        onError: (err) => this.report(err, h.shardId),
      });
      h.processor = p;
      if (h.stopping) p.stop();
      const outcome = await p.run();
      h.processor = undefined;
      if (outcome === 'stopped') {
        if (this.o.checkpointOnStop !== false) await p.checkpointProcessed().catch((err: unknown) => this.report(err, h.shardId));
        return 'stopped';
      }
      if (outcome !== 'failed') return outcome;
      await pause(Math.min(30_000, 500 * 2 ** failures++), h.abort.signal);
    }
  }

  /** Where processing resumes: after the checkpoint, else at the start the options name. */
  private async startOf(shardId: string): Promise<StartingPosition | 'finished'> {
    const d = await this.api.describeShardLeases(this.ref, shardId, this.app);
    const cp = d.checkpoints.find((c) => c.leaseName === this.app);
    if (cp?.shardEnd) return 'finished';
    if (cp?.sequenceNumber !== undefined) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: cp.sequenceNumber };
    const info = this.shards.get(shardId);
    // A child's records continue its parents': all of them matter, whatever the option says.
    if (cp !== undefined || (info !== undefined && parentsOf(info).length > 0)) return { type: 'TRIM_HORIZON' };
    return { type: this.o.initialPosition ?? 'TRIM_HORIZON' };
  }

  private async release(h: Held, type: 'released' | 'finished'): Promise<void> {
    if (this.held.get(h.shardId) === h) this.held.delete(h.shardId);
    try {
      await this.api.releaseShardLease(this.ref, h.shardId, this.app, this.workerId, h.token);
    } catch (err) {
      // It expires by itself.
      this.report(err, h.shardId);
    }
    this.emit(type, h);
  }
}

function parentsOf(s: ShardInfo): string[] {
  return [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined && p !== '');
}
