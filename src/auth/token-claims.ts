/**
 * What a validated access token says of its bearer, whichever way it was validated (a JWT's payload, an
 * introspection answer): a stable principal name that is never a secret, and the claims access rules use.
 */
import type { PrincipalClaims } from '../transports/session-opener.js';
import type { IssuerConfig } from './auth-config.js';

/** The outcome of validating one access token. */
export type TokenOutcome =
  | { readonly ok: true; readonly principal: string; readonly claims: PrincipalClaims }
  | {
      readonly ok: false;
      /** `invalid_token`: 401; `unavailable`: the issuer could not be asked (503). */
      readonly error: 'invalid_token' | 'unavailable';
      /** Safe to show the client and to log: says what is wrong, never quotes the token. */
      readonly description: string;
    };

/** A refusal of a token, as {@link TokenOutcome}. */
export function invalidToken(description: string): TokenOutcome {
  return { ok: false, error: 'invalid_token', description };
}

/**
 * The principal and claims of a token's payload: the principal is `<issuer name>:<sub>` (a client-credentials token
 * without `sub`: its `client_id`), scopes come from `scope` (space-separated) or `scp`, groups from the issuer's
 * groups claim (default `groups`). A payload naming no subject is refused.
 */
export function claimsOf(payload: Readonly<Record<string, unknown>>, issuer: IssuerConfig): TokenOutcome {
  const clientId = stringClaim(payload.client_id) ?? stringClaim(payload.azp);
  const subject = stringClaim(payload.sub) ?? clientId;
  if (subject === undefined) return invalidToken('the token names no subject (sub) nor client (client_id)');
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
  return {
    ok: true,
    principal: `${issuer.name}:${subject}`,
    claims: {
      issuer: issuer.name,
      subject,
      clientId,
      scopes: wordsOf(payload.scope ?? payload.scp),
      groups: wordsOf(payload[issuer.groupsClaim ?? 'groups'], /\s*,\s*/),
      expiresAt: exp === undefined ? undefined : exp * 1000,
    },
  };
}

/** The scopes `claims` lacks of `required`. */
export function missingScopes(claims: PrincipalClaims, required: readonly string[]): string[] {
  return required.filter((scope) => !claims.scopes.includes(scope));
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A list claim: an array of strings, or one string split at `separator` (scopes: spaces). */
function wordsOf(value: unknown, separator: RegExp = /\s+/): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(separator).filter((word) => word !== '');
  return [];
}
