import { describe, expect, it } from 'vitest';
import { runSeed } from './simulation.js';

// The unit suite's share of the seed space; `npm run sim` runs longer sweeps.
const SEEDS = 150;

function sweep(nodes: 3 | 5, first: number, count: number): string[] {
  const failures: string[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const r = runSeed({ seed, nodes });
    if (!r.ok) failures.push(`seed ${seed} (${nodes} nodes): ${r.failures.join('; ')}`);
  }
  return failures;
}

describe('deterministic cluster simulation', () => {
  it(`passes ${SEEDS} seeds on 3-node clusters`, () => {
    expect(sweep(3, 1, SEEDS)).toEqual([]);
  });

  it(`passes ${SEEDS} seeds on 5-node clusters`, () => {
    expect(sweep(5, 1, SEEDS)).toEqual([]);
  });

  it('replays a seed exactly', () => {
    const a = runSeed({ seed: 42, nodes: 5, verbose: true });
    const b = runSeed({ seed: 42, nodes: 5, verbose: true });
    expect(a.trace.length).toBeGreaterThan(100);
    expect(b.trace).toEqual(a.trace);
    expect(b.stats).toEqual(a.stats);
  });

  it('exercises the faults it claims to inject', () => {
    let crashes = 0;
    let partitions = 0;
    let dropped = 0;
    let completed = 0;
    let leaders = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const r = runSeed({ seed, nodes: 3 });
      crashes += r.stats.crashes;
      partitions += r.stats.partitions;
      dropped += r.stats.dropped;
      completed += r.stats.completed;
      leaders += r.stats.leaders;
    }
    expect(crashes).toBeGreaterThan(20);
    expect(partitions).toBeGreaterThan(20);
    expect(dropped).toBeGreaterThan(1000);
    expect(leaders).toBeGreaterThan(40);
    expect(completed).toBeGreaterThan(2000);
  });
});
