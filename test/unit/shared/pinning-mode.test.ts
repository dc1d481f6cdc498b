import { describe, expect, it } from 'vitest';

import { pinningModesOf } from '../../../src/shared/pinning-mode.js';

describe('pinningModesOf', () => {
  it('is warn for every server without a config', () => {
    expect(pinningModesOf(undefined)).toEqual({ default: 'warn', servers: {} });
  });

  it("takes the file's top-level pinning, and each server's own over it", () => {
    const config = {
      pinning: 'enforce' as const,
      servers: { a: {}, b: { pinning: 'off' as const }, c: { pinning: 'warn' as const } },
    };
    expect(pinningModesOf(config)).toEqual({ default: 'enforce', servers: { b: 'off', c: 'warn' } });
  });
});
