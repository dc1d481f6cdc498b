/**
 * Per-principal OAuth backends through the built gateway's HTTP front door: two principals (two named static
 * tokens) each authorize the same protected backend as a different upstream user, through URL-mode elicitation to
 * their own client; each then sees only its own data, its own state in `list_servers`, and nothing of the other's
 * authorization (no request, no URL, no notification). Tokens appear nowhere the gateway writes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthorizationServer, type AuthorizationServer } from '../helpers/authorization-server.js';
import { authorizeAs } from '../helpers/browser-agent.js';
import { callTool, startHttpGateway, writeServersConfig } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { startProtectedBackend, type ProtectedBackend } from '../helpers/protected-backend.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('gateway-oauth-principals-', { per: 'test' });
const ALICE_TOKEN = 'alice-static-token-0123456789abcdef';
const BOB_TOKEN = 'bob-static-token-0123456789abcdefgh';
let as: AuthorizationServer;
let backend: ProtectedBackend;

beforeAll(async () => {
  as = await startAuthorizationServer();
  backend = await startProtectedBackend(as.issuer);
});
afterAll(async () => {
  await backend.close();
  await as.close();
});

/** A client of the gateway as the principal of `token`, recording what the gateway asks and tells it. */
async function connectAs(url: URL, token: string, upstreamUser: string | undefined) {
  const client = new Client(
    { name: `principal-${token.slice(0, 5)}`, version: '1.0.0' },
    { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: 'legacy' } },
  );
  const asked: string[] = [];
  const completed: string[] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    const params = request.params as { url?: string; elicitationId?: string };
    asked.push(params.url ?? '');
    if (upstreamUser === undefined) return { action: 'decline' };
    // The person signs in in their browser; the client then says they agreed to go.
    await authorizeAs(params.url ?? '', upstreamUser);
    return { action: 'accept' };
  });
  client.setNotificationHandler('notifications/elicitation/complete', (notification) => {
    completed.push(String(notification.params.elicitationId));
  });
  const headers = { Authorization: `Bearer ${token}` };
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  sandbox.defer(() => client.close());
  return { client, asked, completed };
}

async function remoteInfo(client: Client): Promise<Record<string, unknown>> {
  const listed = (await callTool(client, 'list_servers', {})).structuredContent as {
    servers: Record<string, unknown>[];
  };
  return listed.servers.find((server) => server.name === 'remote') ?? {};
}

describe('an OAuth backend that connects per principal, behind the HTTP front door', () => {
  it('lets two principals act as their own upstream users, each seeing only its own data', async () => {
    const stateDir = path.join(sandbox.dir, 'state');
    const config = await writeServersConfig(sandbox.dir, {
      remote: { url: backend.url, oauth: { perPrincipal: true } },
    });
    const gateway = await startHttpGateway(
      [
        '--auto-register',
        config,
        '--state-dir',
        stateDir,
        '--auth-token',
        `alice=${ALICE_TOKEN}`,
        '--auth-token',
        `bob=${BOB_TOKEN}`,
      ],
      { env: sandbox.env },
    );
    sandbox.defer(() => gateway.stop());

    // The gateway's own identity lists the tools: authorized once, by the operator, from list_servers.
    const alice = await connectAs(gateway.url, ALICE_TOKEN, 'alice-upstream');
    const first = await remoteInfo(alice.client);
    expect(first.state).toBe('needs_authorization');
    await authorizeAs(String(first.authorizationUrl), 'operator');
    // Alice's own view shows the tools, and that she has not authorized yet.
    await waitFor(async () => (await remoteInfo(alice.client)).toolCount === 1, {
      description: 'the backend listed its tools',
    });

    // Bob's client declines: his call is refused with his own URL, which only he is shown.
    const bob = await connectAs(gateway.url, BOB_TOKEN, undefined);
    const refused = await callTool(bob.client, 'remote__whoami', {});
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('waiting for authorization of principal "bob"');
    expect(bob.asked).toHaveLength(1);
    const bobUrl = bob.asked[0] ?? '';
    expect(textOf(refused)).toContain(bobUrl);
    expect(await remoteInfo(bob.client)).toMatchObject({
      state: 'needs_authorization',
      authorizationUrl: bobUrl,
    });
    // Alice has not authorized yet either: her view says so, without Bob's URL.
    const aliceView = await remoteInfo(alice.client);
    expect(aliceView.state).toBe('needs_authorization');
    expect(aliceView.lastError).toContain('principal "alice" has not authorized it yet');
    expect(JSON.stringify(aliceView)).not.toContain(bobUrl);
    expect(aliceView.principals).toEqual({ connected: 0, needsAuthorization: 1 });

    // Alice's client opens her URL; her call then runs as her upstream user.
    expect(textOf(await callTool(alice.client, 'remote__whoami', {}))).toBe('alice-upstream');
    expect(alice.asked).toHaveLength(1);
    await waitFor(() => alice.completed.length === 1, { description: 'the elicitation completed' });
    expect(bob.completed).toEqual([]);

    // Bob authorizes through the URL he was given; then each acts as itself, every time.
    await authorizeAs(bobUrl, 'bob-upstream');
    await waitFor(async () => (await remoteInfo(bob.client)).state === 'ready', {
      description: "bob's connection",
    });
    const answers = await Promise.all(
      [alice, bob, alice, bob].map(async ({ client }) =>
        textOf(await callTool(client, 'remote__whoami', {})),
      ),
    );
    expect(answers).toEqual(['alice-upstream', 'bob-upstream', 'alice-upstream', 'bob-upstream']);
    expect(
      textOf(await callTool(bob.client, 'call_backend', { server: 'remote', tool: 'whoami', arguments: {} })),
    ).toBe('bob-upstream');
    expect(alice.asked).toHaveLength(1);
    expect((await remoteInfo(alice.client)).principals).toEqual({ connected: 2, needsAuthorization: 0 });

    // No token the backend accepted is anywhere the gateway writes.
    const stored = await readFile(path.join(stateDir, 'oauth-tokens.json'), 'utf8');
    for (const token of backend.tokens.slice(-3)) {
      expect(gateway.stderr()).not.toContain(token);
      expect(stored).not.toContain(token);
    }
  });

  it('refuses an unauthenticated caller of such a backend', async () => {
    const config = await writeServersConfig(sandbox.dir, {
      remote: { url: backend.url, oauth: { perPrincipal: true } },
    });
    const gateway = await startHttpGateway(
      ['--auto-register', config, '--state-dir', path.join(sandbox.dir, 'state')],
      { env: sandbox.env },
    );
    sandbox.defer(() => gateway.stop());
    const client = await gateway.connect();
    const info = await remoteInfo(client);
    await authorizeAs(String(info.authorizationUrl), 'operator');
    await waitFor(async () => (await remoteInfo(client)).state === 'ready');
    const result = await callTool(client, 'remote__whoami', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('this caller is not authenticated');
  });
});
