import { type Rng } from './rng.js';
import { type Storage } from './storage.js';
import { type NodeId } from './types.js';

export interface RaftOptions {
  id: NodeId;
  storage: Storage;
  /** The only source of randomness (election timeouts); seeded in tests and the simulator. */
  rng: Rng;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). Default 10. */
  electionTick?: number;
  /** Ticks between leader heartbeats. Default 1. Must be less than electionTick. */
  heartbeatTick?: number;
  /** Last index the application applied before a restart. Default: the storage snapshot's index. */
  applied?: number;
  /** Maximum bytes of entries in one append message. Default 1 MiB. */
  maxSizePerMsg?: number;
  /** Maximum bytes of committed entries handed to the application per Ready. Default 4 MiB. */
  maxCommittedSizePerReady?: number;
  /** Appends in flight per follower before the leader waits for acknowledgements. Default 256. */
  maxInflightMsgs?: number;
  /** Bytes in flight per follower; 0 means no byte cap. Default 16 MiB. */
  maxInflightBytes?: number;
  /** Bytes per InstallSnapshot chunk. Default 1 MiB. */
  snapshotChunkBytes?: number;
  /** Snapshot chunks sent ahead of the follower's acknowledgement. Default 4. */
  snapshotChunkWindow?: number;
  /** Pre-vote before a real election, so a partitioned node does not disrupt the cluster. Default true. */
  preVote?: boolean;
  /** A leader steps down when it has not heard from a quorum for an election timeout. Default true. */
  checkQuorum?: boolean;
  /**
   * Bound on the relative clock-rate difference between any two nodes (0.05 = 5%), used to size
   * the leader lease for lease-based reads. Lease reads are unsafe if real drift exceeds it.
   * Default 0.05.
   */
  maxClockDrift?: number;
  /** A learner may be promoted to voter only when it is within this many entries of the leader. Default 64. */
  maxLearnerLag?: number;
  /**
   * Bytes of proposed entries a leader may hold uncommitted before it refuses new proposals
   * (ProposalDropped), so a leader cut off from its followers cannot grow without bound.
   * 0 means no limit. Default 64 MiB.
   */
  maxUncommittedBytes?: number;
}

export type ResolvedRaftOptions = Required<Omit<RaftOptions, 'applied'>> & { applied: number | undefined };

export const RAFT_DEFAULTS = {
  electionTick: 10,
  heartbeatTick: 1,
  maxSizePerMsg: 1024 * 1024,
  maxCommittedSizePerReady: 4 * 1024 * 1024,
  maxInflightMsgs: 256,
  maxInflightBytes: 16 * 1024 * 1024,
  snapshotChunkBytes: 1024 * 1024,
  snapshotChunkWindow: 4,
  preVote: true,
  checkQuorum: true,
  maxClockDrift: 0.05,
  maxLearnerLag: 64,
  maxUncommittedBytes: 64 * 1024 * 1024,
} as const;

export class RaftConfigError extends Error {
  constructor(message: string) {
    super(`raft config: ${message}`);
    this.name = 'RaftConfigError';
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) throw new RaftConfigError(`${name} must be a positive integer, got ${v}`);
}

export function resolveOptions(o: RaftOptions): ResolvedRaftOptions {
  const r: ResolvedRaftOptions = {
    ...RAFT_DEFAULTS,
    ...stripUndefined(o),
    id: o.id,
    storage: o.storage,
    rng: o.rng,
    applied: o.applied,
  };
  positiveInt('id', r.id);
  positiveInt('electionTick', r.electionTick);
  positiveInt('heartbeatTick', r.heartbeatTick);
  if (r.heartbeatTick >= r.electionTick) {
    throw new RaftConfigError(`heartbeatTick (${r.heartbeatTick}) must be less than electionTick (${r.electionTick})`);
  }
  positiveInt('maxSizePerMsg', r.maxSizePerMsg);
  positiveInt('maxCommittedSizePerReady', r.maxCommittedSizePerReady);
  positiveInt('maxInflightMsgs', r.maxInflightMsgs);
  if (!Number.isSafeInteger(r.maxInflightBytes) || r.maxInflightBytes < 0) {
    throw new RaftConfigError(`maxInflightBytes must be a non-negative integer, got ${r.maxInflightBytes}`);
  }
  if (r.maxInflightBytes > 0 && r.maxInflightBytes < r.maxSizePerMsg) {
    throw new RaftConfigError(`maxInflightBytes (${r.maxInflightBytes}) must be 0 or at least maxSizePerMsg (${r.maxSizePerMsg})`);
  }
  positiveInt('snapshotChunkBytes', r.snapshotChunkBytes);
  positiveInt('snapshotChunkWindow', r.snapshotChunkWindow);
  positiveInt('maxLearnerLag', r.maxLearnerLag);
  if (!Number.isSafeInteger(r.maxUncommittedBytes) || r.maxUncommittedBytes < 0) {
    throw new RaftConfigError(`maxUncommittedBytes must be a non-negative integer, got ${r.maxUncommittedBytes}`);
  }
  if (!(r.maxClockDrift >= 0 && r.maxClockDrift < 1)) {
    throw new RaftConfigError(`maxClockDrift must be in [0, 1), got ${r.maxClockDrift}`);
  }
  if (r.applied !== undefined && (!Number.isSafeInteger(r.applied) || r.applied < 0)) {
    throw new RaftConfigError(`applied must be a non-negative integer, got ${r.applied}`);
  }
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
