// A storage node: hosts many Raft groups (multi-Raft) over one engine, one ready loop and one
// transport. Groups are created and removed by the reconciler following the meta group's
// placement; the meta group itself (group 0) is bootstrapped on the initial members.
import { type TokenGrant } from '../cluster/token-bucket.js';
import { TokenLedger } from './token-ledger.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Engine, type KvOp } from '../../storage/engine/engine.js';
import { GroupCommitter, GroupStorage, MemoryEngine, RocksEngine, snapshotStateMachine } from '../../storage/engine/index.js';
import { META_LEFT_KEY } from '../../storage/engine/keys.js';
import { descriptorKey, decodeDescriptor, encodeDescriptor, listDescriptors } from './descriptors.js';
import { restampCommand } from '../../storage/partitions/envelope.js';
import { createStateMachine } from '../../storage/partitions/index.js';
import { type PartitionKind } from '../../storage/partitions/kind.js';
import { SeededRng } from '../../storage/raft/index.js';
import { type WireBatch, WireError, fromWire } from './raft-wire.js';
import { ReadyLoop } from './ready-loop.js';
import { Quiescence } from './quiescence.js';
import { Replica } from './replica.js';
import { RaftTransport } from './transport.js';
import { type MetricsRegistry } from '../telemetry/metrics.js';
import { StorageMetrics } from './storage-metrics.js';

export const META_GROUP = 0;

/** Bytes of log entries a replica keeps in memory before it snapshots and truncates anyway. */
const MAX_TAIL_BYTES = 64 * 1024 * 1024;

export interface StorageNodeOptions {
  nodeId: number;
  /** Where the engine lives; undefined keeps everything in memory (tests). */
  dataDir: string | undefined;
  /** The address peers and clients reach this node's gRPC server at (host:port). */
  advertise: string;
  /** The initial members (id → address), this node included: the meta group's first voters. */
  peers: Map<number, string>;
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
  proposalTimeoutMs: number;
  /** Idle replicas stop ticking (quiescence.ts). Default true. */
  quiesce?: boolean;
  /** A replica snapshots its state machine and truncates its log every this many applied entries. Default 10,000. */
  snapshotEntries?: number;
  log: (line: string) => void;
  /** Node metrics (leader changes, commit and fsync latency, groups, leaders, apply lag); none: not recorded. */
  metrics?: MetricsRegistry;
}

export class StorageNode {
  readonly replicas = new Map<number, Replica>();
  readonly transport: RaftTransport;
  readonly committer: GroupCommitter;
  private readonly loop: ReadyLoop;
  private ticker: NodeJS.Timeout | undefined;
  private readonly addresses = new Map<number, string>();
  private readonly creating = new Map<number, Promise<Replica>>();
  readonly startedAt = Date.now();
  /** Shared rate-limit buckets, served while this node leads the meta group. */
  readonly tokens = new TokenLedger();
  droppedForUnknownGroup = 0;
  quiescedReplicas = 0;
  private readonly quiescence: Quiescence;
  private stopped = false;
  private readonly metrics: StorageMetrics | undefined;

  private constructor(
    readonly opts: StorageNodeOptions,
    readonly engine: Engine,
  ) {
    // Three silent ticks and a peer is presumed down: its groups' followers wake and elect.
    this.quiescence = new Quiescence({ livenessMs: 3 * opts.tickMs, enabled: opts.quiesce ?? true });
    for (const [id, addr] of opts.peers) this.addresses.set(id, addr);
    this.addresses.set(opts.nodeId, opts.advertise);
    this.metrics = opts.metrics ? new StorageMetrics(opts.metrics, () => this.replicas.values()) : undefined;
    this.committer = new GroupCommitter(engine, undefined, this.metrics?.written);
    this.transport = new RaftTransport({ nodeId: opts.nodeId, resolve: (id) => this.addresses.get(id) }, (b) => this.deliver(b));
    this.loop = new ReadyLoop(this.committer, this.transport, (err) => this.fatal(err), (rep) => this.maybeSnapshot(rep), this.metrics);
  }

  static async open(opts: StorageNodeOptions): Promise<StorageNode> {
    let engine: Engine;
    if (opts.dataDir === undefined) engine = new MemoryEngine();
    else {
      mkdirSync(opts.dataDir, { recursive: true });
      engine = await RocksEngine.open(join(opts.dataDir, 'engine'));
    }
    const node = new StorageNode(opts, engine);
    for (const d of await listDescriptors(engine)) {
      const storage = await GroupStorage.open(engine, d.group);
      if (!storage) continue; // destroyed half-way: its descriptor goes with the next cleanup
      // Snapshot data is not persisted (createSnapshotMetadataOnly): rebuild it from the state
      // machine, which is at the applied index, before the core can ask for it.
      const applied = storage.applied();
      if (applied.index > 1) {
        const ops = storage.rebuildSnapshot(applied.index, applied.confState, await snapshotStateMachine(engine, d.group));
        if (ops.length > 0) await engine.write(ops, { sync: false });
      }
      await node.host(d.group, d.kind, storage);
    }
    // An initial member bootstraps the meta group, unless its replica was moved away before (a
    // drained node restarted with the same --peers must not start a second, empty history).
    if (!node.replicas.has(META_GROUP) && opts.peers.has(opts.nodeId) && (await engine.get(META_LEFT_KEY)) === undefined) {
      await node.createReplica(META_GROUP, 'meta', [...opts.peers.keys()].sort((a, b) => a - b));
    }
    node.ticker = setInterval(() => node.tick(), opts.tickMs);
    return node;
  }

  get nodeId(): number {
    return this.opts.nodeId;
  }

  /** Learns (or corrects) where a node listens, from the placement map. */
  setAddress(nodeId: number, address: string): void {
    this.addresses.set(nodeId, address);
  }

  addressOf(nodeId: number): string | undefined {
    return this.addresses.get(nodeId);
  }

  /**
   * Hosts a replica of a group. With voters it is one of the group's first members and starts
   * from the same bootstrap configuration as the others; without, it starts empty and receives
   * its state from the leader by snapshot (a replica being added to a running group).
   */
  createReplica(group: number, kind: PartitionKind, voters: number[] | undefined): Promise<Replica> {
    const existing = this.replicas.get(group);
    if (existing) return Promise.resolve(existing);
    let p = this.creating.get(group);
    if (!p) {
      p = (async () => {
        const ops: KvOp[] = [{ type: 'put', key: descriptorKey(group), value: encodeDescriptor({ group, kind }) }];
        let storage: GroupStorage;
        if (voters) {
          const b = GroupStorage.bootstrap(group, voters);
          storage = b.storage;
          ops.push(...b.ops);
        } else storage = GroupStorage.empty(group);
        await this.engine.write(ops, { sync: true });
        const rep = await this.host(group, kind, storage);
        // The preferred leader of a new group campaigns at once instead of waiting out an
        // election timeout, so a new log is writable within a round trip or two.
        if (voters?.[0] === this.opts.nodeId) {
          rep.raw.campaign();
          this.loop.mark(rep);
        }
        return rep;
      })().finally(() => this.creating.delete(group));
      this.creating.set(group, p);
    }
    return p;
  }

  private async host(group: number, kind: PartitionKind, storage: GroupStorage): Promise<Replica> {
    const sm = createStateMachine(kind);
    const rep = new Replica({
      group,
      nodeId: this.opts.nodeId,
      kind,
      storage,
      sm,
      engine: this.engine,
      rng: new SeededRng((this.opts.nodeId * 2654435761 + group * 40503 + Date.now()) >>> 0),
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      ...(this.metrics ? { onCommitted: this.metrics.committed } : {}),
    });
    await sm.load(rep.store);
    this.replicas.set(group, rep);
    this.loop.mark(rep);
    return rep;
  }

  /** Removes this node's replica of a group and deletes its data. */
  async destroyReplica(group: number): Promise<void> {
    const rep = this.replicas.get(group);
    if (!rep) return;
    rep.closed = true;
    rep.failPending('the replica was removed from this node');
    this.replicas.delete(group);
    const ops: KvOp[] = [...rep.storage.destroyOps(), { type: 'del', key: descriptorKey(group) }];
    if (group === META_GROUP) ops.push({ type: 'put', key: META_LEFT_KEY, value: Uint8Array.of(1) });
    await this.engine.write(ops, { sync: true });
  }

  private readonly snapshotting = new Set<Replica>();
  snapshotsTaken = 0;
  get snapshotsReceived(): number {
    return this.loop.snapshotsReceived;
  }

  /**
   * Called after a cycle applied entries. Once a replica's log holds snapshotEntries applied
   * entries, its state machine is streamed out of a point-in-time engine view (writes go on
   * meanwhile), recorded as the group's snapshot, and the log is truncated behind it, keeping a
   * tail so that followers a little behind still catch up from the log rather than a snapshot.
   */
  private maybeSnapshot(rep: Replica): void {
    const every = this.opts.snapshotEntries ?? 10_000;
    if (this.snapshotting.has(rep) || rep.appliedIndex - rep.storage.firstIndex() < every) return;
    // A snapshot copies the whole state machine; taking one only once the log tail has grown to
    // half its size keeps the copying linear in what is written (a log partition's state is its
    // records, so fixed-interval snapshots would cost quadratic time as it grows).
    // The log tail lives in memory (GroupStorage), so past MAX_TAIL_BYTES it is cut regardless.
    const st = rep.storage.stats();
    if (st.entryBytes < st.snapshotBytes / 2 && st.entryBytes < MAX_TAIL_BYTES) return;

    const index = rep.appliedIndex;
    const confState = rep.confState;
    this.snapshotting.add(rep);
    // The scan is opened now, between cycles, so its view is exactly the state at `index`.
    snapshotStateMachine(this.engine, rep.group)
      .then((data) => {
        if (rep.closed || index <= rep.storage.snapshot().metadata.index) return;
        const ops = rep.storage.createSnapshotMetadataOnly(index, confState, data);
        const keep = Math.min(Math.floor(every / 2), 5000);
        const compactTo = index - keep;
        if (compactTo > rep.storage.firstIndex()) ops.push(...rep.storage.compact(compactTo));
        this.committer.add(ops, 0);
        this.snapshotsTaken++;
        return this.committer.flush();
      })
      .catch((err: unknown) => this.opts.log(`group ${rep.group}: snapshot at ${index} failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => this.snapshotting.delete(rep));
  }

  private tick(): void {
    const now = Date.now();
    for (const down of this.quiescence.newlyDown(now)) {
      for (const rep of this.replicas.values()) if (rep.quiesced && rep.leader() === down) this.quiescence.wake(rep);
    }
    let quiet = 0;
    for (const rep of this.replicas.values()) {
      if (rep.quiesced || !this.quiescence.beforeTick(rep, now)) {
        quiet++;
        continue;
      }
      rep.raw.tick();
      this.loop.mark(rep);
    }
    this.quiescedReplicas = quiet;
    // The liveness ping: every peer hears from this node once a tick, whatever its groups do.
    for (const id of this.addresses.keys()) if (id !== this.opts.nodeId) this.transport.ping(id);
    this.transport.flush();
  }

  /** Any work for a replica wakes it (quiescence.ts). */
  private wake(rep: Replica): void {
    if (rep.quiesced) this.quiescence.wake(rep);
  }

  private deliver(batch: WireBatch): void {
    if (this.stopped) return;
    this.quiescence.heardFrom(batch.fromNode, Date.now());
    for (const raw of batch.messages) {
      let decoded;
      try {
        decoded = fromWire(raw);
      } catch (err) {
        if (err instanceof WireError) continue;
        throw err;
      }
      const rep = this.replicas.get(decoded.group);
      if (!rep || rep.closed) {
        // Not created here yet (the reconciler will) or already removed: Raft retries.
        this.droppedForUnknownGroup++;
        continue;
      }
      this.wake(rep);
      rep.raw.step(decoded.msg);
      this.loop.mark(rep);
    }
  }

  /** Proposes on the local replica when it leads the group (cluster client fast path). */
  proposeLocal(group: number, command: Uint8Array): Promise<Uint8Array> | undefined {
    const rep = this.replicas.get(group);
    if (!rep || rep.closed || !rep.isLeader()) return undefined;
    const p = rep.propose(restampCommand(command, Date.now()), this.opts.proposalTimeoutMs);
    this.kick(rep);
    return p;
  }

  /** Rate-limit tokens from this node's ledger, when it leads `group`; undefined otherwise. */
  acquireTokensLocal(group: number, bucket: string, rate: number, burst: number, want: number): TokenGrant | undefined {
    const rep = this.replicas.get(group);
    if (!rep || rep.closed || !rep.isLeader()) return undefined;
    return this.tokens.acquire(bucket, rate, burst, want);
  }

  /** Reads from the local replica: any replica when stale, else only the leader. */
  readLocal(group: number, query: Uint8Array, stale: boolean): Promise<Uint8Array> | undefined {
    const rep = this.replicas.get(group);
    if (!rep || rep.closed || (!stale && !rep.isLeader())) return undefined;
    if (stale) return rep.sm.read(query, rep.store);
    const barrier = rep.linearizableBarrier(this.opts.proposalTimeoutMs);
    this.kick(rep);
    return barrier.then(() => rep.sm.read(query, rep.store));
  }

  /** Wakes the ready loop for a replica after a proposal or read request. */
  kick(rep: Replica): void {
    this.wake(rep);
    this.loop.mark(rep);
  }

  private fatal(err: unknown): void {
    // A cycle that was running when stop() closed the engine fails to persist: nothing it held
    // was acknowledged (its messages are sent only after the write, its proposers were failed
    // by stop), so a stopping node just ends, and a restart replays from what is durable.
    if (this.stopped) return;
    this.opts.log(`storage node ${this.opts.nodeId}: fatal: cannot persist or apply: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(70);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const rep of this.replicas.values()) {
      rep.closed = true;
      rep.failPending('the node is stopping');
    }
    this.transport.close();
    await this.committer.flush(true);
    await this.engine.close();
  }
}

export { decodeDescriptor };
