import { describe, expect, it } from 'vitest';

import {
  DEFAULT_RESTART_POLICY,
  resolveRestartPolicy,
  restartDelayMs,
} from '../../../src/backends/restart-policy.js';

describe('the restart policy', () => {
  it('defaults to 0.5 s doubling up to 30 s, 5 restarts in a row, reset after a minute', () => {
    expect(resolveRestartPolicy(undefined)).toEqual({
      maxAttempts: 5,
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      resetAfterMs: 60_000,
    });
    expect(
      [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => restartDelayMs(DEFAULT_RESTART_POLICY, attempt)),
    ).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('overrides the defaults field by field', () => {
    expect(resolveRestartPolicy({ maxAttempts: 2, initialDelayMs: 100 })).toEqual({
      maxAttempts: 2,
      initialDelayMs: 100,
      maxDelayMs: 30_000,
      resetAfterMs: 60_000,
    });
  });

  it('turns restarting off with false or maxAttempts 0', () => {
    expect(resolveRestartPolicy(false).maxAttempts).toBe(0);
    expect(resolveRestartPolicy({ maxAttempts: 0 }).maxAttempts).toBe(0);
  });

  it('never waits longer than the ceiling, even for a huge attempt number', () => {
    expect(restartDelayMs({ ...DEFAULT_RESTART_POLICY, maxDelayMs: 1000 }, 5000)).toBe(1000);
  });
});
