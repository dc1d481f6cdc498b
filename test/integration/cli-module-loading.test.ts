/**
 * What the bin loads: a module load hook records every module `node dist/cli.js` loads, so that a stdio gateway
 * (and `--version`) provably never loads the HTTP front door or an SDK transport it does not use.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI_PATH, PROJECT_ROOT } from '../helpers/gateway-process.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/**
 * SDK transports that live in modules of their own: stdio (client or server side) and the Node HTTP server
 * transport. (The client's HTTP transports share its main module.)
 */
const SDK_TRANSPORT = /@modelcontextprotocol\/((client|server)\/dist\/stdio\.mjs$|node\/)/;
/** The gateway's own HTTP front door (its constants, which the command line reads, are fine). */
const HTTP_FRONT_DOOR =
  /\/dist\/transports\/http\/(serve-http|mcp-endpoint|session-store|read-json-body)\.js$/;

/** The cluster's Redis side, loaded only with --redis. */
const CLUSTER = /\/node_modules\/ioredis\/|\/dist\/cluster\/(start-cluster|cluster-store)\.js$/;

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('module-loading-');
  await writeFile(
    path.join(dir, 'hooks.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function load(url, context, next) {',
      '  appendFileSync(process.env.LOADED_MODULES_LOG, `${url}\\n`);',
      '  return next(url, context);',
      '}',
    ].join('\n'),
  );
  await writeFile(
    path.join(dir, 'register.mjs'),
    "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
  );
});

afterAll(async () => {
  await removeTempDir(dir);
});

/** Runs the bin with `args` (stdin closed at once) and returns the URLs of the modules it loaded. */
async function loadedModules(
  args: readonly string[],
  log: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', path.join(dir, 'register.mjs'), CLI_PATH, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, LOADED_MODULES_LOG: path.join(dir, log) },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end();
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
  return (await readFile(path.join(dir, log), 'utf8')).split('\n').filter((line) => line !== '');
}

describe('the modules the bin loads', () => {
  it('for --version: no SDK transport and no HTTP front door', async () => {
    const loaded = await loadedModules(['--version'], 'version.txt');

    expect(loaded.some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
    expect(loaded.some((url) => url.includes('@modelcontextprotocol/server/'))).toBe(true);
    expect(loaded.filter((url) => SDK_TRANSPORT.test(url) || HTTP_FRONT_DOOR.test(url))).toEqual([]);
    expect(loaded.filter((url) => CLUSTER.test(url))).toEqual([]);
  });

  it('for a stdio gateway that serves until stdin ends: its own line transport under the SDK stdio entry, no HTTP', async () => {
    const loaded = await loadedModules(['--log-level', 'silent'], 'stdio.txt');

    expect(loaded.some((url) => url.endsWith('/dist/transports/stdio-server-transport.js'))).toBe(true);
    // The SDK's stdio entry (`serveStdio`, which tells the eras apart) runs on the gateway's own transport.
    const sdkStdioEntry = /@modelcontextprotocol\/server\/dist\/stdio\.mjs$/;
    expect(loaded.some((url) => sdkStdioEntry.test(url))).toBe(true);
    expect(
      loaded.filter(
        (url) => (SDK_TRANSPORT.test(url) && !sdkStdioEntry.test(url)) || HTTP_FRONT_DOOR.test(url),
      ),
    ).toEqual([]);
    expect(loaded.filter((url) => CLUSTER.test(url))).toEqual([]);
  });

  it('for a plain stdio gateway (no --admin-port, no OTEL_* variables): no OpenTelemetry module', async () => {
    const plain = Object.fromEntries(
      Object.keys(process.env)
        .filter((name) => name.startsWith('OTEL_'))
        .map((name) => [name, undefined]),
    );
    const loaded = await loadedModules(['--log-level', 'silent'], 'plain.txt', plain);

    expect(loaded.some((url) => url.endsWith('/dist/observability.js'))).toBe(true);
    expect(loaded.filter((url) => url.includes('@opentelemetry'))).toEqual([]);
    expect(
      loaded.filter((url) => url.includes('/dist/observe/telemetry/') && !url.endsWith('/otel-settings.js')),
    ).toEqual([]);
  });

  it('for a stdio gateway with --admin-port: OpenTelemetry is loaded, the metrics served from the start', async () => {
    const loaded = await loadedModules(['--log-level', 'silent', '--admin-port', '0'], 'admin.txt');

    expect(loaded.some((url) => url.includes('@opentelemetry/sdk-metrics'))).toBe(true);
    expect(loaded.some((url) => url.endsWith('/dist/observe/telemetry/start-telemetry.js'))).toBe(true);
    // No trace exporter was asked for.
    expect(loaded.filter((url) => url.includes('@opentelemetry/exporter-trace'))).toEqual([]);
  });
});
