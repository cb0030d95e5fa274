import {
  type Entry,
  type NodeId,
} from '../../storage/raft/index.js';
import { type GroupStorage } from '../../storage/engine/index.js';
import { type Raft } from '../../storage/raft/raft.js';
import { KvStore, rollHash } from './kv.js';

interface CommittedEntry {
  term: number;
  digest: number;
  by: NodeId;
}

/**
 * Raft's safety properties, checked as the simulation runs. Everything any node applied is
 * committed, so the union of applied entries is the reference every other check compares to.
 */
export class SafetyCheckers {
  readonly failures: string[] = [];
  private readonly leaders = new Map<number, NodeId>();
  private readonly committed = new Map<number, CommittedEntry>();
  private readonly hashAt = new Map<number, number>();
  maxCommitted = 0;

  /** Terms that had a leader. */
  get leaderTerms(): number {
    return this.leaders.size;
  }

  private fail(now: number, what: string): void {
    this.failures.push(`t=${now} ${what}`);
  }

  /** Election safety: at most one leader per term. Leader completeness: it holds every committed entry. */
  onLeader(now: number, id: NodeId, raft: Raft): void {
    const term = raft.term;
    const prev = this.leaders.get(term);
    if (prev !== undefined && prev !== id) {
      this.fail(now, `election safety: nodes ${prev} and ${id} are both leader of term ${term}`);
      return;
    }
    if (prev === id) return;
    this.leaders.set(term, id);
    const log = raft.log;
    const first = log.firstIndex();
    const snapIndex = first - 1;
    if (snapIndex > 0 && snapIndex <= this.maxCommitted) {
      const want = this.hashAt.get(snapIndex);
      const snap = log.snapshot();
      if (want !== undefined && snap.metadata.index === snapIndex && snap.data.byteLength > 0) {
        const got = KvStore.restore(snap.data).hash;
        if (got !== want) this.fail(now, `leader completeness: leader ${id} (term ${term}) has a snapshot at ${snapIndex} that differs from the committed state`);
      }
    }
    for (let i = Math.max(first, 1); i <= this.maxCommitted; i++) {
      const c = this.committed.get(i);
      if (!c) continue;
      const t = log.term(i);
      if (t !== c.term) {
        this.fail(now, `leader completeness: leader ${id} of term ${term} lacks committed entry ${i} (term ${c.term}, has ${t === undefined ? 'nothing' : `term ${t}`})`);
        return;
      }
    }
  }

  /** State-machine safety: no two nodes apply different entries (or states) at one index. */
  onApply(now: number, id: NodeId, e: Entry, hashAfter: number): void {
    const digest = rollHash(0, e.index, e.term, e.data);
    const c = this.committed.get(e.index);
    if (!c) {
      this.committed.set(e.index, { term: e.term, digest, by: id });
      this.hashAt.set(e.index, hashAfter);
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
      return;
    }
    if (c.term !== e.term || c.digest !== digest) {
      this.fail(now, `state machine safety: node ${id} applied (index ${e.index}, term ${e.term}) but node ${c.by} applied term ${c.term} there`);
      return;
    }
    const h = this.hashAt.get(e.index);
    if (h !== undefined && h !== hashAfter) {
      this.fail(now, `state machine safety: node ${id}'s state after ${e.index} differs from node ${c.by}'s`);
    }
  }

  onSnapshotApplied(now: number, id: NodeId, index: number, hash: number): void {
    const want = this.hashAt.get(index);
    if (want !== undefined && want !== hash) {
      this.fail(now, `state machine safety: node ${id} installed a snapshot at ${index} that differs from the committed state`);
    }
    if (want === undefined && index > 0) this.hashAt.set(index, hash);
  }

  /** After a crash: everything the node applied must still be in its durable log or snapshot. */
  onRestart(now: number, id: NodeId, storage: GroupStorage, appliedBeforeCrash: number): void {
    const hs = storage.getHardState();
    const last = storage.lastIndex();
    const snapIndex = storage.firstIndex() - 1;
    if (hs.commit < appliedBeforeCrash || last < appliedBeforeCrash) {
      this.fail(now, `committed entry lost: node ${id} applied up to ${appliedBeforeCrash} before crashing but its disk has commit ${hs.commit}, last index ${last}`);
      return;
    }
    for (let i = snapIndex + 1; i <= appliedBeforeCrash; i++) {
      const c = this.committed.get(i);
      if (c && storage.term(i) !== c.term) {
        this.fail(now, `committed entry lost: node ${id}'s disk has term ${storage.term(i)} at ${i}, committed term is ${c.term}`);
        return;
      }
    }
  }

  /** Log matching: if two logs hold an entry with the same index and term, they agree up to it. */
  checkLogMatching(now: number, logs: Array<{ id: NodeId; raft: Raft }>): void {
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const la = logs[a]!.raft.log;
        const lb = logs[b]!.raft.log;
        const lo = Math.max(la.firstIndex(), lb.firstIndex());
        const hi = Math.min(la.lastIndex(), lb.lastIndex());
        let j = hi;
        while (j >= lo && la.term(j) !== lb.term(j)) j--;
        if (j < lo) continue;
        const ea = la.slice(lo, j + 1, Number.MAX_SAFE_INTEGER) ?? [];
        const eb = lb.slice(lo, j + 1, Number.MAX_SAFE_INTEGER) ?? [];
        for (let k = 0; k < ea.length; k++) {
          const x = ea[k]!;
          const y = eb[k];
          if (!y || x.term !== y.term || rollHash(0, x.index, x.term, x.data) !== rollHash(0, y.index, y.term, y.data)) {
            this.fail(now, `log matching: nodes ${logs[a]!.id} and ${logs[b]!.id} agree at (${j}, term ${la.term(j)}) but differ at ${x.index}`);
            return;
          }
        }
      }
    }
  }
}
