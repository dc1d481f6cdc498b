/**
 * The DPoP key of one session (RFC 9449): made on first use and kept for the session's life, so that the tokens
 * bound to it (`cnf.jkt`) keep working, and the nonces the servers hand out are remembered. With it, the SDK signs a
 * proof into each token request, and the transports present a `DPoP` token with a fresh proof on each request
 * (retrying once with the server's nonce on a `use_dpop_nonce` challenge). The key never leaves memory: after a
 * restart, tokens bound to the previous key are refreshed or authorized again. DPoP is on when the config says so,
 * or from the moment the backend's protected resource metadata says it requires DPoP-bound tokens (RFC 9728).
 */
import { DpopSession } from '@modelcontextprotocol/client';

/** The signing algorithm of the gateway's DPoP keys: the one every DPoP server supports. */
const DPOP_ALG = 'ES256';

/** A session's DPoP key, when DPoP is on. */
export class DpopKey {
  private session: Promise<DpopSession> | undefined;

  constructor(private enabled: boolean) {}

  /** The backend requires DPoP-bound tokens: DPoP is on from now on, for this session's life. */
  require(): void {
    this.enabled = true;
  }

  /** The DPoP session (one key for the session's life), or undefined when DPoP is off. */
  get(): Promise<DpopSession> | undefined {
    if (!this.enabled) return undefined;
    this.session ??= DpopSession.create({ alg: DPOP_ALG });
    return this.session;
  }
}
