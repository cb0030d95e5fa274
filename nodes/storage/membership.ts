// A storage node's part in the cluster: it registers itself in the meta group, then keeps the
// replicas it hosts in line with the placement map — creating replicas placed on it, removing
// those of deleted groups — and, for groups it leads, moves the Raft configuration one step at
// a time toward the placed replicas (add learner, let it catch up, promote, remove the old one).
// The meta group (group 0) is not in the catalog's groups: its placed replicas are the
// placement's `metaReplicas` (absent until it is first moved), handled the same way.
import { randomUUID } from 'node:crypto';
import { decodeNodeResult, encodeMetaCommand } from '../../storage/partitions/meta-codec.js';
import { ConfChangeType } from '../../storage/raft/index.js';
import { type ClusterClient } from '../cluster/client.js';
import { META_GROUP, type Placement, type PlacementView } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { type StorageNode } from './node.js';

export class Membership {
  private readonly sequencer = new Sequencer(`node-${randomUUID()}`);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private reconciling = false;
  private readonly lastAsked = new Map<number, number>();
  registered = false;

  constructor(
    private readonly node: StorageNode,
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.placement.onChange((v) => void this.reconcileLogged(v));
    void this.register();
    this.timer = setInterval(() => {
      this.placement.current(this.intervalMs).then((v) => this.reconcileLogged(v), () => undefined);
    }, this.intervalMs);
    this.timer.unref();
  }

  private async register(): Promise<void> {
    const { seq, bytes: cmd } = this.sequencer.command(encodeMetaCommand({ type: 'registerNode', id: this.node.nodeId, address: this.node.opts.advertise }));
    while (!this.stopped && !this.registered) {
      try {
        const r = decodeNodeResult(await this.client.propose(META_GROUP, cmd));
        if (!r.ok) {
          this.log(`node ${this.node.nodeId}: registration refused: ${r.message}`);
          return;
        }
        this.registered = true;
        this.sequencer.done(seq);
        await this.placement.refresh().catch(() => undefined);
      } catch {
        // No meta leader yet (the cluster is still starting): the same command is retried.
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Brings hosted replicas in line with the placement map. */
  /** A failed pass is retried by the next; a node stopping mid-pass (its store closed) is not an error. */
  private async reconcileLogged(v: PlacementView): Promise<void> {
    try {
      await this.reconcile(v);
    } catch (e) {
      if (!this.stopped) this.log(`node ${this.node.nodeId}: reconciling replicas failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async reconcile(v: PlacementView): Promise<void> {
    if (this.reconciling || this.stopped) return;
    this.reconciling = true;
    try {
      const me = this.node.nodeId;
      const placed = new Map(v.groups.map((g) => [g.id, g]));
      // Once marked removed, every group's leader has dropped this node from its configuration:
      // replicas that never applied their own removal are dropped regardless.
      const removed = v.nodes.find((n) => n.id === me)?.state === 'removed';
      const metaWant = v.metaReplicas;
      if (metaWant?.includes(me) && !this.node.replicas.has(META_GROUP)) {
        // Joining the meta group: start empty, filled by the meta leader's snapshot.
        await this.node.createReplica(META_GROUP, 'meta', undefined);
      }
      for (const g of v.groups) {
        if (!g.replicas.includes(me) || this.node.replicas.has(g.id)) continue;
        const initial = (g as { initialReplicas?: number[] }).initialReplicas ?? g.replicas;
        // One of the first members starts from the shared bootstrap configuration; a replica
        // added later starts empty and is filled by the leader's snapshot.
        await this.node.createReplica(g.id, g.kind, initial.includes(me) ? initial : undefined);
      }
      for (const [id, rep] of this.node.replicas) {
        const inConfig = rep.confState.voters.includes(me) || rep.confState.learners.includes(me);
        if (id === META_GROUP) {
          // Until the meta group is first moved, its members are whoever its configuration says.
          if (metaWant === undefined) continue;
          if (!metaWant.includes(me) && (!inConfig || removed || (!rep.isLeader() && (await this.removedByLeader(id, metaWant, v))))) {
            this.log(`node ${me}: removing replica of the meta group (moved away)`);
            await this.node.destroyReplica(id);
          } else if (rep.isLeader()) this.stepConfiguration(id, metaWant);
          continue;
        }
        const g = placed.get(id);
        // A replica removed by a conf change never applies its own removal (its leader stops
        // sending to it): when placement moved it away, the leader's configuration tells.
        const leftBehind = g !== undefined && !g.replicas.includes(me) && inConfig && !removed && !rep.isLeader() && (await this.removedByLeader(id, g.replicas, v));
        if (!g || (!g.replicas.includes(me) && (!inConfig || removed || leftBehind))) {
          this.log(`node ${me}: removing replica of group ${id} (${g ? 'moved away' : 'deleted'})`);
          await this.node.destroyReplica(id);
        } else if (rep.isLeader()) this.stepConfiguration(id, g.replicas);
      }
    } finally {
      this.reconciling = false;
    }
  }

  /**
   * Whether the group's current leader (asked among the placed replicas, at most every 2 s per
   * group) runs a configuration without this node: only then may a replica that still counts
   * itself a member go. Until the leader has removed it, it is a voter the group may need.
   */
  private async removedByLeader(group: number, placedOn: number[], v: PlacementView): Promise<boolean> {
    const now = Date.now();
    if ((this.lastAsked.get(group) ?? 0) > now - 2000) return false;
    this.lastAsked.set(group, now);
    const me = this.node.nodeId;
    for (const id of placedOn) {
      const address = v.nodes.find((n) => n.id === id)?.address;
      if (id === me || address === undefined) continue;
      const status = (await this.client.nodeStatus(address, 1000).catch(() => undefined)) as { groups?: { group?: number; role?: string; voters?: number[]; learners?: number[] }[] } | undefined;
      const g = status?.groups?.find((x) => x.group === group && x.role === 'leader');
      if (g) return !(g.voters ?? []).includes(me) && !(g.learners ?? []).includes(me);
    }
    return false;
  }

  /** One conf change toward the placed replicas; the next reconcile takes the next step. */
  private stepConfiguration(group: number, replicas: number[]): void {
    const rep = this.node.replicas.get(group);
    if (!rep) return;
    const { voters, learners } = rep.confState;
    const want = new Set(replicas);
    const missing = replicas.find((n) => !voters.includes(n) && !learners.includes(n));
    const promotable = learners.find((n) => want.has(n));
    const extra = voters.find((n) => !want.has(n));
    let r;
    if (missing !== undefined) r = rep.raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: missing });
    else if (promotable !== undefined) r = rep.raw.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: promotable });
    else if (extra !== undefined) {
      if (extra === this.node.nodeId) {
        // Hand over to the first placed replica that votes: the preferred leader if it can.
        const to = replicas.find((n) => voters.includes(n));
        if (to !== undefined) rep.raw.transferLeadership(to);
      } else r = rep.raw.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: extra });
    } else return;
    this.node.kick(rep);
    if (r && !r.ok && r.error !== 'ConfChangePending' && r.error !== 'LearnerNotCaughtUp') {
      this.log(`node ${this.node.nodeId}: group ${group}: conf change refused: ${r.error} ${r.detail ?? ''}`);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
