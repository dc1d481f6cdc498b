/**
 * The Node.js that runs the conformance suite's CLI. `@modelcontextprotocol/conformance` 0.2 needs Node 22 or later,
 * while the gateway (and the test runner) keep running on the Node the project supports, 20.19 and up. Only the
 * suite's CLI runs on the Node found here.
 *
 * Where it comes from, first match wins:
 * 1. `MCP_GATEWAY_CONFORMANCE_NODE`: the path of a Node binary (22 or later), for machines that have one.
 * 2. The running Node, when it is 22 or later (CI's second and third runs).
 * 3. The npm registry: the package `node-<platform>-<arch>` (the official binary, as the `node` package ships it)
 *    installed on demand into `node_modules/.cache/mcp-gateway-conformance-node/`, once. Not a devDependency: each of
 *    those packages installs on one platform only, and `npm ci` would fail on the others.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The environment variable naming a Node binary for the suite. */
export const SUITE_NODE_VARIABLE = 'MCP_GATEWAY_CONFORMANCE_NODE';

/** The oldest major version of Node the suite's CLI runs on. */
export const SUITE_NODE_MAJOR = 22;

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The package that ships this platform's Node binary. */
const PACKAGE = `node-${process.platform}-${process.arch}`;
/** Where the on-demand install goes; under node_modules, so that a clean install starts over. */
const CACHE = path.join(ROOT, 'node_modules/.cache/mcp-gateway-conformance-node');
const CACHED_BINARY = path.join(CACHE, 'node_modules', PACKAGE, 'bin/node');

/** The major version of the Node binary at `binary`, or undefined when it does not run. */
function majorOf(binary: string): number | undefined {
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return Number(/^v(\d+)\./.exec(version.trim())?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * The Node binary for the suite, if one is at hand without installing anything (steps 1 and 2 above, or an
 * earlier install).
 *
 * @throws When `MCP_GATEWAY_CONFORMANCE_NODE` names a binary that does not run or is older than Node 22: a wrong
 *   setting is reported, never worked around.
 */
export function findSuiteNode(): string | undefined {
  const configured = process.env[SUITE_NODE_VARIABLE];
  if (configured) {
    const major = majorOf(configured);
    if (major === undefined || major < SUITE_NODE_MAJOR) {
      throw new Error(
        `${SUITE_NODE_VARIABLE}=${configured} is not a Node ${SUITE_NODE_MAJOR} or later (found ${major ?? 'nothing that runs'})`,
      );
    }
    return configured;
  }
  if (Number(process.versions.node.split('.')[0]) >= SUITE_NODE_MAJOR) return process.execPath;
  if (existsSync(CACHED_BINARY) && (majorOf(CACHED_BINARY) ?? 0) >= SUITE_NODE_MAJOR) return CACHED_BINARY;
  return undefined;
}

/**
 * The Node binary for the suite, installing it from the npm registry first when none is at hand (about 5 seconds and
 * 190 MB, once per clone). The install goes to a fresh folder that is then renamed into place, so two test runs that
 * install at once cannot leave a half-written binary behind: the one that loses the rename uses the winner's.
 *
 * @returns The path of a Node binary, major version 22 or later.
 */
export async function ensureSuiteNode(): Promise<string> {
  const found = findSuiteNode();
  if (found) return found;
  await mkdir(path.dirname(CACHE), { recursive: true });
  const staging = await mkdtemp(`${CACHE}-`);
  try {
    await run(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `${PACKAGE}@${SUITE_NODE_MAJOR}`,
      ],
      { cwd: staging, timeout: 300_000 },
    );
    try {
      await rename(staging, CACHE);
    } catch {
      // The folder is there: another run renamed its install into place first (keep it, it may be running), or an
      // old install is broken (replace it).
      if ((majorOf(CACHED_BINARY) ?? 0) < SUITE_NODE_MAJOR) {
        await rm(CACHE, { recursive: true, force: true });
        await rename(staging, CACHE);
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const installed = findSuiteNode();
  if (!installed) {
    throw new Error(
      `installing ${PACKAGE}@${SUITE_NODE_MAJOR} gave no working Node at ${CACHED_BINARY}; ` +
        `set ${SUITE_NODE_VARIABLE} to a Node ${SUITE_NODE_MAJOR}+ binary`,
    );
  }
  return installed;
}
