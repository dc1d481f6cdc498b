/**
 * Remote backends protected by OAuth, in process: a real authorization server and a protected backend on
 * loopback, the gateway's registry as their client. The authorization code flow driven by a headless user agent,
 * tokens at rest encrypted, renewal before expiry, `needs_authorization` once the refresh token is revoked, and the
 * client credentials grant, with a client secret or private_key_jwt.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKEND_OPTIONS } from '../../src/backends/backend-options.js';
import { BackendRegistry } from '../../src/backends/backend-registry.js';
import { BackendOAuth } from '../../src/backends/oauth/backend-oauth.js';
import { STATE_KEY_FILE } from '../../src/backends/oauth/state-key.js';
import { TOKEN_FILE } from '../../src/backends/oauth/token-store.js';
import { silentLogger } from '../../src/logger.js';
import {
  KEY_CLIENT,
  MACHINE_CLIENT,
  startAuthorizationServer,
  type AuthorizationServer,
} from '../helpers/authorization-server.js';
import { authorizeAs } from '../helpers/browser-agent.js';
import { startProtectedBackend, type ProtectedBackend } from '../helpers/protected-backend.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

let as: AuthorizationServer;
let backend: ProtectedBackend;
let stateDir: string;
let oauth: BackendOAuth;
let registry: BackendRegistry;

beforeAll(async () => {
  as = await startAuthorizationServer();
  backend = await startProtectedBackend(as.issuer);
});
afterAll(async () => {
  await backend.close();
  await as.close();
});
beforeEach(async () => {
  stateDir = await makeTempDir('backend-oauth-');
  as.setAccessTokenTtl(300);
  oauth = new BackendOAuth({ stateDir, env: {} });
  registry = new BackendRegistry(silentLogger, {
    ...DEFAULT_BACKEND_OPTIONS,
    handshakeTimeoutMs: 10_000,
    oauth,
  });
});
afterEach(async () => {
  await registry.closeAll();
  await oauth.close();
  await removeTempDir(stateDir);
});

/** Registers the protected backend; it waits for authorization until a person gives it. */
async function registerWaiting(name = 'remote') {
  await registry
    .register(name, { url: backend.url }, { baseDir: stateDir, keepOnFailure: true })
    .catch(() => undefined);
  const entry = registry.get(name);
  expect(entry?.state).toBe('needs_authorization');
  return entry!;
}

async function whoami(name = 'remote'): Promise<string> {
  return textOf(await registry.get(name)!.callTool('whoami', {}));
}

describe('the authorization code flow', () => {
  it('waits for a person, then connects with their token once they authorized', async () => {
    const entry = await registerWaiting();
    const info = entry.info();
    const url = new URL(info.authorizationUrl ?? '');
    expect(url.origin).toBe(as.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(backend.url);
    expect(info.lastError).toContain('waiting for authorization');
    expect(as.hits('/reg')).toBeGreaterThan(0);
    const call = await entry.callTool('whoami', {}).catch((error: Error) => error);
    expect((call as Error).message).toContain(`open ${url.href}`);

    const answer = await authorizeAs(url.href, 'alice');
    expect(answer.status).toBe(200);
    expect(new URL(answer.url).searchParams.get('iss')).toBe(as.issuer);
    await waitFor(() => entry.state === 'ready', { description: 'the backend ready' });
    expect(entry.tools().map((tool) => tool.name)).toEqual(['whoami']);
    expect(await whoami()).toBe('alice');
    expect(entry.info().authorizationUrl).toBeUndefined();
  });

  it('keeps the tokens encrypted in the state folder, under a key file only its owner reads', async () => {
    const entry = await registerWaiting();
    await authorizeAs(entry.info().authorizationUrl ?? '', 'alice');
    await waitFor(() => entry.state === 'ready');
    await whoami();
    const file = await readFile(path.join(stateDir, TOKEN_FILE), 'utf8');
    const token = backend.tokens.at(-1) ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(file).not.toContain(token);
    expect(file).not.toContain(token.split('.')[1]);
    expect(Object.keys(JSON.parse(file) as object)).toEqual(['version', 'iv', 'tag', 'data']);
    expect((await stat(path.join(stateDir, STATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(stateDir, TOKEN_FILE))).mode & 0o777).toBe(0o600);

    // A new gateway on the same state folder connects with the stored tokens: nobody is asked again.
    await registry.closeAll();
    await oauth.close();
    oauth = new BackendOAuth({ stateDir, env: {} });
    registry = new BackendRegistry(silentLogger, { ...DEFAULT_BACKEND_OPTIONS, oauth });
    const again = await registry.register('remote', { url: backend.url }, { baseDir: stateDir });
    expect(again.state).toBe('ready');
    expect(await whoami()).toBe('alice');
  });

  it('renews the access token before it expires, and keeps the rotated refresh token', async () => {
    as.setAccessTokenTtl(2);
    const entry = await registerWaiting();
    await authorizeAs(entry.info().authorizationUrl ?? '', 'bob');
    await waitFor(() => entry.state === 'ready');
    const refreshed = as.hits('/token refresh_token');
    // Renewed at half its 2 s lifetime, twice: the second refresh used the token the first one rotated in.
    await waitFor(() => as.hits('/token refresh_token') >= refreshed + 2, { timeoutMs: 8000 });
    expect(await whoami()).toBe('bob');
    expect(entry.state).toBe('ready');
  });

  it('goes back to needs_authorization with a clear reason when the refresh token is revoked', async () => {
    as.setAccessTokenTtl(2);
    const entry = await registerWaiting();
    await authorizeAs(entry.info().authorizationUrl ?? '', 'carol');
    await waitFor(() => entry.state === 'ready');
    await as.revokeRefreshTokens();
    await waitFor(() => entry.state === 'needs_authorization', { timeoutMs: 8000 });
    const refusedBefore = backend.refused();
    const info = entry.info();
    expect(info.lastError).toContain('refused the stored tokens');
    expect(info.authorizationUrl).toMatch(new RegExp(`^${as.issuer}/`));
    const call = await entry.callTool('whoami', {}).catch((error: Error) => error);
    expect((call as Error).message).toContain('waiting for authorization');
    // Calls fail fast with the reason: none of them reaches the backend to be refused.
    expect(backend.refused()).toBe(refusedBefore);

    await authorizeAs(info.authorizationUrl ?? '', 'carol');
    await waitFor(() => entry.state === 'ready');
    expect(await whoami()).toBe('carol');
  });
});

describe('the client credentials grant', () => {
  it('gets a token for a configured machine client without anybody', async () => {
    const entry = await registry.register(
      'machine',
      {
        url: backend.url,
        oauth: {
          grant: 'client_credentials',
          clientId: MACHINE_CLIENT.id,
          clientSecret: MACHINE_CLIENT.secret,
        },
      },
      { baseDir: stateDir },
    );
    expect(entry.state).toBe('ready');
    expect(await whoami('machine')).toBe(MACHINE_CLIENT.id);
    expect(as.hits('/token client_credentials')).toBeGreaterThan(0);
  });
});

describe('the client credentials grant with private_key_jwt', () => {
  const keyed = (privateKeyFile: string) => ({
    url: backend.url,
    oauth: {
      grant: 'client_credentials' as const,
      clientId: KEY_CLIENT.id,
      clientAuth: 'private_key_jwt' as const,
      privateKeyFile,
      alg: KEY_CLIENT.alg,
    },
  });

  it('authenticates with an assertion signed by the key file, relative to the config folder', async () => {
    await writeFile(path.join(stateDir, 'client.pem'), as.keyClientPrivateKey, { mode: 0o600 });
    const entry = await registry.register('keyed', keyed('client.pem'), { baseDir: stateDir });
    expect(entry.state).toBe('ready');
    expect(await whoami('keyed')).toBe(KEY_CLIENT.id);
  });

  it('fails with the file named, never its content, when the key is missing or not the registered one', async () => {
    const missing = path.join(stateDir, 'absent.pem');
    await registry
      .register('absent', keyed(missing), { baseDir: stateDir, keepOnFailure: true })
      .catch(() => undefined);
    expect(registry.get('absent')?.state).toBe('failed');
    expect(registry.get('absent')?.info().lastError).toContain(
      `cannot read the private key from ${missing} (ENOENT)`,
    );

    // A well-formed key the authorization server does not know: it refuses the client (invalid_client).
    const { exportPKCS8, generateKeyPair } = await import('jose');
    const stranger = await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey);
    await writeFile(path.join(stateDir, 'stranger.pem'), stranger);
    await registry
      .register('stranger', keyed('stranger.pem'), { baseDir: stateDir, keepOnFailure: true })
      .catch(() => undefined);
    const error = registry.get('stranger')?.info().lastError ?? '';
    expect(registry.get('stranger')?.state).toBe('failed');
    expect(error).toMatch(/invalid_client|client authentication failed/i);
    expect(error).not.toContain(stranger.split('\n')[1]);
  });
});

describe('a backend with OAuth off', () => {
  it('fails with the 401 like any other failure', async () => {
    await registry
      .register(
        'off',
        { url: backend.url, oauth: false, restart: false },
        { baseDir: stateDir, keepOnFailure: true },
      )
      .catch(() => undefined);
    expect(registry.get('off')?.state).toBe('failed');
  });
});
