/**
 * Order statistics of latency samples. Percentiles interpolate linearly between the two nearest ranks, so that
 * p99 of 2,000 samples is not simply the 20th-slowest call.
 */

/**
 * The p-th percentile of already sorted values.
 * @param {readonly number[]} sorted ascending
 * @param {number} p 0..100
 * @returns {number} NaN when there are no values
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/**
 * The median of values in any order.
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/**
 * Count, mean, min, max and the usual latency percentiles of samples in any order.
 * @param {readonly number[]} samples
 * @returns {{ count: number, mean: number, min: number, p50: number, p95: number, p99: number, max: number }}
 */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
