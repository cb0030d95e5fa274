// A whole Raft cluster in one process, driven by one seed (in the spirit of TigerBeetle's VOPR).
// A safety phase runs clients against the cluster under network faults, crashes and clock
// drift; a liveness phase heals everything and requires a leader and a new commit in bounded
// time. Checkers run throughout; the client history is checked for linearizability at the end.
import {
  EntryType,
  type NodeId,
  type RaftOptions,
  ReadMode,
  type Ready,
  SeededRng,
  StateRole,
} from '../../storage/raft/index.js';
import { type Raft } from '../../storage/raft/raft.js';
import { SimDisk } from './sim-disk.js';
import { SafetyCheckers } from './checkers.js';
import { encodeWrite } from './kv.js';
import { type Operation, checkLinearizable } from './linearizability.js';
import { type FaultProfile, TICK, drawProfile } from './fault-profile.js';
import { MembershipOperator, type OperatorHost } from './membership-operator.js';
import { SimNetwork } from './network.js';
import { SimNode } from './sim-node.js';

export { TICK, type FaultProfile } from './fault-profile.js';

export interface SimOptions {
  seed: number;
  nodes: 3 | 5;
  verbose?: boolean;
  /** Ticks of the faulty safety phase. Default: the profile's (400, or 1500 under leader churn). */
  safetyTicks?: number;
  /** Ticks the healed cluster has to elect a leader and commit. Default 300. */
  livenessTicks?: number;
  /** Node clock rates are drawn from [1 - d, 1 + d]. Default 0.04 (the core assumes 0.05). */
  clockDrift?: number;
  raft?: Partial<Omit<RaftOptions, 'id' | 'storage' | 'rng'>>;
  /** Builds the Raft core: test-only broken variants plug in here. */
  makeRaft?: (o: RaftOptions) => Raft;
  /** Broken host: sends a Ready's messages before persisting it. */
  sendBeforePersist?: boolean;
  clients?: number;
  keys?: number;
  /** Overrides parts of the seed's fault profile (tests aim the simulator at one fault). */
  profile?: Partial<FaultProfile>;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  failures: string[];
  trace: string[];
  stats: { ops: number; completed: number; leaders: number; crashes: number; partitions: number; reconfigs: number; delivered: number; dropped: number; maxCommitted: number };
}

interface Client {
  id: number;
  op: (Operation & { node: NodeId; deadline: number }) | null;
  nextAt: number;
  leaderGuess: NodeId;
}

const RAFT_SIM_DEFAULTS: Partial<RaftOptions> = {
  electionTick: 10,
  heartbeatTick: 1,
  // Small limits so that message splitting, flow control and chunked snapshots happen.
  maxSizePerMsg: 256,
  maxInflightMsgs: 4,
  maxInflightBytes: 1024,
  snapshotChunkBytes: 48,
  snapshotChunkWindow: 2,
  maxClockDrift: 0.05,
};

export class Simulation {
  readonly rng: SeededRng;
  readonly net: SimNetwork;
  readonly nodes: SimNode[] = [];
  readonly checkers = new SafetyCheckers();
  readonly history: Operation[] = [];
  readonly trace: string[] = [];
  private readonly clients: Client[] = [];
  now = 0;
  private nextOpId = 1;
  private crashes = 0;
  private partitions = 0;
  private partitionHealAt = -1;
  private readonly downUntil = new Map<NodeId, number>();
  private readonly leaderTerms = new Map<NodeId, number>();
  private readonly opts: Required<Omit<SimOptions, 'makeRaft' | 'raft' | 'clients' | 'profile' | 'safetyTicks'>> &
    Pick<SimOptions, 'makeRaft' | 'raft' | 'safetyTicks'>;
  private readonly keys: string[];
  private faultsOn = true;
  private readonly operator = new MembershipOperator();
  private readonly retirements = new Map<SimNode, number>();
  private readonly raftOpts: Partial<RaftOptions>;
  readonly profile: FaultProfile;
  private completed = 0;

  constructor(options: SimOptions) {
    this.opts = {
      verbose: false,
      livenessTicks: 300,
      clockDrift: 0.04,
      sendBeforePersist: false,
      keys: 3,
      ...options,
    };
    this.rng = new SeededRng(options.seed);
    this.profile = { ...drawProfile(this.rng), ...options.profile };
    const p = this.profile;
    this.net = new SimNetwork(this.rng, { dropRate: p.dropRate, duplicateRate: p.duplicateRate, maxDelay: p.maxDelay, slowRate: p.slowRate, slowDelay: 12 * TICK });
    const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    const raftOpts = { ...RAFT_SIM_DEFAULTS, maxSizePerMsg: p.maxSizePerMsg, ...options.raft };
    this.raftOpts = raftOpts;
    for (const id of ids) {
      const rate = this.drawClockRate();
      const n = new SimNode(id, new SimDisk({ voters: ids }), rate, options.makeRaft, raftOpts, options.seed, this.profile.persistStateMachine);
      n.start();
      this.nodes.push(n);
    }
    const clients = options.clients ?? p.clients;
    for (let c = 1; c <= clients; c++) this.clients.push({ id: c, op: null, nextAt: this.rng.intn(50), leaderGuess: 1 + this.rng.intn(options.nodes) });
    this.keys = Array.from({ length: this.opts.keys }, (_, i) => `k${i}`);
  }

  private drawClockRate(): number {
    return 1 + (this.rng.float() * 2 - 1) * this.opts.clockDrift;
  }

  private operatorHost(): OperatorHost {
    return {
      now: this.now,
      rng: this.rng,
      nodes: this.nodes,
      log: (line) => this.log(line),
      addNode: () => {
        const n = new SimNode(this.nodes.length + 1, new SimDisk(), this.drawClockRate(), this.opts.makeRaft, this.raftOpts, this.opts.seed, this.profile.persistStateMachine);
        n.start();
        this.nodes.push(n);
        this.log(`node ${n.id} started empty, to join`);
        return n;
      },
      retire: (node, at) => {
        if (!this.retirements.has(node)) this.retirements.set(node, at);
      },
    };
  }

  private log(line: string): void {
    if (this.opts.verbose) this.trace.push(`t=${this.now} ${line}`);
  }

  run(): SimResult {
    this.log(`profile ${JSON.stringify(this.profile)}`);
    const safetyEnd = (this.opts.safetyTicks ?? this.profile.safetyTicks) * TICK;
    while (this.now < safetyEnd && this.checkers.failures.length === 0) this.step();
    if (this.checkers.failures.length === 0) this.liveness();
    if (this.checkers.failures.length === 0) this.finishClients();
    if (this.checkers.failures.length === 0) {
      const r = checkLinearizable(this.history);
      if (!r.ok) this.checkers.failures.push(`linearizability: key ${r.key ?? '?'} is not linearizable\n${r.explanation ?? ''}`);
      // A search that ran out of budget proves nothing: count it as a failure, not a pass.
      if (r.timedOut) this.checkers.failures.push('linearizability: the search ran out of its step budget (unproven)');
    }
    return {
      seed: this.opts.seed,
      ok: this.checkers.failures.length === 0,
      failures: this.checkers.failures,
      trace: this.trace,
      stats: {
        ops: this.history.length,
        completed: this.completed,
        leaders: this.checkers.leaderTerms,
        crashes: this.crashes,
        partitions: this.partitions,
        reconfigs: this.operator.changes,
        delivered: this.net.delivered,
        dropped: this.net.dropped,
        maxCommitted: this.checkers.maxCommitted,
      },
    };
  }

  /** One time unit. A core invariant throwing is a failure of the run, not of the simulator. */
  private step(): void {
    try {
      this.stepUnchecked();
    } catch (err) {
      this.checkers.failures.push(`t=${this.now} core invariant violated: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private stepUnchecked(): void {
    this.now++;
    for (const m of this.net.due(this.now)) {
      const n = this.nodes[m.to - 1];
      if (n?.raw) n.raw.step(m);
    }
    for (const n of this.nodes) {
      if (!n.raw) continue;
      // Clock rates wander within the drift bound (slews, VM pauses that stay in bounds).
      if (this.rng.chance(0.002)) n.rate = this.drawClockRate();
      n.clockAcc += n.rate;
      while (n.clockAcc >= TICK) {
        n.clockAcc -= TICK;
        n.raw.tick();
      }
    }
    this.clientsAct();
    const hooks = this.hooks();
    for (const n of this.nodes) {
      const fsyncDelay = this.opts.sendBeforePersist ? 1 + this.rng.intn(3 * TICK) : this.rng.intn(this.profile.maxFsyncDelay + 1);
      n.processReady(this.now, hooks, this.opts.sendBeforePersist, fsyncDelay);
      n.maybeCompact(24, 4);
      if (n.raw && n.raw.raft.role === StateRole.Leader && this.leaderTerms.get(n.id) !== n.raw.raft.term) {
        this.leaderTerms.set(n.id, n.raw.raft.term);
        this.log(`node ${n.id} is leader of term ${n.raw.raft.term}`);
        this.checkers.onLeader(this.now, n.id, n.raw.raft);
      }
    }
    if (this.now % 50 === 0) {
      this.checkers.checkLogMatching(this.now, this.nodes.filter((n) => n.raw).map((n) => ({ id: n.id, raft: n.raft })));
    }
    for (const [n, at] of this.retirements) {
      if (this.now < at) continue;
      this.retirements.delete(n);
      for (const op of n.crash()) this.abandon(op, 'unknown');
      n.retired = true;
      this.log(`node ${n.id} retired`);
    }
    this.operator.poll(this.operatorHost());
    if (this.faultsOn) this.injectFaults();
  }

  private hooks() {
    return {
      send: (rd: Ready) => {
        for (const m of rd.messages) this.net.send(this.now, m);
      },
      applied: (node: SimNode, index: number, term: number, data: Uint8Array, type: EntryType) => {
        this.checkers.onApply(this.now, node.id, { index, term, data, type }, node.kv.hash);
        const p = node.pendingWrites.get(index);
        if (!p) return;
        node.pendingWrites.delete(index);
        // An entry is created once, at one index, by the one leader of its term: if another
        // term's entry was applied there, this write can never take effect.
        if (p.term === term) this.complete(p.op, p.op.value);
        else this.abandon(p.op, 'failed');
      },
      snapshotInstalled: (node: SimNode, index: number) => {
        this.log(`node ${node.id} installed a snapshot at ${index}`);
        this.checkers.onSnapshotApplied(this.now, node.id, index, node.kv.hash);
        for (const [i, p] of node.pendingWrites) {
          if (i <= index) {
            node.pendingWrites.delete(i);
            this.abandon(p.op, 'unknown');
          }
        }
      },
      readServed: (_node: SimNode, op: Operation, value: string | null) => this.complete(op, value),
    };
  }

  // ---- Clients ---------------------------------------------------------------------------

  private clientsAct(): void {
    for (const c of this.clients) {
      if (c.op && this.now >= c.op.deadline) {
        this.log(`client ${c.id} gave up on op ${c.op.id}`);
        this.abandon(c.op, 'unknown');
      }
      if (c.op || this.now < c.nextAt) continue;
      this.issue(c);
    }
  }

  private issue(c: Client): void {
    const target = this.rng.chance(0.7) ? c.leaderGuess : 1 + this.rng.intn(this.nodes.length);
    const node = this.nodes[target - 1]!;
    const key = this.keys[this.rng.intn(this.keys.length)]!;
    const isWrite = this.rng.chance(0.5);
    const id = this.nextOpId++;
    const op = {
      id,
      clientId: c.id,
      key,
      kind: isWrite ? ('write' as const) : ('read' as const),
      value: isWrite ? `v${id}` : null,
      call: this.now,
      ret: Number.POSITIVE_INFINITY,
      node: target,
      deadline: this.now + 30 * TICK,
    };
    c.nextAt = this.now + 1 + this.rng.intn(2 * TICK);
    if (!node.raw) {
      c.leaderGuess = 1 + this.rng.intn(this.nodes.length);
      return;
    }
    if (isWrite) {
      const r = node.raw.propose(encodeWrite({ op: id, key, value: op.value! }));
      if (!r.ok) {
        c.leaderGuess = r.leaderHint !== 0 ? r.leaderHint : 1 + this.rng.intn(this.nodes.length);
        return;
      }
      node.pendingWrites.set(r.lastIndex, { op, term: r.term });
    } else {
      const mode = this.rng.chance(0.5) ? ReadMode.Lease : ReadMode.Safe;
      const r = node.raw.readIndex(`r${id}`, mode);
      if (!r.ok) {
        c.leaderGuess = 1 + this.rng.intn(this.nodes.length);
        return;
      }
      node.pendingReads.set(`r${id}`, op);
    }
    c.op = op;
    this.history.push(op);
    this.log(`client ${c.id} ${op.kind} ${key}${isWrite ? `=${op.value}` : ''} via node ${target} (op ${id})`);
  }

  private complete(op: Operation, value: string | null): void {
    if (op.ret !== Number.POSITIVE_INFINITY) return;
    const c = this.clients[op.clientId - 1]!;
    if (c.op?.id !== op.id) return; // the client already gave up: its outcome stays unknown
    op.ret = this.now;
    op.value = value;
    c.op = null;
    this.completed++;
    this.log(`client ${c.id} op ${op.id} ${op.kind} ${op.key} -> ${value ?? 'null'}`);
  }

  /** The client stops waiting. A write whose fate is unknown stays in the history as pending. */
  private abandon(op: Operation, outcome: 'unknown' | 'failed'): void {
    const c = this.clients[op.clientId - 1]!;
    if (c.op?.id === op.id) c.op = null;
    if (op.ret !== Number.POSITIVE_INFINITY || outcome === 'unknown') return;
    const i = this.history.indexOf(op);
    if (i >= 0) this.history.splice(i, 1);
  }

  private finishClients(): void {
    for (const c of this.clients) if (c.op) this.abandon(c.op, 'unknown');
  }

  // ---- Faults ----------------------------------------------------------------------------

  private injectFaults(): void {
    for (const n of this.nodes) {
      if (n.raw && this.rng.chance(this.profile.crashRate)) this.crash(n);
      else if (!n.raw && !n.retired && this.now >= (this.downUntil.get(n.id) ?? 0)) this.restart(n);
    }
    if (this.rng.chance(this.profile.reconfigRate)) this.operator.act(this.operatorHost());
    if (this.rng.chance(this.profile.campaignRate)) {
      const n = this.nodes[this.rng.intn(this.nodes.length)]!;
      if (n.raw) {
        n.raw.campaign();
        this.log(`operator: node ${n.id} asked to campaign`);
      }
    }
    if (this.rng.chance(this.profile.leaderCrashRate)) {
      const leader = this.nodes.find((n) => n.raw?.isLeader());
      if (leader) this.crash(leader);
    }
    if (this.partitionHealAt >= 0 && this.now >= this.partitionHealAt) {
      this.net.healAll();
      this.partitionHealAt = -1;
      this.log('network healed');
    } else if (this.partitionHealAt < 0 && this.rng.chance(this.profile.partitionRate)) {
      this.partition();
    }
  }

  private crash(n: SimNode): void {
    const appliedBefore = n.kv.appliedIndex;
    for (const op of n.crash()) this.abandon(op, 'unknown');
    this.crashes++;
    this.downUntil.set(n.id, this.now + 1 + this.rng.intn(this.profile.maxDowntime));
    this.crashedApplied.set(n.id, appliedBefore);
    this.log(`node ${n.id} crashed (applied ${appliedBefore})`);
  }

  private readonly crashedApplied = new Map<NodeId, number>();

  private restart(n: SimNode): void {
    this.checkers.onRestart(this.now, n.id, n.storage, this.crashedApplied.get(n.id) ?? 0);
    n.start();
    this.log(`node ${n.id} restarted (disk: last ${n.storage.lastIndex()}, commit ${n.storage.getHardState().commit})`);
  }

  private partition(): void {
    const ids = this.nodes.map((n) => n.id);
    const kind = this.rng.intn(4);
    if (kind === 0) {
      // Symmetric split into two sides.
      const side = new Set(ids.filter(() => this.rng.chance(0.5)));
      for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.net.cut(a, b);
      this.log(`partition: {${[...side].join(',')}} | rest`);
    } else if (kind === 1 || kind === 3) {
      // Isolate one node; half the time the leader, the case leases and CheckQuorum exist for.
      const leader = this.nodes.find((n) => n.raw?.isLeader())?.id;
      const victim = kind === 3 && leader !== undefined ? leader : ids[this.rng.intn(ids.length)]!;
      for (const b of ids) if (b !== victim) {
        this.net.cut(victim, b);
        this.net.cut(b, victim);
      }
      this.log(`partition: node ${victim} isolated`);
    } else {
      // Asymmetric: some directed links fail.
      const cuts: string[] = [];
      for (const a of ids) for (const b of ids) if (a !== b && this.rng.chance(0.3)) {
        this.net.cut(a, b);
        cuts.push(`${a}->${b}`);
      }
      this.log(`partition: one-way cuts ${cuts.join(' ')}`);
    }
    this.partitions++;
    this.partitionHealAt = this.now + TICK * (10 + this.rng.intn(this.profile.maxPartitionTicks));
  }

  // ---- Liveness ----------------------------------------------------------------------------

  /** The nodes in the leader's configuration (all live nodes if there is no leader). */
  private membersOf(leader: SimNode | undefined): SimNode[] {
    if (!leader?.raw) return this.nodes.filter((n) => !n.retired);
    const cs = leader.raft.confState();
    return [...cs.voters, ...cs.learners].map((id) => this.nodes[id - 1]!).filter((n) => n !== undefined);
  }

  private liveness(): void {
    this.faultsOn = false;
    this.net.healAll();
    this.net.faults = { ...this.net.faults, dropRate: 0, duplicateRate: 0, slowRate: 0 };
    for (const n of this.nodes) if (!n.raw && !n.retired) this.restart(n);
    this.log('liveness phase: network healed, all nodes up');
    const deadline = this.now + this.opts.livenessTicks * TICK;
    let probe: { index: number; term: number; leader: NodeId } | null = null;
    const probeData = encodeWrite({ op: 0, key: '__probe', value: 'probe' });
    while (this.now < deadline && this.checkers.failures.length === 0) {
      this.step();
      const leader = this.nodes.find((n) => n.raw?.isLeader());
      if (probe && (!leader || leader.id !== probe.leader || leader.raft.term !== probe.term)) probe = null;
      if (!probe && leader) {
        const r = leader.raw!.propose(probeData);
        if (r.ok) probe = { index: r.lastIndex, term: r.term, leader: leader.id };
      }
      if (probe && this.membersOf(leader).every((n) => n.kv.appliedIndex >= probe!.index)) {
        this.log(`liveness: all members applied the probe at ${probe.index}`);
        return;
      }
    }
    if (this.checkers.failures.length === 0) {
      const states = this.nodes.filter((n) => n.raw).map((n) => `n${n.id}:${StateRole[n.raft.role]}/t${n.raft.term}/applied ${n.kv.appliedIndex}`).join(' ');
      this.checkers.failures.push(`t=${this.now} liveness: no leader committed a new entry on all nodes within ${this.opts.livenessTicks} ticks (${states})`);
    }
  }
}

export function runSeed(options: SimOptions): SimResult {
  return new Simulation(options).run();
}
