// Wire and storage types of the Raft core. These shapes are part of the on-disk and on-wire
// format once the storage tier persists them: enums only grow at the end, never renumber.

export type NodeId = number;
/** The absence of a node: no vote, no known leader. Real node ids are positive integers. */
export const NONE: NodeId = 0;

export enum EntryType {
  Normal = 0,
  ConfChange = 1,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

export enum MessageType {
  // Local messages: never sent over the network.
  Hup = 0,
  Beat = 1,
  /** Reserved: proposals are a RawNode call, not a message. */
  Prop = 2,
  CheckQuorum = 3,
  // Network messages.
  App = 4,
  AppResp = 5,
  Vote = 6,
  VoteResp = 7,
  PreVote = 8,
  PreVoteResp = 9,
  Heartbeat = 10,
  HeartbeatResp = 11,
  /** One chunk of an InstallSnapshot transfer. */
  Snap = 12,
  /** Acknowledges (or asks to resume) a snapshot chunk transfer. */
  SnapResp = 13,
  TransferLeader = 14,
  TimeoutNow = 15,
  ReadIndex = 16,
  ReadIndexResp = 17,
}

/** One chunk of a snapshot; `offset` is the byte offset of `data` within the snapshot. */
export interface SnapshotChunk {
  metadata: SnapshotMetadata;
  offset: number;
  totalBytes: number;
  data: Uint8Array;
}

export enum ReadMode {
  /** ReadIndex confirmed by a heartbeat round with a quorum. */
  Safe = 0,
  /** Served from the leader lease: needs CheckQuorum and bounded clock drift. */
  Lease = 1,
}

export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** App: term of the entry at `index`. AppResp rejection: term at `rejectHint`. */
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  /** Read request id (ReadIndex) or heartbeat round context. */
  context: string;
  readMode: ReadMode;
  /** Heartbeat: the leader's tick counter at send time, echoed back for lease accounting. */
  leaseTick: number;
  /** Vote/PreVote: a leadership transfer asked for this election, so leases are ignored. */
  force: boolean;
  snapshot: SnapshotChunk | null;
}

export interface ReadState {
  index: number;
  requestCtx: string;
}

export enum StateRole {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

export interface SoftState {
  lead: NodeId;
  role: StateRole;
}

export function emptyHardState(): HardState {
  return { term: 0, vote: NONE, commit: 0 };
}

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export function message(partial: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: NONE,
    to: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
    readMode: ReadMode.Safe,
    leaseTick: 0,
    force: false,
    snapshot: null,
    ...partial,
  };
}

export function isLocalMessage(t: MessageType): boolean {
  return t === MessageType.Hup || t === MessageType.Beat || t === MessageType.Prop || t === MessageType.CheckQuorum;
}

export function entrySize(e: Entry): number {
  // Payload plus a fixed header estimate: enough for flow control, which only needs a bound.
  return e.data.byteLength + 24;
}
