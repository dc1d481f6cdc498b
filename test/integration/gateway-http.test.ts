import { randomUUID } from 'node:crypto';

import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import {
  callTool,
  startHttpGateway,
  textOf,
  writeExampleConfig,
  type HttpGateway,
} from '../helpers/gateway-process.js';
import { findProcessesByMarker, listDescendants, waitForProcessesGone } from '../helpers/process-table.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
};
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('the gateway over Streamable HTTP', () => {
  let gateway: HttpGateway;
  let dir: string;
  const marker = `marker-${randomUUID()}`;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-http-');
    // --allow-register: the test "shares one registry between sessions" registers a backend over HTTP.
    gateway = await startHttpGateway([
      '--allow-register',
      '--auto-register',
      await writeExampleConfig(dir, marker),
    ]);
  });

  afterAll(async () => {
    if (gateway.child.exitCode === null) await gateway.stop();
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
    await removeTempDir(dir);
  });

  it('listens on 127.0.0.1 at /mcp', () => {
    expect(gateway.url.hostname).toBe('127.0.0.1');
    expect(gateway.url.pathname).toBe('/mcp');
  });

  it('serves the gateway tools and the example backends', async () => {
    const client = await gateway.connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).slice(0, GATEWAY_TOOL_NAMES.length)).toEqual(GATEWAY_TOOL_NAMES);
    expect(tools.map((tool) => tool.name)).toContain('weather__get_forecast');
    const forecast = await callTool(client, 'call_backend', {
      server: 'weather',
      tool: 'get_forecast',
      params: { latitude: 40.7, longitude: -74 },
    });
    expect(forecast.isError).toBeFalsy();
    expect(textOf(forecast)).toMatch(/simulated/i);
    const report = await callTool(client, 'route_pipeline', { scenario: 'database-report' });
    expect((report.structuredContent as { ok: boolean }).ok).toBe(true);
  });

  it('shares one registry between sessions', async () => {
    const first = await gateway.connect();
    const second = await gateway.connect();
    const registered = await callTool(first, 'register_server', {
      name: 'shared',
      command: process.execPath,
      args: [fixturePath('echo.mjs')],
    });
    expect(registered.isError).toBeFalsy();
    const seen = await callTool(second, 'call_backend', {
      server: 'shared',
      tool: 'echo',
      params: { text: 'hi' },
    });
    expect(textOf(seen)).toBe('hi');
    await callTool(second, 'remove_server', { name: 'shared' });
    const gone = await callTool(first, 'call_backend', { server: 'shared', tool: 'echo' });
    expect(textOf(gone)).toContain('unknown server "shared"');
  });

  it('answers 400 without a session id and 404 for an unknown one', async () => {
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const missing = await fetch(gateway.url, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(list),
    });
    expect(missing.status).toBe(400);
    const unknown = await fetch(gateway.url, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': randomUUID() },
      body: JSON.stringify(list),
    });
    expect(unknown.status).toBe(404);
    const proto = await fetch(gateway.url, {
      method: 'GET',
      headers: { ...HEADERS, 'mcp-session-id': '__proto__' },
    });
    expect(proto.status).toBe(404);
    const getWithout = await fetch(gateway.url, { method: 'GET', headers: HEADERS });
    expect(getWithout.status).toBe(400);
  });

  it('answers a body that is not JSON with a JSON-RPC parse error', async () => {
    const response = await fetch(gateway.url, { method: 'POST', headers: HEADERS, body: '{not json' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
  });

  it('ends a session on DELETE', async () => {
    const opened = await fetch(gateway.url, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(INITIALIZE),
    });
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get('mcp-session-id');
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await opened.body?.cancel();
    const headers = {
      ...HEADERS,
      'mcp-session-id': sessionId ?? '',
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    };
    const deleted = await fetch(gateway.url, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    const after = await fetch(gateway.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });

  it('exits 0 on SIGTERM and leaves no process', async () => {
    await gateway.connect();
    const descendants = listDescendants(gateway.child.pid ?? -1);
    expect(descendants.length).toBeGreaterThanOrEqual(4);
    expect(await gateway.stop()).toBe(0);
    await waitForProcessesGone(descendants, 6000);
    expect(gateway.stderr()).toContain('shutting down (SIGTERM)');
  });
});
