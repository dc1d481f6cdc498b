/**
 * When and how a session's tokens are renewed: before the access token expires (a timer, and a check before each
 * request), through the SDK's `auth()`, one run at a time. A refresh the authorization server refuses ends in a new
 * pending authorization (the SDK drops the refused tokens and asks for one), never in a stream of 401s.
 */
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/client';
import { plainMessage } from '../../errors/protocol-error.js';
import type { Logger } from '../../logger.js';
import type { KeptTokens } from './token-store.js';

/** Renewed at most this long before expiry, and at half its lifetime for a short-lived token. */
const MAX_MARGIN_MS = 60_000;

/** The renewal of one session's tokens. */
export class TokenRefresh {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly provider: OAuthClientProvider,
    private readonly serverUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Whether `tokens` should be renewed before they are used. */
  due(tokens: KeptTokens | undefined): boolean {
    const at = renewAt(tokens);
    return at !== undefined && this.renewable(tokens) && Date.now() >= at;
  }

  /** Renews `tokens` when they come close to expiring. */
  schedule(tokens: KeptTokens | undefined): void {
    this.cancel();
    const at = renewAt(tokens);
    if (at === undefined || !this.renewable(tokens)) return;
    this.timer = setTimeout(() => void this.run(), Math.max(0, at - Date.now()));
    // An idle gateway is not kept alive for a refresh.
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Renews the tokens now (once, however many ask at the same time); failures are logged, not thrown. */
  run(): Promise<void> {
    this.running ??= auth(this.provider, { serverUrl: this.serverUrl })
      .then((result) => {
        if (result === 'AUTHORIZED') this.logger.info('OAuth tokens renewed');
      })
      .catch((error: unknown) => {
        this.logger.warn('could not renew the OAuth tokens', { error: plainMessage(error) });
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Redeems the code of an authorization callback (the SDK checks its `iss` against the server's issuer). */
  async redeem(params: URLSearchParams): Promise<void> {
    const code = params.get('code');
    if (code === null) throw new Error('the callback carries no authorization code');
    const result = await auth(this.provider, {
      serverUrl: this.serverUrl,
      authorizationCode: code,
      iss: params.get('iss') ?? undefined,
    });
    if (result !== 'AUTHORIZED') throw new Error('the authorization server did not issue tokens');
  }

  /** A refresh token, or a grant that needs no person (client credentials). */
  private renewable(tokens: KeptTokens | undefined): boolean {
    return tokens?.refresh_token !== undefined || this.provider.redirectUrl === undefined;
  }
}

function renewAt(tokens: KeptTokens | undefined): number | undefined {
  if (tokens?.expires_at === undefined) return undefined;
  const lifetime = (tokens.expires_in ?? 0) * 1000;
  return tokens.expires_at - Math.min(MAX_MARGIN_MS, lifetime / 2);
}
