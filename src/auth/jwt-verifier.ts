/**
 * Local validation of JWT access tokens (RFC 9068): the signature against the issuer's key set, fetched from its
 * JWKS URI and cached (an unknown `kid` fetches it again, at most once per cooldown: a flood of forged `kid`s
 * cannot make the gateway hammer the issuer), then `iss`, `aud`, `exp` (required), `nbf` and `iat` with a small
 * clock skew. Only asymmetric algorithms: a shared-secret token could be forged by anyone holding the secret.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

import type { IssuerConfig } from './auth-config.js';
import type { IssuerMetadataSource } from './issuer-metadata.js';
import { claimsOf, invalidToken, type TokenOutcome } from './token-claims.js';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Options of {@link JwtVerifier}. */
export interface JwtVerifierOptions {
  readonly issuer: IssuerConfig;
  readonly metadata: IssuerMetadataSource;
  readonly audience: string;
  readonly clockSkewS: number;
  readonly jwksCooldownMs: number;
  readonly jwksMaxAgeMs: number;
}

/** Validates the JWTs of one issuer. */
export class JwtVerifier {
  private keys: JWTVerifyGetKey | undefined;

  constructor(private readonly options: JwtVerifierOptions) {}

  /** Validates `token`, a JWT whose unverified `iss` named this verifier's issuer. */
  async verify(token: string): Promise<TokenOutcome> {
    const { issuer, audience, clockSkewS } = this.options;
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keySet();
    } catch (error) {
      return { ok: false, error: 'unavailable', description: (error as Error).message };
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: issuer.issuer,
        audience,
        clockTolerance: clockSkewS,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
      });
      return claimsOf(payload, issuer);
    } catch (error) {
      return describeFailure(error, issuer.issuer);
    }
  }

  private async keySet(): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    const { issuer, metadata, jwksCooldownMs, jwksMaxAgeMs } = this.options;
    const uri = issuer.jwksUri ?? (await metadata.get()).jwksUri;
    if (uri === undefined) {
      throw new Error(`${issuer.issuer} publishes no jwks_uri: set auth.issuers[].jwksUri`);
    }
    this.keys ??= createRemoteJWKSet(new URL(uri), {
      cooldownDuration: jwksCooldownMs,
      cacheMaxAge: jwksMaxAgeMs,
      timeoutDuration: 5000,
    });
    return this.keys;
  }
}

/** What the client is told of a token that failed validation: which check, never the token. */
function describeFailure(error: unknown, issuer: string): TokenOutcome {
  if (error instanceof errors.JWTExpired) return invalidToken('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalidToken('the token is not meant for this resource (aud)');
    if (error.claim === 'iss')
      return invalidToken('the token comes from an issuer this gateway does not trust');
    if (error.claim === 'nbf') return invalidToken('the token is not valid yet (nbf)');
    return invalidToken(`the token's "${error.claim}" claim is not valid (${error.reason})`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken('the token signature is not valid');
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalidToken(`no key of ${issuer} matches the token (kid)`);
  }
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  ) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: 'unavailable',
      description: `the key set of ${issuer} could not be fetched (${reason})`,
    };
  }
  return invalidToken(`the token is not a valid JWT (${error.code})`);
}
