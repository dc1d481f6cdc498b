/**
 * Starts the built gateway (`dist/cli.js`) as a real process and connects the real SDK client to it, over stdio or
 * Streamable HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CallToolResultSchema } from '@modelcontextprotocol/core';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { RequestOptions, CallToolResult } from '@modelcontextprotocol/client';
import { DEMO_PIPELINES } from './demo-pipelines.js';
import { fixturePath } from './fixture-path.js';
import { NATIVE_EXAMPLES } from './native-examples.js';
import { waitFor } from './wait-for.js';

/** The project's root folder. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built bin. */
export const CLI_PATH = path.join(PROJECT_ROOT, 'dist/cli.js');

/** Absolute path of a built example server. */
export function exampleServerPath(name: 'weather' | 'sqlite' | 'filesystem'): string {
  return path.join(PROJECT_ROOT, `examples/dist/${name}.js`);
}

/**
 * Writes a config with the three example backends (database and sandbox under `dir`; the database only when
 * {@link NATIVE_EXAMPLES}) plus an `echo` fixture, each
 * carrying `marker` in its environment so that a test can find every process they started, and the demo pipelines
 * of gateway-config.json.
 */
export async function writeExampleConfig(
  dir: string,
  marker: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const env = { GATEWAY_TEST_MARKER: marker };
  const config = {
    servers: {
      weather: {
        command: process.execPath,
        args: [exampleServerPath('weather')],
        env,
        description: 'weather',
      },
      ...(NATIVE_EXAMPLES
        ? {
            sqlite: {
              command: process.execPath,
              args: [exampleServerPath('sqlite'), '--db-path', 'data/test.db'],
              env,
              description: 'sqlite',
            },
          }
        : {}),
      filesystem: {
        command: process.execPath,
        args: [exampleServerPath('filesystem'), '--sandbox', path.join(PROJECT_ROOT, 'examples/sandbox')],
        env,
      },
      echo: { command: process.execPath, args: [fixturePath('echo.mjs')], env },
    },
    pipelines: NATIVE_EXAMPLES ? DEMO_PIPELINES : { 'weather-analysis': DEMO_PIPELINES['weather-analysis'] },
    ...extra,
  };
  const file = path.join(dir, 'gateway-config.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** A config entry that runs fixture server `file` with this Node; `extra` adds or replaces keys (`env`...). */
export function fixtureServer(file: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: process.execPath, args: [fixturePath(file)], ...extra };
}

/** Writes `<dir>/config.json` with these `servers`; returns its path. */
export async function writeServersConfig(dir: string, servers: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ servers }));
  return file;
}

/** Writes `<dir>/config.json` with one `echo` fixture backend carrying `marker` in its environment; returns its path. */
export function writeEchoConfig(dir: string, marker: string): Promise<string> {
  return writeServersConfig(dir, {
    echo: fixtureServer('echo.mjs', { env: { GATEWAY_TEST_MARKER: marker } }),
  });
}

/** A client connected to a gateway process over stdio. */
export interface StdioGateway {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  /** Everything the gateway wrote to stderr so far. */
  stderr(): string;
  /** The gateway's pid. */
  readonly pid: number;
}

/** Spawns `node dist/cli.js ...args` and connects a client over its stdin/stdout. */
export async function connectStdioGateway(
  args: readonly string[],
  cwd = PROJECT_ROOT,
): Promise<StdioGateway> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, ...args],
    cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error('the gateway process has no pid');
  return { client, transport, stderr: () => stderr, pid };
}

/** A gateway process serving Streamable HTTP on 127.0.0.1 and a free port. */
export interface HttpGateway {
  readonly child: ChildProcess;
  readonly url: URL;
  /** Everything the gateway wrote to stderr so far. */
  stderr(): string;
  /** A new SDK client session, sending `token` as a bearer token when given. */
  connect(token?: string): Promise<Client>;
  /** Closes the clients, sends SIGTERM, and resolves with the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

/** Options of {@link startHttpGateway}. */
export interface StartHttpOptions {
  /** Added to the test's environment (`undefined` removes a variable). The token variable is removed by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/**
 * Spawns `node dist/cli.js --transport streamable-http --port 0 ...args`, waits for the line with its URL, then for
 * `/readyz` to say the configured backends had their first attempt.
 */
export async function startHttpGateway(
  args: readonly string[],
  options: StartHttpOptions = {},
): Promise<HttpGateway> {
  const env: NodeJS.ProcessEnv = { ...process.env, MCP_GATEWAY_AUTH_TOKEN: undefined, ...options.env };
  const child = spawn(
    process.execPath,
    [CLI_PATH, '--transport', 'streamable-http', '--port', '0', ...args],
    {
      cwd: options.cwd ?? PROJECT_ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /serving MCP over Streamable HTTP at (\S+)/.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with code ${code}:\n${stderr}`)));
  });
  // The port is served while the configured backends start: ready once each had its first attempt.
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`the gateway exited with code ${child.exitCode}:\n${stderr}`);
      return (await fetch(new URL('/readyz', url))).status === 200;
    },
    { description: 'the gateway to be ready (/readyz)', timeoutMs: 30_000 },
  );
  const clients: Client[] = [];
  return {
    child,
    url,
    stderr: () => stderr,
    connect: async (token) => {
      const client = new Client({ name: 'gateway-http-test', version: '1.0.0' });
      const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    stop: async () => {
      await Promise.allSettled(clients.map((client) => client.close()));
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Calls a tool and returns its result, checked against the protocol's schema. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
  options?: RequestOptions,
): Promise<CallToolResult> {
  return CallToolResultSchema.parse(await client.callTool({ name, arguments: args }, options));
}
