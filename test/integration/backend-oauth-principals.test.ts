/**
 * A remote backend protected by OAuth that connects per principal (`oauth.perPrincipal`), in process: a real
 * authorization server and a protected backend on loopback whose `whoami` answers with the upstream token's subject,
 * the gateway's registry as their client. Each principal authorizes as its own upstream user and sees only its own
 * data; tokens are stored under separate keys; a principal that has not authorized is refused with its URL (and
 * only its client is asked); a revoked refresh puts only its principal in `needs_authorization`; idle connections
 * close; past the limit, the least recently used idle one is closed.
 */
import { ListToolsResultSchema } from '@modelcontextprotocol/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKEND_OPTIONS } from '../../src/backends/backend-options.js';
import { BackendRegistry } from '../../src/backends/backend-registry.js';
import type { ManagedBackend } from '../../src/backends/managed-backend.js';
import { BackendOAuth } from '../../src/backends/oauth/backend-oauth.js';
import { silentLogger } from '../../src/logger.js';
import type { BackendMessage } from '../../src/shared/backend.js';
import { startAuthorizationServer, type AuthorizationServer } from '../helpers/authorization-server.js';
import { authorizeAs } from '../helpers/browser-agent.js';
import { startProtectedBackend, type ProtectedBackend } from '../helpers/protected-backend.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

/** What reached the upward handler, with the principal it was addressed to. */
interface Upward {
  readonly message: BackendMessage;
  readonly principal: string | undefined;
}

let as: AuthorizationServer;
let backend: ProtectedBackend;
let stateDir: string;
let oauth: BackendOAuth;
let registry: BackendRegistry;
let asked: Upward[];
let notified: Upward[];
/** How the test's "client" answers an elicitation (default: it cannot be asked). */
let answer: (request: BackendMessage) => Promise<Record<string, unknown>>;

beforeAll(async () => {
  as = await startAuthorizationServer();
  backend = await startProtectedBackend(as.issuer);
});
afterAll(async () => {
  await backend.close();
  await as.close();
});
beforeEach(async () => {
  stateDir = await makeTempDir('backend-oauth-principals-');
  as.setAccessTokenTtl(300);
  asked = [];
  notified = [];
  answer = () => Promise.reject(new Error('this client cannot be asked'));
  oauth = new BackendOAuth({ stateDir, env: {} });
  registry = new BackendRegistry(silentLogger, {
    ...DEFAULT_BACKEND_OPTIONS,
    handshakeTimeoutMs: 10_000,
    oauth,
  });
  registry.attachUpwardHandler({
    request: (_backend, message, _signal, principal) => {
      asked.push({ message, principal });
      return answer(message);
    },
    notification: (_backend, message, principal) => void notified.push({ message, principal }),
  });
});
afterEach(async () => {
  await registry.closeAll();
  await oauth.close();
  await removeTempDir(stateDir);
});

/** Registers the backend per principal; the gateway's own identity (which lists the tools) authorizes first. */
async function registerPerPrincipal(perPrincipal: object | true = true): Promise<ManagedBackend> {
  await registry
    .register(
      'remote',
      { url: backend.url, oauth: { perPrincipal } },
      { baseDir: stateDir, keepOnFailure: true },
    )
    .catch(() => undefined);
  const entry = registry.get('remote')!;
  expect(entry.state).toBe('needs_authorization');
  await authorizeAs(entry.info().authorizationUrl ?? '', 'operator');
  await waitFor(() => entry.state === 'ready', { description: 'the backend listed its tools' });
  expect(entry.tools().map((tool) => tool.name)).toEqual(['whoami']);
  return entry;
}

function whoami(entry: ManagedBackend, principal: string | undefined): Promise<string> {
  return entry.callTool('whoami', {}, { principal }).then(textOf);
}

/** The refusal of `principal`'s call before it authorized: the URL it must open. */
async function refusedUrl(entry: ManagedBackend, principal: string): Promise<string> {
  const refusal = (await whoami(entry, principal).catch((error: Error) => error)) as Error;
  expect(refusal).toBeInstanceOf(Error);
  expect(refusal.message).toContain(`waiting for authorization of principal "${principal}"`);
  const url = /open (\S+) in a browser/.exec(refusal.message)?.[1] ?? '';
  expect(new URL(url).origin).toBe(as.issuer);
  return url;
}

describe('a backend that connects per principal', () => {
  it('connects each principal as its own upstream user: each sees only its own data', async () => {
    const entry = await registerPerPrincipal();
    const aliceUrl = await refusedUrl(entry, 'alice-p');
    const bobUrl = await refusedUrl(entry, 'bob-p');
    expect(aliceUrl).not.toBe(bobUrl);
    // Only the principal's own client was asked to open its URL.
    expect(asked.map(({ message, principal }) => [message.method, principal])).toEqual([
      ['elicitation/create', 'alice-p'],
      ['elicitation/create', 'bob-p'],
    ]);
    // Each principal sees its own pending authorization, nobody else's; the backend shows counts.
    expect(entry.info('alice-p')).toMatchObject({ state: 'needs_authorization', authorizationUrl: aliceUrl });
    expect(entry.info('bob-p')).toMatchObject({ state: 'needs_authorization', authorizationUrl: bobUrl });
    expect(entry.info('carol-p')).toMatchObject({ state: 'needs_authorization' });
    expect(entry.info('carol-p').authorizationUrl).toBeUndefined();
    expect(entry.info('carol-p').lastError).toContain('principal "carol-p" has not authorized it yet');
    expect(entry.info().principals).toEqual({ connected: 0, needsAuthorization: 2 });

    // Bob's callback binds tokens to bob-p only: alice-p still waits.
    await authorizeAs(bobUrl, 'bob');
    await waitFor(() => entry.info().principals?.connected === 1);
    expect(entry.info('alice-p').state).toBe('needs_authorization');
    await authorizeAs(aliceUrl, 'alice');
    await waitFor(() => entry.info().principals?.connected === 2);

    expect(await whoami(entry, 'alice-p')).toBe('alice');
    expect(await whoami(entry, 'bob-p')).toBe('bob');
    expect(await whoami(entry, 'alice-p')).toBe('alice');
    // A request of no principal goes over the backend's own connection (the gateway's identity).
    expect(await whoami(entry, undefined)).toBe('operator');
    expect(entry.info('alice-p')).toMatchObject({ state: 'ready' });
    expect(entry.info('alice-p').authorizationUrl).toBeUndefined();

    // Tokens kept apart, under the backend's name and the principal.
    const aliceTokens = (await oauth.store.get('remote\nalice-p')).tokens;
    const bobTokens = (await oauth.store.get('remote\nbob-p')).tokens;
    const ownTokens = (await oauth.store.get('remote')).tokens;
    expect(aliceTokens?.access_token).toBeTruthy();
    expect(bobTokens?.access_token).toBeTruthy();
    expect(new Set([aliceTokens?.access_token, bobTokens?.access_token, ownTokens?.access_token]).size).toBe(
      3,
    );
  });

  it('asks the principal client to authorize, waits for its person, then runs the call', async () => {
    const entry = await registerPerPrincipal();
    answer = (request) => {
      const url = String(request.params?.url);
      // The person authorizes after the client accepted, as a browser would.
      setImmediate(() => void authorizeAs(url, 'carol'));
      return Promise.resolve({ action: 'accept' });
    };
    expect(await whoami(entry, 'carol-p')).toBe('carol');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.principal).toBe('carol-p');
    const completion = notified.find(
      ({ message }) => message.method === 'notifications/elicitation/complete',
    );
    expect(completion?.principal).toBe('carol-p');
    expect(completion?.message.params?.elicitationId).toBe(asked[0]?.message.params?.elicitationId);
  });

  it('puts only the principal whose refresh token was revoked in needs_authorization', async () => {
    as.setAccessTokenTtl(2);
    const entry = await registerPerPrincipal();
    await authorizeAs(await refusedUrl(entry, 'alice-p'), 'alice');
    await authorizeAs(await refusedUrl(entry, 'bob-p'), 'bob');
    await waitFor(() => entry.info().principals?.connected === 2);
    await as.revokeRefreshTokens('alice');
    await waitFor(() => entry.info('alice-p').state === 'needs_authorization', { timeoutMs: 8000 });
    expect(entry.info('alice-p').lastError).toContain('refused the stored tokens');
    expect(entry.info('bob-p').state).toBe('ready');
    expect(entry.state).toBe('ready');
    expect(await whoami(entry, 'bob-p')).toBe('bob');
    const refusal = (await whoami(entry, 'alice-p').catch((error: Error) => error)) as Error;
    expect(refusal.message).toContain(`open ${entry.info('alice-p').authorizationUrl}`);
  });

  it('closes a principal connection once idle, and opens it again with the stored tokens', async () => {
    const entry = await registerPerPrincipal({ idleTimeoutMs: 200 });
    await authorizeAs(await refusedUrl(entry, 'alice-p'), 'alice');
    await waitFor(() => entry.info().principals?.connected === 1);
    expect(await whoami(entry, 'alice-p')).toBe('alice');
    await waitFor(() => entry.info().principals?.connected === 0, {
      description: 'the idle connection closed',
    });
    const accepted = backend.tokens.length;
    // Nobody is asked again: the tokens were kept.
    expect(await whoami(entry, 'alice-p')).toBe('alice');
    expect(backend.tokens.length).toBeGreaterThan(accepted);
    expect(asked).toHaveLength(1);
  });

  it('closes the least recently used idle connection past its limit', async () => {
    const entry = await registerPerPrincipal({ maxConnections: 1 });
    await authorizeAs(await refusedUrl(entry, 'alice-p'), 'alice');
    await waitFor(() => entry.info().principals?.connected === 1);
    await refusedUrl(entry, 'bob-p');
    expect(entry.info().principals).toEqual({ connected: 0, needsAuthorization: 1 });
    expect(await whoami(entry, 'alice-p')).toBe('alice');
    expect(entry.info().principals).toEqual({ connected: 1, needsAuthorization: 0 });
  });

  it('refuses a new principal past its limit while every connection has a call in flight', async () => {
    const entry = await registerPerPrincipal({ maxConnections: 1 });
    // Alice's client accepts, and her person takes their time: her call stays in flight.
    answer = () => Promise.resolve({ action: 'accept' });
    const cancel = new AbortController();
    const waiting = entry
      .callTool('whoami', {}, { principal: 'alice-p', signal: cancel.signal })
      .catch((error: Error) => error);
    await waitFor(() => asked.length === 1, { description: "alice's client asked" });
    const refusal = (await whoami(entry, 'bob-p').catch((error: Error) => error)) as Error;
    expect(refusal.message).toContain("has 1 principals' connections with calls in flight");
    expect(refusal.message).toContain('oauth.perPrincipal.maxConnections');
    cancel.abort();
    expect(((await waiting) as Error).message).toContain('cancelled');
    // Alice's call ended: Bob's call (his client cannot be asked) takes the place of her idle entry.
    answer = () => Promise.reject(new Error('this client cannot be asked'));
    await refusedUrl(entry, 'bob-p');
    expect(entry.info().principals).toEqual({ connected: 0, needsAuthorization: 1 });
  });

  it("lists over the principal's own connection, and asks nobody for a list", async () => {
    const entry = await registerPerPrincipal();
    const listed = (principal: string) =>
      entry
        .request({ method: 'tools/list' }, ListToolsResultSchema, { principal })
        .catch((error: Error) => error);
    const refused = await listed('dave-p');
    expect((refused as Error).message).toContain('waiting for authorization of principal "dave-p"');
    expect(asked).toHaveLength(0);
    await authorizeAs(entry.info('dave-p').authorizationUrl ?? '', 'dave');
    await waitFor(() => entry.info().principals?.connected === 1);
    const tokensBefore = backend.tokens.length;
    expect(await listed('dave-p')).toMatchObject({ tools: [{ name: 'whoami' }] });
    expect(backend.tokens.slice(tokensBefore)).toEqual([
      (await oauth.store.get('remote\ndave-p')).tokens?.access_token,
    ]);
  });

  it('refuses an unauthenticated caller: it has no principal of its own to act as', async () => {
    const entry = await registerPerPrincipal();
    const refusal = (await whoami(entry, 'anonymous').catch((error: Error) => error)) as Error;
    expect(refusal.message).toContain('this caller is not authenticated');
    expect(asked).toHaveLength(0);
  });

  it('takes no resource subscription: one connection would tell every holder what one principal sees', async () => {
    const entry = await registerPerPrincipal();
    const refusal = (await entry.resources
      .subscribe('file:///notes', {})
      .catch((error: Error) => error)) as Error;
    expect(refusal.message).toContain('takes no resource subscriptions');
    expect(entry.resources.uris).toEqual([]);
  });

  it('closes every principal connection when the backend restarts; each opens again on its next call', async () => {
    const entry = await registerPerPrincipal();
    await authorizeAs(await refusedUrl(entry, 'alice-p'), 'alice');
    await waitFor(() => entry.info().principals?.connected === 1);
    await registry.restart('remote');
    expect(entry.state).toBe('ready');
    expect(entry.info().principals).toEqual({ connected: 0, needsAuthorization: 0 });
    expect(await whoami(entry, 'alice-p')).toBe('alice');
    expect(asked).toHaveLength(1);
  });

  it('closes every principal connection when the backend is removed', async () => {
    const entry = await registerPerPrincipal();
    await authorizeAs(await refusedUrl(entry, 'alice-p'), 'alice');
    await waitFor(() => entry.info().principals?.connected === 1);
    await registry.remove('remote');
    expect(entry.info().principals).toEqual({ connected: 0, needsAuthorization: 0 });
    const refusal = (await whoami(entry, 'alice-p').catch((error: Error) => error)) as Error;
    expect(refusal.message).toContain('was removed');
  });
});
