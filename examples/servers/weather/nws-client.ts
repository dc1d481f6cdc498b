import type { z } from 'zod';

/** How to reach the National Weather Service API. */
export interface NwsClientOptions {
  /** API root, e.g. `https://api.weather.gov` (a test points it at a local fixture server). */
  baseUrl: string;
  /** NWS asks every client to identify itself; requests without a User-Agent may be refused. */
  userAgent: string;
  /** Per-request budget, headers and body included. */
  timeoutMs: number;
}

/** Most characters of an error body quoted back to the caller. */
const MAX_DETAIL_LENGTH = 300;

/** Pulls the human-readable `detail` out of an NWS problem+json body, or falls back to the raw text. */
function problemDetail(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'detail' in parsed && typeof parsed.detail === 'string') {
      return parsed.detail;
    }
  } catch {
    // Not JSON: quote the text itself.
  }
  return body.trim().slice(0, MAX_DETAIL_LENGTH);
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() reports network failures as "fetch failed" with the useful part (ECONNREFUSED...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** A minimal NWS API client: GET + JSON + validation, with errors that name the request path. */
export class NwsClient {
  private readonly base: URL;

  constructor(private readonly options: NwsClientOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  }

  /**
   * URL of an API path under the configured base. NWS responses link to `https://api.weather.gov/...`;
   * a link to another origin keeps only its path, so a mirror or fixture server at another base URL
   * serving verbatim NWS JSON is still the one asked, and no request leaves for an unexpected host.
   */
  url(pathOrUrl: string): URL {
    const target = new URL(pathOrUrl, this.base);
    if (target.origin === this.base.origin) return target;
    return new URL(`${target.pathname.replace(/^\//, '')}${target.search}`, this.base);
  }

  /** GETs `pathOrUrl` and validates the JSON body; every failure is an Error naming the path. */
  async getJson<T>(pathOrUrl: string, schema: z.ZodType<T>): Promise<T> {
    const url = this.url(pathOrUrl);
    const label = `GET ${url.pathname}${url.search}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        headers: { 'User-Agent': this.options.userAgent, Accept: 'application/geo+json' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      body = await response.text();
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new Error(`NWS request timed out after ${this.options.timeoutMs} ms: ${label}`, {
          cause: error,
        });
      }
      throw new Error(`NWS request failed: ${label} (${describeFailure(error)})`, { cause: error });
    }
    if (!response.ok) {
      const detail = problemDetail(body);
      throw new Error(
        `NWS request failed: ${label} returned HTTP ${response.status} ${response.statusText}${detail ? `: ${detail}` : ''}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new Error(`NWS returned invalid JSON for ${label}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw new Error(
        `NWS returned an unexpected response for ${label}: ${issue?.message ?? 'invalid'}${where}`,
      );
    }
    return parsed.data;
  }
}
