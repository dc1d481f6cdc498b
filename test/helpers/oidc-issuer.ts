/**
 * A real OpenID Provider (`oidc-provider`) on 127.0.0.1 and a free port, issuing access tokens by the client
 * credentials grant for a resource indicator: JWTs whose `aud` is the resource, or opaque tokens (client
 * `opaque-client`) checked at its introspection endpoint (its in-memory store outlives a rotation: it is the module's). It counts the requests to its key set and introspection
 * endpoint, can rotate its signing key (a new provider instance with the same issuer and a new key, swapped in), and
 * signs tokens with its own key for the cases a certified provider will not produce (expired, another audience).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** The client the gateway introspects with, and its secret. */
export const INTROSPECTION_CLIENT = { id: 'gateway-introspector', secret: 'introspector-secret-0123456789' };
const SECRET = 'client-secret-0123456789abcdef';
/** The clients that get tokens: their id is the `sub` of their tokens. */
export const ISSUER_CLIENTS = ['alice', 'bob', 'opaque-client'] as const;
/** Scopes the provider knows. */
export const ISSUER_SCOPES = ['mcp', 'mcp:tools', 'mcp:admin'];

/** A running issuer. */
export interface TestIssuer {
  readonly issuer: string;
  /** Requests served per path (`/jwks`, `/token/introspection`...). */
  hits(path: string): number;
  /** An access token for `resource` by the client credentials grant of `client` (one of {@link ISSUER_CLIENTS}). */
  token(
    client: (typeof ISSUER_CLIENTS)[number],
    options: { resource: string; scope: string },
  ): Promise<string>;
  /** Signs `claims` with the current signing key (or `key`), as the provider would a JWT access token. */
  sign(claims: Record<string, unknown>, key?: SigningKey): Promise<string>;
  /** Replaces the signing key by a new one; the key set then holds only the new key. */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

/** A private key and its `kid`. */
export interface SigningKey {
  readonly jwk: JWK;
  readonly kid: string;
}

/** A new RS256 key: `kid` names it. */
export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, kid };
}

/** Starts an issuer; `opaque-client`'s tokens are opaque, every other client's are JWTs. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const counts = new Map<string, number>();
  const clients = [INTROSPECTION_CLIENT.id, ...ISSUER_CLIENTS];
  let key = await newSigningKey('key-1');
  let provider = makeProvider(issuer, key, clients);
  let generation = 1;
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    void provider.callback()(req, res);
  });

  return {
    issuer,
    hits: (path) => counts.get(path) ?? 0,
    token: async (client, { resource, scope }) => {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client}:${SECRET}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }).toString(),
      });
      const body = (await response.json()) as { access_token?: string; error_description?: string };
      if (body.access_token === undefined)
        throw new Error(`no token: ${body.error_description ?? response.status}`);
      return body.access_token;
    },
    sign: (claims, signingKey = key) =>
      new SignJWT({ client_id: 'signed', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'at+jwt' })
        .sign(signingKey.jwk),
    rotate: async () => {
      generation += 1;
      key = await newSigningKey(`key-${generation}`);
      provider = makeProvider(issuer, key, clients);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function makeProvider(issuer: string, key: SigningKey, clients: readonly string[]): Provider {
  const provider = new Provider(issuer, {
    clients: clients.map((id) => ({
      client_id: id,
      client_secret: id === INTROSPECTION_CLIENT.id ? INTROSPECTION_CLIENT.secret : SECRET,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: ISSUER_SCOPES.join(' '),
    })),
    jwks: { keys: [key.jwk] },
    scopes: ISSUER_SCOPES,
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: ISSUER_SCOPES.join(' '),
          audience: resource,
          accessTokenFormat: client.clientId === 'opaque-client' ? 'opaque' : 'jwt',
          accessTokenTTL: 300,
        }),
      },
    },
  });
  return provider;
}
