/**
 * The config file's `auth` section: the gateway as an OAuth 2.1 resource server. Which authorization servers it
 * trusts (each named: the name prefixes the principals of its tokens), what its resource URI and audience are, the
 * scopes every request (and each method) needs, and the bounds of its caches. Secrets (an introspection client's
 * secret) come from the environment through `${VAR}`, expanded when the file is loaded.
 */
import { z } from 'zod';

/** How far clocks may disagree when `exp`, `nbf` and `iat` are checked, unless `auth.clockSkewSeconds` says. */
export const DEFAULT_CLOCK_SKEW_S = 30;
/** How long an introspection answer is reused (never past the token's `exp`), unless the config says. */
export const DEFAULT_INTROSPECTION_TTL_S = 60;
/** How many introspection answers are kept at most, unless the config says. */
export const DEFAULT_INTROSPECTION_MAX_ENTRIES = 1000;
/** The least time between two fetches of an issuer's key set (an unknown `kid` asks for one). */
export const DEFAULT_JWKS_COOLDOWN_S = 30;
/** How long a fetched key set is trusted before it is fetched again. */
export const DEFAULT_JWKS_MAX_AGE_S = 600;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const url = (what: string) =>
  z.url({ protocol: /^https?$/, error: `${what} must be an http(s) URL, e.g. "https://id.example.com"` });
/** An authorization server's URL: HTTPS, but on a loopback host (a local provider in development and tests). */
const serverUrl = (what: string) =>
  url(what).refine(
    (value) => value.startsWith('https:') || LOOPBACK.has(new URL(value).hostname),
    `${what} must use https (plain http is only accepted on localhost, 127.0.0.1 or [::1])`,
  );
const scopes = (what: string) =>
  z.array(z.string().regex(SCOPE, { error: `${what}: a scope is one word of printable characters` }), {
    error: `${what} must be a list of scopes, e.g. ["mcp"]`,
  });
const seconds = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .int({ error: `${what} must be a whole number of seconds` })
    .min(0, { error: `${what} must be 0 or more` })
    .max(max, { error: `${what} must be at most ${max}` });

/** One trusted authorization server. */
export const IssuerConfigSchema = z.object(
  {
    /** Prefixes its principals (`<name>:<sub>`): letters, digits, `_`, `.`, `-`. */
    name: z.string().regex(NAME, {
      error: 'auth.issuers[].name must be a short name (letters, digits, "_", ".", "-"), e.g. "corp"',
    }),
    /** The issuer identifier: what its tokens carry in `iss`, and where its metadata is found. */
    issuer: serverUrl('auth.issuers[].issuer'),
    /** The key set's URL; default the `jwks_uri` of the issuer's metadata (RFC 8414, or OpenID discovery). */
    jwksUri: serverUrl('auth.issuers[].jwksUri').optional(),
    /** The claim that lists the principal's groups or roles. Default `groups`. */
    groupsClaim: z.string({ error: 'auth.issuers[].groupsClaim must be a claim name' }).min(1).optional(),
    /** Opaque tokens are checked at the issuer's introspection endpoint (RFC 7662) with these credentials. */
    introspection: z
      .object(
        {
          /** Default the `introspection_endpoint` of the issuer's metadata. */
          endpoint: serverUrl('auth.issuers[].introspection.endpoint').optional(),
          clientId: z.string({ error: 'introspection.clientId must be a string' }).min(1),
          /** Write it as `${VAR}`: the secret stays out of the file. */
          clientSecret: z
            .string({ error: 'introspection.clientSecret must be a string, e.g. "${SECRET}"' })
            .min(1),
        },
        { error: 'auth.issuers[].introspection must be an object with clientId and clientSecret' },
      )
      .optional(),
  },
  { error: 'each of auth.issuers must be an object with name and issuer' },
);

/** The `auth` section. */
export const AuthConfigSchema = z
  .object(
    {
      /** This gateway's resource URI (RFC 8707/9728); default the listener's URL (`http://host:port/mcp`). */
      resource: url('auth.resource').optional(),
      /** The `aud` tokens must carry; default the resource URI. */
      audience: z.string({ error: 'auth.audience must be a string' }).min(1).optional(),
      issuers: z
        .array(IssuerConfigSchema, { error: 'auth.issuers must be a list of authorization servers' })
        .min(1, { error: 'auth.issuers needs at least one authorization server' }),
      /** Scopes every request needs. */
      scopes: scopes('auth.scopes').optional(),
      /** Scopes a JSON-RPC method needs besides, e.g. {"tools/call": ["mcp:tools"]}. */
      methodScopes: z
        .record(z.string().min(1), scopes('auth.methodScopes'), {
          error: 'auth.methodScopes must map methods to scopes, e.g. {"tools/call": ["mcp:tools"]}',
        })
        .optional(),
      clockSkewSeconds: seconds('auth.clockSkewSeconds', 300).optional(),
      cache: z
        .object(
          {
            introspectionSeconds: seconds('auth.cache.introspectionSeconds', 3600).optional(),
            introspectionEntries: z
              .number({ error: 'auth.cache.introspectionEntries must be a number' })
              .int()
              .min(1, { error: 'auth.cache.introspectionEntries must be 1 or more' })
              .max(1_000_000)
              .optional(),
            jwksCooldownSeconds: seconds('auth.cache.jwksCooldownSeconds', 3600).optional(),
            jwksMaxAgeSeconds: seconds('auth.cache.jwksMaxAgeSeconds', 86_400).optional(),
          },
          { error: 'auth.cache must be an object' },
        )
        .optional(),
    },
    {
      error:
        'auth must be an object with "issuers", e.g. {"issuers": [{"name": "corp", "issuer": "https://..."}]}',
    },
  )
  .refine((auth) => new Set(auth.issuers.map((issuer) => issuer.name)).size === auth.issuers.length, {
    message: 'auth.issuers: each name must be used once',
    path: ['issuers'],
  });

/** The validated `auth` section. */
export type AuthConfig = z.output<typeof AuthConfigSchema>;
/** One validated issuer. */
export type IssuerConfig = z.output<typeof IssuerConfigSchema>;
