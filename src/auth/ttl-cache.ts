/**
 * A cache bounded in time and in size: each entry has its own expiry, and past `maxEntries` the oldest entry goes
 * (a Map keeps insertion order). Small and synchronous: it sits on the request path.
 */

/** A bounded cache of values by string key. */
export class TtlCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value, when present and not expired. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` until `expiresAt` (ms since the epoch); nothing is kept for a time already past. */
  set(key: string, value: T, expiresAt: number): void {
    this.entries.delete(key);
    if (expiresAt <= this.now()) return;
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Number of entries held (expired ones included until read). */
  get size(): number {
    return this.entries.size;
  }
}
