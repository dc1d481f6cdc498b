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

/**
 * Who a session's client is, as the front door established it (the gateway's `SessionIdentity`): the principal (an
 * HTTP bearer token's name, `anonymous` without tokens, `local` over stdio; never a secret), the front door, and
 * the session id the client knows (none for a stateless 2026-07-28 HTTP request).
 */
export interface SessionIdentity {
  readonly principal: string;
  readonly frontDoor: 'stdio' | 'http-legacy' | 'http-modern';
  readonly sessionId: string | undefined;
  /** What the OAuth access token that opened it said (the gateway's `PrincipalClaims`); none for a static token. */
  readonly claims?: PrincipalClaims | undefined;
}

/**
 * The claims of an OAuth principal, for access rules: which configured issuer vouched for it, its subject, the
 * client it used, its scopes and groups (or roles), and when its token expires (ms since the epoch). Never a token.
 */
export interface PrincipalClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
  readonly expiresAt: number | undefined;
}

/** The principal of a stdio client: whoever started the gateway on this machine. */
export const STDIO_PRINCIPAL = 'local';

/** A list whose change modern clients listening over HTTP hear of. */
export type ListChange = 'tools' | 'prompts' | 'resources';

/** Opens sessions on client transports. */
export interface SessionOpener {
  /** Connects a new legacy (2025-era) session to `transport`; resolves once it is connected. */
  connect(transport: Transport, identity: SessionIdentity): Promise<OpenSession>;
  /**
   * The server of one session in `era`, for an SDK serving entry to connect and close: one per stdio connection,
   * one per modern HTTP request (which does not hear changes on its own stream: `hearsChanges: false`).
   */
  createServer(options: {
    era: 'legacy' | 'modern';
    hearsChanges: boolean;
    identity: SessionIdentity;
  }): Server;
  /** Calls `listener` with each change of the lists; returns the function that stops it. */
  watchChanges(listener: (change: ListChange) => void): () => void;
}
