/**
 * The refusals of the OAuth resource server (RFC 6750 §3, MCP authorization): a 401 or 403 whose
 * `WWW-Authenticate: Bearer` challenge names the protected resource metadata (RFC 9728 §5.1), so that a client can
 * find the authorization server, and the scopes to ask for (a 403 `insufficient_scope` is the step-up signal).
 */
import type { Rejection } from '../transports/http/http-responses.js';

const REALM = 'mcp-gateway';

/** What a challenge says. */
export interface ChallengeParams {
  readonly resourceMetadata: string;
  readonly scopes: readonly string[];
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined;
  /** Safe to show: never quotes a token. */
  readonly description?: string | undefined;
}

/** The `WWW-Authenticate` value. */
export function bearerChallenge(params: ChallengeParams): string {
  const parts = [`realm="${REALM}"`, `resource_metadata="${quote(params.resourceMetadata)}"`];
  if (params.scopes.length > 0) parts.push(`scope="${quote(params.scopes.join(' '))}"`);
  if (params.error !== undefined) parts.push(`error="${params.error}"`);
  if (params.description !== undefined) parts.push(`error_description="${quote(params.description)}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** A 401 (no token, a malformed header, a token that is not valid) or a 403 (a scope is missing). */
export function challengeRejection(params: ChallengeParams): Rejection {
  const status = params.error === 'insufficient_scope' ? 403 : 401;
  const message =
    params.error === 'insufficient_scope'
      ? `Forbidden: the token lacks a scope this needs (${params.scopes.join(' ')})`
      : params.error === undefined || params.error === 'invalid_request'
        ? 'Unauthorized: send the header "Authorization: Bearer <access token>"'
        : `Unauthorized: the bearer token is not valid: ${params.description ?? 'refused'}`;
  return { status, message, headers: { 'WWW-Authenticate': bearerChallenge(params) } };
}

/** RFC 7230 quoted-string: `"` and `\` are escaped; control characters (none expected) are dropped. */
function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, '').replace(/["\\]/g, (char) => `\\${char}`);
}
