/**
 * A gateway process spoken to in raw JSON-RPC lines over stdio, for tests that send what an SDK client never
 * would (malformed requests, stray lines, chosen ids) or read exactly what comes back.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { CLI_PATH, PROJECT_ROOT } from './gateway-process.js';
import { waitFor } from './wait-for.js';

/** A JSON-RPC message as read from the gateway's stdout. */
export type RawMessage = Record<string, unknown>;

/** A running gateway and what it wrote. */
export interface RawStdioGateway {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every message the gateway wrote on stdout, in order. */
  readonly messages: RawMessage[];
  /** Lines on stdout that were not JSON (there must be none). */
  readonly strayLines: string[];
  readonly stderr: () => string;
  /** Writes one line to the gateway's stdin (a `\n` is added). */
  readonly writeLine: (line: string) => void;
  /** Sends a request and resolves with the response carrying its id. */
  readonly request: (
    id: string | number,
    method: string,
    params?: Record<string, unknown>,
  ) => Promise<RawMessage>;
  /** Sends a notification. */
  readonly notify: (method: string, params?: Record<string, unknown>) => void;
  /** Ends stdin and waits for the process to exit. */
  readonly stop: () => Promise<void>;
}

/** Spawns `node dist/cli.js ...args` and completes the MCP handshake by hand. */
export async function startRawStdioGateway(args: readonly string[]): Promise<RawStdioGateway> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, MCP_GATEWAY_AUTH_TOKEN: undefined },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: RawMessage[] = [];
  const strayLines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line) as RawMessage);
    } catch {
      strayLines.push(line);
    }
  });
  const writeLine = (line: string): void => {
    child.stdin.write(`${line}\n`);
  };
  const request = async (
    id: string | number,
    method: string,
    params?: Record<string, unknown>,
  ): Promise<RawMessage> => {
    writeLine(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
    return waitFor(() => messages.find((message) => message.id === id && !('method' in message)), {
      description: `the response to request ${JSON.stringify(id)}`,
      timeoutMs: 15_000,
    });
  };
  const gateway: RawStdioGateway = {
    child,
    messages,
    strayLines,
    stderr: () => stderr,
    writeLine,
    request,
    notify: (method, params) =>
      writeLine(JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) })),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
  await request('init', 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw-test', version: '1.0.0' },
  });
  gateway.notify('notifications/initialized');
  return gateway;
}
