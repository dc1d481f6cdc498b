import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  callTool,
  textOf,
  writeEchoConfig,
  startHttpGateway,
  type HttpGateway,
} from '../helpers/gateway-process.js';
import { jsonHeaders, jsonRpcMessages, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const VERSION = '2025-06-18';
const IDLE_MS = 400;

/** How many idle sessions the gateway has closed so far, from its log. */
function idleClosed(gateway: HttpGateway): number {
  return gateway.stderr().split('closed an idle session').length - 1;
}

describe('HTTP sessions', () => {
  let gateway: HttpGateway;
  let dir: string;
  const marker = `marker-${randomUUID()}`;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-sessions-');
    const config = await writeEchoConfig(dir, marker);
    gateway = await startHttpGateway([
      '--session-idle-timeout',
      String(IDLE_MS),
      '--log-level',
      'debug',
      '--auto-register',
      config,
    ]);
  });

  afterAll(async () => {
    if (gateway.child.exitCode === null) await gateway.stop();
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
    await removeTempDir(dir);
  });

  it('closes a session left idle for the configured time, frees it, and answers 404 for it after', async () => {
    const before = idleClosed(gateway);
    const sessionId = await openRawSession(gateway.url);
    await waitFor(() => idleClosed(gateway) > before, { description: 'an idle session to be closed' });
    expect(gateway.stderr()).toMatch(/closed an idle session \{"sessions":0\}/);
    const after = await rawRequest(gateway.url, {
      headers: jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });

  it('does not close a session while one of its calls runs longer than the idle time', async () => {
    const sessionId = await openRawSession(gateway.url);
    const call = await rawRequest(gateway.url, {
      headers: jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'call_backend',
          arguments: { server: 'echo', tool: 'slow', params: { ms: IDLE_MS * 3 } },
        },
      }),
    });
    expect(call.status).toBe(200);
    expect(jsonRpcMessages(call)).toMatchObject([
      { id: 2, result: { content: [{ text: `slept ${IDLE_MS * 3}` }] } },
    ]);
    const next = await rawRequest(gateway.url, {
      headers: jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }),
    });
    expect(next.status).toBe(200);
    const ended = await rawRequest(gateway.url, {
      method: 'DELETE',
      headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION },
    });
    expect(ended.status).toBe(200);
  });

  it('keeps the session of a connected SDK client (its GET stream is open) and closes it once the client is gone', async () => {
    const client = await gateway.connect();
    const before = idleClosed(gateway);
    const slow = await callTool(client, 'call_backend', {
      server: 'echo',
      tool: 'slow',
      params: { ms: IDLE_MS * 2 },
    });
    expect(textOf(slow)).toBe(`slept ${IDLE_MS * 2}`);
    expect(idleClosed(gateway)).toBe(before);
    expect(
      textOf(
        await callTool(client, 'call_backend', { server: 'echo', tool: 'echo', params: { text: 'still' } }),
      ),
    ).toBe('still');
    // close() ends the client's streams without a DELETE, as a client that crashed or forgot would.
    await client.close();
    await waitFor(() => idleClosed(gateway) > before, { description: 'the abandoned session to be closed' });
  });
});
