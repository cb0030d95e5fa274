// Deliberately broken Raft variants, used only by tests to show the simulator's checkers
// catch real bugs. They live here, outside the production code path, as subclasses that
// override one decision of the core.
import { type Message } from '../../storage/raft/index.js';
import { Raft, type ReadIndexResult } from '../../storage/raft/raft.js';

/** Commits by counting replicas even for entries of earlier terms (Raft paper, Figure 8). */
export class CommitsOldTermEntries extends Raft {
  protected override maybeCommit(): boolean {
    const quorumIndex = this.tracker.committedIndex();
    if (quorumIndex <= this.log.committed) return false;
    this.log.commitTo(quorumIndex);
    return true;
  }
}

/** Grants every vote request with an up-to-date log, even after voting for another node in that term. */
export class VotesTwiceInATerm extends Raft {
  protected override voteAllowed(_m: Message): boolean {
    return true;
  }
}

/** Answers every read at once from the local commit index, on any node, without asking a quorum. */
export class ReadsWithoutQuorum extends Raft {
  override readIndex(ctx: string): ReadIndexResult {
    this.readStates.push({ index: this.log.committed, requestCtx: ctx });
    return { ok: true };
  }
}
