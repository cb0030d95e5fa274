// The checkers have teeth: each deliberately broken variant of the core (or of the host) is
// caught within a bounded number of seeds, while the correct core passes the same seeds.
import { describe, expect, it } from 'vitest';
import { CommitsOldTermEntries, ReadsWithoutQuorum, VotesTwiceInATerm } from './broken-variants.js';
import { type SimOptions, runSeed } from './simulation.js';

type Variant = Omit<SimOptions, 'seed' | 'nodes'>;

/** The first seed in [1, maxSeeds] on which the variant fails, with its failure. */
function firstCaught(variant: Variant, maxSeeds: number, base: Variant = {}): { seed: number; nodes: 3 | 5; failure: string } | undefined {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const nodes = seed % 2 === 0 ? 5 : 3;
    const r = runSeed({ ...base, ...variant, seed, nodes });
    if (!r.ok) return { seed, nodes, failure: r.failures[0]! };
  }
  return undefined;
}

function expectCaught(variant: Variant, maxSeeds: number, pattern: RegExp, base: Variant = {}): void {
  const caught = firstCaught(variant, maxSeeds, base);
  expect(caught, `broken variant survived ${maxSeeds} seeds`).toBeDefined();
  expect(caught!.failure).toMatch(pattern);
  // Control: the correct core passes the very run that caught the broken one.
  const control = runSeed({ ...base, seed: caught!.seed, nodes: caught!.nodes });
  expect(control.failures).toEqual([]);
}

describe('checkers catch broken variants', () => {
  it('voting twice in one term breaks election safety', () => {
    expectCaught({ makeRaft: (o) => new VotesTwiceInATerm(o) }, 100, /election safety/);
  });

  it('sending before persisting loses acknowledged entries', () => {
    expectCaught({ sendBeforePersist: true }, 100, /committed entry lost|core invariant violated|leader completeness|state machine safety|election safety/);
  });

  it('committing an old-term entry by counting replicas (Figure 8) is caught under leader churn', () => {
    // Leader churn over lossy links, one entry per message: the shape of Figure 8.
    const churn: Variant = {
      safetyTicks: 2000,
      profile: { leaderCrashRate: 0.02, maxDowntime: 100, dropRate: 0.3, maxSizePerMsg: 64, clients: 10, partitionRate: 0.02, maxPartitionTicks: 30, maxDelay: 20 },
    };
    expectCaught({ makeRaft: (o) => new CommitsOldTermEntries(o) }, 100, /leader completeness|state machine safety|committed entry lost|log matching/, churn);
  });

  it('reads served without a quorum round are caught by the linearizability checker', () => {
    expectCaught({ makeRaft: (o) => new ReadsWithoutQuorum(o) }, 20, /linearizability/);
  });
});
