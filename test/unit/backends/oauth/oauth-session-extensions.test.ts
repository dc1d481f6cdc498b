/**
 * What the OAuth session tells the SDK for the extensions, in process: the client it describes for a grant without a
 * person, its client authentication, and DPoP, configured or required by the backend's resource metadata.
 */
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { JWT_BEARER_GRANT } from '../../../../src/backends/oauth/extensions/assertion-grant.js';
import { resolveOAuth, type OAuthConfig } from '../../../../src/backends/oauth/oauth-config.js';
import { OAuthSession } from '../../../../src/backends/oauth/oauth-session.js';
import { TokenStore } from '../../../../src/backends/oauth/token-store.js';
import { silentLogger } from '../../../../src/logger.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

const SERVER = 'https://mcp.example.com/mcp';
let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('oauth-session-');
});
afterAll(async () => {
  await removeTempDir(dir);
});

/** A session of a backend configured with `oauth`, its tokens in memory. */
function sessionOf(oauth: OAuthConfig): OAuthSession {
  const settings = resolveOAuth(oauth, {}, dir);
  if (settings === undefined) throw new Error('no OAuth');
  const store = new TokenStore(dir, () => Promise.resolve(randomBytes(32)), false);
  return new OAuthSession({
    key: 'b',
    backend: 'b',
    serverUrl: SERVER,
    settings,
    store,
    listener: undefined,
    logger: silentLogger,
  });
}

describe('an OAuth session with the extensions', () => {
  it('describes a workload client: no redirect, the JWT bearer grant, a public client or one with a key', () => {
    const workload = sessionOf({ clientId: 'w', workloadIdentity: { token: 'eyJ.w.t' } });
    expect(workload.redirectUrl).toBeUndefined();
    expect(workload.clientMetadata).toMatchObject({
      grant_types: [JWT_BEARER_GRANT],
      response_types: [],
      token_endpoint_auth_method: 'none',
    });
    expect(workload.addClientAuthentication).toBeUndefined();

    const keyed = sessionOf({
      grant: 'client_credentials',
      clientId: 'gw',
      clientAuth: 'private_key_jwt',
      privateKeyFile: 'gw.pem',
      alg: 'ES256',
    });
    expect(keyed.clientMetadata).toMatchObject({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
    });
    expect(keyed.addClientAuthentication).toBeTypeOf('function');
  });

  it('hands the SDK the JWT bearer request of workload identity', async () => {
    const params = await sessionOf({
      clientId: 'w',
      workloadIdentity: { token: 'eyJ.w.t' },
    }).prepareTokenRequest('s');
    expect(Object.fromEntries(params ?? [])).toEqual({
      grant_type: JWT_BEARER_GRANT,
      assertion: 'eyJ.w.t',
      scope: 's',
    });
  });

  it('uses DPoP when configured, or once the resource metadata requires it, for the rest of its life', async () => {
    expect(await sessionOf({ dpop: true }).dpop()).toBeDefined();
    const session = sessionOf({});
    expect(session.dpop()).toBeUndefined();
    session.saveDiscoveryState({
      authorizationServerUrl: 'https://as.example.com',
      resourceMetadata: { resource: SERVER, dpop_bound_access_tokens_required: true },
    });
    const key = await session.dpop();
    expect(key?.thumbprint).toMatch(/^[\w-]{43}$/);
    await session.saveTokens({ access_token: 'a', token_type: 'DPoP' });
    expect(await session.dpop()).toBe(key);
  });
});
