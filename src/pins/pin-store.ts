/**
 * A running gateway's pin state: the file's state with the gateway's own changes applied at once in memory (a
 * catalog refresh decides from it without waiting for a disk), and written in the background. Each change is queued
 * as a {@link PinMutation} and applied to a fresh read of the file under its lock, so that what another process
 * wrote meanwhile (`mcp-gateway pins approve`) is kept. The file is watched: a change made by another process is
 * read back, and `onSync` hears the state before and after.
 */
import { watch, type FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { PinFile } from './pin-file.js';
import type { PinMutation } from './pin-mutations.js';
import { emptyPinState, type PinState } from './pin-state.js';

/** A burst of file events (the rename of an atomic write, two writes in a row) is read once, after this pause. */
const QUIET_MS = 30;

/** The state in force, kept in memory and in the file. */
export class PinStore {
  private state: PinState;
  private readonly queue: PinMutation[] = [];
  private writing: Promise<void> | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The last failure to read or write the file, said once until it changes or clears. */
  private problem: string | undefined;

  private constructor(
    private readonly file: PinFile | undefined,
    initial: PinState,
    private readonly logger: Logger,
    private readonly onSync: (previous: PinState, next: PinState) => void,
  ) {
    this.state = initial;
  }

  /**
   * Reads the file (`file` undefined: memory only, nothing read or written) and watches it when its folder exists
   * (else once the first write has made it).
   *
   * @throws GatewayError `invalid_state` when the file exists but cannot be read or used: the caller must not start
   *   over it (that would pin every definition afresh).
   */
  static async open(
    file: PinFile | undefined,
    logger: Logger,
    onSync: (previous: PinState, next: PinState) => void,
  ): Promise<PinStore> {
    const store = new PinStore(file, file ? await file.read() : emptyPinState(), logger, onSync);
    await store.startWatching();
    return store;
  }

  /** The state in force (the file's, with the changes not yet written). Read only: change it through {@link apply}. */
  get current(): PinState {
    return this.state;
  }

  /** The last failure to read or write the file, while it lasts. */
  get lastProblem(): string | undefined {
    return this.problem;
  }

  /** Applies `mutation` now in memory, and to the file soon. */
  apply(mutation: PinMutation): void {
    mutation(this.state);
    if (!this.file) return;
    this.queue.push(mutation);
    this.scheduleWrite();
  }

  /** Resolves once every change applied so far was written, or could not be (see {@link lastProblem}). */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stops watching, after writing what is queued. */
  async close(): Promise<void> {
    await this.flushed();
    this.closed = true;
    clearTimeout(this.timer);
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private async writeQueued(): Promise<void> {
    const file = this.file;
    try {
      while (file && this.queue.length > 0) {
        const batch = this.queue.slice();
        let written: PinState;
        try {
          written = await file.update((state) => batch.forEach((mutation) => mutation(state)));
        } catch (error) {
          // Kept queued: written with the next change, or when the file changes (it may have been fixed).
          this.report(`pins not saved (they hold in this process meanwhile): ${plainMessage(error)}`);
          return;
        }
        this.queue.splice(0, batch.length);
        this.clearProblem();
        this.sync(written);
        await this.startWatching();
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** The file's state, with the changes not yet in it applied on top, becomes the state in force. */
  private sync(fromFile: PinState): void {
    const next = structuredClone(fromFile);
    for (const mutation of this.queue) mutation(next);
    const previous = this.state;
    this.state = next;
    this.onSync(previous, next);
  }

  private async startWatching(): Promise<void> {
    if (!this.file || this.watcher || this.closed || !existsSync(this.file.dir)) return;
    // The folder, not the file: each write (ours or `pins approve`'s) renames a new file over it, and a watch on the
    // file itself can lose the next rename while it follows the last one.
    const dir = path.resolve(this.file.dir);
    const file = path.resolve(this.file.path);
    const watcher = watch(dir, {
      ignoreInitial: true,
      persistent: false,
      depth: 0,
      ignored: (entry: string) => entry !== dir && entry !== file,
    });
    this.watcher = watcher;
    const changed = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.readBack(), QUIET_MS);
    };
    // `add`: the rename of an atomic write, or the file made anew after it was removed.
    watcher.on('change', changed).on('add', changed).on('unlink', changed);
    watcher.on('error', (error) => this.report(`watching the pin state file failed: ${plainMessage(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  /** After the file changed: its state becomes the one in force; one that cannot be read leaves the state as it is. */
  private async readBack(): Promise<void> {
    if (!this.file || this.closed) return;
    await this.flushed();
    let fromFile: PinState;
    try {
      fromFile = await this.file.read();
    } catch (error) {
      this.report(
        `the pins in force stay, and are not saved until the file is fixed: ${plainMessage(error)}`,
      );
      return;
    }
    this.clearProblem();
    this.sync(fromFile);
    if (this.queue.length > 0) this.scheduleWrite();
  }

  /** Writes the queue after the current turn (the changes of one catalog refresh make one write). */
  private scheduleWrite(): void {
    // Set before the write starts, so that its end (which clears it) always comes after.
    this.writing ??= Promise.resolve().then(() => this.writeQueued());
  }

  private report(problem: string): void {
    if (problem === this.problem) return;
    this.problem = problem;
    this.logger.error(problem);
  }

  private clearProblem(): void {
    if (this.problem === undefined) return;
    this.problem = undefined;
    this.logger.info('the pin state file is readable and written again');
  }
}
