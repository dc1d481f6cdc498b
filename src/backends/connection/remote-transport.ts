/**
 * The client transports of a remote backend: Streamable HTTP, and the older SSE transport for servers that do not
 * speak it. The SDK modules behind them are loaded only when a remote backend is used: a gateway of local backends
 * (and `mcp-gateway --version`) never pays for them.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import type { Transport } from '@modelcontextprotocol/server';

/** How a remote backend is reached. */
export type RemoteKind = 'streamable-http' | 'sse';

/**
 * Creates the transport of one kind for `url`, sending `headers` with every request (the SSE stream's included),
 * and authorizing its requests with `authProvider` (OAuth) when given.
 */
export async function createRemoteTransport(
  kind: RemoteKind,
  url: string,
  headers: Readonly<Record<string, string>>,
  authProvider?: OAuthClientProvider,
): Promise<Transport> {
  const requestInit = { headers: { ...headers } };
  const auth = authProvider === undefined ? {} : { authProvider };
  if (kind === 'streamable-http') {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
    return new StreamableHTTPClientTransport(new URL(url), { requestInit, ...auth });
  }
  const { SSEClientTransport } = await import('@modelcontextprotocol/client');
  return new SSEClientTransport(new URL(url), {
    requestInit,
    ...auth,
    eventSourceInit: { fetch: withHeaders(headers) },
  });
}

/**
 * Tells a remote server that speaks Streamable HTTP that the session is over (DELETE); one that does not support it
 * answers 405, which is fine. Other transports have nothing to say.
 */
export async function endRemoteSession(transport: Transport | undefined): Promise<void> {
  if (transport === undefined || !('terminateSession' in transport)) return;
  const terminate = (transport as { terminateSession: () => Promise<void> }).terminateSession;
  await terminate.call(transport).catch(() => undefined);
}

/** A fetch that adds `headers`: the SSE transport's event stream does not take `requestInit` headers. */
function withHeaders(headers: Readonly<Record<string, string>>): typeof fetch {
  return (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}
