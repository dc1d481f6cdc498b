/**
 * Serves one gateway session on the process's stdin and stdout.
 */
import type { Readable, Writable } from 'node:stream';

import type { SessionOpener } from './session-opener.js';
import { StdioServerTransport } from './stdio-server-transport.js';

/** A running stdio front door. */
export interface StdioHandle {
  /** Resolves when the client went away: stdin ended or closed, or the transport closed. */
  readonly closed: Promise<void>;
  /** Ends the session and stops reading stdin. */
  close(): Promise<void>;
}

/** Opens a session on stdin/stdout (or the given streams). */
export async function serveStdio(
  opener: SessionOpener,
  streams: { stdin: Readable; stdout: Writable } = { stdin: process.stdin, stdout: process.stdout },
): Promise<StdioHandle> {
  const transport = new StdioServerTransport(streams.stdin, streams.stdout);
  const session = await opener.connect(transport);
  return {
    closed: transport.closed,
    close: async () => {
      try {
        await session.close();
      } finally {
        await transport.close();
      }
    },
  };
}
