/**
 * Size of the gateway's `tools/list` in front of ten real backends (test/fixtures/backend-fleet.mjs: the official
 * filesystem, memory and everything servers beside the project's example servers), with `--expose all` and with
 * `--expose gateway`: what a client puts in its model's context before the first question.
 *
 * bytes = Buffer.byteLength(JSON.stringify(listToolsResult)); tokens = bytes / 4, the usual rough estimate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { FLEET_SIZE, writeFleetConfig } from '../../test/fixtures/backend-fleet.mjs';

const MODES = /** @type {const} */ (['all', 'gateway']);
/** How long the backends may take to be ready, and how often that is checked. */
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 50;

/**
 * @typedef {object} ToolListSizeRow
 * @property {'all' | 'gateway'} mode
 * @property {number} tools number of tools listed
 * @property {number} bytes bytes of the JSON of the tools/list result
 * @property {number} tokens bytes / 4, rounded
 */

/**
 * Starts the gateway once per expose mode with the ten backends, waits until every backend is ready (and, in `all`
 * mode, listed), and measures `tools/list`. Everything it starts is closed before it returns or throws.
 *
 * @param {{ projectRoot: string, quick?: boolean }} options `quick` changes nothing: one listing per mode is all
 *   there is to measure, and it is deterministic
 * @returns {Promise<{ backends: number, rows: ToolListSizeRow[] }>}
 */
export async function measureToolListSize({ projectRoot }) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-tool-list-'));
  try {
    const config = await writeFleetConfig({ projectRoot, dataDir });
    /** @type {ToolListSizeRow[]} */
    const rows = [];
    for (const mode of MODES) rows.push(await measureMode(projectRoot, config, mode));
    return { backends: FLEET_SIZE, rows };
  } finally {
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * @param {string} projectRoot
 * @param {string} config
 * @param {'all' | 'gateway'} mode
 * @returns {Promise<ToolListSizeRow>}
 */
async function measureMode(projectRoot, config, mode) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      path.join(projectRoot, 'dist/cli.js'),
      '--auto-register',
      config,
      '--expose',
      mode,
      '--log-level',
      'warn',
    ],
    cwd: projectRoot,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'bench-tool-list-size', version: '1.0.0' });
  try {
    await client.connect(transport);
    const result = await waitUntilListed(client, mode);
    const bytes = Buffer.byteLength(JSON.stringify(result));
    return { mode, tools: result.tools.length, bytes, tokens: Math.round(bytes / 4) };
  } finally {
    // Ends the gateway's stdin (then SIGTERM, then SIGKILL if it lingers); the gateway stops its backends.
    await client.close();
  }
}

/**
 * Polls until every backend is ready and, in `all` mode, has its tools in `tools/list`; resolves with that listing.
 * Configured backends are started before the gateway answers, so this normally succeeds at once.
 *
 * @param {Client} client
 * @param {'all' | 'gateway'} mode
 */
async function waitUntilListed(client, mode) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const servers = await listServers(client);
    const failed = servers.filter((server) => server.state === 'failed');
    if (failed.length > 0) {
      throw new Error(
        `backends failed to start: ${failed.map((server) => `${server.name} (${server.lastError})`)}`,
      );
    }
    const result = await client.listTools();
    const names = result.tools.map((tool) => tool.name);
    const ready = servers.length === FLEET_SIZE && servers.every((server) => server.state === 'ready');
    const listed =
      mode === 'gateway' ||
      servers.every((server) => names.some((name) => name.startsWith(`${server.name}__`)));
    if (ready && listed) return result;
    if (Date.now() > deadline) {
      throw new Error(
        `after ${READY_TIMEOUT_MS} ms, not every backend was ready and listed: ` +
          servers.map((server) => `${server.name}=${server.state}`).join(', '),
      );
    }
    await delay(POLL_MS);
  }
}

/**
 * @param {Client} client
 * @returns {Promise<Array<{ name: string, state: string, lastError: string | null }>>}
 */
async function listServers(client) {
  const result = await client.callTool({ name: 'list_servers', arguments: {} });
  if (result.isError) throw new Error(`list_servers failed: ${JSON.stringify(result.content)}`);
  return /** @type {{ servers: Array<{ name: string, state: string, lastError: string | null }> }} */ (
    result.structuredContent
  ).servers;
}
