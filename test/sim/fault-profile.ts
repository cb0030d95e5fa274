import { type SeededRng } from '../../storage/raft/index.js';

/** Time units per nominal tick: clocks drift, messages take fractions of a tick. */
export const TICK = 10;

/**
 * Fault intensities are drawn per seed, so the seed space covers calm runs, lossy networks,
 * crash storms and leader churn alike.
 */
export interface FaultProfile {
  dropRate: number;
  duplicateRate: number;
  maxDelay: number;
  slowRate: number;
  /** Per node, per time unit. */
  crashRate: number;
  /** Per time unit: crash whichever node leads (leader churn exposes commit-rule bugs). */
  leaderCrashRate: number;
  partitionRate: number;
  /** Per time unit: the operator makes a membership change. */
  reconfigRate: number;
  /** Per time unit: an operator asks a random node to campaign (it must respect leases). */
  campaignRate: number;
  /** The application persists its state machine and restarts with an explicit applied index. */
  persistStateMachine: boolean;
  /** A partition lasts between 10 and 10 + this many ticks. */
  maxPartitionTicks: number;
  /** A crashed node stays down for up to this many time units. */
  maxDowntime: number;
  maxSizePerMsg: number;
  clients: number;
  /** A Ready's disk write (fsync) takes up to this many time units. */
  maxFsyncDelay: number;
  /** Ticks of the faulty safety phase. */
  safetyTicks: number;
}

export function drawProfile(rng: SeededRng): FaultProfile {
  const pick = (lo: number, hi: number): number => lo + rng.float() * (hi - lo);
  const base: FaultProfile = {
    dropRate: pick(0, 0.1),
    duplicateRate: pick(0, 0.03),
    maxDelay: 2 + rng.intn(14),
    slowRate: pick(0, 0.03),
    crashRate: pick(0.0001, 0.001),
    leaderCrashRate: pick(0, 0.002),
    partitionRate: pick(0.0005, 0.005),
    reconfigRate: rng.chance(0.5) ? pick(0.0005, 0.005) : 0,
    campaignRate: rng.chance(0.3) ? pick(0.0005, 0.005) : 0,
    persistStateMachine: rng.chance(0.5),
    maxDowntime: TICK * (5 + rng.intn(40)),
    maxPartitionTicks: 10 + rng.intn(80),
    maxSizePerMsg: [64, 128, 256, 1024][rng.intn(4)]!,
    clients: 2 + rng.intn(9),
    maxFsyncDelay: rng.chance(0.5) ? 0 : 1 + rng.intn(2 * TICK),
    safetyTicks: 400,
  };
  // A quarter of the seeds churn leaders over lossy links (the ground of commit-rule bugs);
  // another quarter live in partition storms (leases, CheckQuorum, PreVote).
  const regime = rng.intn(4);
  if (regime === 0) {
    return {
      ...base,
      leaderCrashRate: pick(0.005, 0.02),
      maxDowntime: TICK * (5 + rng.intn(10)),
      dropRate: pick(0.1, 0.3),
      maxDelay: 2 + rng.intn(20),
      partitionRate: pick(0.005, 0.03),
      maxPartitionTicks: 10 + rng.intn(30),
      maxSizePerMsg: 64,
      clients: 6 + rng.intn(5),
      // Commit-rule bugs need several leader changes in a row: give them time to line up.
      safetyTicks: 1500,
    };
  }
  if (regime === 1) return { ...base, partitionRate: pick(0.01, 0.03), maxPartitionTicks: 10 + rng.intn(20) };
  return base;
}
