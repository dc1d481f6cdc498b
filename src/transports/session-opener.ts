/**
 * What a front door serves: something that opens a session on a transport (the gateway). Front doors know this
 * seam, never the gateway itself.
 */
import type { Transport } from '@modelcontextprotocol/server';

/** One open session. */
export interface OpenSession {
  /** Ends the session. Idempotent. */
  close(): Promise<void>;
}

/** Opens sessions on client transports. */
export interface SessionOpener {
  /** Connects a new session to `transport`; resolves once it is connected. */
  connect(transport: Transport): Promise<OpenSession>;
}
