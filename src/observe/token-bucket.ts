/**
 * A token bucket: `perMinute` tokens, refilled evenly (one every 60000 / perMinute ms), so that a client may spend
 * a whole minute's worth at once and then one at each refill. The clock is injected (tests move it by hand).
 */

/** Milliseconds since some fixed point; `performance.now` in production. */
export type Clock = () => number;

const MINUTE_MS = 60_000;

/** One bucket. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  /** Tokens per millisecond. */
  private readonly rate: number;

  constructor(
    /** Size of the bucket and tokens refilled per minute. */
    readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    this.tokens = perMinute;
    this.updatedAt = clock();
    this.rate = perMinute / MINUTE_MS;
  }

  /** Takes a token: 0 when one was there, else how many ms until one will be (and none is taken). */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.rate);
  }

  /** Gives back a token taken for a request that did not run after all (another limit refused it). */
  giveBack(): void {
    this.tokens = Math.min(this.perMinute, this.tokens + 1);
  }

  /** Whether the bucket is full, as a new one is: such a bucket can be forgotten. */
  isFull(): boolean {
    this.refill();
    return this.tokens >= this.perMinute;
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.perMinute, this.tokens + (now - this.updatedAt) * this.rate);
    this.updatedAt = now;
  }
}
