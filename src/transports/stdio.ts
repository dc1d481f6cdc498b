/**
 * Serves one gateway instance on the process's stdin and stdout.
 */
import type { Readable, Writable } from 'node:stream';

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** A running stdio front door. */
export interface StdioHandle {
  /** Resolves when the client went away: stdin ended or closed, or the transport closed. */
  readonly closed: Promise<void>;
  /** Closes the transport. */
  close(): Promise<void>;
}

/** Connects `server` to stdin/stdout (or the given streams). */
export async function serveStdio(
  server: Server,
  streams: { stdin: Readable; stdout: Writable } = { stdin: process.stdin, stdout: process.stdout },
): Promise<StdioHandle> {
  const transport = new StdioServerTransport(streams.stdin, streams.stdout);
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  // The SDK's transport does not notice the end of stdin: without this, the gateway and its backends would
  // outlive the client that started them.
  streams.stdin.once('end', markClosed);
  streams.stdin.once('close', markClosed);
  transport.onclose = markClosed;
  await server.connect(transport);
  return { closed, close: () => transport.close() };
}
