import { type ConfChange, ConfChangeType, type NodeId, type SeededRng } from '../../storage/raft/index.js';
import { type SimNode } from './sim-node.js';

export interface OperatorHost {
  readonly now: number;
  readonly rng: SeededRng;
  readonly nodes: readonly SimNode[];
  log(line: string): void;
  /** Starts a brand-new, empty node (a fresh id) that joins by receiving a snapshot. */
  addNode(): SimNode;
  /** Shuts a removed member down for good after a short delay (its last messages still leave). */
  retire(node: SimNode, at: number): void;
}

/**
 * The cluster operator of the simulation: now and then it changes membership one server at a
 * time, the way an administrator would: add a fresh learner, promote it once caught up, remove
 * a voter (possibly the leader) or a learner. Voters stay between 3 and 5.
 */
export class MembershipOperator {
  private pending: { index: number; term: number; cc: ConfChange } | null = null;
  changes = 0;

  act(host: OperatorHost): void {
    if (this.pending) return;
    const leader = host.nodes.find((n) => n.raw?.isLeader());
    if (!leader) return;
    const cs = leader.raft.confState();
    const choices: ConfChange[] = [];
    if (cs.learners.length === 0 && cs.voters.length < 5) choices.push({ type: ConfChangeType.AddLearner, nodeId: 0 });
    for (const l of cs.learners) choices.push({ type: ConfChangeType.AddNode, nodeId: l });
    if (cs.voters.length > 3) for (const v of cs.voters) choices.push({ type: ConfChangeType.RemoveNode, nodeId: v });
    for (const l of cs.learners) choices.push({ type: ConfChangeType.RemoveNode, nodeId: l });
    if (choices.length === 0) return;
    let cc = choices[host.rng.intn(choices.length)]!;
    if (cc.type === ConfChangeType.AddLearner) cc = { ...cc, nodeId: host.addNode().id };
    const r = leader.raw!.proposeConfChange(cc);
    host.log(`operator: ${ConfChangeType[cc.type]} ${cc.nodeId} via leader ${leader.id}: ${r.ok ? `proposed at ${r.lastIndex}` : `${r.error}${r.ok ? '' : ` ${r.detail ?? ''}`}`}`);
    if (r.ok) this.pending = { index: r.lastIndex, term: r.term, cc };
    else if (cc.type === ConfChangeType.AddLearner) this.retireById(host, cc.nodeId);
  }

  /**
   * Settles the pending change once a leader has applied past it: its configuration says
   * whether the change took effect (its entry may have lost its slot to another leader's).
   */
  poll(host: OperatorHost): void {
    const p = this.pending;
    if (!p) return;
    const leader = host.nodes.find((n) => n.raw?.isLeader());
    if (!leader || leader.kv.appliedIndex < p.index) return;
    this.pending = null;
    const cs = leader.raft.confState();
    const member = cs.voters.includes(p.cc.nodeId) || cs.learners.includes(p.cc.nodeId);
    const tookEffect =
      p.cc.type === ConfChangeType.RemoveNode ? !member : p.cc.type === ConfChangeType.AddNode ? cs.voters.includes(p.cc.nodeId) : member;
    host.log(`operator: ${ConfChangeType[p.cc.type]} ${p.cc.nodeId} ${tookEffect ? 'took effect' : 'was lost'}`);
    if (tookEffect) this.changes++;
    if (!member) this.retireById(host, p.cc.nodeId);
  }

  private retireById(host: OperatorHost, id: NodeId): void {
    const n = host.nodes[id - 1];
    if (n) host.retire(n, host.now + 3 * 10);
  }
}
