/**
 * Drivers for the two load shapes of the benchmark: one call after another (latency) and a fixed number of calls
 * kept in flight (throughput).
 */

/**
 * Runs `call` `count` times, one after the other, and returns each call's duration in milliseconds.
 * @param {number} count
 * @param {(index: number) => Promise<unknown>} call
 * @returns {Promise<number[]>}
 */
export async function timeSequential(count, call) {
  const samples = Array.from({ length: count });
  for (let index = 0; index < count; index++) {
    const start = performance.now();
    await call(index);
    samples[index] = performance.now() - start;
  }
  return samples;
}

/**
 * Runs `call` for indexes 0..total-1 with `inFlight` calls outstanding at all times (a new call starts as soon
 * as one ends), and returns the elapsed time in milliseconds.
 * @param {number} total
 * @param {number} inFlight
 * @param {(index: number) => Promise<unknown>} call
 * @returns {Promise<number>}
 */
export async function runConcurrent(total, inFlight, call) {
  let next = 0;
  const worker = async () => {
    while (next < total) await call(next++);
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  return performance.now() - start;
}

/**
 * Times one async operation, in milliseconds.
 * @param {() => Promise<unknown>} operation
 * @returns {Promise<number>}
 */
export async function timeOnce(operation) {
  const start = performance.now();
  await operation();
  return performance.now() - start;
}
