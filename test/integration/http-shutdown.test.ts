/**
 * SIGTERM and `--drain-timeout` in HTTP mode, on the built gateway. How a close drains (calls finishing, 503 for
 * what arrives meanwhile) is tested in process (test/unit/transports/http/serve-http-close.test.ts).
 */
import { once } from 'node:events';

import { describe, expect, it } from 'vitest';

import { writeEchoConfig } from '../helpers/gateway-process.js';
import { jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

describe('shutting down in HTTP mode', () => {
  const sandbox = useProcessSandbox('gateway-shutdown-');

  it('ends a call that outlasts --drain-timeout and still exits promptly with 0', async () => {
    const config = await writeEchoConfig(sandbox.dir, sandbox.marker);
    const running = await sandbox.startHttp(['--drain-timeout', '200', '--auto-register', config]);
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
