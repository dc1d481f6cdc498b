/**
 * Slows down guessing of the token on the dashboard's login form: after a few failed logins from one address in a
 * minute, that address is refused (429 with `Retry-After`) until the minute is over, the right token included. The
 * addresses followed are bounded (the oldest goes first), so a flood of addresses cannot grow the gateway's memory.
 */

/** Failed logins one address may make in a window. */
export const MAX_FAILED_LOGINS = 5;
/** The window, in ms. */
export const LOGIN_WINDOW_MS = 60_000;
const MAX_ADDRESSES = 1000;

/** The failed logins of the last window, by address. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; readonly resetAt: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** How many ms `address` must wait before it may try again; 0 when it may try now. */
  waitMs(address: string): number {
    const entry = this.current(address);
    return entry && entry.count >= MAX_FAILED_LOGINS ? entry.resetAt - this.clock() : 0;
  }

  /** Counts a failed login of `address`. */
  failed(address: string): void {
    const entry = this.current(address);
    if (entry) {
      entry.count += 1;
      return;
    }
    if (this.failures.size >= MAX_ADDRESSES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(address, { count: 1, resetAt: this.clock() + LOGIN_WINDOW_MS });
  }

  /** Forgets the failures of `address` (it logged in). */
  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string): { count: number; readonly resetAt: number } | undefined {
    const entry = this.failures.get(address);
    if (entry && entry.resetAt <= this.clock()) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
