/**
 * Routes an access token to the check that fits it: a JWT to its issuer's local validation (picked by its
 * unverified `iss`, which the signature check then binds), an opaque token to introspection at the issuers that
 * allow it, in the configured order.
 */
import { decodeJwt } from 'jose';

import {
  DEFAULT_CLOCK_SKEW_S,
  DEFAULT_INTROSPECTION_MAX_ENTRIES,
  DEFAULT_INTROSPECTION_TTL_S,
  DEFAULT_JWKS_COOLDOWN_S,
  DEFAULT_JWKS_MAX_AGE_S,
  type AuthConfig,
} from './auth-config.js';
import { Introspector } from './introspection.js';
import { IssuerMetadataSource } from './issuer-metadata.js';
import { JwtVerifier } from './jwt-verifier.js';
import { invalidToken, type TokenOutcome } from './token-claims.js';
import { TtlCache } from './ttl-cache.js';

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Validates access tokens for one audience. */
export type TokenValidator = (token: string) => Promise<TokenOutcome>;

/** The validator of `config`'s issuers, for tokens meant for `audience`. */
export function createTokenValidator(config: AuthConfig, audience: string): TokenValidator {
  const cooldownMs = (config.cache?.jwksCooldownSeconds ?? DEFAULT_JWKS_COOLDOWN_S) * 1000;
  const clockSkewS = config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_S;
  const cache = new TtlCache<TokenOutcome>(
    config.cache?.introspectionEntries ?? DEFAULT_INTROSPECTION_MAX_ENTRIES,
  );
  const jwt = new Map<string, JwtVerifier>();
  const introspectors: Introspector[] = [];
  for (const issuer of config.issuers) {
    const metadata = new IssuerMetadataSource(issuer.issuer, cooldownMs);
    jwt.set(
      issuer.issuer,
      new JwtVerifier({
        issuer,
        metadata,
        audience,
        clockSkewS,
        jwksCooldownMs: cooldownMs,
        jwksMaxAgeMs: (config.cache?.jwksMaxAgeSeconds ?? DEFAULT_JWKS_MAX_AGE_S) * 1000,
      }),
    );
    const { introspection } = issuer;
    if (introspection !== undefined) {
      introspectors.push(
        new Introspector({
          issuer: { ...issuer, introspection },
          metadata,
          audience,
          clockSkewS,
          cacheMs: (config.cache?.introspectionSeconds ?? DEFAULT_INTROSPECTION_TTL_S) * 1000,
          cache,
        }),
      );
    }
  }

  return async (token) => {
    if (JWT_SHAPE.test(token)) {
      let issuer: unknown;
      try {
        issuer = decodeJwt(token).iss;
      } catch {
        return invalidToken('the token is not a valid JWT');
      }
      const verifier = typeof issuer === 'string' ? jwt.get(issuer) : undefined;
      if (verifier === undefined)
        return invalidToken('the token comes from an issuer this gateway does not trust');
      return verifier.verify(token);
    }
    if (introspectors.length === 0) {
      return invalidToken('the token is not a JWT, and no configured issuer introspects tokens');
    }
    let first: TokenOutcome | undefined;
    for (const introspector of introspectors) {
      const outcome = await introspector.verify(token);
      if (outcome.ok) return outcome;
      // An issuer that could not be asked says more than one that does not know the token.
      if (first === undefined || (first.ok === false && outcome.error === 'unavailable')) first = outcome;
    }
    return first ?? invalidToken('the token is not active');
  };
}
