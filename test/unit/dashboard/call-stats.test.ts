import { describe, expect, it } from 'vitest';

import { CallStats } from '../../../src/dashboard/call-stats.js';

describe('the rolling call statistics', () => {
  const window = { bucketMs: 1000, buckets: 5 };

  it('counts calls, failures and latency per bucket, empty buckets filled in', () => {
    const stats = new CallStats(window);
    stats.record('a', 10_100, 4, false);
    stats.record('a', 10_900, 8, true);
    stats.record('a', 12_500, 2, false);
    const [series] = stats.snapshot(13_000);
    expect(series?.server).toBe('a');
    expect(series?.buckets.map((b) => [b.at, b.calls, b.failures, b.meanMs, b.maxMs])).toEqual([
      [9000, 0, 0, 0, 0],
      [10_000, 2, 1, 6, 8],
      [11_000, 0, 0, 0, 0],
      [12_000, 1, 0, 2, 2],
      [13_000, 0, 0, 0, 0],
    ]);
  });

  it('forgets what left the window, and backends idle for all of it', () => {
    const stats = new CallStats(window);
    stats.record('a', 1000, 1, false);
    stats.record('b', 5000, 1, false);
    expect(stats.snapshot(9000).map((series) => series.server)).toEqual(['b']);
    expect(stats.snapshot(20_000)).toEqual([]);
  });

  it('keeps at most one bucket per slot of the window, however many calls come', () => {
    const stats = new CallStats(window);
    for (let at = 0; at < 100_000; at += 10) stats.record('a', at, 1, false);
    const [series] = stats.snapshot(99_999);
    expect(series?.buckets).toHaveLength(5);
    expect(series?.buckets.every((bucket) => bucket.calls === 100)).toBe(true);
  });
});
