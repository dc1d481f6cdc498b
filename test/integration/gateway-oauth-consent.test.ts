/**
 * Consent with a person in the loop, through the built gateway over stdio and HTTP: a remote backend that wants OAuth is
 * shown as `needs_authorization` with its URL in `list_servers` and on stderr; a call to it from a client that
 * declares URL-mode elicitation asks that client to open the URL, waits for the person, and then runs; the
 * backend's tools appear (`list_changed`) without a restart. Tokens appear nowhere the gateway writes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthorizationServer, type AuthorizationServer } from '../helpers/authorization-server.js';
import { authorizeAs } from '../helpers/browser-agent.js';
import { CLI_PATH, callTool, startHttpGateway, writeServersConfig } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { startProtectedBackend, type ProtectedBackend } from '../helpers/protected-backend.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('gateway-oauth-consent-', { per: 'test' });
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

/** The built gateway over stdio with the protected backend as `remote`, and a client declaring `elicitation`. */
async function startGateway(elicitation: ClientCapabilities['elicitation']) {
  const config = await writeServersConfig(sandbox.dir, { remote: { url: backend.url } });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, '--auto-register', config, '--state-dir', path.join(sandbox.dir, 'state')],
    env: { ...sandbox.env, PATH: process.env.PATH ?? '' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'consent-test', version: '1.0.0' }, { capabilities: { elicitation } });
  sandbox.defer(() => client.close());
  return { client, transport, stderr: () => stderr };
}

async function remoteInfo(client: Client): Promise<Record<string, unknown>> {
  const listed = (await callTool(client, 'list_servers', {})).structuredContent as {
    servers: Record<string, unknown>[];
  };
  return listed.servers.find((server) => server.name === 'remote') ?? {};
}

describe('a remote backend that wants OAuth, behind the gateway', () => {
  it('shows where to authorize in list_servers and on stderr, and in the error of a call', async () => {
    const { client, transport, stderr } = await startGateway({ form: {} });
    await client.connect(transport);
    const info = await remoteInfo(client);
    expect(info.state).toBe('needs_authorization');
    const url = String(info.authorizationUrl);
    expect(url.startsWith(`${as.issuer}/`)).toBe(true);
    await waitFor(() => stderr().includes('authorization needed: open'), {
      description: 'the notice on stderr',
    });
    expect(stderr()).toContain(url);

    // This client cannot open URLs for its user: the call says where to go.
    const result = await callTool(client, 'remote__whoami', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('waiting for authorization');
    expect(textOf(result)).toContain(`${as.issuer}/`);
  });

  it('asks a client that declares URL-mode elicitation to open the URL, then runs the call', async () => {
    const { client, transport, stderr } = await startGateway({ url: {} });
    const asked: string[] = [];
    const completed: string[] = [];
    let listChanged = 0;
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { mode?: string; url?: string; elicitationId?: string };
      asked.push(params.elicitationId ?? '');
      expect(params.mode).toBe('url');
      // The person signs in in their browser; the client then says they agreed to go.
      await authorizeAs(params.url ?? '', 'dora');
      return { action: 'accept' };
    });
    client.setNotificationHandler('notifications/elicitation/complete', (notification) => {
      completed.push(String(notification.params.elicitationId));
    });
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      listChanged += 1;
    });
    await client.connect(transport);
    expect((await remoteInfo(client)).state).toBe('needs_authorization');

    const result = await callTool(client, 'remote__whoami', {});
    expect(textOf(result)).toBe('dora');
    expect(asked).toHaveLength(1);
    await waitFor(() => completed.length === 1 && listChanged > 0, {
      description: 'completion and list_changed',
    });
    expect(completed).toEqual(asked);
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('remote__whoami');
    const info = await remoteInfo(client);
    expect(info.state).toBe('ready');
    expect(info.authorizationUrl).toBeUndefined();

    // The token the backend accepted is nowhere the gateway writes: not in list_servers, not on stderr, not at rest.
    const token = backend.tokens.at(-1) ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(JSON.stringify(info)).not.toContain(token);
    expect(stderr()).not.toContain(token);
    const stored = await readFile(path.join(sandbox.dir, 'state', 'oauth-tokens.json'), 'utf8');
    expect(stored).not.toContain(token);
  });

  it('asks over HTTP too (a client of the 2026-07-28 era), and a later client acts as the one who authorized', async () => {
    const config = await writeServersConfig(sandbox.dir, { remote: { url: backend.url } });
    const gateway = await startHttpGateway(
      ['--auto-register', config, '--state-dir', path.join(sandbox.dir, 'state')],
      {
        env: sandbox.env,
      },
    );
    sandbox.defer(() => gateway.stop());
    const users = ['erin', 'frank'];
    for (const mode of ['auto', 'legacy'] as const) {
      const client = new Client(
        { name: `consent-http-${mode}`, version: '1.0.0' },
        { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode } },
      );
      client.setRequestHandler('elicitation/create', async (request) => {
        await authorizeAs((request.params as { url?: string }).url ?? '', users.shift() ?? '');
        return { action: 'accept' };
      });
      await client.connect(new StreamableHTTPClientTransport(gateway.url));
      sandbox.defer(() => client.close());
      expect(client.getNegotiatedProtocolVersion()).toBe(mode === 'auto' ? '2026-07-28' : '2025-11-25');
      if (mode === 'auto') {
        expect(textOf(await callTool(client, 'remote__whoami', {}))).toBe('erin');
      } else {
        // Authorized already: this client is not asked, and the backend acts as the one who authorized it.
        expect(textOf(await callTool(client, 'remote__whoami', {}))).toBe('erin');
        expect(users).toEqual(['frank']);
      }
    }
  });
});
