/**
 * The gateway's OAuth client for one remote backend (and, with principals, one principal): the SDK's
 * `OAuthClientProvider`, kept in the encrypted token store. The SDK's `auth()` runs the protocol (discovery,
 * registration, PKCE, resource indicators, the RFC 9207 `iss` check, refresh); this class stores what it hands
 * over, and turns "send the user agent there" into a pending authorization a person completes through the loopback
 * callback listener.
 */
import { randomBytes } from 'node:crypto';

import type {
  AddClientAuthentication,
  DpopSession,
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type { Logger } from '../../logger.js';
import type { CallbackListener } from './callback-listener.js';
import { assertionGrantRequest, JWT_BEARER_GRANT, RefusedAssertion } from './extensions/assertion-grant.js';
import { privateKeyJwtAuthentication } from './extensions/client-authentication.js';
import { DpopKey } from './extensions/dpop.js';
import { isInteractive, type OAuthSettings } from './oauth-config.js';
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
  /** `private_key_jwt` when configured; undefined: the SDK authenticates with the client secret, if any. */
  readonly addClientAuthentication: AddClientAuthentication | undefined;
  private readonly dpopKey: DpopKey;
  /** The authorization server's issuer and the resource, as the SDK's discovery found them (the JWT bearer grant). */
  private issuer: string | undefined;
  private resource: string | undefined;
  private readonly assertions = new RefusedAssertion();

  constructor(private readonly parts: SessionParts) {
    const { clientMetadataUrl, clientId, extensions } = parts.settings;
    this.clientMetadataUrl = clientMetadataUrl;
    this.refresher = new TokenRefresh(this, parts.serverUrl, parts.logger);
    const keyJwt = extensions.privateKeyJwt;
    this.addClientAuthentication =
      keyJwt && clientId !== undefined ? privateKeyJwtAuthentication(clientId, keyJwt) : undefined;
    this.dpopKey = new DpopKey(extensions.dpop);
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
    return isInteractive(this.parts.settings) ? this.redirectUri : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    const { settings, backend } = this.parts;
    const machine = !isInteractive(settings);
    const grant = settings.grant === 'jwt_bearer' ? JWT_BEARER_GRANT : settings.grant;
    const authMethod = settings.clientSecret === undefined ? 'none' : 'client_secret_basic';
    return {
      client_name: `mcp-gateway (${backend})`,
      redirect_uris: machine || this.redirectUri === undefined ? [] : [this.redirectUri],
      grant_types: machine ? [grant] : ['authorization_code', 'refresh_token'],
      response_types: machine ? [] : ['code'],
      token_endpoint_auth_method: this.addClientAuthentication ? 'private_key_jwt' : authMethod,
      ...(settings.scope === undefined ? {} : { scope: settings.scope }),
    };
  }

  state(): string {
    this.flowState = randomBytes(24).toString('base64url');
    return this.flowState;
  }

  clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
    // The SDK asks with the authorization server it found, just before each token request: the ID-JAG's audience.
    if (ctx !== undefined) this.issuer = ctx.issuer;
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
    this.assertions.accepted();
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
    if (state.resourceMetadata?.dpop_bound_access_tokens_required === true) this.dpopKey.require();
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier' || scope === 'all') this.verifier = undefined;
    if (scope === 'discovery' || scope === 'all') this.discovery = undefined;
    if (scope === 'tokens' || scope === 'all') {
      this.assertions.refusedNow();
      this.tokensRefused ||= this.entry.tokens !== undefined;
      this.refresher.cancel();
      await this.save({ tokens: undefined });
    }
    if (scope === 'client' || scope === 'all') await this.save({ client: undefined });
  }

  /** The token request of a grant without a person: client credentials, or the JWT bearer grant. */
  async prepareTokenRequest(scope?: string): Promise<URLSearchParams | undefined> {
    const { grant, extensions } = this.parts.settings;
    if (grant === 'client_credentials') {
      return new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    }
    if (extensions.assertion === undefined) return undefined;
    const target = { issuer: this.issuer, resource: this.resource ?? this.parts.serverUrl };
    const params = await assertionGrantRequest(extensions.assertion, target, scope);
    this.assertions.sending(params, extensions.assertion);
    return params;
  }

  /** DPoP (RFC 9449) when configured: the SDK then asks for bound tokens, and the transport presents them. */
  dpop(): Promise<DpopSession> | undefined {
    return this.dpopKey.get();
  }

  saveResourceUrl(resource: string): void {
    this.resource = resource;
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
