/**
 * How a remote backend's OAuth client is written in the config file (`servers.<name>.oauth`). Every field is
 * optional: with none, the gateway registers itself with the backend's authorization server (a client ID metadata
 * document when one is configured and the server supports it, else dynamic registration) and asks a person to
 * authorize it.
 */
import { z } from 'zod';

import {
  extensionProblems,
  OAUTH_EXTENSION_FIELDS,
  resolveExtensions,
  type OAuthExtensions,
} from './extensions/extensions-config.js';

/** The grants the gateway can use for a backend. */
export const OAUTH_GRANTS = ['authorization_code', 'client_credentials'] as const;

/** `perPrincipal` with its limits: how many principals' connections at once, and how long one stays idle. */
const PerPrincipalSchema = z.strictObject({
  maxConnections: z.number().int().min(1).max(10_000).optional(),
  idleTimeoutMs: z.number().int().min(10).optional(),
});

/** Per-principal connections at once, by default (past it the least recently used idle one is closed). */
const DEFAULT_MAX_PRINCIPAL_CONNECTIONS = 100;
/** A principal's connection unused this long is closed, by default. */
const DEFAULT_PRINCIPAL_IDLE_MS = 300_000;

/** A server's `oauth` section. */
export const OAuthConfigSchema = z
  .strictObject({
    /** A client id registered with the authorization server beforehand (no registration then). */
    clientId: z.string().min(1).optional(),
    /** The secret of `clientId` (write `"${VAR}"` to keep it out of the file). Never logged. */
    clientSecret: z.string().min(1).optional(),
    /** Scopes to ask for: a list, or one space-separated string. Default: what the backend's metadata lists. */
    scopes: z.union([z.array(z.string().min(1)), z.string().min(1)]).optional(),
    /** `authorization_code` (a person authorizes, the default) or `client_credentials` (machine to machine). */
    grant: z
      .enum(OAUTH_GRANTS, { error: 'grant is "authorization_code" or "client_credentials"' })
      .optional(),
    /** An https URL of this gateway's client ID metadata document, used when the authorization server supports it. */
    clientMetadataUrl: z
      .url({ protocol: /^https$/, error: 'clientMetadataUrl must be an https:// URL' })
      .optional(),
    /** The loopback port of the redirect URI (`http://127.0.0.1:<port>/oauth/callback`); default a free one. */
    callbackPort: z.number().int().min(0).max(65_535).optional(),
    /** private_key_jwt, DPoP, enterprise-managed authorization, workload identity: see extensions-config.ts. */
    ...OAUTH_EXTENSION_FIELDS,
    /** Each principal of the gateway acts as itself: its own tokens and connection (see `PerPrincipalSchema`). */
    perPrincipal: z.union([z.boolean(), PerPrincipalSchema]).optional(),
  })
  .refine(
    (oauth) =>
      oauth.grant !== 'client_credentials' ||
      (oauth.clientId && (oauth.clientSecret || oauth.clientAuth === 'private_key_jwt')),
    {
      error:
        'grant "client_credentials" needs a clientId and a clientSecret (or clientAuth "private_key_jwt")',
    },
  )
  .refine(
    (oauth) =>
      !oauth.perPrincipal ||
      (oauth.grant !== 'client_credentials' && !oauth.enterprise && !oauth.workloadIdentity),
    {
      error:
        'perPrincipal needs a person per principal: it cannot go with grant "client_credentials", "enterprise" or "workloadIdentity"',
    },
  )
  .superRefine((oauth, context) => {
    for (const message of extensionProblems(oauth)) context.addIssue({ code: 'custom', message });
  });

/** A server's `oauth` section as written; `false` turns OAuth off for a backend that would use it by default. */
export const ServerOAuthSchema = z.union([z.literal(false), OAuthConfigSchema]);

/** The `oauth` section as written. */
export type OAuthConfig = z.infer<typeof OAuthConfigSchema>;

/** The grant a backend's OAuth client uses: a configured one, or the JWT bearer grant of an extension. */
export type OAuthGrant = (typeof OAUTH_GRANTS)[number] | 'jwt_bearer';

/** What a backend's OAuth client needs, resolved from its config. */
export interface OAuthSettings {
  readonly grant: OAuthGrant;
  readonly clientId: string | undefined;
  /** Never logged. */
  readonly clientSecret: string | undefined;
  /** Space-separated, or undefined for the backend's own choice. */
  readonly scope: string | undefined;
  readonly clientMetadataUrl: string | undefined;
  readonly callbackPort: number;
  /** private_key_jwt, DPoP and the JWT bearer grants. */
  readonly extensions: OAuthExtensions;
  /** Present when each principal acts as itself (its own tokens and connection), with its limits. */
  readonly perPrincipal: PrincipalLimits | undefined;
}

/** The limits of a backend's per-principal connections. */
export interface PrincipalLimits {
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
}

/** Whether a person authorizes the backend (the authorization code grant), rather than the gateway alone. */
export function isInteractive(settings: OAuthSettings): boolean {
  return settings.grant === 'authorization_code';
}

/**
 * The OAuth settings of a remote backend: those of its `oauth` section, or the defaults when it has none and sends
 * no `Authorization` header of its own (a backend that never answers 401 is not affected). Undefined: no OAuth.
 * Files the section names are resolved against `baseDir`, the config file's folder.
 */
export function resolveOAuth(
  oauth: OAuthConfig | false | undefined,
  headers: Readonly<Record<string, string>>,
  baseDir: string = process.cwd(),
): OAuthSettings | undefined {
  if (oauth === false) return undefined;
  const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (oauth === undefined && hasAuthorization) return undefined;
  const scopes = oauth?.scopes;
  const extensions = resolveExtensions(oauth, baseDir);
  return {
    grant: extensions.assertion === undefined ? (oauth?.grant ?? 'authorization_code') : 'jwt_bearer',
    clientId: oauth?.clientId,
    clientSecret: oauth?.clientSecret,
    scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
    clientMetadataUrl: oauth?.clientMetadataUrl,
    callbackPort: oauth?.callbackPort ?? 0,
    extensions,
    perPrincipal: principalLimits(oauth?.perPrincipal),
  };
}

function principalLimits(perPrincipal: OAuthConfig['perPrincipal']): PrincipalLimits | undefined {
  if (perPrincipal === undefined || perPrincipal === false) return undefined;
  const limits = perPrincipal === true ? {} : perPrincipal;
  return {
    maxConnections: limits.maxConnections ?? DEFAULT_MAX_PRINCIPAL_CONNECTIONS,
    idleTimeoutMs: limits.idleTimeoutMs ?? DEFAULT_PRINCIPAL_IDLE_MS,
  };
}
