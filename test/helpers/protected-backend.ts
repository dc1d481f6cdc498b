/**
 * A remote MCP backend protected by OAuth (Streamable HTTP, stateless, on 127.0.0.1 and a free port): it publishes
 * its protected resource metadata (RFC 9728) naming the authorization server, answers 401 with a challenge that
 * points to it, and accepts only JWT access tokens of that server whose audience is itself. Its one tool,
 * `whoami`, answers with the token's subject: what the backend knows of the user the gateway acts for.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createRemoteJWKSet, jwtVerify } from 'jose';
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
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    void verify(token).then((subject) => {
      if (subject === undefined) {
        refusals += 1;
        return challenge(res);
      }
      tokens.push(token ?? '');
      const mcp = new McpServer({ name: 'protected', version: '1.0.0' });
      mcp.registerTool('whoami', { description: 'The subject of the access token.' }, () => ({
        content: [{ type: 'text', text: subject }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}/mcp`;
  const challenge = (res: ServerResponse): void => {
    const metadata = `${base}/.well-known/oauth-protected-resource/mcp`;
    res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${metadata}"` }).end();
  };
  const verify = async (token: string | undefined): Promise<string | undefined> => {
    if (token === undefined) return undefined;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience: url });
      return payload.sub ?? String(payload.client_id);
    } catch {
      return undefined;
    }
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
