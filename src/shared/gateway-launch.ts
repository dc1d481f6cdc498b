/**
 * Recognizes a command line that starts this gateway. `mcp-gateway import` leaves such an entry out of what it
 * imports, and the gateway can refuse a backend entry that would start another gateway on a config it is already
 * serving (a loop that would spawn gateways until something runs out).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The npm package name, as `npx` and `npm exec` are given it (optionally `@version`). */
export const GATEWAY_PACKAGE_NAME = 'mcp-multi-server-gateway';

/** The name of the bin the package installs. */
export const GATEWAY_BIN_NAME = 'mcp-gateway';

/**
 * Absolute path of this package's built bin. The relative URL reaches `dist/cli.js` both from `dist/shared/`
 * (the installed package) and from `src/shared/` (tests running the sources).
 */
export const GATEWAY_CLI_PATH: string = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** A command line as a client or a config would start it. */
export interface LaunchCommand {
  /** The executable, as written (a name looked up on PATH, or a path). */
  readonly command: string;
  /** Its arguments, already split into words. */
  readonly args: readonly string[];
  /** The folder it runs in: relative paths in the arguments resolve against it. */
  readonly cwd: string;
}

/** What {@link detectGatewayLaunch} found. */
export type GatewayLaunch =
  | { readonly launchesGateway: false }
  | {
      readonly launchesGateway: true;
      /** The absolute path of the file given to `--auto-register`, or undefined when there is none. */
      readonly autoRegister: string | undefined;
    };

const NAMES = new Set([GATEWAY_BIN_NAME, GATEWAY_PACKAGE_NAME]);
/** Extensions a launcher of the bin may have: npm's Windows shims, or the script itself. */
const LAUNCHER_EXTENSION = /\.(?:cmd|bat|ps1|exe|js|mjs)$/;
/** Folders npm links bins into (`<prefix>/bin`, `node_modules/.bin`, `%APPDATA%\npm`). */
const BIN_FOLDERS = new Set(['bin', '.bin', 'npm']);
const AUTO_REGISTER = '--auto-register';

/**
 * Whether `launch` starts this gateway and, if so, which config file it passes to `--auto-register` (both
 * `--auto-register FILE` and `--auto-register=FILE`; the last one wins, as on the gateway's command line), resolved
 * against `launch.cwd`.
 *
 * The gateway is recognized when the command is its bin (`mcp-gateway`, `mcp-gateway.cmd`, a path to it) or when
 * an argument names it: the bin name, the package name with or without `@version` (also as `--package=...`), a bin
 * link under `bin/` or `node_modules/.bin/`, the `dist/cli.js` of an installed copy or a checkout, or
 * `ownCliPath` (default: this package's own `dist/cli.js`). Only the arguments after that point are read for
 * `--auto-register`, so that a wrapper's own flags are not taken for the gateway's.
 */
export function detectGatewayLaunch(
  launch: LaunchCommand,
  ownCliPath: string = GATEWAY_CLI_PATH,
): GatewayLaunch {
  const paths = pathApiFor(launch.cwd);
  const names = (word: string): boolean => namesGateway(word, launch.cwd, ownCliPath, paths);
  let start: number;
  if (isGatewayCommand(launch.command) || names(launch.command)) {
    start = 0;
  } else {
    const index = launch.args.findIndex(names);
    if (index === -1) return { launchesGateway: false };
    start = index + 1;
  }
  const file = findAutoRegister(launch.args.slice(start));
  return {
    launchesGateway: true,
    autoRegister: file === undefined ? undefined : paths.resolve(launch.cwd, file),
  };
}

/** The command itself is the bin, under any folder and with any launcher extension. */
function isGatewayCommand(command: string): boolean {
  const base = lastSegment(command).replace(LAUNCHER_EXTENSION, '');
  return NAMES.has(base);
}

function namesGateway(word: string, cwd: string, ownCliPath: string, paths: path.PlatformPath): boolean {
  const slashed = word.replaceAll('\\', '/').toLowerCase();
  const spec = slashed.startsWith('--package=') ? slashed.slice('--package='.length) : slashed;
  if (
    spec === GATEWAY_BIN_NAME ||
    spec === GATEWAY_PACKAGE_NAME ||
    spec.startsWith(`${GATEWAY_PACKAGE_NAME}@`)
  ) {
    return true;
  }
  // Anything else must be a path: a bare word such as a folder name is not enough to call it the gateway.
  if (!slashed.includes('/')) return false;
  const segments = slashed.split('/');
  const base = (segments.at(-1) ?? '').replace(LAUNCHER_EXTENSION, '');
  if (NAMES.has(base) && BIN_FOLDERS.has(segments.at(-2) ?? '')) return true;
  if (slashed.endsWith('/dist/cli.js') && NAMES.has(segments.at(-3) ?? '')) return true;
  return samePath(paths.resolve(cwd, word), ownCliPath, paths);
}

function findAutoRegister(args: readonly string[]): string | undefined {
  let file: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === AUTO_REGISTER) {
      file = args[index + 1];
      index += 1;
    } else if (arg.startsWith(`${AUTO_REGISTER}=`)) {
      file = arg.slice(AUTO_REGISTER.length + 1);
    }
  }
  return file === '' ? undefined : file;
}

function lastSegment(file: string): string {
  return (file.replaceAll('\\', '/').split('/').at(-1) ?? '').toLowerCase();
}

/** Windows paths (`C:\...`, `\\server\share`) are resolved the Windows way whatever the platform running this. */
function pathApiFor(cwd: string): path.PlatformPath {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(cwd) ? path.win32 : path;
}

function samePath(a: string, b: string, paths: path.PlatformPath): boolean {
  const left = paths.normalize(a);
  const right = paths.normalize(b);
  // Windows file names are case-insensitive.
  if (paths === path.win32) return left.toLowerCase() === right.toLowerCase();
  // A link to the bin (npm's `node_modules/.bin/mcp-gateway`, a copy under another name) is the bin too.
  if (left === right) return true;
  const real = realPath(left);
  return real !== undefined && real === realPath(right);
}

function realPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    // No such file here: only the path itself can match.
    return undefined;
  }
}
