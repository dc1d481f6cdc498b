/**
 * `--session-idle-timeout` reaching the HTTP front door of the built gateway. How sessions are kept, reaped and
 * ended is tested in process (test/unit/transports/http/serve-http-sessions.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';

import type { HttpGateway } from '../helpers/gateway-process.js';
import { jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const IDLE_MS = 400;

describe('HTTP sessions of the gateway process', () => {
  const sandbox = useProcessSandbox('gateway-sessions-');
  let gateway: HttpGateway;

  beforeAll(async () => {
    gateway = await sandbox.startHttp(['--session-idle-timeout', String(IDLE_MS)]);
  });

  it('closes a session left idle for --session-idle-timeout, and answers 404 for it after', async () => {
    const sessionId = await openRawSession(gateway.url);
    await waitFor(() => gateway.stderr().includes('closed an idle session'), {
      description: 'an idle session to be closed',
    });
    expect(gateway.stderr()).toMatch(/closed an idle session \{"sessions":0\}/);
    const after = await rawRequest(gateway.url, {
      headers: jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });
});
