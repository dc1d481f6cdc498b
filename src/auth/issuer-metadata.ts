/**
 * An authorization server's metadata (RFC 8414, then OpenID Connect discovery): where its key set and its
 * introspection endpoint are, when the config does not say. Fetched once when first needed; a failure is retried
 * on a later request, never more often than every `retryMs`.
 */

/** The fields the gateway reads. */
export interface IssuerMetadata {
  readonly jwksUri: string | undefined;
  readonly introspectionEndpoint: string | undefined;
}

/** How long a request to an authorization server may take. */
export const ISSUER_REQUEST_TIMEOUT_MS = 5000;

/** Fetches an issuer's metadata; resolves the same answer to every caller once fetched. */
export class IssuerMetadataSource {
  private fetched: Promise<IssuerMetadata> | undefined;
  private failedAt = 0;

  constructor(
    private readonly issuer: string,
    private readonly retryMs: number,
  ) {}

  /** The metadata; rejects with a message naming the issuer and what went wrong. */
  get(): Promise<IssuerMetadata> {
    if (this.fetched === undefined && Date.now() - this.failedAt < this.retryMs) {
      return Promise.reject(new Error(`the metadata of ${this.issuer} could not be fetched a moment ago`));
    }
    this.fetched ??= this.fetchMetadata().catch((error: unknown) => {
      this.fetched = undefined;
      this.failedAt = Date.now();
      throw error;
    });
    return this.fetched;
  }

  private async fetchMetadata(): Promise<IssuerMetadata> {
    const problems: string[] = [];
    for (const url of metadataUrls(this.issuer)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(ISSUER_REQUEST_TIMEOUT_MS) });
        if (!response.ok) {
          problems.push(`${url}: HTTP ${response.status}`);
          continue;
        }
        const document = (await response.json()) as Record<string, unknown>;
        // RFC 8414 §3.3: a document for another issuer must not be used.
        if (document.issuer !== this.issuer) {
          problems.push(`${url}: its "issuer" is not ${this.issuer}`);
          continue;
        }
        return {
          jwksUri: typeof document.jwks_uri === 'string' ? document.jwks_uri : undefined,
          introspectionEndpoint:
            typeof document.introspection_endpoint === 'string' ? document.introspection_endpoint : undefined,
        };
      } catch (error) {
        problems.push(`${url}: ${(error as Error).message}`);
      }
    }
    throw new Error(`no metadata found for ${this.issuer} (${problems.join('; ')})`);
  }
}

/** Where the metadata may be: RFC 8414's well-known path inserted before the issuer's path, then OpenID's appended. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}
