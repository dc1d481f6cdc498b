/**
 * Closing the HTTP front door, in this process: requests in progress get the drain time to finish, requests that
 * arrive meanwhile get 503, then every session ends. A request can only arrive during the drain on a connection
 * opened before it (the listener is closed): these tests open one and send part of a request's head, so that the
 * server counts the connection busy and keeps it, and finish the request once the drain has begun.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

import { describe, expect, it } from 'vitest';

import { createStderrLogger } from '../../../../src/logger.js';
import {
  aborted,
  deferred,
  FakeBackend,
  FakeDirectory,
  optionsOf,
  textResult,
  waitForCancellation,
} from '../../../helpers/fake-directory.js';
import { jsonRpcMessages, openRawSession, rawRequest } from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';

const serve = useInProcessHttp();

/** A connection that has sent the first line of a request and a Host header, and what it has received so far. */
interface HalfSentRequest {
  /** Sends the rest of the head (with `Connection: close`) and the body; resolves with all it received. */
  finish(headers: Readonly<Record<string, string>>, body?: string): Promise<string>;
}

async function startRequest(port: number, method: string, path: string): Promise<HalfSentRequest> {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  const closed = once(socket, 'close');
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  return {
    finish: async (headers, body = '') => {
      const lines = Object.entries({
        ...headers,
        Connection: 'close',
        'Content-Length': String(body.length),
      });
      socket.write(`${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
      await closed;
      return received;
    },
  };
}

/** The status line and the body of a raw HTTP answer (not chunked). */
function statusAndBody(raw: string): { status: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: head.split('\r\n')[0] ?? '', body: JSON.parse(body) as unknown };
}

/** A raw `tools/call` of `tool` (no arguments) in session `id`. */
function callIn(url: URL, id: string, tool: string): ReturnType<typeof rawRequest> {
  return rawRequest(url, {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': id,
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: tool, arguments: {} },
    }),
  });
}

describe('closing the HTTP front door', () => {
  it('lets a call in progress finish, answers 503 to requests that arrive meanwhile, then ends every session', async () => {
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
    const lateMcp = await startRequest(handle.port, 'POST', '/mcp');
    const lateHealth = await startRequest(handle.port, 'GET', '/healthz');
    const id = await openRawSession(url);
    const call = callIn(url, id, 'slow__hold');
    await started.promise;

    const closing = handle.close();
    const mcpAnswer = statusAndBody(
      await lateMcp.finish(
        { 'Content-Type': 'application/json' },
        '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      ),
    );
    const healthAnswer = statusAndBody(await lateHealth.finish({}));
    released.resolve();
    const answered = await call;
    await closing;

    expect(mcpAnswer).toEqual({
      status: 'HTTP/1.1 503 Service Unavailable',
      body: {
        jsonrpc: '2.0',
        error: { code: -32600, message: 'Service Unavailable: the gateway is shutting down' },
        id: null,
      },
    });
    expect(healthAnswer).toEqual({
      status: 'HTTP/1.1 503 Service Unavailable',
      body: { status: 'stopping' },
    });
    expect(jsonRpcMessages(answered)).toEqual([
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'finished during the drain' }] } },
    ]);
    expect(handle.sessionCount()).toBe(0);
  });

  it('ends a call that outlasts the drain time: the backend call is cancelled and close resolves', async () => {
    const started = deferred();
    const stuck = new FakeBackend('stuck', { tools: { wait: waitForCancellation(() => started.resolve()) } });
    const lines: string[] = [];
    const logger = createStderrLogger({ level: 'warn', write: (line) => lines.push(line) });
    const { url, handle } = await serve(new FakeDirectory([stuck]), { drainTimeoutMs: 100, logger });
    const id = await openRawSession(url);
    const call = callIn(url, id, 'stuck__wait').then(({ status, body }) => ({ status, body }));
    await started.promise;

    await handle.close();

    await aborted(optionsOf(stuck.calls[0]).signal);
    expect(lines).toEqual(['mcp-gateway warn: 1 request(s) still running after 100 ms; ending them\n']);
    expect(handle.sessionCount()).toBe(0);
    // The call's stream was ended without an answer: the client has no result, only the end of the response.
    expect(await call).toEqual({ status: 200, body: '' });
  });

  it('refuses new connections once closed', async () => {
    const { url, handle } = await serve(new FakeDirectory());

    await handle.close();

    await expect(rawRequest(url, { method: 'GET', path: '/healthz' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('is idempotent: a second close resolves as the first', async () => {
    const { handle } = await serve(new FakeDirectory());

    await Promise.all([handle.close(), handle.close()]);

    expect(handle.sessionCount()).toBe(0);
  });
});
