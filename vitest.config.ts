import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/fail-on-warning.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        // The same behaviour suite (test/contract/*.case.ts) run through each front door, in this process: its own
        // project, so that `vitest run --project contract` checks every front door after a change to one.
        extends: true,
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/examples/**/*.test.ts', 'test/docs/**/*.test.ts'],
          // Added to the global setup above: a Node 22+ for the conformance suite's CLI, installed once if need be.
          globalSetup: ['test/helpers/conformance/suite-node-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
