/**
 * What a draining front door answers while the calls in progress finish (in this process): it still listens, its
 * probes say 503, a new session gets 503 (a load balancer retries it elsewhere), a new request of one of its
 * sessions gets 404 (the client starts a session elsewhere at once), and what finishes a call in progress (a
 * notification, such as a cancellation) is still taken; a cancelled call's stream ends, so the drain does not wait
 * for it.
 */
import { describe, expect, it } from 'vitest';

import { deferred, FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import {
  initializeBody,
  jsonHeaders,
  jsonRpcMessages,
  openRawSession,
  rawRequest,
} from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';

const serve = useInProcessHttp();

describe('a draining HTTP front door', () => {
  it('answers 503 to probes and new sessions, 404 to new requests of its sessions, and lets the call finish', async () => {
    const started = deferred();
    const released = deferred();
    const slow = new FakeBackend('slow', {
      tools: {
        hold: async () => {
          started.resolve();
          await released.promise;
          return textResult('finished during the drain');
        },
      },
    });
    const { url, handle } = await serve(new FakeDirectory([slow]), { drainTimeoutMs: 10_000 });
    const id = await openRawSession(url);
    const session = jsonHeaders({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
    const call = rawRequest(url, {
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow__hold' } }),
    });
    await started.promise;

    const closing = handle.close();
    const ready = await rawRequest(url, { method: 'GET', path: '/readyz' });
    const opened = await rawRequest(url, { headers: jsonHeaders(), body: initializeBody() });
    const again = await rawRequest(url, {
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    const notified = await rawRequest(url, {
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }),
    });
    released.resolve();
    const answered = await call;
    await closing;

    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'stopping' });
    expect(opened.status).toBe(503);
    expect(again.status).toBe(404);
    expect(notified.status).toBe(202);
    expect(jsonRpcMessages(answered)).toEqual([
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'finished during the drain' }] } },
    ]);
  });

  it('ends a cancelled call’s stream, so that the drain does not wait its timeout for it', async () => {
    const started = deferred();
    const cancelled = deferred();
    const stuck = new FakeBackend('stuck', {
      tools: {
        // A backend that never answers, even once told the call is cancelled.
        hold: (_args, options) => {
          started.resolve();
          options?.signal?.addEventListener('abort', () => cancelled.resolve());
          return new Promise(() => undefined);
        },
      },
    });
    const { url, handle } = await serve(new FakeDirectory([stuck]), { drainTimeoutMs: 60_000 });
    const id = await openRawSession(url);
    const session = jsonHeaders({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
    const call = rawRequest(url, {
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'stuck__hold' } }),
    });
    await started.promise;

    const closing = handle.close();
    const notified = await rawRequest(url, {
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } }),
    });
    const ended = await call;
    await cancelled.promise;
    // Settles long before the 60 s drain timeout: nothing is left in progress.
    await closing;

    expect(notified.status).toBe(202);
    expect(ended.status).toBe(200);
    expect(jsonRpcMessages(ended)).toEqual([]);
  });
});
