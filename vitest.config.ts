import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['storage/**/*.test.ts', 'nodes/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
