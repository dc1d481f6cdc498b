/**
 * The OAuth client side of the gateway, shared by its remote backends: the encrypted token store in the state
 * folder (its key made or read on first use), and the loopback callback listeners (one per port, started when a
 * backend first needs one). Each backend gets its own session from it.
 */
import type { Logger } from '../../logger.js';
import { CallbackListener } from './callback-listener.js';
import { isInteractive, type OAuthSettings } from './oauth-config.js';
import { OAuthSession } from './oauth-session.js';
import { loadStateKey } from './state-key.js';
import { TokenStore } from './token-store.js';

/** Where the gateway keeps its OAuth state. */
export interface BackendOAuthOptions {
  /** The state folder (`--state-dir`, or `.mcp-gateway` beside the config). */
  readonly stateDir: string;
  /** False: tokens in memory only (no config file nor state folder). Default true. */
  readonly persist?: boolean | undefined;
  /** Read for `MCP_GATEWAY_STATE_KEY`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** What a session is made for. */
export interface SessionTarget {
  readonly backend: string;
  readonly serverUrl: string;
  readonly settings: OAuthSettings;
  readonly logger: Logger;
  /** The principal the session acts for; undefined for the gateway's own identity. */
  readonly principal?: string | undefined;
}

/** The gateway's OAuth client parts. */
export class BackendOAuth {
  private readonly listeners = new Map<number, CallbackListener>();
  private key: Promise<Buffer> | undefined;
  readonly store: TokenStore;

  constructor(options: BackendOAuthOptions) {
    const { stateDir, env } = options;
    this.store = new TokenStore(
      stateDir,
      () => (this.key ??= loadStateKey(stateDir, env)),
      options.persist !== false,
    );
  }

  /** A new session of `target`, its tokens kept under the backend's name (and principal). */
  session(target: SessionTarget): OAuthSession {
    const { backend, principal, settings } = target;
    return new OAuthSession({
      key: principal === undefined ? backend : `${backend}\n${principal}`,
      backend,
      serverUrl: target.serverUrl,
      settings,
      store: this.store,
      listener: isInteractive(settings) ? this.listener(settings.callbackPort) : undefined,
      logger: target.logger,
    });
  }

  /** Stops the callback listeners. */
  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((listener) => listener.close()));
    this.listeners.clear();
  }

  private listener(port: number): CallbackListener {
    let listener = this.listeners.get(port);
    if (!listener) {
      listener = new CallbackListener(port);
      this.listeners.set(port, listener);
    }
    return listener;
  }
}
