import { type RaftOptions } from './config.js';
import { type ConfChange } from './confchange.js';
import { type ProposeResult, Raft, type ReadIndexResult, type TransferResult } from './raft.js';
import {
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  MessageType,
  type NodeId,
  ReadMode,
  type ReadState,
  type Snapshot,
  type SoftState,
  StateRole,
  hardStateEqual,
  isLocalMessage,
  message,
} from './types.js';

/**
 * What the host must do, in this order, before calling advance():
 *  1. persist `snapshot` (if any), `entries` and `hardState` (if any) durably (fsync when
 *     mustSync) — PERSIST BEFORE SEND: a vote or an acknowledgement sent before the state it
 *     vouches for is durable can be forgotten in a crash, which breaks election safety and
 *     loses committed entries;
 *  2. send `messages`;
 *  3. apply `snapshot` then `committedEntries` to the state machine (conf changes through
 *     RawNode.applyConfChange) and serve reads whose ReadState.index is now applied.
 */
export interface Ready {
  softState: SoftState | undefined;
  hardState: HardState | undefined;
  readStates: ReadState[];
  entries: Entry[];
  snapshot: Snapshot | undefined;
  committedEntries: Entry[];
  messages: Message[];
  /** Whether entries or the hard state's term/vote changed, so the write must be synced. */
  mustSync: boolean;
}

export interface Status {
  id: NodeId;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  lastIndex: number;
  confState: ConfState;
  leaseValid: boolean;
}

/** The host-facing handle on a Raft member: drive it with tick/step, drain it with ready/advance. */
export class RawNode {
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(optionsOrRaft: RaftOptions | Raft) {
    this.raft = optionsOrRaft instanceof Raft ? optionsOrRaft : new Raft(optionsOrRaft);
    this.prevSoft = this.raft.softState();
    this.prevHard = this.raft.hardState();
  }

  readonly raft: Raft;

  tick(): void {
    this.raft.tick();
  }

  /**
   * Starts an election now, if this node is a promotable voter and (with CheckQuorum) has not
   * heard from a leader within an election timeout: a leader's lease forbids rivals. To move
   * leadership deliberately, ask the leader: transferLeadership().
   */
  campaign(): void {
    this.raft.step(message({ type: MessageType.Hup, from: this.raft.id }));
  }

  propose(data: Uint8Array): ProposeResult {
    return this.raft.propose([data]);
  }

  /** Proposes many commands as one batch: one log append, one replication round. */
  proposeBatch(datas: Uint8Array[]): ProposeResult {
    return this.raft.propose(datas);
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(cc);
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  readIndex(ctx: string, mode: ReadMode = ReadMode.Safe): ReadIndexResult {
    return this.raft.readIndex(ctx, mode);
  }

  transferLeadership(to: NodeId): TransferResult {
    return this.raft.transferLeadership(to);
  }

  /** Delivers a message from the network. Local message types are not accepted from it. */
  step(m: Message): void {
    if (isLocalMessage(m.type)) return;
    this.raft.step(m);
  }

  hasReady(): boolean {
    const r = this.raft;
    if (!softEqual(r.softState(), this.prevSoft)) return true;
    if (!hardStateEqual(r.hardState(), this.prevHard)) return true;
    if (r.log.hasPendingSnapshot()) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.log.unstableEntries().length > 0 || r.log.hasNextCommittedEntries()) return true;
    return r.hasPendingFlush();
  }

  ready(): Ready {
    const r = this.raft;
    r.flush();
    const soft = r.softState();
    const hard = r.hardState();
    const rd: Ready = {
      softState: softEqual(soft, this.prevSoft) ? undefined : soft,
      hardState: hardStateEqual(hard, this.prevHard) ? undefined : hard,
      readStates: r.readStates,
      entries: r.log.unstableEntries().slice(),
      snapshot: r.log.unstable.snapshot ?? undefined,
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      mustSync: false,
    };
    // A snapshot must be durable too: this Ready's messages acknowledge it to the leader.
    rd.mustSync =
      rd.entries.length > 0 ||
      rd.snapshot !== undefined ||
      (rd.hardState !== undefined && (hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote));
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    this.prevHard = hard;
    return rd;
  }

  /** Tells the core the Ready was persisted, sent and applied. */
  advance(rd: Ready): void {
    const log = this.raft.log;
    const last = rd.entries[rd.entries.length - 1];
    if (last) log.stableTo(last.index, last.term);
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.metadata.index);
      if (rd.snapshot.metadata.index > log.applied) log.applied = rd.snapshot.metadata.index;
    }
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied) log.appliedTo(lastApplied.index);
    if (lastApplied || rd.snapshot) this.raft.afterApply();
  }

  status(): Status {
    const r = this.raft;
    return {
      id: r.id,
      hardState: r.hardState(),
      softState: r.softState(),
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      confState: r.confState(),
      leaseValid: r.leaseValid(),
    };
  }

  isLeader(): boolean {
    return this.raft.role === StateRole.Leader;
  }
}

function softEqual(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.role === b.role;
}
