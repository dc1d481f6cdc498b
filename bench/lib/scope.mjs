/**
 * Ownership of everything a section starts (processes, clients), so that all of it is closed after the section,
 * also when it fails, and when the run is interrupted: a benchmark must never leave processes behind.
 */

/** Every scope not yet closed, for the interrupt handler of run.mjs. */
const openScopes = new Set();

/** A stack of close functions, run newest first. */
export class Scope {
  /** @type {Array<{ label: string, close: () => Promise<void> | void }>} */
  #closers = [];

  constructor() {
    openScopes.add(this);
  }

  /**
   * Registers something to close; returns a function that closes it now and forgets it.
   * @param {string} label named in the warning when closing fails
   * @param {() => Promise<void> | void} close
   * @returns {() => Promise<void>}
   */
  add(label, close) {
    const entry = { label, close };
    this.#closers.push(entry);
    return async () => {
      const index = this.#closers.indexOf(entry);
      if (index === -1) return;
      this.#closers.splice(index, 1);
      await entry.close();
    };
  }

  /**
   * Closes everything registered, newest first; a failure is reported and does not stop the others.
   * @returns {Promise<void>}
   */
  async close() {
    openScopes.delete(this);
    while (this.#closers.length > 0) {
      const { label, close } = this.#closers.pop();
      try {
        await close();
      } catch (error) {
        console.error(`bench: could not close ${label}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
}

/**
 * Closes every open scope (on SIGINT or a fatal error).
 * @returns {Promise<void>}
 */
export async function closeAllScopes() {
  await Promise.all([...openScopes].map((scope) => scope.close()));
}
