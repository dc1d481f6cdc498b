/**
 * Whether each local server's `command` names an executable, found the way the backend will be started: a bare
 * name on PATH (the server's own `env.PATH` when it sets one, as the child's lookup uses), `./x` and `../x` against
 * the config file's folder, any other relative path against the server's `cwd`. Also whether that `cwd` is a
 * folder. A disabled server's problems here are warnings: it is not started.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { toBackendSpec } from '../../backends/backend-spec.js';
import { ServerConfigSchema, type ServerConfig } from '../../backends/server-config.js';
import { canonicalConfigPath, describeSelfReference } from '../../backends/registration/config-chain.js';
import { resolveCommand } from '../../backends/registration/resolve-command.js';
import {
  formatJsonPath,
  isJsonObject,
  isPathWithin,
  type ConfigProblem,
} from '../../config/config-problem.js';
import { SERVER_SECTIONS, type Environment } from '../../config/expand-variables.js';

/** Where relative paths resolve and which PATH is searched. */
export interface CommandCheckOptions {
  /** The config file's folder. */
  readonly baseDir: string;
  /** The config file: an entry that would start a gateway on it is refused (it would start itself). */
  readonly file: string;
  /** The gateway's environment, whose PATH backends inherit. */
  readonly env: Environment;
}

/** The file as parsed, the same with variables expanded, and the problems already found in it. */
export interface CommandCheckInput {
  readonly written: unknown;
  readonly expanded: unknown;
  readonly problems: readonly ConfigProblem[];
}

/**
 * A problem for every server whose command or `cwd` leads nowhere. Servers the schema refuses, and fields whose
 * variables could not be expanded, are skipped: they are reported already.
 */
export async function checkCommands(
  input: CommandCheckInput,
  options: CommandCheckOptions,
): Promise<ConfigProblem[]> {
  if (!isJsonObject(input.written) || !isJsonObject(input.expanded)) return [];
  const checks: Promise<ConfigProblem | undefined>[] = [];
  for (const section of SERVER_SECTIONS) {
    const servers = input.expanded[section];
    const writtenServers = input.written[section];
    if (!isJsonObject(servers) || !isJsonObject(writtenServers)) continue;
    for (const [name, server] of Object.entries(servers)) {
      const parsed = ServerConfigSchema.safeParse(server);
      if (!parsed.success || parsed.data.command === undefined) continue;
      const at = [section, name];
      const unexpanded = ['command', 'cwd', 'env.PATH'].some((field) =>
        input.problems.some((problem) => isPathWithin(problem.path, formatJsonPath([...at, field]))),
      );
      if (unexpanded) continue;
      const written = writtenServers[name];
      checks.push(checkServer(at, name, parsed.data, isJsonObject(written) ? written : {}, options));
    }
  }
  const problems = await Promise.all(checks);
  return problems.filter((problem) => problem !== undefined);
}

async function checkServer(
  at: readonly string[],
  name: string,
  server: ServerConfig,
  writtenServer: Record<string, unknown>,
  options: CommandCheckOptions,
): Promise<ConfigProblem | undefined> {
  const severity = server.disabled === true ? 'warning' : 'error';
  const selfReference = checkSelfReference(name, server, options);
  if (selfReference !== undefined) return { severity, path: formatJsonPath(at), message: selfReference };
  // Arguments play no part here, and an argument string that cannot be split must not hide the command's problem.
  const spec = toBackendSpec(name, { ...server, args: undefined }, options.baseDir, {});
  if (server.cwd !== undefined && !(await isFolder(spec.cwd))) {
    const shown = describe(writtenServer.cwd, spec.cwd);
    return {
      severity,
      path: formatJsonPath([...at, 'cwd']),
      message: `${shown} is not a folder; create it, or fix "cwd" (a relative one starts from the config file's folder)`,
    };
  }
  const searchPath = server.env?.PATH ?? options.env.PATH ?? '';
  if (await resolveCommand(spec.command, { baseDir: spec.cwd, searchPath })) return undefined;
  const written = typeof writtenServer.command === 'string' ? writtenServer.command : spec.command;
  let message: string;
  if (!spec.command.includes('/')) {
    message = `${describe(written, spec.command)} was not found on PATH; install it, or give its path`;
  } else {
    const absolute = path.resolve(spec.cwd, spec.command);
    message = `${describe(written, absolute)} is not an executable file; fix the path${howRelative(server.command ?? '', spec.command)} or make the file executable`;
  }
  return { severity, path: formatJsonPath([...at, 'command']), message };
}

/** Why the server would start a gateway on this same file (and so itself, again and again), if it would. */
function checkSelfReference(
  name: string,
  server: ServerConfig,
  options: CommandCheckOptions,
): string | undefined {
  let spec;
  try {
    spec = toBackendSpec(name, server, options.baseDir, {});
  } catch {
    // Arguments that cannot be split are reported by the schema check; nothing to say about them here.
    return undefined;
  }
  return describeSelfReference(spec, [canonicalConfigPath(options.file)]);
}

/**
 * How a command or folder is named in a message: the resolved path, unless the file wrote it with variables (then
 * as written: a message never shows a variable's value).
 */
function describe(written: unknown, resolved: string): string {
  if (typeof written === 'string' && written.includes('${'))
    return `"${written}" (after expanding variables)`;
  return `"${resolved}"`;
}

/** Where a relative path was resolved from: `toBackendSpec` makes `./x` absolute against the config's folder. */
function howRelative(command: string, resolved: string): string {
  if (path.isAbsolute(command)) return '';
  return resolved !== command
    ? ' ("./" and "../" start from the config file\'s folder)'
    : ' (a relative path starts from the server\'s "cwd", by default the config file\'s folder)';
}

async function isFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    // Missing or unreadable: not a folder the backend can run in.
    return false;
  }
}
