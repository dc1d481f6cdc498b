import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Refusal of a path that resolves outside the sandbox; the message is shown to the client as is. */
export class AccessDeniedError extends Error {
  constructor(requestedPath: string) {
    super(`Access denied: ${requestedPath} is outside the sandbox`);
    this.name = 'AccessDeniedError';
  }
}

/** Symlink hops followed before giving up, like the kernel's own limit. */
const MAX_SYMLINK_HOPS = 40;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The real path `target` would have once created: `realpath` of the existing part, plus the missing
 * rest. A dangling symlink is followed to where it points, so writing through it is judged by the
 * place the data would really land.
 */
async function realPathAllowingMissing(target: string, hops = 0): Promise<string> {
  try {
    return await realpath(target);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const stats = await lstat(target).catch(() => undefined);
  if (stats?.isSymbolicLink()) {
    if (hops >= MAX_SYMLINK_HOPS) throw new Error(`Too many levels of symbolic links: ${target}`);
    const linked = path.resolve(path.dirname(target), await readlink(target));
    return realPathAllowingMissing(linked, hops + 1);
  }
  const parent = path.dirname(target);
  if (parent === target) return target;
  return path.join(await realPathAllowingMissing(parent, hops), path.basename(target));
}

/** A directory the server may touch; every client-supplied path goes through {@link Sandbox.resolve}. */
export class Sandbox {
  private constructor(
    /** Real absolute path of the sandbox directory. */
    readonly root: string,
  ) {}

  /** Opens a sandbox on an existing directory, by its real path (symlinks in `dir` resolved). */
  static async open(dir: string): Promise<Sandbox> {
    const root = await realpath(dir);
    const stats = await lstat(root);
    if (!stats.isDirectory()) throw new Error(`${dir} is not a directory`);
    return new Sandbox(root);
  }

  /** Whether a real absolute path is the root or lies below it. */
  contains(realPath: string): boolean {
    const relative = path.relative(this.root, realPath);
    return (
      relative === '' ||
      (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
    );
  }

  /**
   * Real absolute path for a client path (relative to the sandbox, or absolute), which may not exist
   * yet. Throws {@link AccessDeniedError} when it resolves outside the sandbox, through `..`, an
   * absolute path or a symlink; the real path is returned so that later file operations do not
   * follow links again.
   */
  async resolve(requestedPath: string): Promise<string> {
    const candidate = path.resolve(this.root, requestedPath);
    const real = await realPathAllowingMissing(candidate);
    if (!this.contains(real)) throw new AccessDeniedError(requestedPath);
    return real;
  }

  /** A real path inside the sandbox as the client sees it: relative, with `/` separators, `.` for the root. */
  display(realPath: string): string {
    return path.relative(this.root, realPath).split(path.sep).join('/') || '.';
  }
}
