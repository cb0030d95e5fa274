// Moves replicas between storage nodes: off nodes being drained, and onto nodes that joined.
// It runs on every storage node but acts only on the one leading the meta group, and only by
// proposing placement changes (setGroupReplicas, setMetaReplicas, setNodeState removed); the
// group leaders carry each move out through Membership's one-step-at-a-time conf changes (add
// learner, promote once caught up, hand leadership over if the leader leaves, remove), so a
// group keeps a quorum throughout.
//
// A move is finished when the group's leader reports a configuration equal to its placement
// (NodeStatus of every node, this one read locally). At most `maxMovesInFlight` groups may
// differ from their placement at once, so a join does not move everything at the same time.
import { randomUUID } from 'node:crypto';
import { type CommandPayload, decodeResult } from '../../storage/partitions/envelope.js';
import { type NodeRecord, encodeMetaCommand } from '../../storage/partitions/meta-codec.js';
import { type ClusterClient } from '../cluster/client.js';
import { META_GROUP, type Placement, type PlacementView } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { type StorageNode } from './node.js';

/** A group's Raft configuration as its leader reports it. */
export interface GroupConf {
  voters: number[];
  learners: number[];
}

export interface PlanInput {
  nodes: NodeRecord[];
  /** Every group to consider, the meta group (id 0) included, with its placed replicas. */
  groups: { id: number; replicas: number[] }[];
  /** Leader-reported configurations; a group missing here has no known leader. */
  confs: Map<number, GroupConf>;
  maxMovesInFlight: number;
}

export interface Plan {
  /** New placed replicas per group (group 0: the meta group). */
  moves: { group: number; replicas: number[]; from: number; to: number; reason: 'drain' | 'balance' }[];
  /** Draining nodes that hold nothing, in placement or in any configuration: mark them removed. */
  remove: number[];
  /** Groups with a replica on a leaving node and no up node to move it to. */
  stuck: { group: number; node: number }[];
  /** Groups whose configuration differs from their placement (moves under way). */
  inFlight: number[];
}

function sameMembers(conf: GroupConf, replicas: number[]): boolean {
  return conf.learners.length === 0 && conf.voters.length === replicas.length && replicas.every((n) => conf.voters.includes(n));
}

/**
 * Decides this round's moves. Pure: the same input gives the same plan.
 *  1. Drain: a group with a replica on a draining (or removed) node whose configuration matches
 *     its placement gets that replica replaced by the least-loaded up node not already holding
 *     it (ties by id); the newcomer goes last, so the preferred leader stays a caught-up member.
 *  2. Balance, only once nothing is left to drain: while the replica counts of two up nodes
 *     differ by more than one, a settled group moves a replica from the most- to the
 *     least-loaded node, preferring groups whose preferred leader stays put.
 *  3. A draining node that no group places and no leader's configuration holds is removed.
 * Counts are of catalog groups' placed replicas; the meta group moves off leaving nodes but
 * is not balanced.
 */
export function planRebalance(input: PlanInput): Plan {
  const plan: Plan = { moves: [], remove: [], stuck: [], inFlight: [] };
  const leaving = new Set(input.nodes.filter((n) => n.state !== 'up').map((n) => n.id));
  const up = input.nodes.filter((n) => n.state === 'up').map((n) => n.id);
  const groups = [...input.groups].sort((a, b) => a.id - b.id);
  const settled = (g: { id: number; replicas: number[] }): boolean => {
    const c = input.confs.get(g.id);
    return c !== undefined && sameMembers(c, g.replicas);
  };
  for (const g of groups) {
    const c = input.confs.get(g.id);
    if (c !== undefined && !sameMembers(c, g.replicas)) plan.inFlight.push(g.id);
  }
  let budget = input.maxMovesInFlight - plan.inFlight.length;
  const load = new Map<number, number>(up.map((id) => [id, 0]));
  for (const g of groups) {
    if (g.id === META_GROUP) continue;
    for (const n of g.replicas) if (load.has(n)) load.set(n, load.get(n)! + 1);
  }
  const loadOf = (n: number): number => load.get(n) ?? 0;
  const placed = new Map(groups.map((g) => [g.id, [...g.replicas]]));

  // 1. Drain.
  let drainPending = 0;
  for (const g of groups) {
    const replicas = placed.get(g.id)!;
    const from = replicas.find((n) => leaving.has(n));
    if (from === undefined) continue;
    const to = up.filter((n) => !replicas.includes(n)).sort((a, b) => loadOf(a) - loadOf(b) || a - b)[0];
    if (to === undefined) {
      plan.stuck.push({ group: g.id, node: from });
      continue;
    }
    drainPending++;
    if (budget <= 0 || !settled(g)) continue;
    const next = [...replicas.filter((n) => n !== from), to];
    placed.set(g.id, next);
    if (g.id !== META_GROUP) load.set(to, loadOf(to) + 1);
    plan.moves.push({ group: g.id, replicas: next, from, to, reason: 'drain' });
    budget--;
  }

  // 2. Balance.
  while (drainPending === 0 && budget > 0) {
    const byLoad = [...up].sort((a, b) => loadOf(a) - loadOf(b) || a - b);
    let move: Plan['moves'][number] | undefined;
    search: for (const hi of [...byLoad].reverse()) {
      for (const lo of byLoad) {
        if (loadOf(hi) - loadOf(lo) <= 1) break;
        const candidates = groups.filter((g) => g.id !== META_GROUP && settled(g) && !plan.moves.some((m) => m.group === g.id));
        const fits = candidates.filter((g) => {
          const r = placed.get(g.id)!;
          return r.includes(hi) && !r.includes(lo);
        });
        const pick = fits.find((g) => placed.get(g.id)![0] !== hi) ?? fits[0];
        if (pick === undefined) continue;
        const r = placed.get(pick.id)!;
        const next = r[0] === hi ? [...r.slice(1), lo] : r.map((n) => (n === hi ? lo : n));
        move = { group: pick.id, replicas: next, from: hi, to: lo, reason: 'balance' };
        break search;
      }
    }
    if (move === undefined) break;
    placed.set(move.group, move.replicas);
    load.set(move.from, loadOf(move.from) - 1);
    load.set(move.to, loadOf(move.to) + 1);
    plan.moves.push(move);
    budget--;
  }

  // 3. Finished drains.
  for (const n of input.nodes) {
    if (n.state !== 'draining') continue;
    const holds = groups.some((g) => {
      if (placed.get(g.id)!.includes(n.id)) return true;
      const c = input.confs.get(g.id);
      return c === undefined || c.voters.includes(n.id) || c.learners.includes(n.id);
    });
    if (!holds) plan.remove.push(n.id);
  }
  return plan;
}

export interface RebalancerOptions {
  /** Default 1000 ms. */
  intervalMs?: number;
  /** Groups whose configuration may differ from their placement at once. Default 2. */
  maxMovesInFlight?: number;
}

interface StatusReply {
  groups?: { group?: number; role?: string; term?: number; voters?: number[]; learners?: number[] }[];
}

/** One rebalancer per storage node: a second start() on the same node does nothing. */
const running = new WeakMap<StorageNode, Rebalancer>();

export class Rebalancer {
  private readonly session = new Sequencer(`rebalancer-${randomUUID()}`);
  private readonly intervalMs: number;
  private readonly maxMovesInFlight: number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  private lastStuck = '';
  /** Rounds run while leading the meta group (for tests and status). */
  rounds = 0;
  movesProposed = 0;

  constructor(
    private readonly node: StorageNode,
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
    opts: RebalancerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.maxMovesInFlight = opts.maxMovesInFlight ?? 2;
  }

  /** Starts the loop; returns false (and does nothing) if this node already runs a rebalancer. */
  start(): boolean {
    const other = running.get(this.node);
    if (other !== undefined && other !== this && !other.stopped) return false;
    running.set(this.node, this);
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (running.get(this.node) === this) running.delete(this.node);
  }

  private leadsMeta(): boolean {
    const meta = this.node.replicas.get(META_GROUP);
    return meta !== undefined && !meta.closed && meta.isLeader();
  }

  /** One round; exported for tests. Does nothing unless this node leads the meta group. */
  async tick(): Promise<void> {
    if (this.busy || this.stopped || !this.leadsMeta()) return;
    this.busy = true;
    try {
      await this.round();
    } catch (err) {
      this.log(`rebalancer on node ${this.node.nodeId}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.busy = false;
    }
  }

  private async round(): Promise<void> {
    const v = await this.placement.refresh();
    const metaRep = this.node.replicas.get(META_GROUP);
    if (!metaRep || !this.leadsMeta() || this.stopped) return;
    this.rounds++;
    const confs = await this.groupConfs(v);
    const metaConf = { voters: [...metaRep.confState.voters], learners: [...metaRep.confState.learners] };
    confs.set(META_GROUP, metaConf);
    // Until first moved, the meta group is placed where its configuration is, leader first.
    const me = this.node.nodeId;
    const metaReplicas = v.metaReplicas ?? [...metaConf.voters].sort((a, b) => (a === me ? -1 : b === me ? 1 : a - b));
    const plan = planRebalance({
      nodes: v.nodes,
      groups: [{ id: META_GROUP, replicas: metaReplicas }, ...v.groups.map((g) => ({ id: g.id, replicas: g.replicas }))],
      confs,
      maxMovesInFlight: this.maxMovesInFlight,
    });
    const stuck = plan.stuck.map((s) => `group ${s.group} on node ${s.node}`).join(', ');
    if (stuck !== this.lastStuck && stuck !== '') this.log(`rebalancer: no up node can take ${stuck} (add a node)`);
    this.lastStuck = stuck;
    for (const m of plan.moves) {
      if (this.stopped || !this.leadsMeta()) return;
      const cmd = m.group === META_GROUP ? encodeMetaCommand({ type: 'setMetaReplicas', replicas: m.replicas }) : encodeMetaCommand({ type: 'setGroupReplicas', groupId: m.group, replicas: m.replicas });
      const ok = await this.propose(cmd, `${m.reason}: group ${m.group} from node ${m.from} to node ${m.to}`);
      if (ok) this.movesProposed++;
    }
    for (const id of plan.remove) {
      if (this.stopped || !this.leadsMeta()) return;
      await this.propose(encodeMetaCommand({ type: 'setNodeState', id, state: 'removed' }), `node ${id} is drained: marking it removed`);
    }
  }

  private async propose(p: CommandPayload, what: string): Promise<boolean> {
    this.log(`rebalancer: ${what}`);
    const r = decodeResult(await this.session.propose(p, (b) => this.client.propose(META_GROUP, b)));
    if (!r.ok) this.log(`rebalancer: ${what}: refused: ${r.code}: ${r.message}`);
    return r.ok;
  }

  /** Each catalog group's configuration as its leader reports it (the highest term wins). */
  private async groupConfs(v: PlacementView): Promise<Map<number, GroupConf>> {
    const best = new Map<number, GroupConf & { term: number }>();
    const offer = (group: number, term: number, voters: number[], learners: number[]): void => {
      const b = best.get(group);
      if (b === undefined || term > b.term) best.set(group, { term, voters, learners });
    };
    for (const rep of this.node.replicas.values()) {
      if (rep.closed || !rep.isLeader() || rep.group === META_GROUP) continue;
      offer(rep.group, rep.raw.raft.term, [...rep.confState.voters], [...rep.confState.learners]);
    }
    const others = v.nodes.filter((n) => n.id !== this.node.nodeId && n.state !== 'removed');
    const replies = await Promise.all(others.map((n) => this.client.nodeStatus(n.address, Math.min(1000, this.intervalMs)).catch(() => undefined)));
    for (const r of replies) {
      for (const g of (r as StatusReply | undefined)?.groups ?? []) {
        if (g.role !== 'leader' || typeof g.group !== 'number' || g.group === META_GROUP) continue;
        offer(g.group, g.term ?? 0, g.voters ?? [], g.learners ?? []);
      }
    }
    return new Map([...best].map(([g, c]) => [g, { voters: c.voters, learners: c.learners }]));
  }
}
