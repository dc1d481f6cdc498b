/**
 * A remote MCP backend protected by OAuth (Streamable HTTP, stateless, on 127.0.0.1 and a free port): it publishes
 * its protected resource metadata (RFC 9728) naming the authorization server, and checks every request with the
 * SDK's bearer-auth helpers (`verifyBearerToken`, `bearerAuthChallengeResponse`): only JWT access tokens of that
 * server, unexpired, whose audience is itself; anything else gets the SDK's 401 challenge pointing to the metadata. Its one tool,
 * `whoami`, answers with the token's subject: what the backend knows of the user the gateway acts for.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  bearerAuthChallengeResponse,
  OAuthError,
  OAuthErrorCode,
  verifyBearerToken,
  type AuthInfo,
  type OAuthTokenVerifier,
} from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** The backend: its URL, the subjects of the tokens it accepted, and the count of requests it refused. */
export interface ProtectedBackend {
  readonly url: string;
  /** Requests answered 401. */
  refused(): number;
  /** The access tokens it accepted, in order (to check that the gateway keeps none in the clear). */
  readonly tokens: readonly string[];
  close(): Promise<void>;
}

/** Starts a backend trusting the authorization server at `issuer`. */
export async function startProtectedBackend(issuer: string): Promise<ProtectedBackend> {
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const tokens: string[] = [];
  let refusals = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', base).pathname;
    if (path.startsWith('/.well-known/oauth-protected-resource')) {
      const metadata = { resource: url, authorization_servers: [issuer], scopes_supported: ['mcp'] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
      return;
    }
    void serve(req, res);
  });
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let auth: AuthInfo;
    try {
      auth = await verifyBearerToken(req.headers.authorization, {
        verifier,
        expectedResource: new URL(url),
        resourceMetadataUrl,
      });
    } catch (error) {
      refusals += 1;
      const refusal = bearerAuthChallengeResponse(error, { resourceMetadataUrl });
      res.writeHead(refusal.status, Object.fromEntries(refusal.headers)).end(await refusal.text());
      return;
    }
    tokens.push(auth.token);
    const subject = String(auth.extra?.subject);
    const mcp = new McpServer({ name: 'protected', version: '1.0.0' });
    mcp.registerTool('whoami', { description: 'The subject of the access token.' }, () => ({
      content: [{ type: 'text', text: subject }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}/mcp`;
  const resourceMetadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
  // The SDK's verifier seam: the token checked against the authorization server's keys, its audience reported as
  // the resource (which `expectedResource` compares), its expiry (without which the SDK refuses it).
  const verifier: OAuthTokenVerifier = {
    async verifyAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, keys, { issuer });
        const audience = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
        const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
        return {
          token,
          clientId: clientId ?? payload.sub ?? '',
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ') : [],
          expiresAt: payload.exp,
          resource: audience === undefined ? undefined : new URL(audience),
          extra: { subject: payload.sub ?? clientId },
        };
      } catch (error) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, (error as Error).message);
      }
    },
  };
  return {
    url,
    refused: () => refusals,
    tokens,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
