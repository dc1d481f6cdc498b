/**
 * The HTTP sessions: who owns each one, whether a request is using it, and when it has been idle long enough to
 * close. Session ids come from the client, so they are only ever `Map` keys: `__proto__` is a string like another.
 */
import type { Principal } from './bearer-auth.js';

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions<T> {
  /** A session with no request in progress for this long is removed and handed to `onIdle`. */
  readonly idleMs: number;
  /** Frees an idle session's resources; it is already out of the store. */
  readonly onIdle: (value: T) => void;
}

/** A session taken for one request; `release()` when that request is over (calling it twice is harmless). */
export interface AcquiredSession<T> {
  readonly value: T;
  release(): void;
}

interface Entry<T> {
  readonly value: T;
  readonly owner: Principal;
  active: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/** Sessions by id, each bound to the principal that opened it and closed after a time without requests. */
export class SessionStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly options: SessionStoreOptions<T>) {}

  /** Number of open sessions. */
  get size(): number {
    return this.entries.size;
  }

  /** Every session id. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** The session with this id, whoever owns it, without marking it busy. */
  peek(id: string): T | undefined {
    return this.entries.get(id)?.value;
  }

  /** Adds a session, busy with the request that opened it. */
  add(id: string, value: T, owner: Principal): AcquiredSession<T> {
    const entry: Entry<T> = { value, owner, active: 0, idleTimer: undefined };
    this.entries.set(id, entry);
    return this.take(id, entry);
  }

  /**
   * The session for a request made by `owner`, marked busy until released; undefined when the id is unknown or
   * the session belongs to another principal (the caller cannot tell which: both are "not found").
   */
  acquire(id: string, owner: Principal): AcquiredSession<T> | undefined {
    const entry = this.entries.get(id);
    if (entry?.owner !== owner) return undefined;
    return this.take(id, entry);
  }

  /** Removes a session and returns it; undefined when it was not there. */
  delete(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.idleTimer);
    this.entries.delete(id);
    return entry.value;
  }

  private take(id: string, entry: Entry<T>): AcquiredSession<T> {
    entry.active += 1;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    let released = false;
    return {
      value: entry.value,
      release: () => {
        if (released) return;
        released = true;
        entry.active -= 1;
        if (entry.active === 0 && this.entries.get(id) === entry) this.scheduleIdle(id, entry);
      },
    };
  }

  private scheduleIdle(id: string, entry: Entry<T>): void {
    entry.idleTimer = setTimeout(() => {
      if (this.entries.get(id) !== entry || entry.active > 0) return;
      this.entries.delete(id);
      this.options.onIdle(entry.value);
    }, this.options.idleMs);
    // An idle session must not keep the process alive on its own.
    entry.idleTimer.unref();
  }
}
