/**
 * Bearer-token authentication of the HTTP front door (RFC 6750, header form only: a token in the query string
 * ends up in proxy logs and browser history, so it is never accepted). Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`: constant time, whatever the length of what the client sent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { PrincipalClaims } from '../session-opener.js';
import type { Rejection } from './http-responses.js';

/** The environment variable the command line reads a token from when no `--auth-token` is given. */
export const AUTH_TOKEN_ENV = 'MCP_GATEWAY_AUTH_TOKEN';
/** Shorter tokens are refused at startup: a guessable token protects nothing. */
export const MIN_TOKEN_LENGTH = 16;

// RFC 6750 b64token: what may follow "Bearer " on the wire.
const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
const AUTHORIZATION = /^Bearer +(\S+) *$/i;
const REALM = 'mcp-gateway';

/**
 * Who sent an authenticated request: the name of the token it carried (the same for every request made with it),
 * `anonymous` when the front door has no tokens. Never the token.
 */
export type Principal = string;

/** A token, named (`{ name, token }`: the name is its principal) or not (a string: its principal is `token-<index>`). */
export type AuthToken = string | { readonly name: string; readonly token: string };

/** Names a token may have: letters, digits, `_`, `.` and `-`, up to 64 characters, starting with a letter or digit. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Reads `name=token` (a named token) or a token alone. Unambiguous: a token's only `=` are its trailing padding, so
 * a `=` followed by anything but `=` ends a name.
 */
export function parseAuthToken(value: string): AuthToken {
  const match = /^([^=]+)=(.*[^=].*)$/.exec(value);
  if (!match) return value;
  return { name: match[1] ?? '', token: match[2] ?? '' };
}

/** The principal of each token, in order: its name, or `token-<index>`. */
export function tokenNames(tokens: readonly AuthToken[]): string[] {
  return tokens.map((token, index) => (typeof token === 'string' ? `token-${index}` : token.name));
}

/** What is wrong with a list of tokens (a bad name, a name twice, a bad token), or undefined. Never quotes a token. */
export function describeTokensProblem(tokens: readonly AuthToken[]): string | undefined {
  const names = tokenNames(tokens);
  for (const [index, token] of tokens.entries()) {
    const name = names[index] ?? '';
    // A bad name is not quoted: it may be a token given with a stray "=".
    if (typeof token !== 'string' && !TOKEN_NAME.test(name)) {
      return `token #${index + 1}: a name must be letters, digits, "_", "." and "-" (up to 64), as in name=token`;
    }
    if (names.indexOf(name) !== index) return `token name "${name}" is given twice: each token needs its own`;
    const problem = describeTokenProblem(typeof token === 'string' ? token : token.token);
    if (problem !== undefined) return typeof token === 'string' ? problem : `(token "${name}") ${problem}`;
  }
  return undefined;
}

/** Who an authenticated request comes from: its principal, and the claims of its token when it was an OAuth one. */
export interface AuthIdentity {
  readonly principal: Principal;
  readonly claims?: PrincipalClaims | undefined;
}

/** The outcome of {@link BearerAuth}. */
export type AuthResult =
  ({ readonly ok: true } & AuthIdentity) | { readonly ok: false; readonly rejection: Rejection };

/** Authenticates one request. */
export type BearerAuth = (req: IncomingMessage) => AuthResult;

/**
 * What validates the bearer tokens no static token matched (OAuth access tokens, see `src/auth/`), and what it
 * publishes. Never given a static token.
 */
export interface TokenAuthority {
  /** Validates a token: the identity, or a 401 (403 for a missing scope, 503 when its issuer cannot be asked). */
  authenticate(token: string): Promise<AuthResult>;
  /** The 401 of a request without the header (`undefined`) or with a malformed one (`invalid_request`). */
  unauthenticated(error: 'invalid_request' | undefined): Rejection;
  /** A 403 when `identity` lacks a scope JSON-RPC method `method` needs; undefined when it may call it. */
  authorize(identity: AuthIdentity, method: string): Rejection | undefined;
  /** The public document served at `path` (GET, no token needed: the protected resource metadata), if any. */
  document(path: string): unknown;
}

/** Authenticates one request, possibly asking an authorization server. */
export type RequestAuth = (req: IncomingMessage) => AuthResult | Promise<AuthResult>;

/**
 * The front door's authenticator: a bearer token is tried as a static token first (constant time), then, when an
 * authority is given, as an OAuth access token. Without an authority this is {@link createBearerAuth}.
 */
export function createRequestAuth(
  tokens: readonly AuthToken[],
  authority: TokenAuthority | undefined,
): RequestAuth {
  if (authority === undefined) return createBearerAuth(tokens);
  const matchStatic = tokens.length > 0 ? createTokenCheck(tokens) : () => undefined;
  return (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return { ok: false, rejection: authority.unauthenticated(undefined) };
    const presented = AUTHORIZATION.exec(header)?.[1];
    if (presented === undefined)
      return { ok: false, rejection: authority.unauthenticated('invalid_request') };
    const principal = matchStatic(presented);
    return principal === undefined ? authority.authenticate(presented) : { ok: true, principal };
  };
}

/** What is wrong with a token, or undefined when it is usable. Never quotes the token. */
export function describeTokenProblem(token: string): string | undefined {
  if (token.length >= MIN_TOKEN_LENGTH && TOKEN_PATTERN.test(token)) return undefined;
  return (
    `must be ${MIN_TOKEN_LENGTH} or more characters from A-Z a-z 0-9 - . _ ~ + / (optionally ending in =), ` +
    'e.g. the output of `openssl rand -hex 32`'
  );
}

/**
 * Builds the check of one presented token: the principal of the token it matches, or undefined. Constant time
 * whatever was presented (SHA-256 digests compared with `timingSafeEqual`, no early exit). Used by the bearer
 * header and by the dashboard's login form, so that both accept exactly the same tokens.
 */
export function createTokenCheck(tokens: readonly AuthToken[]): (presented: string) => Principal | undefined {
  const digests = tokens.map((token) => digest(typeof token === 'string' ? token : token.token));
  const names = tokenNames(tokens);
  return (presented) => {
    const candidate = digest(presented);
    let matched = -1;
    // No early exit: the time taken must not tell which token (or how many) came close.
    digests.forEach((expected, index) => {
      if (timingSafeEqual(candidate, expected) && matched === -1) matched = index;
    });
    return matched === -1 ? undefined : (names[matched] ?? `token-${matched}`);
  };
}

/**
 * Builds the authenticator. With no token every request passes (principal `anonymous`); with tokens, a request
 * passes only with `Authorization: Bearer <one of them>`, and its principal is that token's name.
 */
export function createBearerAuth(tokens: readonly AuthToken[]): BearerAuth {
  if (tokens.length === 0) return () => ({ ok: true, principal: 'anonymous' });
  const check = createTokenCheck(tokens);
  return (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return unauthorized(undefined);
    const presented = AUTHORIZATION.exec(header)?.[1];
    if (presented === undefined) return unauthorized('invalid_request');
    const principal = check(presented);
    if (principal === undefined) return unauthorized('invalid_token');
    return { ok: true, principal };
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function unauthorized(error: 'invalid_request' | 'invalid_token' | undefined): AuthResult {
  const challenge =
    error === undefined ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="${error}"`;
  return {
    ok: false,
    rejection: {
      status: 401,
      message:
        error === 'invalid_token'
          ? 'Unauthorized: the bearer token is not valid'
          : 'Unauthorized: send the header "Authorization: Bearer <token>"',
      headers: { 'WWW-Authenticate': challenge },
    },
  };
}
