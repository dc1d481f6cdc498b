/**
 * One backend's side of OAuth: its session (made on the first connection), whether a person must authorize it and
 * why, and asking the client whose call is waiting to open the authorization URL (URL-mode elicitation), then
 * waiting for the callback.
 */
import { randomUUID } from 'node:crypto';

import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { BackendMessage } from '../../shared/backend.js';
import type { BackendSpec } from '../backend-spec.js';
import type { BackendOAuth } from './backend-oauth.js';
import type { OAuthSettings } from './oauth-config.js';
import type { OAuthSession } from './oauth-session.js';

/** How long a call waits for a person to authorize. */
const DEFAULT_WAIT_MS = 600_000;

/** What the backend does when its authorization changes, and how it reaches the client of a call. */
export interface AuthorizationHooks {
  /** A person must authorize (first use, or the tokens were refused): stop using the connection. */
  needed(): void;
  /** A person authorized: connect again; resolves once connected (or failed). */
  authorized(): Promise<void>;
  /** Sends a request to the client whose call to this backend is in flight. */
  ask(request: BackendMessage, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Sends a notification up, to the client it concerns. */
  notify(notification: BackendMessage): void;
}

/** The OAuth state of a backend that may use it (a remote one, `oauth` not off, a gateway with an OAuth client). */
export function authorizationOf(
  spec: Pick<BackendSpec, 'name' | 'url' | 'oauth'>,
  oauth: BackendOAuth | undefined,
  logger: Logger,
  hooks: AuthorizationHooks,
  principal?: string,
): BackendAuthorization | undefined {
  const { name, url, oauth: settings } = spec;
  if (url === undefined || settings === undefined || oauth === undefined) return undefined;
  return new BackendAuthorization(oauth, { name, url, settings, principal }, logger, hooks);
}

/** The OAuth state of one backend. */
export class BackendAuthorization {
  private session: OAuthSession | undefined;
  private reason: string | undefined;
  private readonly waiting = new Set<() => void>();
  /** The backend's reconnection after the last authorization. */
  private reconnecting: Promise<void> = Promise.resolve();

  constructor(
    private readonly oauth: BackendOAuth,
    private readonly target: {
      readonly name: string;
      readonly url: string;
      readonly settings: OAuthSettings;
      /** The principal it acts for (its tokens kept apart); undefined for the gateway's own identity. */
      readonly principal?: string | undefined;
    },
    private readonly logger: Logger,
    private readonly hooks: AuthorizationHooks,
  ) {}

  /** The provider the backend's transport authorizes its requests with. */
  async provider(): Promise<OAuthClientProvider> {
    if (this.session) return this.session;
    const { name, url, settings, principal } = this.target;
    const session = this.oauth.session({
      backend: name,
      serverUrl: url,
      settings,
      logger: this.logger,
      principal,
    });
    await session.prepare({
      needed: (_url, reason) => {
        this.reason = reason;
        this.hooks.needed();
      },
      authorized: () => {
        this.reason = undefined;
        this.reconnecting = this.hooks.authorized().catch(() => undefined);
        for (const resume of this.waiting) resume();
      },
    });
    this.session = session;
    return session;
  }

  /** The URL a person must open, while an authorization is pending. */
  get url(): string | undefined {
    return this.session?.authorizationUrl;
  }

  /** `backend "<name>" is waiting for authorization: <why>; open <url> in a browser`, while one is pending. */
  describe(): string | undefined {
    const url = this.url;
    if (url === undefined) return undefined;
    const { name, principal } = this.target;
    const why = this.reason ?? 'a person must authorize the gateway';
    // A principal's own authorization: its URL is shown to it alone (its list_servers, its calls).
    const whose = principal === undefined ? '' : ` of principal "${principal}"`;
    return (
      `backend "${name}" is waiting for authorization${whose}: ${why}; open ${url} in a browser ` +
      '(list_servers shows it too)'
    );
  }

  /**
   * A call reached the backend while it waits for authorization: asks the calling client to have its user open the
   * authorization URL (URL-mode elicitation), waits until the person authorized (up to `timeoutMs`) and the backend
   * connected again, then tells the client the elicitation is complete. Returns at once when the client cannot be
   * asked or the user declined: the call then fails with the error that says where to go.
   */
  async authorizeCall(signal: AbortSignal | undefined, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const url = this.url;
    if (url === undefined) return;
    const elicitationId = randomUUID();
    const message = `Sign in to let the gateway use the server "${this.target.name}".`;
    const request = { method: 'elicitation/create', params: { mode: 'url', elicitationId, url, message } };
    const answer = await this.hooks
      .ask(request, signal ?? new AbortController().signal)
      .catch((error: unknown) => {
        this.logger.debug('the client was not asked to authorize', { error: (error as Error).message });
        return undefined;
      });
    if (answer?.action !== 'accept') return;
    await this.authorizedWithin(signal, timeoutMs);
    await this.reconnecting;
    this.hooks.notify({ method: 'notifications/elicitation/complete', params: { elicitationId } });
  }

  /** Forgets pending authorizations and stops renewing tokens. */
  close(): void {
    this.session?.close();
  }

  private authorizedWithin(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    // The client may answer only once its user finished: nothing left to wait for then.
    if (this.url === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.waiting.delete(resume);
        if (error) reject(error);
        else resolve();
      };
      const resume = (): void => done();
      const aborted = (): void => done(new GatewayError('cancelled', 'the call was cancelled'));
      const timer = setTimeout(() => {
        const waited = new GatewayError(
          'timeout',
          `nobody authorized backend "${this.target.name}" within ${timeoutMs} ms; open ${this.url ?? 'the URL'} ` +
            'in a browser to authorize it',
          { backend: this.target.name },
        );
        done(waited);
      }, timeoutMs);
      this.waiting.add(resume);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }
}
