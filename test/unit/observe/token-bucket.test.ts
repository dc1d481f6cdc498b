import { describe, expect, it } from 'vitest';

import { TokenBucket } from '../../../src/observe/token-bucket.js';

/** A clock moved by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('TokenBucket', () => {
  it('gives a whole minute of tokens at once, then refuses with the time until the next one', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(60, clock.now);
    for (let i = 0; i < 60; i++) expect(bucket.take()).toBe(0);
    // 60 per minute: one token each second.
    expect(bucket.take()).toBe(1000);
    clock.advance(400);
    expect(bucket.take()).toBe(600);
  });

  it('refills evenly, never beyond its size', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(6, clock.now);
    for (let i = 0; i < 6; i++) bucket.take();
    clock.advance(10_000);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
    clock.advance(10 * 60_000);
    expect(bucket.isFull()).toBe(true);
    for (let i = 0; i < 6; i++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(10_000);
  });

  it('takes nothing when it refuses, and takes back a token given back', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, clock.now);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(60_000);
    expect(bucket.take()).toBe(60_000);
    bucket.giveBack();
    expect(bucket.take()).toBe(0);
  });
});
