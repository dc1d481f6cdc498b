/**
 * A real authorization server (`oidc-provider`) on 127.0.0.1 and a free port, for the gateway as an OAuth client:
 * dynamic client registration, the authorization code grant with PKCE behind its development login and consent
 * pages (any login name is accepted; it becomes the token's `sub`), refresh tokens (rotated), the client
 * credentials grant for two preset clients (one authenticated with a secret, one with private_key_jwt), and JWT access tokens whose audience is the resource asked for.
 * Tests can shorten the access tokens' lifetime and revoke every refresh token it issued.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

import { newSigningKey } from './oidc-issuer.js';

/** The preset machine client of the client credentials grant, and its secret. */
export const MACHINE_CLIENT = { id: 'machine', secret: 'machine-secret-0123456789abcdef' };

/** The preset machine client that authenticates with private_key_jwt (its ES256 key: `keyClientPrivateKey`). */
export const KEY_CLIENT = { id: 'keyed-machine', alg: 'ES256' } as const;

/** A running authorization server. */
export interface AuthorizationServer {
  readonly issuer: string;
  /** The PKCS#8 PEM private key of {@link KEY_CLIENT}, made for this server. */
  readonly keyClientPrivateKey: string;
  /** Requests served per path and grant (`/token refresh_token`, `/reg`...). */
  hits(what: string): number;
  /** Access tokens issued from now on live `seconds`. */
  setAccessTokenTtl(seconds: number): void;
  /**
   * Destroys every refresh token issued so far (to the user `login` only, when given): the next refresh is refused
   * (`invalid_grant`).
   */
  revokeRefreshTokens(login?: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts an authorization server. */
export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = await newSigningKey('as-key');
  const counts = new Map<string, number>();
  let ttl = 300;
  const refreshTokens: RefreshToken[] = [];
  const clientKey = await generateKeyPair(KEY_CLIENT.alg, { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: KEY_CLIENT.id,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: KEY_CLIENT.alg,
        jwks: { keys: [await exportJWK(clientKey.publicKey)] },
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'mcp',
      },
      {
        client_id: MACHINE_CLIENT.id,
        client_secret: MACHINE_CLIENT.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'mcp',
      },
    ],
    jwks: { keys: [key.jwk] },
    scopes: ['mcp', 'offline_access'],
    issueRefreshToken: () => true,
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'mcp',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl,
        }),
      },
    },
  });
  provider.on('refresh_token.saved', (token: RefreshToken) => refreshTokens.push(token));
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/token' && req.method === 'POST') countGrant(req, counts);
    void provider.callback()(req, res);
  });
  return {
    issuer,
    keyClientPrivateKey: await exportPKCS8(clientKey.privateKey),
    hits: (what) => counts.get(what) ?? 0,
    setAccessTokenTtl: (seconds) => (ttl = seconds),
    revokeRefreshTokens: async (login) => {
      const revoked = refreshTokens.filter((token) => login === undefined || token.accountId === login);
      for (const token of revoked) refreshTokens.splice(refreshTokens.indexOf(token), 1);
      await Promise.all(revoked.map((token) => token.destroy()));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A refresh token the provider saved: whose it is, and how to destroy it. */
interface RefreshToken {
  readonly accountId?: string;
  destroy(): Promise<void>;
}

/** Counts `/token <grant_type>` by peeking at the body as it streams past (the provider reads it too). */
function countGrant(req: NodeJS.ReadableStream, counts: Map<string, number>): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const grant = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('grant_type');
    const what = `/token ${grant ?? 'unknown'}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  });
}
