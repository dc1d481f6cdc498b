/**
 * The gateway as an OAuth 2.1 resource server: the {@link TokenAuthority} the HTTP front door asks about every
 * bearer token that is not one of its static tokens. It validates access tokens (see `token-validator.ts`), checks
 * the scopes every request and each method need, answers with the challenges MCP clients follow, and publishes the
 * protected resource metadata. It never passes a token on: what it returns is a principal name and claims.
 */
import type { Logger } from '../logger.js';
import type { AuthIdentity, AuthResult, TokenAuthority } from '../transports/http/bearer-auth.js';
import type { Rejection } from '../transports/http/http-responses.js';
import type { AuthConfig } from './auth-config.js';
import { challengeRejection } from './challenge.js';
import { publishMetadata } from './protected-resource-metadata.js';
import { missingScopes } from './token-claims.js';
import { createTokenValidator } from './token-validator.js';

/** How long a client is told to wait when an authorization server could not be asked. */
const UNAVAILABLE_RETRY_S = 5;

/**
 * The front door's authority factory for the config's `auth` section, or undefined without one. The section is
 * read at startup: a reload does not change it (a restart does).
 */
export function authorityFor(
  config: AuthConfig | undefined,
  logger: Logger,
): ((listenerUrl: string) => TokenAuthority) | undefined {
  return config === undefined
    ? undefined
    : (listenerUrl) => createResourceServer(config, listenerUrl, logger);
}

/**
 * The authority of `config`, for the listener at `listenerUrl` (`http://host:port/mcp`): the resource URI is
 * `auth.resource`, else that URL; the audience tokens must carry is `auth.audience`, else the resource URI.
 */
export function createResourceServer(
  config: AuthConfig,
  listenerUrl: string,
  logger: Logger,
): TokenAuthority {
  const resource = config.resource ?? listenerUrl;
  const audience = config.audience ?? resource;
  const globalScopes = config.scopes ?? [];
  const methodScopes = config.methodScopes ?? {};
  const metadata = publishMetadata(
    resource,
    config.issuers.map((issuer) => issuer.issuer),
    [...globalScopes, ...Object.values(methodScopes).flat()],
    new URL(listenerUrl).pathname,
  );
  const validate = createTokenValidator(config, audience);
  const refuse = (
    scopes: readonly string[],
    error?: 'invalid_request' | 'invalid_token',
    description?: string,
  ) => challengeRejection({ resourceMetadata: metadata.url, scopes, error, description });

  const scopeCheck = (identity: AuthIdentity, required: readonly string[]): Rejection | undefined => {
    if (identity.claims === undefined) return undefined;
    const missing = missingScopes(identity.claims, required);
    if (missing.length === 0) return undefined;
    return challengeRejection({
      resourceMetadata: metadata.url,
      scopes: required,
      error: 'insufficient_scope',
      description: `missing scope ${missing.join(' ')}`,
    });
  };

  return {
    unauthenticated: (error) => refuse(globalScopes, error),
    document: (path) => (metadata.paths.has(path) ? metadata.document : undefined),
    authorize: (identity, method) => {
      const scopes = methodScopes[method];
      return scopes === undefined
        ? undefined
        : scopeCheck(identity, [...new Set([...globalScopes, ...scopes])]);
    },
    authenticate: async (token): Promise<AuthResult> => {
      const outcome = await validate(token);
      if (outcome.ok) {
        const rejection = scopeCheck(outcome, globalScopes);
        return rejection
          ? { ok: false, rejection }
          : { ok: true, principal: outcome.principal, claims: outcome.claims };
      }
      if (outcome.error === 'unavailable') {
        logger.warn('an access token could not be validated', { reason: outcome.description });
        return {
          ok: false,
          rejection: {
            status: 503,
            message: 'Service Unavailable: the authorization server could not be reached; try again',
            headers: { 'Retry-After': String(UNAVAILABLE_RETRY_S) },
          },
        };
      }
      return { ok: false, rejection: refuse(globalScopes, 'invalid_token', outcome.description) };
    },
  };
}
