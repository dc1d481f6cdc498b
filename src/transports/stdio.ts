/**
 * Serves one gateway instance on the process's stdin and stdout.
 */
import type { Readable, Writable } from 'node:stream';

import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

import { StdioServerTransport } from './stdio-server-transport.js';

/** What stdio serves: something that connects to a transport (the gateway instance). */
export interface StdioServable {
  connect(transport: Transport): Promise<void>;
}

/** A running stdio front door. */
export interface StdioHandle {
  /** Resolves when the client went away: stdin ended or closed, or the transport closed. */
  readonly closed: Promise<void>;
  /** Closes the transport. */
  close(): Promise<void>;
}

/** Connects `servable` to stdin/stdout (or the given streams). */
export async function serveStdio(
  servable: StdioServable,
  streams: { stdin: Readable; stdout: Writable } = { stdin: process.stdin, stdout: process.stdout },
): Promise<StdioHandle> {
  const transport = new StdioServerTransport(streams.stdin, streams.stdout);
  await servable.connect(transport);
  return { closed: transport.closed, close: () => transport.close() };
}
