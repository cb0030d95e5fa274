import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['storage/**/*.test.ts', 'nodes/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    // Hooks start servers and clusters; with files running side by side a start can exceed the 10 s default.
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the CPUs: a single worker on a 2-CPU machine (CI's),
    // where most files wait on fsyncs, timers and child processes rather than compute. Two workers
    // took the suite from ~12 to ~7 minutes there, with every test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
