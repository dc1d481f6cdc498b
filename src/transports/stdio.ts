/**
 * Serves the gateway on the process's stdin and stdout, in either protocol era: the SDK's `serveStdio` decides the
 * connection's era from its opening message (`initialize`: 2025; a request carrying the 2026-07-28 envelope, or
 * `server/discover`: 2026-07-28) and asks the gateway for a server of that era, on the gateway's own line transport.
 */
import type { Readable, Writable } from 'node:stream';

import { serveStdio as serveEitherEra } from '@modelcontextprotocol/server/stdio';

import type { SessionOpener } from './session-opener.js';
import { StartupGate } from './startup-gate.js';
import { StdioServerTransport } from './stdio-server-transport.js';

/** A running stdio front door. */
export interface StdioHandle {
  /** Resolves when the client went away: stdin ended or closed, or the transport closed. */
  readonly closed: Promise<void>;
  /** Ends the session and stops reading stdin. */
  close(): Promise<void>;
}

/** Options of {@link serveStdio}. */
export interface ServeStdioOptions {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /**
   * Starts the backends: run once, when the first message other than `server/discover` arrives; messages wait for
   * it. Without it, messages are served at once.
   */
  readonly startBackends?: () => Promise<void>;
  /** Told of what the SDK's entry could not serve (a malformed envelope, an unsupported revision). */
  readonly onError?: (error: Error) => void;
}

/** Serves one client on stdin/stdout (or the given streams). */
export function serveStdio(opener: SessionOpener, options: ServeStdioOptions = {}): StdioHandle {
  const wire = new StdioServerTransport(options.stdin ?? process.stdin, options.stdout ?? process.stdout);
  const transport = options.startBackends ? new StartupGate(wire, options.startBackends) : wire;
  const handle = serveEitherEra(({ era }) => opener.createServer({ era, hearsChanges: true }), {
    transport,
    ...(options.onError ? { onerror: options.onError } : {}),
  });
  return { closed: wire.closed, close: () => handle.close() };
}
