/**
 * Starting the things under measurement: echo fixture backends reached directly, and the built gateway over
 * stdio or Streamable HTTP. Every start registers its cleanup in a {@link Scope}.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

/** The project's root folder. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built gateway bin. */
export const CLI_PATH = path.join(PROJECT_ROOT, 'dist/cli.js');
/** The general-purpose fixture backend (tools echo, slow, big, pid, ...). */
export const ECHO_FIXTURE = path.join(PROJECT_ROOT, 'test/fixtures/servers/echo.mjs');

const CLIENT_INFO = { name: 'mcp-gateway-bench', version: '1.0.0' };
// The SDK's stdio client refuses messages over 10 MiB by default: a 10 MiB tool result plus its JSON envelope is
// just over that, so both the direct and the gateway client get room for the large-results section.
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
// Only the tail of a process's stderr is kept: enough to explain a failure, bounded for long runs.
const STDERR_TAIL_CHARS = 8192;

/**
 * Writes a gateway config file with one echo fixture backend per name (each announcing its own name).
 * @param {string} dir
 * @param {readonly string[]} names backend names, also their tool prefixes
 * @param {string} [fileName]
 * @returns {Promise<string>} the config file's path
 */
export async function writeEchoConfig(dir, names, fileName = 'config.json') {
  const servers = Object.fromEntries(
    names.map((name) => [
      name,
      { command: process.execPath, args: [ECHO_FIXTURE], env: { FIXTURE_NAME: name } },
    ]),
  );
  const file = path.join(dir, fileName);
  await writeFile(file, JSON.stringify({ servers }, null, 2));
  return file;
}

/**
 * @typedef {object} StdioPeer
 * @property {Client} client a connected SDK client
 * @property {number} pid the process at the other end of the pipe
 * @property {() => string} stderr the tail of its stderr
 * @property {() => Promise<void>} close closes the client and waits for the process to exit
 */

/**
 * Spawns an echo fixture and connects an SDK client straight to it: the baseline without a gateway.
 * @param {import('./scope.mjs').Scope} scope
 * @param {string} [name] the FIXTURE_NAME it announces
 * @returns {Promise<StdioPeer>}
 */
export function connectDirect(scope, name = 'echo') {
  return connectStdio(scope, `echo backend ${name}`, {
    command: process.execPath,
    args: [ECHO_FIXTURE],
    env: { ...getDefaultEnvironment(), FIXTURE_NAME: name },
  });
}

/**
 * Spawns the bare relay of `floor-relay.mjs` in front of an echo backend and connects an SDK client to it.
 * @param {import('./scope.mjs').Scope} scope
 * @returns {Promise<StdioPeer>}
 */
export function connectFloorRelay(scope) {
  return connectStdio(scope, 'floor relay', {
    command: process.execPath,
    args: [fileURLToPath(new URL('floor-relay.mjs', import.meta.url)), ECHO_FIXTURE],
    env: { ...getDefaultEnvironment(), FIXTURE_NAME: 'echo' },
  });
}

/**
 * Spawns `node dist/cli.js --auto-register <config> --log-level warn` and connects an SDK client over stdio.
 * Does not wait for the backends: see {@link waitForTools}.
 * @param {import('./scope.mjs').Scope} scope
 * @param {string} configPath
 * @param {string[]} [extraArgs] more flags (`--audit-log <file>`...)
 * @param {Record<string, string>} [env] added to this process's environment (`OTEL_*`...); without it, the SDK's
 *   default environment
 * @returns {Promise<StdioPeer>}
 */
export function connectStdioGateway(scope, configPath, extraArgs = [], env = undefined) {
  return connectStdio(scope, 'stdio gateway', {
    command: process.execPath,
    args: [CLI_PATH, '--auto-register', configPath, '--log-level', 'warn', ...extraArgs],
    cwd: PROJECT_ROOT,
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
}

/**
 * @param {import('./scope.mjs').Scope} scope
 * @param {string} label
 * @param {import('@modelcontextprotocol/sdk/client/stdio.js').StdioServerParameters} parameters
 * @returns {Promise<StdioPeer>}
 */
async function connectStdio(scope, label, parameters) {
  const transport = new StdioClientTransport({
    ...parameters,
    stderr: 'pipe',
    maxBufferSize: MAX_MESSAGE_BYTES,
  });
  let stderr = '';
  // A pipe nobody reads fills up and blocks the writer: always drain it.
  transport.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  const client = new Client(CLIENT_INFO);
  // Transport errors (an oversized message, a line that is not JSON) otherwise surface only as "Connection closed".
  client.onerror = (error) => console.error(`bench: ${label}: client error: ${error.message}`);
  // transport.close() ends stdin, then escalates to SIGTERM and SIGKILL: it always leaves no process behind.
  const close = scope.add(label, () => client.close().finally(() => transport.close()));
  try {
    await client.connect(transport);
  } catch (error) {
    await close();
    throw new Error(`${label} did not start: ${error instanceof Error ? error.message : error}\n${stderr}`, {
      cause: error,
    });
  }
  const pid = transport.pid;
  if (pid === null) {
    await close();
    throw new Error(`${label} has no pid`);
  }
  return { client, pid, stderr: () => stderr, close };
}

/**
 * @typedef {object} HttpGateway
 * @property {URL} url the MCP endpoint
 * @property {number} pid the gateway's pid
 * @property {() => Promise<Client>} connect opens a new client session
 * @property {() => string} stderr the tail of its stderr
 * @property {() => Promise<void>} close closes the sessions and stops the process
 */

/**
 * Spawns the gateway serving Streamable HTTP on 127.0.0.1 and a free port, and waits for the log line that
 * names its URL.
 * @param {import('./scope.mjs').Scope} scope
 * @param {string} configPath
 * @param {string[]} [extraArgs] more flags
 * @param {Record<string, string>} [env] added to the environment
 * @returns {Promise<HttpGateway>}
 */
export function startHttpGateway(scope, configPath, extraArgs = [], env = {}) {
  return startHttpServer(
    scope,
    'HTTP gateway',
    [
      CLI_PATH,
      '--transport',
      'streamable-http',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--auto-register',
      configPath,
      '--log-level',
      'info',
      ...extraArgs,
    ],
    env,
  );
}

/**
 * Spawns the SDK-only echo server of `http-echo-server.mjs` (the direct HTTP baseline).
 * @param {import('./scope.mjs').Scope} scope
 * @returns {Promise<HttpGateway>}
 */
export function startHttpEchoServer(scope) {
  return startHttpServer(scope, 'HTTP echo server', [
    fileURLToPath(new URL('http-echo-server.mjs', import.meta.url)),
  ]);
}

/**
 * Spawns the v2 SDK's stateless echo server of `modern-echo-server.mjs` (the direct 2026-07-28 HTTP baseline).
 * @param {import('./scope.mjs').Scope} scope
 * @returns {Promise<HttpGateway>}
 */
export function startModernEchoServer(scope) {
  return startHttpServer(scope, 'modern HTTP echo server', [
    fileURLToPath(new URL('modern-echo-server.mjs', import.meta.url)),
  ]);
}

/**
 * Spawns `node ...args`, a process that serves Streamable HTTP and logs `serving MCP over Streamable HTTP at
 * <url>` on stderr, and waits for that line.
 * @param {import('./scope.mjs').Scope} scope
 * @param {string} label
 * @param {string[]} args
 * @param {Record<string, string>} [extraEnv]
 * @returns {Promise<HttpGateway>}
 */
async function startHttpServer(scope, label, args, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  delete env.MCP_GATEWAY_AUTH_TOKEN;
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  /** @type {Client[]} */
  const clients = [];
  const close = scope.add(label, async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await stopChild(child);
  });
  let stderr = '';
  try {
    const url = await new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
        const match = /serving MCP over Streamable HTTP at (\S+)/.exec(stderr);
        if (match) resolve(new URL(match[1]));
      });
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`the ${label} exited (${signal ?? code}) before serving:\n${stderr}`)),
      );
    });
    return {
      url,
      pid: child.pid,
      stderr: () => stderr,
      close,
      connect: async () => {
        const client = new Client(CLIENT_INFO);
        clients.push(client);
        await client.connect(new StreamableHTTPClientTransport(url));
        return client;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * SIGTERM, then SIGKILL if the process is still there after 8 s (the gateway allows itself 5 s to close its
 * backends); resolves once it has exited.
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = delay(8000, 'timeout', { ref: false });
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Waits until the client's tools/list contains every name in `names`, and returns the list.
 *
 * The gateway may start its backends in the background and announce them with notifications/tools/list_changed:
 * each notification triggers a new list at once. A slow poll backs it up, for a gateway that lists every backend
 * before answering (no notification comes) or a notification that raced the previous list.
 * @param {Client} client
 * @param {readonly string[]} names
 * @param {{ timeoutMs?: number, pollMs?: number }} [options]
 * @returns {Promise<import('@modelcontextprotocol/sdk/types.js').Tool[]>}
 */
export async function waitForTools(client, names, options = {}) {
  const { timeoutMs = 60_000, pollMs = 250 } = options;
  const deadline = performance.now() + timeoutMs;
  let changed = false;
  /** @type {(() => void) | undefined} */
  let wake;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changed = true;
    wake?.();
  });
  try {
    for (;;) {
      changed = false;
      const { tools } = await client.listTools();
      const listed = new Set(tools.map((tool) => tool.name));
      const missing = names.filter((name) => !listed.has(name));
      if (missing.length === 0) return tools;
      if (performance.now() > deadline) {
        throw new Error(`tools still missing after ${timeoutMs} ms: ${missing.slice(0, 5).join(', ')}`);
      }
      // A notification that arrived while the list was in flight means the list may already be stale.
      if (changed) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve(undefined);
        };
      });
      wake = undefined;
    }
  } finally {
    client.removeNotificationHandler('notifications/tools/list_changed');
  }
}

/**
 * Calls a tool and fails on an error result, so that a broken path never passes for a fast one.
 * @param {Client} client
 * @param {string} name
 * @param {Record<string, unknown>} args
 * @returns {Promise<import('@modelcontextprotocol/sdk/types.js').CallToolResult>}
 */
export async function callOk(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const text = result.content?.map((item) => item.text ?? '').join(' ');
    throw new Error(`${name} returned an error: ${text}`);
  }
  return result;
}

/**
 * The text items of a tool result, joined.
 * @param {import('@modelcontextprotocol/sdk/types.js').CallToolResult} result
 * @returns {string}
 */
export function textOf(result) {
  return result.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('\n');
}
