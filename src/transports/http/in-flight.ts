/**
 * Requests in progress, so that shutdown can let them finish (within a bound) before closing sessions.
 */
import type { ServerResponse } from 'node:http';

/** Counts responses until they finish or their connection closes. */
export class InFlightRequests {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  /** Number of requests in progress. */
  get size(): number {
    return this.count;
  }

  /** Counts `res` until its `close` event (sent in full, or connection gone). */
  track(res: ServerResponse): void {
    this.count += 1;
    res.once('close', () => {
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters) wake();
    });
  }

  /** Resolves `true` once no request is in progress, or `false` when `timeoutMs` passes first. */
  settle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (settled: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(settled);
      };
      const wake = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(wake);
    });
  }
}
