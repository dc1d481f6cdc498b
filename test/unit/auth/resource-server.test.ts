/**
 * The OAuth resource server in process, against a real OpenID Provider on loopback: JWT validation (signature,
 * issuer, audience, expiry, scopes), key rotation and its rate limit, introspection and its cache, the challenges
 * and the protected resource metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AuthConfig } from '../../../src/auth/auth-config.js';
import { createResourceServer } from '../../../src/auth/resource-server.js';
import { createStderrLogger } from '../../../src/logger.js';
import type { AuthResult, TokenAuthority } from '../../../src/transports/http/bearer-auth.js';
import {
  INTROSPECTION_CLIENT,
  newSigningKey,
  startTestIssuer,
  type TestIssuer,
} from '../../helpers/oidc-issuer.js';
import { waitFor } from '../../helpers/wait-for.js';

const RESOURCE = 'http://127.0.0.1:8123/mcp';
const METADATA_URL = 'http://127.0.0.1:8123/.well-known/oauth-protected-resource/mcp';
const silent = createStderrLogger({ level: 'silent', write: () => undefined });

let idp: TestIssuer;

beforeAll(async () => {
  idp = await startTestIssuer();
});
afterAll(() => idp.close());

function authority(extra: Partial<AuthConfig> = {}): TokenAuthority {
  const config: AuthConfig = {
    issuers: [
      {
        name: 'corp',
        issuer: idp.issuer,
        introspection: { clientId: INTROSPECTION_CLIENT.id, clientSecret: INTROSPECTION_CLIENT.secret },
      },
    ],
    scopes: ['mcp'],
    methodScopes: { 'tools/call': ['mcp:tools'] },
    ...extra,
  };
  return createResourceServer(config, RESOURCE, silent);
}

function refusal(result: AuthResult): { status: number; challenge: string | undefined } {
  if (result.ok) throw new Error(`expected a refusal, got ${result.principal}`);
  return { status: result.rejection.status, challenge: result.rejection.headers?.['WWW-Authenticate'] };
}

const now = () => Math.floor(Date.now() / 1000);

describe('the resource server', () => {
  it('accepts a JWT access token of the issuer for this resource, with the principal and claims', async () => {
    const token = await idp.token('alice', { resource: RESOURCE, scope: 'mcp mcp:tools' });
    const result = await authority().authenticate(token);
    expect(result).toMatchObject({
      ok: true,
      principal: 'corp:alice',
      claims: {
        issuer: 'corp',
        subject: 'alice',
        clientId: 'alice',
        scopes: ['mcp', 'mcp:tools'],
        groups: [],
      },
    });
  });

  it('refuses a token for another resource, with a challenge naming the metadata and the scope', async () => {
    const token = await idp.token('alice', { resource: 'http://127.0.0.1:9/other', scope: 'mcp' });
    expect(refusal(await authority().authenticate(token))).toEqual({
      status: 401,
      challenge:
        `Bearer realm="mcp-gateway", resource_metadata="${METADATA_URL}", scope="mcp", error="invalid_token", ` +
        'error_description="the token is not meant for this resource (aud)"',
    });
  });

  it('refuses an expired token, one of an untrusted issuer, and one with a bad signature', async () => {
    const claims = { sub: 'alice', aud: RESOURCE, scope: 'mcp', iat: now() - 600 };
    const server = authority({ clockSkewSeconds: 5 });
    const expired = await idp.sign({ ...claims, iss: idp.issuer, exp: now() - 60 });
    expect(refusal(await server.authenticate(expired)).challenge).toContain(
      'error_description="the token has expired"',
    );
    const foreign = await idp.sign({ ...claims, iss: 'http://127.0.0.1:1/elsewhere', exp: now() + 60 });
    expect(refusal(await server.authenticate(foreign)).challenge).toContain(
      'issuer this gateway does not trust',
    );
    // Signed by another key that claims the issuer's kid: the signature does not verify.
    const forged = await idp.sign(
      { ...claims, iss: idp.issuer, exp: now() + 60 },
      await newSigningKey('key-1'),
    );
    expect(refusal(await server.authenticate(forged))).toMatchObject({ status: 401 });
    expect(refusal(await server.authenticate(forged)).challenge).toContain(
      'the token signature is not valid',
    );
    // Still within the skew: accepted.
    const justExpired = await idp.sign({ ...claims, iss: idp.issuer, exp: now() - 2 });
    expect(await server.authenticate(justExpired)).toMatchObject({ ok: true, principal: 'corp:alice' });
  });

  it('answers 403 insufficient_scope for a missing global scope, and for a method that needs more', async () => {
    const server = authority();
    const noMcp = await idp.token('alice', { resource: RESOURCE, scope: 'mcp:admin' });
    expect(refusal(await server.authenticate(noMcp))).toEqual({
      status: 403,
      challenge:
        `Bearer realm="mcp-gateway", resource_metadata="${METADATA_URL}", scope="mcp", ` +
        'error="insufficient_scope", error_description="missing scope mcp"',
    });
    const basic = await server.authenticate(await idp.token('bob', { resource: RESOURCE, scope: 'mcp' }));
    if (!basic.ok) throw new Error('expected bob in');
    expect(server.authorize(basic, 'tools/list')).toBeUndefined();
    const denied = server.authorize(basic, 'tools/call');
    expect(denied?.status).toBe(403);
    expect(denied?.headers?.['WWW-Authenticate']).toContain(
      'scope="mcp mcp:tools", error="insufficient_scope"',
    );
  });

  it('publishes its protected resource metadata at both well-known paths', () => {
    const server = authority();
    const document = {
      resource: RESOURCE,
      authorization_servers: [idp.issuer],
      scopes_supported: ['mcp', 'mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'mcp-gateway',
    };
    expect(server.document('/.well-known/oauth-protected-resource')).toEqual(document);
    expect(server.document('/.well-known/oauth-protected-resource/mcp')).toEqual(document);
    expect(server.document('/.well-known/other')).toBeUndefined();
  });

  it('introspects an opaque token once within the cache time, and refuses an inactive one', async () => {
    const server = authority();
    const opaque = await idp.token('opaque-client', { resource: RESOURCE, scope: 'mcp' });
    expect(opaque.split('.')).toHaveLength(1);
    const before = idp.hits('/token/introspection');
    expect(await server.authenticate(opaque)).toMatchObject({ ok: true, principal: 'corp:opaque-client' });
    expect(await server.authenticate(opaque)).toMatchObject({ ok: true, principal: 'corp:opaque-client' });
    expect(idp.hits('/token/introspection')).toBe(before + 1);
    const unknown = 'not-a-token-this-issuer-ever-issued-0123456789';
    expect(refusal(await server.authenticate(unknown)).challenge).toContain('the token is not active');
    expect(refusal(await server.authenticate(unknown)).status).toBe(401);
    expect(idp.hits('/token/introspection')).toBe(before + 2);
  });

  it('fetches the key set again for a new kid after a rotation, at most once per cooldown', async () => {
    const forgers = await Promise.all([1, 2, 3, 4, 5].map((index) => newSigningKey(`forged-${index}`)));
    const server = authority({ cache: { jwksCooldownSeconds: 2 } });
    const first = await idp.token('alice', { resource: RESOURCE, scope: 'mcp' });
    expect(await server.authenticate(first)).toMatchObject({ ok: true });
    const fetched = idp.hits('/jwks');
    await idp.rotate();
    const rotated = await idp.token('alice', { resource: RESOURCE, scope: 'mcp' });
    // Unknown kids in a burst, within the cooldown, do not make the gateway fetch the key set again.
    for (const forger of forgers) {
      const claims = { sub: 'x', iss: idp.issuer, aud: RESOURCE, scope: 'mcp', exp: now() + 60 };
      expect(refusal(await server.authenticate(await idp.sign(claims, forger))).status).toBe(401);
    }
    expect(refusal(await server.authenticate(rotated)).challenge).toContain('no key of');
    expect(idp.hits('/jwks')).toBe(fetched);
    // Once the cooldown is over, one fetch finds the new key.
    await waitFor(async () => (await server.authenticate(rotated)).ok, {
      description: 'the rotated key to be fetched',
      timeoutMs: 8000,
    });
    expect(idp.hits('/jwks')).toBe(fetched + 1);
  });
});
