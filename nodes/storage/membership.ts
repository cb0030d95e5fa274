// A storage node's part in the cluster: it registers itself in the meta group, then keeps the
// replicas it hosts in line with the placement map — creating replicas placed on it, removing
// those of deleted groups — and, for groups it leads, moves the Raft configuration one step at
// a time toward the placed replicas (add learner, let it catch up, promote, remove the old one).
import { randomUUID } from 'node:crypto';
import { decodeNodeResult, encodeMetaCommand, type GroupRecord } from '../../storage/partitions/meta-codec.js';
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
  registered = false;

  constructor(
    private readonly node: StorageNode,
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.placement.onChange((v) => void this.reconcile(v));
    void this.register();
    this.timer = setInterval(() => {
      this.placement.current(this.intervalMs).then((v) => this.reconcile(v), () => undefined);
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
  async reconcile(v: PlacementView): Promise<void> {
    if (this.reconciling || this.stopped) return;
    this.reconciling = true;
    try {
      const me = this.node.nodeId;
      const placed = new Map(v.groups.map((g) => [g.id, g]));
      for (const g of v.groups) {
        if (!g.replicas.includes(me) || this.node.replicas.has(g.id)) continue;
        const initial = (g as { initialReplicas?: number[] }).initialReplicas ?? g.replicas;
        // One of the first members starts from the shared bootstrap configuration; a replica
        // added later starts empty and is filled by the leader's snapshot.
        await this.node.createReplica(g.id, g.kind, initial.includes(me) ? initial : undefined);
      }
      for (const [id, rep] of this.node.replicas) {
        if (id === META_GROUP) continue;
        const g = placed.get(id);
        const inConfig = rep.confState.voters.includes(me) || rep.confState.learners.includes(me);
        if (!g || (!g.replicas.includes(me) && !inConfig)) {
          this.log(`node ${me}: removing replica of group ${id} (${g ? 'moved away' : 'deleted'})`);
          await this.node.destroyReplica(id);
        } else if (rep.isLeader()) this.stepConfiguration(g);
      }
    } finally {
      this.reconciling = false;
    }
  }

  /** One conf change toward the placed replicas; the next reconcile takes the next step. */
  private stepConfiguration(g: GroupRecord): void {
    const rep = this.node.replicas.get(g.id);
    if (!rep) return;
    const { voters, learners } = rep.confState;
    const want = new Set(g.replicas);
    const missing = g.replicas.find((n) => !voters.includes(n) && !learners.includes(n));
    const promotable = learners.find((n) => want.has(n));
    const extra = voters.find((n) => !want.has(n));
    let r;
    if (missing !== undefined) r = rep.raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: missing });
    else if (promotable !== undefined) r = rep.raw.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: promotable });
    else if (extra !== undefined) {
      if (extra === this.node.nodeId) {
        const to = voters.find((n) => want.has(n));
        if (to !== undefined) rep.raw.transferLeadership(to);
      } else r = rep.raw.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: extra });
    } else return;
    this.node.kick(rep);
    if (r && !r.ok && r.error !== 'ConfChangePending' && r.error !== 'LearnerNotCaughtUp') {
      this.log(`node ${this.node.nodeId}: group ${g.id}: conf change refused: ${r.error} ${r.detail ?? ''}`);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
