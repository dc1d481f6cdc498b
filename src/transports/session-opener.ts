/**
 * What a front door serves: something that opens a session on a transport (the gateway). Front doors know this
 * seam, never the gateway itself.
 */
import type { Server, Transport } from '@modelcontextprotocol/server';

/** One open session. */
export interface OpenSession {
  /** Ends the session. Idempotent. */
  close(): Promise<void>;
}

/** A list whose change modern clients listening over HTTP hear of. */
export type ListChange = 'tools' | 'prompts' | 'resources';

/** Opens sessions on client transports. */
export interface SessionOpener {
  /** Connects a new legacy (2025-era) session to `transport`; resolves once it is connected. */
  connect(transport: Transport): Promise<OpenSession>;
  /**
   * The server of one session in `era`, for an SDK serving entry to connect and close: one per stdio connection,
   * one per modern HTTP request (which does not hear changes on its own stream: `hearsChanges: false`).
   */
  createServer(options: { era: 'legacy' | 'modern'; hearsChanges: boolean }): Server;
  /** Calls `listener` with each change of the lists; returns the function that stops it. */
  watchChanges(listener: (change: ListChange) => void): () => void;
}
