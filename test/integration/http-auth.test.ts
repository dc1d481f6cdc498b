import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { callTool, fixtureServer, writeServersConfig, type HttpGateway } from '../helpers/gateway-process.js';
import { initializeBody, jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { listDescendants } from '../helpers/process-table.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = `tok-${randomUUID()}`;
const WRONG = `wrong-${randomUUID()}`;

/** A `tools/call` of register_server whose command would create `markerFile`. */
function registerTouch(markerFile: string, id = 2): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: 'register_server',
      arguments: { name: `touch${id}`, command: '/bin/sh', args: ['-c', `touch '${markerFile}'`] },
    },
  });
}

describe('a gateway started with MCP_GATEWAY_AUTH_TOKEN', () => {
  const sandbox = useProcessSandbox('gateway-auth-');
  let gateway: HttpGateway;

  beforeAll(async () => {
    const env = sandbox.env;
    const config = await writeServersConfig(sandbox.dir, {
      echo: fixtureServer('echo.mjs', { env }),
      inheriting: fixtureServer('echo.mjs', { env, inheritEnv: true }),
    });
    gateway = await sandbox.startHttp(
      ['--allow-register', '--log-level', 'debug', '--auto-register', config],
      {
        env: { MCP_GATEWAY_AUTH_TOKEN: TOKEN, GATEWAY_INHERIT_PROBE: 'inherited' },
      },
    );
  });

  it('answers 401 with a Bearer challenge to register_server without a token, and starts nothing', async () => {
    const markerFile = path.join(sandbox.dir, 'unauthenticated-was-here');
    const before = listDescendants(gateway.child.pid ?? -1).length;

    const initialize = await rawRequest(gateway.url, { headers: jsonHeaders(), body: initializeBody() });
    expect(initialize.status).toBe(401);
    expect(initialize.headers['www-authenticate']).toBe('Bearer realm="mcp-gateway"');
    expect(JSON.parse(initialize.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 }, id: null });

    // Even with a session id stolen from an authenticated client, the call itself needs the token.
    const sessionId = await openRawSession(gateway.url, { authorization: `Bearer ${TOKEN}` });
    const call = await rawRequest(gateway.url, {
      headers: jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }),
      body: registerTouch(markerFile),
    });
    expect(call.status).toBe(401);
    expect(existsSync(markerFile)).toBe(false);
    expect(listDescendants(gateway.child.pid ?? -1)).toHaveLength(before);
  });

  it('runs the same register_server when the token is sent (the marker check can see a spawn)', async () => {
    const markerFile = path.join(sandbox.dir, 'authenticated-was-here');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const sessionId = await openRawSession(gateway.url, auth);
    const call = await rawRequest(gateway.url, {
      headers: jsonHeaders({ ...auth, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }),
      body: registerTouch(markerFile, 3),
    });
    expect(call.status).toBe(200);
    await waitFor(() => existsSync(markerFile), { description: 'the marker file' });
  });

  it('never hands the token to a backend, even one that inherits the whole environment', async () => {
    const client = await gateway.connect(TOKEN);
    const env = (server: string, name: string) =>
      callTool(client, 'call_backend', { server, tool: 'env', params: { name } }).then(textOf);
    expect(await env('echo', 'MCP_GATEWAY_AUTH_TOKEN')).toBe('<unset>');
    expect(await env('inheriting', 'MCP_GATEWAY_AUTH_TOKEN')).toBe('<unset>');
    // The inheriting backend does see the rest of the gateway's environment: the check above is not vacuous.
    expect(await env('inheriting', 'GATEWAY_INHERIT_PROBE')).toBe('inherited');
  });

  it('never writes a token, right or wrong, to its logs', async () => {
    const wrong = await rawRequest(gateway.url, {
      headers: jsonHeaders({ authorization: `Bearer ${WRONG}` }),
      body: initializeBody(),
    });
    expect(wrong.status).toBe(401);
    await waitFor(() => gateway.stderr().includes('the bearer token is not valid'), {
      description: 'the refusal of the wrong token in the log',
    });
    expect(gateway.stderr()).not.toContain(TOKEN.slice(4));
    expect(gateway.stderr()).not.toContain(WRONG.slice(6));
  });
});

describe('a gateway with two tokens', () => {
  const sandbox = useProcessSandbox('gateway-two-tokens-');
  const first = `first-${randomUUID()}`;
  const second = `second-${randomUUID()}`;
  let gateway: HttpGateway;

  beforeAll(async () => {
    gateway = await sandbox.startHttp(['--auth-token', first, '--auth-token', second]);
  });

  it('accepts either token', async () => {
    await expect(gateway.connect(first)).resolves.toBeDefined();
    await expect(gateway.connect(second)).resolves.toBeDefined();
  });

  it('ignores MCP_GATEWAY_AUTH_TOKEN when --auth-token is given', () => {
    expect(gateway.stderr()).toContain('"auth":"bearer token"');
  });
});
