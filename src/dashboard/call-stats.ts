/**
 * Call rate and latency per backend over a rolling window (by default the last 5 minutes in 10-second buckets),
 * computed from call events. Memory is bounded: a fixed ring of buckets per backend, and backends with no call in
 * the window are forgotten.
 */

/** One bucket of one backend: how many calls ended in it, how many failed, and their durations. */
export interface BucketStats {
  /** Start of the bucket, ms since the epoch. */
  readonly at: number;
  readonly calls: number;
  readonly failures: number;
  /** Mean duration of its calls in ms; 0 without calls. */
  readonly meanMs: number;
  readonly maxMs: number;
}

/** A backend's series, oldest bucket first, one entry per bucket of the window (empty ones included). */
export interface BackendSeries {
  readonly server: string;
  readonly buckets: readonly BucketStats[];
}

/** The window's shape. */
export interface WindowOptions {
  readonly bucketMs: number;
  readonly buckets: number;
}

/** 30 buckets of 10 s: the last 5 minutes. */
export const DEFAULT_WINDOW: WindowOptions = { bucketMs: 10_000, buckets: 30 };

interface Bucket {
  at: number;
  calls: number;
  failures: number;
  totalMs: number;
  maxMs: number;
}

/** The rolling window of every backend that had calls in it. */
export class CallStats {
  private readonly series = new Map<string, Bucket[]>();

  constructor(private readonly window: WindowOptions = DEFAULT_WINDOW) {}

  /** Counts one call of `server` that ended at `at` (ms since the epoch). */
  record(server: string, at: number, durationMs: number, failed: boolean): void {
    const start = this.bucketStart(at);
    let buckets = this.series.get(server);
    if (!buckets) this.series.set(server, (buckets = []));
    let bucket = buckets.findLast((candidate) => candidate.at === start);
    if (!bucket) {
      // Calls end almost in order; one that ends in a bucket already left behind is not counted.
      if ((buckets.at(-1)?.at ?? -Infinity) > start) return;
      bucket = { at: start, calls: 0, failures: 0, totalMs: 0, maxMs: 0 };
      buckets.push(bucket);
      if (buckets.length > this.window.buckets) buckets.shift();
    }
    bucket.calls += 1;
    if (failed) bucket.failures += 1;
    bucket.totalMs += durationMs;
    bucket.maxMs = Math.max(bucket.maxMs, durationMs);
  }

  /** Every backend's series as of `now`, empty buckets filled in; backends idle for the whole window are dropped. */
  snapshot(now: number): BackendSeries[] {
    const { bucketMs, buckets: count } = this.window;
    const newest = this.bucketStart(now);
    const oldest = newest - (count - 1) * bucketMs;
    const result: BackendSeries[] = [];
    for (const [server, buckets] of this.series) {
      const kept = buckets.filter((bucket) => bucket.at >= oldest);
      if (kept.length === 0) {
        this.series.delete(server);
        continue;
      }
      const byStart = new Map(kept.map((bucket) => [bucket.at, bucket]));
      const filled: BucketStats[] = [];
      for (let at = oldest; at <= newest; at += bucketMs) {
        const bucket = byStart.get(at);
        filled.push(
          bucket
            ? {
                at,
                calls: bucket.calls,
                failures: bucket.failures,
                meanMs: bucket.totalMs / bucket.calls,
                maxMs: bucket.maxMs,
              }
            : { at, calls: 0, failures: 0, meanMs: 0, maxMs: 0 },
        );
      }
      result.push({ server, buckets: filled });
    }
    return result;
  }

  private bucketStart(at: number): number {
    return Math.floor(at / this.window.bucketMs) * this.window.bucketMs;
  }
}
