import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  callTool,
  fixtureServer,
  startHttpGateway,
  textOf,
  writeServersConfig,
  type HttpGateway,
} from '../helpers/gateway-process.js';
import { initializeBody, jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { findProcessesByMarker, listDescendants, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
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
  let gateway: HttpGateway;
  let dir: string;
  const marker = `marker-${randomUUID()}`;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-auth-');
    const env = { GATEWAY_TEST_MARKER: marker };
    const config = await writeServersConfig(dir, {
      echo: fixtureServer('echo.mjs', { env }),
      inheriting: fixtureServer('echo.mjs', { env, inheritEnv: true }),
    });
    gateway = await startHttpGateway(
      ['--allow-register', '--log-level', 'debug', '--auto-register', config],
      {
        env: { MCP_GATEWAY_AUTH_TOKEN: TOKEN, GATEWAY_INHERIT_PROBE: 'inherited' },
      },
    );
  });

  afterAll(async () => {
    if (gateway.child.exitCode === null) await gateway.stop();
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
    await removeTempDir(dir);
  });

  it('answers 401 with a Bearer challenge to register_server without a token, and starts nothing', async () => {
    const markerFile = path.join(dir, 'unauthenticated-was-here');
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
    const markerFile = path.join(dir, 'authenticated-was-here');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const sessionId = await openRawSession(gateway.url, auth);
    const call = await rawRequest(gateway.url, {
      headers: jsonHeaders({ ...auth, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }),
      body: registerTouch(markerFile, 3),
    });
    expect(call.status).toBe(200);
    await waitFor(() => existsSync(markerFile), { description: 'the marker file' });
  });

  it.each([
    ['a wrong token', { authorization: `Bearer ${WRONG}` }, 'invalid_token'],
    ['the token with a suffix', { authorization: `Bearer ${TOKEN}x` }, 'invalid_token'],
    ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 'invalid_token'],
    ['an empty bearer', { authorization: 'Bearer ' }, 'invalid_request'],
    ['two words after Bearer', { authorization: `Bearer ${TOKEN} ${TOKEN}` }, 'invalid_request'],
    ['the token without a scheme', { authorization: TOKEN }, 'invalid_request'],
    [
      'Basic credentials',
      { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
      'invalid_request',
    ],
  ])('answers 401 to %s', async (_name, headers, error) => {
    const response = await rawRequest(gateway.url, { headers: jsonHeaders(headers), body: initializeBody() });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="mcp-gateway", error="${error}"`);
  });

  it('answers 401 to a token in the query string', async () => {
    for (const query of [`access_token=${TOKEN}`, `token=${TOKEN}`, `authorization=Bearer%20${TOKEN}`]) {
      const response = await rawRequest(gateway.url, {
        path: `/mcp?${query}`,
        headers: jsonHeaders(),
        body: initializeBody(),
      });
      expect(response.status).toBe(401);
    }
  });

  it('accepts the scheme in any case', async () => {
    await expect(openRawSession(gateway.url, { authorization: `bearer ${TOKEN}` })).resolves.toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it('serves an SDK client that sends the token', async () => {
    const client = await gateway.connect(TOKEN);
    const result = await callTool(client, 'call_backend', {
      server: 'echo',
      tool: 'echo',
      params: { text: 'hi' },
    });
    expect(textOf(result)).toBe('hi');
  });

  it('refuses an SDK client without the token', async () => {
    await expect(gateway.connect()).rejects.toThrow(/401|Unauthorized/);
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

  it('answers /healthz with 200 and nothing else, without a token', async () => {
    const response = await rawRequest(gateway.url, { method: 'GET', path: '/healthz' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    expect(Object.keys(response.headers).sort()).toEqual(
      ['connection', 'content-length', 'content-type', 'date', 'keep-alive'].sort(),
    );
  });

  it('answers 401 on any other path without a token, and 404 with it', async () => {
    const anonymous = await rawRequest(gateway.url, { method: 'GET', path: '/admin' });
    expect(anonymous.status).toBe(401);
    const authenticated = await rawRequest(gateway.url, {
      method: 'GET',
      path: '/admin',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(authenticated.status).toBe(404);
  });

  it('never writes a token, right or wrong, to its logs', () => {
    expect(gateway.stderr()).toContain('refused a request');
    expect(gateway.stderr()).not.toContain(TOKEN.slice(4));
    expect(gateway.stderr()).not.toContain(WRONG.slice(6));
  });
});

describe('a gateway with two tokens', () => {
  const first = `first-${randomUUID()}`;
  const second = `second-${randomUUID()}`;
  let gateway: HttpGateway;

  beforeAll(async () => {
    gateway = await startHttpGateway(['--auth-token', first, '--auth-token', second]);
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it('accepts either token', async () => {
    await expect(gateway.connect(first)).resolves.toBeDefined();
    await expect(gateway.connect(second)).resolves.toBeDefined();
  });

  it('lets a session be used only with the token that opened it', async () => {
    const sessionId = await openRawSession(gateway.url, { authorization: `Bearer ${first}` });
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    const other = await rawRequest(gateway.url, {
      headers: jsonHeaders({ ...headers, authorization: `Bearer ${second}` }),
      body: list,
    });
    expect(other.status).toBe(404);
    const owner = await rawRequest(gateway.url, {
      headers: jsonHeaders({ ...headers, authorization: `Bearer ${first}` }),
      body: list,
    });
    expect(owner.status).toBe(200);
    expect(owner.body).toContain('register_server');
  });

  it('ignores MCP_GATEWAY_AUTH_TOKEN when --auth-token is given', () => {
    expect(gateway.stderr()).toContain('"auth":"bearer token"');
  });
});
