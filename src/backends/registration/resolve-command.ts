/**
 * Finds the file a command names, the way the backend will be started: a name containing a slash is a path
 * (relative ones against the base folder), a bare name is looked up in the `PATH` directories, in order.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Where a command leads. */
export interface ResolvedCommand {
  /** The file that would be executed, as found (symbolic links kept: some programs look at their own name). */
  readonly path: string;
  /** The same file with every symbolic link resolved: what two commands are compared by. */
  readonly realPath: string;
}

/** Options of {@link resolveCommand}. */
export interface ResolveCommandOptions {
  /** Folder a relative path resolves against. */
  readonly baseDir: string;
  /** The `PATH` to search; default the gateway's own, which is also the one backends inherit. */
  readonly searchPath?: string | undefined;
}

/** The executable file `command` names, or undefined when there is none. */
export async function resolveCommand(
  command: string,
  options: ResolveCommandOptions,
): Promise<ResolvedCommand | undefined> {
  const candidates = command.includes('/')
    ? [path.resolve(options.baseDir, command)]
    : (options.searchPath ?? process.env.PATH ?? '')
        .split(path.delimiter)
        // An empty or relative PATH entry means "the current folder", which a caller could fill: never search it.
        .filter((dir) => path.isAbsolute(dir))
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return { path: candidate, realPath: await realpath(candidate) };
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    // Missing, unreadable or not executable: not this candidate.
    return false;
  }
}
