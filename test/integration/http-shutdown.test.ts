import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, textOf, startHttpGateway, type HttpGateway } from '../helpers/gateway-process.js';
import { initializeBody, jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

describe('shutting down in HTTP mode', () => {
  let dir: string;
  let config: string;
  let marker: string;
  let gateway: HttpGateway | undefined;

  beforeEach(async () => {
    dir = await makeTempDir('gateway-shutdown-');
    marker = `marker-${randomUUID()}`;
    config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        servers: {
          echo: {
            command: process.execPath,
            args: [fixturePath('echo.mjs')],
            env: { GATEWAY_TEST_MARKER: marker },
          },
        },
      }),
    );
  });

  afterEach(async () => {
    if (gateway && gateway.child.exitCode === null) await gateway.stop();
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
    await removeTempDir(dir);
  });

  it('lets a call in progress finish, refuses new work, then closes the backends and exits 0', async () => {
    gateway = await startHttpGateway(['--drain-timeout', '5000', '--auto-register', config]);
    const running = gateway;
    const client = await running.connect();
    const backends = findProcessesByMarker(marker);
    expect(backends.length).toBeGreaterThan(0);
    const call = callTool(client, 'call_backend', { server: 'echo', tool: 'slow', params: { ms: 1000 } });
    await waitFor(() => running.stderr().includes('slow started 1000'), { description: 'the call to start' });

    const exited = once(running.child, 'exit');
    running.child.kill('SIGTERM');
    await waitFor(() => running.stderr().includes('shutting down (SIGTERM)'), {
      description: 'shutdown to begin',
    });
    // New work is refused while the call drains: the listener is closed, or the request gets 503.
    const late = await rawRequest(running.url, { headers: jsonHeaders(), body: initializeBody() }).then(
      (response) => response.status,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(['ECONNREFUSED', 503]).toContain(late);

    expect(textOf(await call)).toBe('slept 1000');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    await waitForProcessesGone(backends, 6000);
  });

  it('ends a call that outlasts the drain timeout and still exits promptly with 0', async () => {
    gateway = await startHttpGateway(['--drain-timeout', '200', '--auto-register', config]);
    const running = gateway;
    const sessionId = await openRawSession(running.url);
    const call = rawRequest(running.url, {
      headers: jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'call_backend', arguments: { server: 'echo', tool: 'slow', params: { ms: 60_000 } } },
      }),
    }).then(
      (response) => response.body,
      (error: Error) => error.message,
    );
    await waitFor(() => running.stderr().includes('slow started 60000'), {
      description: 'the call to start',
    });
    const startedAt = Date.now();
    const exited = once(running.child, 'exit');
    running.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(running.stderr()).toContain('1 request(s) still running after 200 ms');
    expect(await call).not.toContain('slept');
  });
});
