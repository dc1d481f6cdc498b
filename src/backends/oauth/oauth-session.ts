/**
 * The gateway's OAuth client for one remote backend (and, with principals, one principal): the SDK's
 * `OAuthClientProvider`, kept in the encrypted token store. The SDK's `auth()` runs the protocol (discovery,
 * registration, PKCE, resource indicators, the RFC 9207 `iss` check, refresh); this class stores what it hands
 * over, and turns "send the user agent there" into a pending authorization a person completes through the loopback
 * callback listener.
 */
import { randomBytes } from 'node:crypto';

import type {
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type { Logger } from '../../logger.js';
import type { CallbackListener } from './callback-listener.js';
import type { OAuthSettings } from './oauth-config.js';
import { TokenRefresh } from './token-refresh.js';
import type { KeptTokens, OAuthEntry, TokenStore } from './token-store.js';

/** Authorizations kept pending at once for one session; the oldest is forgotten first. */
const MAX_PENDING_FLOWS = 8;

/** What a session tells its backend. */
export interface SessionEvents {
  /** A person must authorize at `url` (`reason` says why, in words); calls wait or fail until then. */
  needed(url: string, reason: string): void;
  /** A person authorized: tokens are stored, the backend may connect. */
  authorized(): void;
}

/** Who the session is, where its backend is, and what it uses. */
export interface SessionParts {
  /** The key of its entry in the store: the backend's name (and principal). */
  readonly key: string;
  readonly backend: string;
  readonly serverUrl: string;
  readonly settings: OAuthSettings;
  readonly store: TokenStore;
  readonly listener: CallbackListener | undefined;
  readonly logger: Logger;
}

/** One backend's OAuth client. */
export class OAuthSession implements OAuthClientProvider {
  private entry: OAuthEntry = {};
  private redirectUri: string | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  private flowState: string | undefined;
  /**
   * The code verifier of each authorization still pending, by state: a second 401 starts another one, and the
   * person may complete either (the latest is shown).
   */
  private readonly flows = new Map<string, string>();
  private pending: string | undefined;
  private tokensRefused = false;
  private events: SessionEvents | undefined;
  private readonly refresher: TokenRefresh;
  readonly clientMetadataUrl: string | undefined;

  constructor(private readonly parts: SessionParts) {
    this.clientMetadataUrl = parts.settings.clientMetadataUrl;
    this.refresher = new TokenRefresh(this, parts.serverUrl, parts.logger);
  }

  /** Loads the stored entry and starts the callback listener (its port is part of the redirect URI). */
  async prepare(events: SessionEvents): Promise<void> {
    this.events = events;
    this.entry = await this.parts.store.get(this.parts.key);
    if (this.parts.listener) this.redirectUri = await this.parts.listener.start();
    this.refresher.schedule(this.entry.tokens);
  }

  /** The URL a person must open, while an authorization is pending. */
  get authorizationUrl(): string | undefined {
    return this.pending;
  }

  get redirectUrl(): string | undefined {
    return this.parts.settings.grant === 'client_credentials' ? undefined : this.redirectUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    const { settings, backend } = this.parts;
    const machine = settings.grant === 'client_credentials';
    return {
      client_name: `mcp-gateway (${backend})`,
      redirect_uris: machine || this.redirectUri === undefined ? [] : [this.redirectUri],
      grant_types: machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
      response_types: machine ? [] : ['code'],
      token_endpoint_auth_method: settings.clientSecret === undefined ? 'none' : 'client_secret_basic',
      ...(settings.scope === undefined ? {} : { scope: settings.scope }),
    };
  }

  state(): string {
    this.flowState = randomBytes(24).toString('base64url');
    return this.flowState;
  }

  clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
    const { clientId, clientSecret } = this.parts.settings;
    if (clientId !== undefined) {
      // A configured client is the one for the backend's authorization server, whichever it is: stamped with it.
      return {
        client_id: clientId,
        ...(clientSecret === undefined ? {} : { client_secret: clientSecret }),
        ...(ctx === undefined ? {} : { issuer: ctx.issuer }),
      };
    }
    const client = this.entry.client;
    // A client registered for another redirect URI (an earlier run's free port) cannot finish this run's flow.
    if (client?.redirect_uris && this.redirectUri && !client.redirect_uris.includes(this.redirectUri)) {
      return undefined;
    }
    return client;
  }

  async saveClientInformation(client: StoredOAuthClientInformation): Promise<void> {
    // A configured client id is the config's: only a registered client is kept.
    if (this.parts.settings.clientId !== undefined) return;
    const redirect_uris = this.redirectUri === undefined ? undefined : [this.redirectUri];
    await this.save({ client: { ...client, ...(redirect_uris ? { redirect_uris } : {}) } });
  }

  /** The tokens; read for a request to the backend (no `ctx`), they are refreshed first when about to expire. */
  async tokens(ctx?: OAuthClientInformationContext): Promise<StoredOAuthTokens | undefined> {
    if (ctx === undefined && this.refresher.due(this.entry.tokens)) await this.refresher.run();
    return this.entry.tokens;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    const previous = this.entry.tokens;
    const kept: KeptTokens = {
      ...tokens,
      // A refresh answer without a refresh token leaves the one in use valid; a rotated one replaces it.
      ...(tokens.refresh_token === undefined && previous?.refresh_token !== undefined
        ? { refresh_token: previous.refresh_token }
        : {}),
      ...(tokens.expires_in === undefined ? {} : { expires_at: Date.now() + tokens.expires_in * 1000 }),
    };
    this.tokensRefused = false;
    // Discovered again next time: a backend may move to another authorization server (its metadata then says so).
    this.discovery = undefined;
    await this.save({ tokens: kept });
    this.refresher.schedule(kept);
  }

  redirectToAuthorization(url: URL): void {
    const state = this.flowState;
    const listener = this.parts.listener;
    if (state === undefined || this.verifier === undefined || !listener) return;
    this.pending = url.href;
    this.flows.set(state, this.verifier);
    if (this.flows.size > MAX_PENDING_FLOWS) this.forgetFlow(this.flows.keys().next().value ?? '');
    listener.expect(state, (params) => this.finish(state, params));
    const reason = this.tokensRefused
      ? 'the authorization server refused the stored tokens (expired or revoked); a person must authorize again'
      : 'a person must authorize the gateway';
    this.parts.logger.warn(`authorization needed: open ${url.href} in a browser`, { reason });
    this.events?.needed(url.href, reason);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no authorization is pending');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier' || scope === 'all') this.verifier = undefined;
    if (scope === 'discovery' || scope === 'all') this.discovery = undefined;
    if (scope === 'tokens' || scope === 'all') {
      this.tokensRefused ||= this.entry.tokens !== undefined;
      this.refresher.cancel();
      await this.save({ tokens: undefined });
    }
    if (scope === 'client' || scope === 'all') await this.save({ client: undefined });
  }

  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.parts.settings.grant !== 'client_credentials') return undefined;
    return new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  }

  /** Stops the refresh timer and forgets a pending authorization. */
  close(): void {
    this.refresher.cancel();
    for (const state of [...this.flows.keys()]) this.forgetFlow(state);
  }

  private forgetFlow(state: string): void {
    this.flows.delete(state);
    this.parts.listener?.forget(state);
  }

  /** The callback of the pending authorization: redeems the code (the SDK checks `iss`), then says so. */
  private async finish(state: string, params: URLSearchParams): Promise<void> {
    this.verifier = this.flows.get(state);
    this.forgetFlow(state);
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description');
      throw new Error(`the authorization server answered "${error}"${description ? `: ${description}` : ''}`);
    }
    await this.refresher.redeem(params);
    this.pending = undefined;
    this.verifier = undefined;
    for (const other of [...this.flows.keys()]) this.forgetFlow(other);
    this.parts.logger.info('authorized');
    this.events?.authorized();
  }

  private async save(change: Partial<OAuthEntry>): Promise<void> {
    this.entry = { ...this.entry, ...change };
    await this.parts.store.update(this.parts.key, (entry) => ({ ...entry, ...change }));
  }
}
