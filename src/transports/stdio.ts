/**
 * Serves the gateway on the process's stdin and stdout, in either protocol era, on the gateway's own line transport.
 * The connection's first message decides (`opening-transport.ts`): a 2025 opening gets a session connected to the
 * transport itself; anything else goes to the SDK's `serveStdio`, which serves 2026-07-28 (`server/discover` and
 * requests carrying the envelope) and asks the gateway for a server of that era.
 */
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';

import { serveStdio as serveEitherEra } from '@modelcontextprotocol/server/stdio';

import { OpeningTransport, opensLegacyEra } from './opening-transport.js';
import { STDIO_PRINCIPAL, type SessionIdentity, type SessionOpener } from './session-opener.js';
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
  /** Told of a session that could not be opened on the connection. */
  readonly onOpenFailed?: (error: Error) => void;
}

/** Serves one client on stdin/stdout (or the given streams). */
export function serveStdio(opener: SessionOpener, options: ServeStdioOptions = {}): StdioHandle {
  const wire = new StdioServerTransport(options.stdin ?? process.stdin, options.stdout ?? process.stdout);
  const stopCounting = opener.countTraffic('stdio', () => wire.traffic());
  void wire.closed.then(stopCounting);
  const gated = options.startBackends ? new StartupGate(wire, options.startBackends) : wire;
  let close: () => Promise<void> = () => wire.close();
  const opening = new OpeningTransport(gated, (message) => {
    if (opensLegacyEra(message)) {
      const server = opener.createServer({ era: 'legacy', hearsChanges: true, identity: stdioIdentity() });
      close = () => server.close().finally(() => wire.close());
      server.connect(opening).catch((error: unknown) => {
        options.onOpenFailed?.(error instanceof Error ? error : new Error(String(error)));
        void wire.close();
      });
      return;
    }
    const handle = serveEitherEra(
      ({ era }) => opener.createServer({ era, hearsChanges: true, identity: stdioIdentity() }),
      {
        transport: opening,
        ...(options.onError ? { onerror: options.onError } : {}),
      },
    );
    close = () => handle.close();
  });
  void opening.listen();
  return { closed: wire.closed, close: () => close() };
}

/** A stdio connection's identity: the local principal, and an id of its own for its records. */
function stdioIdentity(): SessionIdentity {
  return { principal: STDIO_PRINCIPAL, frontDoor: 'stdio', sessionId: randomUUID() };
}
