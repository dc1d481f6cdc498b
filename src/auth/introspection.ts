/**
 * Validation of opaque access tokens by introspection (RFC 7662) at an issuer's endpoint, authenticated with the
 * gateway's client credentials (`client_secret_basic`). An active answer is checked like a JWT (issuer, audience,
 * expiry) and cached with the inactive ones, keyed by the token's digest (never the token), for the configured time
 * but never past the token's `exp`.
 */
import { createHash } from 'node:crypto';

import type { IssuerConfig } from './auth-config.js';
import { ISSUER_REQUEST_TIMEOUT_MS, type IssuerMetadataSource } from './issuer-metadata.js';
import { claimsOf, invalidToken, type TokenOutcome } from './token-claims.js';
import type { TtlCache } from './ttl-cache.js';

/** Options of {@link Introspector}. */
export interface IntrospectorOptions {
  readonly issuer: IssuerConfig & { readonly introspection: NonNullable<IssuerConfig['introspection']> };
  readonly metadata: IssuerMetadataSource;
  readonly audience: string;
  readonly clockSkewS: number;
  readonly cacheMs: number;
  /** Shared by the issuers of one gateway: its size bound is the gateway's. */
  readonly cache: TtlCache<TokenOutcome>;
}

/** Introspects the opaque tokens of one issuer. */
export class Introspector {
  constructor(private readonly options: IntrospectorOptions) {}

  /** Validates `token` at the issuer; a cached answer is reused. */
  async verify(token: string): Promise<TokenOutcome> {
    const { cache, cacheMs, issuer } = this.options;
    const key = `${issuer.name}:${createHash('sha256').update(token, 'utf8').digest('base64url')}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const outcome = await this.introspect(token);
    if (outcome.ok || outcome.error === 'invalid_token') {
      const expiresAt = outcome.ok ? (outcome.claims.expiresAt ?? Infinity) : Infinity;
      cache.set(key, outcome, Math.min(Date.now() + cacheMs, expiresAt));
    }
    return outcome;
  }

  private async introspect(token: string): Promise<TokenOutcome> {
    const { issuer, metadata } = this.options;
    const { clientId, clientSecret } = issuer.introspection;
    let answer: Record<string, unknown>;
    try {
      const endpoint = issuer.introspection.endpoint ?? (await metadata.get()).introspectionEndpoint;
      if (endpoint === undefined) {
        throw new Error(
          `${issuer.issuer} publishes no introspection_endpoint: set its introspection.endpoint`,
        );
      }
      // RFC 6749 §2.3.1: the credentials are form-encoded before they are joined.
      const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(ISSUER_REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`its introspection endpoint answered HTTP ${response.status}`);
      answer = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      const reason = (error as Error).message;
      return {
        ok: false,
        error: 'unavailable',
        description: `${issuer.issuer} could not introspect: ${reason}`,
      };
    }
    return this.check(answer);
  }

  /** RFC 7662 §2.2 answer, checked as a JWT's claims would be. */
  private check(answer: Record<string, unknown>): TokenOutcome {
    const { issuer, audience, clockSkewS } = this.options;
    if (answer.active !== true) return invalidToken('the token is not active (revoked, expired or unknown)');
    if (answer.iss !== undefined && answer.iss !== issuer.issuer) {
      return invalidToken('the token comes from an issuer this gateway does not trust');
    }
    const audiences = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
    if (!audiences.includes(audience)) return invalidToken('the token is not meant for this resource (aud)');
    const now = Date.now() / 1000;
    if (typeof answer.exp === 'number' && answer.exp + clockSkewS <= now)
      return invalidToken('the token has expired');
    if (typeof answer.nbf === 'number' && answer.nbf - clockSkewS > now) {
      return invalidToken('the token is not valid yet (nbf)');
    }
    return claimsOf(answer, issuer);
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
