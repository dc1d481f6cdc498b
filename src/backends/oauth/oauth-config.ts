/**
 * How a remote backend's OAuth client is written in the config file (`servers.<name>.oauth`). Every field is
 * optional: with none, the gateway registers itself with the backend's authorization server (a client ID metadata
 * document when one is configured and the server supports it, else dynamic registration) and asks a person to
 * authorize it.
 */
import { z } from 'zod';

/** The grants the gateway can use for a backend. */
export const OAUTH_GRANTS = ['authorization_code', 'client_credentials'] as const;

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
  })
  .refine((oauth) => oauth.grant !== 'client_credentials' || (oauth.clientId && oauth.clientSecret), {
    error: 'grant "client_credentials" needs a clientId and a clientSecret',
  });

/** A server's `oauth` section as written; `false` turns OAuth off for a backend that would use it by default. */
export const ServerOAuthSchema = z.union([z.literal(false), OAuthConfigSchema]);

/** The `oauth` section as written. */
export type OAuthConfig = z.infer<typeof OAuthConfigSchema>;

/** What a backend's OAuth client needs, resolved from its config. */
export interface OAuthSettings {
  readonly grant: (typeof OAUTH_GRANTS)[number];
  readonly clientId: string | undefined;
  /** Never logged. */
  readonly clientSecret: string | undefined;
  /** Space-separated, or undefined for the backend's own choice. */
  readonly scope: string | undefined;
  readonly clientMetadataUrl: string | undefined;
  readonly callbackPort: number;
}

/**
 * The OAuth settings of a remote backend: those of its `oauth` section, or the defaults when it has none and sends
 * no `Authorization` header of its own (a backend that never answers 401 is not affected). Undefined: no OAuth.
 */
export function resolveOAuth(
  oauth: OAuthConfig | false | undefined,
  headers: Readonly<Record<string, string>>,
): OAuthSettings | undefined {
  if (oauth === false) return undefined;
  const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (oauth === undefined && hasAuthorization) return undefined;
  const scopes = oauth?.scopes;
  return {
    grant: oauth?.grant ?? 'authorization_code',
    clientId: oauth?.clientId,
    clientSecret: oauth?.clientSecret,
    scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
    clientMetadataUrl: oauth?.clientMetadataUrl,
    callbackPort: oauth?.callbackPort ?? 0,
  };
}
