/**
 * The protected resource metadata (RFC 9728) of the gateway: its resource URI, the authorization servers it
 * trusts and the scopes it knows, served without authentication at `/.well-known/oauth-protected-resource` and at
 * the path-suffixed form for the resource's own path (`/.well-known/oauth-protected-resource/mcp`), which is the URL
 * the challenges name.
 */
const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The document, as RFC 9728 §2 names its fields. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name: string;
}

/** The document and where it is served. */
export interface MetadataPublication {
  readonly document: ProtectedResourceMetadata;
  /** The URL challenges name: the resource's origin, the well-known path, then the resource's path. */
  readonly url: string;
  /** The listener paths that serve the document. */
  readonly paths: ReadonlySet<string>;
}

/** Builds the document of `resource` (a URL) for these issuers and scopes. */
export function publishMetadata(
  resource: string,
  issuers: readonly string[],
  scopes: readonly string[],
  listenerPath: string,
): MetadataPublication {
  const url = new URL(resource);
  const resourcePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return {
    document: {
      resource,
      authorization_servers: issuers,
      scopes_supported: [...new Set(scopes)],
      bearer_methods_supported: ['header'],
      resource_name: 'mcp-gateway',
    },
    url: `${url.origin}${WELL_KNOWN}${resourcePath}`,
    // A proxy in front may publish the resource at another path than the listener's: both are served.
    paths: new Set([WELL_KNOWN, `${WELL_KNOWN}${resourcePath}`, `${WELL_KNOWN}${listenerPath}`]),
  };
}
