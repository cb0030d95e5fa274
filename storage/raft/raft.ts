import { type RaftOptions, type ResolvedRaftOptions, resolveOptions } from './config.js';
import {
  type ConfChange,
  ConfChangeType,
  applyToConfState,
  confChangeProblem,
  decodeConfChange,
  encodeConfChange,
} from './confchange.js';
import { RaftLog } from './log.js';
import { ProgressTracker } from './progress.js';
import { LeaderReads } from './leader-reads.js';
import { LeaderLease, leaseTicks } from './lease.js';
import { Replicator } from './replication.js';
import { FollowerReplication } from './follower.js';
import {
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  MessageType,
  NONE,
  type NodeId,
  ReadMode,
  type ReadState,
  type Snapshot,
  type SoftState,
  StateRole,
  message,
} from './types.js';

export type ProposeError =
  | 'NotLeader'
  | 'TransferInProgress'
  | 'ConfChangePending'
  | 'InvalidConfChange'
  | 'LearnerNotCaughtUp'
  /** The leader holds maxUncommittedBytes of uncommitted proposals already. */
  | 'ProposalDropped';

export type ProposeResult =
  | { ok: true; firstIndex: number; lastIndex: number; term: number }
  | { ok: false; error: ProposeError; leaderHint: NodeId; detail?: string };

export type ReadIndexResult = { ok: true } | { ok: false; error: 'NoLeader' };

export type TransferResult = { ok: true } | { ok: false; error: 'NotLeader' | 'InvalidTarget'; leaderHint: NodeId };

type CampaignKind = 'pre' | 'election' | 'transfer';

/**
 * The Raft consensus state machine of one group member. Pure and deterministic: it does no I/O,
 * keeps no timers (the host calls tick()) and draws randomness only from the injected Rng.
 * The host drives it through RawNode, whose Ready contract says what to persist before sending.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role = StateRole.Follower;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  readonly opts: ResolvedRaftOptions;
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  /** Index of the latest conf change the leader proposed; another may follow once it is applied. */
  pendingConfIndex = 0;
  leadTransferee: NodeId = NONE;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  /** Ticks since the current leadership transfer began. */
  private transferElapsed = 0;
  private randomizedElectionTimeout = 0;
  /**
   * Ticks since this node last heard from a leader, or since it started. While below
   * electionTick it refuses to vote for a rival: the guarantee leader leases rely on.
   */
  private leaderContactElapsed = 0;
  /** Entries proposed (or commit advanced) since the last flush: broadcast appends at flush. */
  private broadcastPending = false;
  /** A TimeoutNow arrived this term but could not be acted on yet (unapplied conf change). */
  private transferRequested = false;
  /** This term's uncommitted proposals, as (last index, payload bytes) per batch, oldest first. */
  private uncommitted: Array<{ last: number; bytes: number }> = [];
  private uncommittedBytes = 0;
  private readonly replicator: Replicator;
  private readonly reads: LeaderReads;
  private readonly follower: FollowerReplication;
  private readonly lease: LeaderLease;

  constructor(options: RaftOptions) {
    this.opts = resolveOptions(options);
    this.id = this.opts.id;
    this.lease = new LeaderLease(leaseTicks(this.opts.electionTick, this.opts.maxClockDrift));
    this.log = new RaftLog(this.opts.storage, this.opts.maxCommittedSizePerReady);
    this.tracker = new ProgressTracker({
      maxInflightMessages: this.opts.maxInflightMsgs,
      maxInflightBytes: this.opts.maxInflightBytes,
    });
    this.replicator = new Replicator({
      id: this.id,
      log: this.log,
      tracker: this.tracker,
      opts: this.opts,
      send: (m) => this.send(m),
      commit: () => this.maybeCommit(),
      acknowledged: (from) => {
        const pr = this.tracker.progress.get(from);
        if (from === this.leadTransferee && pr && pr.match === this.log.lastIndex()) this.sendTimeoutNow(from);
      },
    });
    this.follower = new FollowerReplication({ log: this.log, send: (m) => this.send(m), restore: (snap) => this.restore(snap) });
    this.reads = new LeaderReads({
      id: this.id,
      log: this.log,
      tracker: this.tracker,
      term: () => this.term,
      leaseValid: () => this.leaseValid(),
      send: (m) => this.send(m),
      emit: (rs) => this.readStates.push(rs),
    });
    const { hardState, confState } = this.opts.storage.initialState();
    this.tracker.applyConfState(confState, this.log.lastIndex());
    if (hardState.term !== 0 || hardState.commit !== 0 || hardState.vote !== NONE) this.loadHardState(hardState);
    // By default the application restarts from its latest snapshot, which may be newer than
    // the first retained log entry (logs are compacted with some entries kept).
    const applied = this.opts.applied ?? this.opts.storage.snapshot().metadata.index;
    if (applied > this.log.applied) {
      const from = this.log.applied + 1;
      this.log.appliedTo(applied);
      this.replayConfChanges(from, applied);
    }
    this.becomeFollower(this.term, NONE);
    // Leaders exist from term 2 on (bootstrap is term 1), and a node persists a leader's term
    // before acknowledging it. So a node restarting with term >= 2 may be part of a live
    // leader's lease quorum and must honour it for an election timeout; a fresh one cannot be.
    this.leaderContactElapsed = this.term >= 2 ? 0 : this.opts.electionTick;
  }

  /**
   * Storage holds the configuration as of its snapshot; an application restarting with a
   * later applied index has applied the conf changes logged since, so the core replays them
   * (each change is idempotent against a configuration that already has it).
   */
  private replayConfChanges(from: number, to: number): void {
    const ents = this.log.slice(from, to + 1, Number.MAX_SAFE_INTEGER) ?? [];
    let cs = this.tracker.confState();
    for (const e of ents) {
      if (e.type !== EntryType.ConfChange) continue;
      const cc = decodeConfChange(e.data);
      if (confChangeProblem(cs, cc) === undefined) cs = applyToConfState(cs, cc);
    }
    this.tracker.applyConfState(cs, this.log.lastIndex());
  }

  // ---- Observers -------------------------------------------------------------------------

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  confState(): ConfState {
    return this.tracker.confState();
  }

  /** Whether this node may campaign: it is a voter and holds no snapshot still to be persisted. */
  promotable(): boolean {
    return this.tracker.voters.has(this.id) && !this.log.hasPendingSnapshot();
  }

  // ---- Clock -----------------------------------------------------------------------------

  tick(): void {
    this.leaderContactElapsed++;
    if (this.role === StateRole.Leader) this.tickLeader();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.lease.tick();
    // A transfer that has not finished within an election timeout is abandoned. It keeps its
    // own clock so that repeated transfers cannot postpone CheckQuorum.
    if (this.leadTransferee !== NONE && ++this.transferElapsed >= this.opts.electionTick) this.leadTransferee = NONE;
    if (this.electionElapsed >= this.opts.electionTick) {
      this.electionElapsed = 0;
      if (this.opts.checkQuorum) this.step(message({ type: MessageType.CheckQuorum, from: this.id }));
    }
    if (this.role !== StateRole.Leader) return;
    if (this.heartbeatElapsed >= this.opts.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, from: this.id }));
    }
  }

  // ---- Role transitions ------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
      this.lease.startTerm();
      this.transferRequested = false;
      this.follower.reset();
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.opts.electionTick + this.opts.rng.intn(this.opts.electionTick);
    this.leadTransferee = NONE;
    this.tracker.resetVotes();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.tracker.progress) {
      const fresh = this.tracker.newProgress(last + 1, pr.isLearner);
      if (id === this.id) fresh.match = last;
      this.tracker.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.reads.reset();
    this.broadcastPending = false;
    this.uncommitted = [];
    this.uncommittedBytes = 0;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = StateRole.Follower;
  }

  private becomePreCandidate(): void {
    if (this.role === StateRole.Leader) throw new Error('raft: invalid transition leader -> pre-candidate');
    // Pre-candidacy changes neither term nor vote: a failed pre-vote leaves no trace.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.role = StateRole.PreCandidate;
  }

  private becomeCandidate(): void {
    if (this.role === StateRole.Leader) throw new Error('raft: invalid transition leader -> candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = StateRole.Candidate;
  }

  private becomeLeader(): void {
    if (this.role === StateRole.Follower) throw new Error('raft: invalid transition follower -> leader');
    this.reset(this.term);
    this.lead = this.id;
    this.role = StateRole.Leader;
    this.lease.becomeLeader();
    this.tracker.progress.get(this.id)?.becomeReplicate();
    // Conservatively treat any conf change in the log as pending: the new leader cannot tell
    // whether it is applied until its own entry commits.
    this.pendingConfIndex = this.log.lastIndex();
    // An entry of the new term: committing it commits everything before it (§5.4.2).
    this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
  }

  // ---- Campaigning -----------------------------------------------------------------------

  private hup(kind: CampaignKind): void {
    if (this.role === StateRole.Leader || !this.promotable()) return;
    // Our own vote must honour a leader's lease like anyone else's (an explicit campaign()
    // could otherwise start an election inside it; transfers are the leader's own wish).
    if (kind !== 'transfer' && this.inLease()) return;
    // A node must not campaign while it has committed conf changes it has not applied: its
    // idea of the voters may be stale. A transfer request waits for them to be applied.
    const pendingConf = this.log
      .slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER)
      ?.some((e) => e.type === EntryType.ConfChange);
    if (pendingConf) {
      if (kind === 'transfer') this.transferRequested = true;
      return;
    }
    this.transferRequested = false;
    this.campaign(kind);
  }

  /**
   * Called once the application has applied more entries: a TimeoutNow that arrived while a
   * conf change (typically the sender's own removal) was unapplied is acted on now.
   */
  afterApply(): void {
    if (this.transferRequested && this.role !== StateRole.Leader) this.hup('transfer');
  }

  private campaign(kind: CampaignKind): void {
    let voteType: MessageType;
    let term: number;
    if (kind === 'pre') {
      this.becomePreCandidate();
      voteType = MessageType.PreVote;
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = MessageType.Vote;
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.pollResult()) return;
    for (const id of [...this.tracker.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send(
        message({
          type: voteType,
          to: id,
          term,
          index: this.log.lastIndex(),
          logTerm: this.log.lastTerm(),
          force: kind === 'transfer',
        }),
      );
    }
  }

  /** Acts on the vote tally; returns true once the election is decided. */
  private pollResult(): boolean {
    const result = this.tracker.voteResult();
    if (result === 'won') {
      if (this.role === StateRole.PreCandidate) this.campaign('election');
      else {
        this.becomeLeader();
        this.replicator.broadcastAppend();
      }
      return true;
    }
    if (result === 'lost') {
      this.becomeFollower(this.term, NONE);
      return true;
    }
    return false;
  }

  /**
   * Whether this node refuses a rival's (pre-)vote: it heard from a live leader within an
   * election timeout (or is the leader). Without this, leases would be unsound, and a node
   * rejoining from a partition could depose a healthy leader.
   */
  private inLease(): boolean {
    return (
      this.opts.checkQuorum &&
      (this.role === StateRole.Leader || this.leaderContactElapsed < this.opts.electionTick)
    );
  }

  /** Whether this node may grant its vote in the message's term (one vote per term). */
  protected voteAllowed(m: Message): boolean {
    return (
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === MessageType.PreVote && m.term > this.term)
    );
  }

  // ---- Step ------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        if (!m.force && this.inLease()) return;
      }
      if (m.type === MessageType.PreVote) {
        // A pre-vote request never changes our term.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // A granted pre-vote carries the future term; we move to it only by winning.
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term && m.term !== 0) {
      if ((this.opts.checkQuorum || this.opts.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A stale leader (or a node whose term rose in a partition) learns of our term.
        this.send(message({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(message({ type: MessageType.PreVoteResp, to: m.from, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.opts.preVote ? 'pre' : 'election');
        return;
      case MessageType.Vote:
      case MessageType.PreVote:
        this.handleVoteRequest(m);
        return;
    }
    switch (this.role) {
      case StateRole.Leader:
        this.stepLeader(m);
        return;
      case StateRole.Candidate:
      case StateRole.PreCandidate:
        this.stepCandidate(m);
        return;
      case StateRole.Follower:
        this.stepFollower(m);
        return;
    }
  }

  private handleVoteRequest(m: Message): void {
    const respType = m.type === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
    // The lease refusal must hold here too, not only for higher-term requests: another
    // message may already have moved us to the candidate's term without a leader.
    const leaseForbids = !m.force && this.vote !== m.from && this.inLease();
    if (!leaseForbids && this.voteAllowed(m) && this.log.isUpToDate(m.index, m.logTerm)) {
      // The response carries the candidate's term: a pre-vote response must not be mistaken
      // for a stale one by a pre-candidate that is still in the old term.
      this.send(message({ type: respType, to: m.from, term: m.term }));
      if (m.type === MessageType.Vote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(message({ type: respType, to: m.from, reject: true }));
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.App:
        this.heardFromLeader(m.from);
        this.follower.onAppend(m);
        return;
      case MessageType.Heartbeat:
        this.heardFromLeader(m.from);
        this.follower.onHeartbeat(m);
        return;
      case MessageType.Snap:
        this.heardFromLeader(m.from);
        this.follower.onSnapshotChunk(m);
        return;
      case MessageType.TimeoutNow:
        // The leader asked us to take over: campaign at once, skipping pre-vote and leases.
        this.hup('transfer');
        return;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, requestCtx: m.context });
        return;
      case MessageType.ReadIndex:
        // Only leaders answer; a request that reached a follower is dropped (the sender retries).
        return;
    }
  }

  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.leaderContactElapsed = 0;
    this.lead = from;
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case MessageType.VoteResp:
      case MessageType.PreVoteResp: {
        const expected = this.role === StateRole.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
        if (m.type !== expected) return;
        this.tracker.recordVote(m.from, !m.reject);
        this.pollResult();
        return;
      }
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.Beat:
        this.replicator.broadcastHeartbeat(this.reads.latestContext(), this.lease.now);
        return;
      case MessageType.CheckQuorum:
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.term, NONE);
          // Having led until now, we are not bound to the lease we granted ourselves.
          this.leaderContactElapsed = this.opts.electionTick;
          return;
        }
        for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
        return;
      case MessageType.ReadIndex:
        this.reads.request({ from: m.from, ctx: m.context }, m.readMode);
        return;
    }
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case MessageType.AppResp:
        pr.recentActive = true;
        this.replicator.onAppendResponse(m);
        return;
      case MessageType.HeartbeatResp:
        pr.recentActive = true;
        this.replicator.onHeartbeatResponse(m);
        this.reads.onHeartbeatAck(m.context, m.from);
        return;
      case MessageType.SnapResp:
        pr.recentActive = true;
        this.replicator.onSnapshotChunkResponse(m);
        return;
    }
  }

  // ---- Snapshots -----------------------------------------------------------------------

  /** Installs a snapshot from the leader; false if it holds nothing we lack. */
  restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.log.committed) return false;
    if (this.role !== StateRole.Follower) {
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    if (this.log.matchTerm(s.metadata.index, s.metadata.term)) {
      // Our log already contains the snapshot's last entry: just fast-forward the commit.
      this.log.commitTo(s.metadata.index);
      return false;
    }
    this.log.restore(s);
    this.tracker.applyConfState(s.metadata.confState, this.log.lastIndex());
    const pr = this.tracker.progress.get(this.id);
    if (pr) pr.maybeUpdate(this.log.lastIndex());
    return true;
  }

  /** Advances the commit index to what a quorum holds, if that entry is of the current term. */
  protected maybeCommit(): boolean {
    const committed = this.log.maybeCommit(this.tracker.committedIndex(), this.term);
    if (committed) this.reads.onCommit();
    return committed;
  }

  private appendEntries(ents: Entry[]): { first: number; last: number } {
    let li = this.log.lastIndex();
    const first = li + 1;
    for (const e of ents) {
      e.term = this.term;
      e.index = ++li;
    }
    this.log.append(ents);
    this.tracker.progress.get(this.id)?.maybeUpdate(li);
    this.maybeCommit();
    this.broadcastPending = true;
    return { first, last: li };
  }

  /**
   * Sends what accumulated since the last Ready: proposals are batched into one append per
   * follower, and read requests into one heartbeat round.
   */
  flush(): void {
    if (this.role !== StateRole.Leader) return;
    if (this.broadcastPending) {
      this.broadcastPending = false;
      this.replicator.broadcastAppend();
    }
    const round = this.reads.takeRound();
    if (round !== undefined) this.replicator.broadcastHeartbeat(round, this.lease.now);
  }

  hasPendingFlush(): boolean {
    return this.role === StateRole.Leader && (this.broadcastPending || this.reads.hasUnbroadcast());
  }

  // ---- Proposals ---------------------------------------------------------------------------

  private notLeader(): ProposeResult {
    return { ok: false, error: 'NotLeader', leaderHint: this.lead };
  }

  /** Appends one or many commands as one batch. The caller learns the outcome by applying. */
  propose(datas: Uint8Array[]): ProposeResult {
    if (this.role !== StateRole.Leader) return this.notLeader();
    if (this.leadTransferee !== NONE) return { ok: false, error: 'TransferInProgress', leaderHint: this.leadTransferee };
    if (datas.length === 0) throw new RangeError('raft: propose needs at least one command');
    let bytes = 0;
    for (const d of datas) bytes += d.byteLength;
    if (this.uncommittedFull(bytes)) {
      return { ok: false, error: 'ProposalDropped', leaderHint: this.id, detail: `${this.uncommittedBytes} bytes of proposals are not committed yet` };
    }
    const { first, last } = this.appendEntries(
      datas.map((data) => ({ term: 0, index: 0, type: EntryType.Normal, data })),
    );
    this.uncommitted.push({ last, bytes });
    this.uncommittedBytes += bytes;
    return { ok: true, firstIndex: first, lastIndex: last, term: this.term };
  }

  /** Whether a batch of `bytes` would exceed the uncommitted limit (one batch always fits). */
  private uncommittedFull(bytes: number): boolean {
    while (this.uncommitted.length > 0 && this.uncommitted[0]!.last <= this.log.committed) {
      this.uncommittedBytes -= this.uncommitted.shift()!.bytes;
    }
    const limit = this.opts.maxUncommittedBytes;
    return limit > 0 && this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > limit;
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.role !== StateRole.Leader) return this.notLeader();
    if (this.leadTransferee !== NONE) return { ok: false, error: 'TransferInProgress', leaderHint: this.leadTransferee };
    if (this.pendingConfIndex > this.log.applied) {
      return { ok: false, error: 'ConfChangePending', leaderHint: this.id, detail: `conf change at ${this.pendingConfIndex} is not applied yet` };
    }
    const problem = confChangeProblem(this.confState(), cc);
    if (problem) return { ok: false, error: 'InvalidConfChange', leaderHint: this.id, detail: problem };
    const lag = cc.type === ConfChangeType.AddNode ? this.tracker.learnerLag(cc.nodeId, this.log.lastIndex()) : 0;
    if (lag > this.opts.maxLearnerLag) {
      return { ok: false, error: 'LearnerNotCaughtUp', leaderHint: this.id, detail: `learner ${cc.nodeId} is ${lag} entries behind` };
    }
    const { first, last } = this.appendEntries([
      { term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) },
    ]);
    this.pendingConfIndex = last;
    return { ok: true, firstIndex: first, lastIndex: last, term: this.term };
  }

  /** Called by the application when it applies a committed conf change entry. */
  applyConfChange(cc: ConfChange): ConfState {
    const cs = this.confState();
    if (confChangeProblem(cs, cc) !== undefined) return cs; // a no-op: validated at proposal
    const next = applyToConfState(cs, cc);
    this.tracker.applyConfState(next, this.log.lastIndex());
    if (this.role !== StateRole.Leader) return next;
    if (!this.tracker.voters.has(this.id)) {
      this.stepDownAfterRemoval();
      return next;
    }
    if (this.leadTransferee !== NONE && !this.tracker.voters.has(this.leadTransferee)) this.leadTransferee = NONE;
    // A smaller quorum may commit more.
    this.maybeCommit();
    this.broadcastPending = true;
    return next;
  }

  /** A leader that removed itself hands over to its most caught-up voter, then stops leading. */
  private stepDownAfterRemoval(): void {
    const best = this.tracker.mostCaughtUpVoter();
    if (best !== undefined && best.match === this.log.lastIndex()) this.sendTimeoutNow(best.id);
    this.becomeFollower(this.term, NONE);
  }

  // ---- Leadership transfer -----------------------------------------------------------------

  transferLeadership(to: NodeId): TransferResult {
    if (this.role !== StateRole.Leader) return { ok: false, error: 'NotLeader', leaderHint: this.lead };
    if (to === this.id || !this.tracker.voters.has(to)) return { ok: false, error: 'InvalidTarget', leaderHint: this.id };
    if (this.leadTransferee === to) return { ok: true };
    this.leadTransferee = to;
    this.transferElapsed = 0;
    const pr = this.tracker.progress.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.replicator.sendAppend(to, true);
    return { ok: true };
  }

  private sendTimeoutNow(to: NodeId): void {
    this.lease.revoke();
    this.send(message({ type: MessageType.TimeoutNow, to }));
  }

  // ---- Reads -------------------------------------------------------------------------------

  /**
   * Asks for a linearizable read. A ReadState with requestCtx appears in a later Ready; the
   * application serves the read once it has applied up to ReadState.index.
   */
  readIndex(ctx: string, mode: ReadMode = ReadMode.Safe): ReadIndexResult {
    if (this.role === StateRole.Leader) {
      this.reads.request({ from: this.id, ctx }, mode);
      return { ok: true };
    }
    if (this.lead === NONE) return { ok: false, error: 'NoLeader' };
    this.send(message({ type: MessageType.ReadIndex, to: this.lead, context: ctx, readMode: mode }));
    return { ok: true };
  }

  /**
   * Whether the leader lease holds: a quorum acknowledged a heartbeat sent fewer than
   * leaseTicks ago, CheckQuorum is on, and no leadership transfer began this term.
   */
  leaseValid(): boolean {
    if (this.role !== StateRole.Leader || !this.opts.checkQuorum || this.leadTransferee !== NONE) return false;
    return this.lease.holds(this.tracker, this.id);
  }

  // ---- Plumbing ----------------------------------------------------------------------------

  private send(m: Message): void {
    m.from = this.id;
    if (m.term === 0) m.term = this.term;
    this.msgs.push(m);
  }

  private loadHardState(hs: HardState): void {
    if (hs.commit > this.log.lastIndex()) {
      throw new Error(`raft: hard state commit ${hs.commit} is beyond the last index ${this.log.lastIndex()}`);
    }
    // A persisted snapshot is committed even if the hard state written with it says less.
    this.log.committed = Math.max(hs.commit, this.log.committed);
    this.term = hs.term;
    this.vote = hs.vote;
  }
}
