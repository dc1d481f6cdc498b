/**
 * The pin state file on disk: where it is (`<state dir>/pins.json`, the state dir by default `.mcp-gateway/`
 * beside the config file), reading it, and changing it safely when two processes write it: under a lock, re-read
 * before each change, written whole to a temporary file renamed over it, readable by its owner only.
 *
 * The lock is a file beside it (`pins.json.lock`), held for the few milliseconds of a read, change and write; one
 * left behind by a process that died is taken over once it is stale.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { GatewayError } from '../errors/gateway-error.js';
import { emptyPinState, invalidState, parsePinState, serializePinState, type PinState } from './pin-state.js';

/** The state folder's name when not given: beside the config file, else in the working directory. */
export const DEFAULT_STATE_DIR_NAME = '.mcp-gateway';
/** The pin state file's name in the state folder. */
export const PINS_FILE_NAME = 'pins.json';

/** Where the state folder is: `stateDir` when given, else `.mcp-gateway` beside the config file, else in `cwd`. */
export function resolveStateDir(options: {
  readonly stateDir?: string | undefined;
  readonly configFile?: string | undefined;
  readonly cwd: string;
}): string {
  if (options.stateDir !== undefined) return path.resolve(options.cwd, options.stateDir);
  const base =
    options.configFile === undefined
      ? options.cwd
      : path.dirname(path.resolve(options.cwd, options.configFile));
  return path.join(base, DEFAULT_STATE_DIR_NAME);
}

/** The pin state file of one state folder. */
export class PinFile {
  /** The file's absolute path. */
  readonly path: string;
  private readonly lockPath: string;

  constructor(readonly dir: string) {
    this.path = path.join(dir, PINS_FILE_NAME);
    this.lockPath = `${this.path}.lock`;
  }

  /**
   * The state in the file; a missing file (or folder) is an empty state.
   *
   * @throws GatewayError `invalid_state` when the file cannot be read or is not a valid pin state, saying what to do.
   */
  async read(): Promise<PinState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return emptyPinState();
      throw invalidState(this.path, `it cannot be read (${code ?? String(error)})`);
    }
    return parsePinState(text, this.path);
  }

  /**
   * Reads the file, applies `change` and writes the result, all under the lock, so that a change made meanwhile by
   * another process is kept. The folder is created (readable by its owner only) when missing; nothing is written
   * when `change` changed nothing. Resolves with the state as written.
   *
   * @throws GatewayError `invalid_state` when the file cannot be read, parsed or written.
   */
  async update(change: (state: PinState) => void): Promise<PinState> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw cannotWrite(this.path, error);
    }
    return withFileLock(this.lockPath, async () => {
      const state = await this.read();
      const before = serializePinState(state);
      change(state);
      const text = serializePinState(state);
      if (text !== before) await this.write(text);
      return state;
    });
  }

  /** Writes the whole file at once: a reader sees the old file or the new one, never half of one. */
  private async write(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        // On disk before the rename, so that a crash leaves the old file or the new one, never an empty one.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw cannotWrite(this.path, error);
    }
  }
}

function cannotWrite(file: string, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new GatewayError(
    'invalid_state',
    `pin state file ${file}: cannot be written (${code}); give --state-dir a folder this user can write`,
    { cause: error },
  );
}

/** A lock older than this was left by a process that died (a holder keeps it for milliseconds). */
const STALE_MS = 10_000;
/** How long to wait for a lock held by a live process before giving up. */
const WAIT_MS = 5_000;
/** Pause between two attempts. */
const RETRY_MS = 15;

/** Runs `work` while holding the lock file `lockPath` (created with the holder's pid in it, removed after). */
async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await tryLock(lockPath)) break;
    if (await isStale(lockPath)) {
      // Another waiter may take the stale lock over first: it is removed once, then both race for a new one.
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new GatewayError(
        'invalid_state',
        `${lockPath} has been held by another process for over ${WAIT_MS / 1000} s; if no mcp-gateway is ` +
          'writing pins now, remove that file',
      );
    }
    await delay(RETRY_MS);
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function tryLock(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > STALE_MS;
  } catch {
    // Gone since: not stale, free; the next attempt takes it.
    return false;
  }
}
