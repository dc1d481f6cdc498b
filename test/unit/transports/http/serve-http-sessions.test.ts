/**
 * The sessions of the HTTP front door, in this process: which requests need one, who may use one, how one ends
 * (DELETE, or a time without requests), and what keeps one alive.
 */
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { deferred, FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../../../helpers/gateway-tool-names.js';
import {
  jsonHeaders,
  jsonRpcMessages,
  openRawSession,
  rawRequest,
  type RawResponse,
} from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';

const serve = useInProcessHttp();

const FIRST_TOKEN = 'first-token-0123456789';
const SECOND_TOKEN = 'second-token-0123456789';
const IDLE_MS = 150;
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });

/** The JSON-RPC error body of a refused request. */
function refusal(message: string, code = -32600): unknown {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/** Headers of a request in session `id`, plus `extra`. */
function inSession(id: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return jsonHeaders({ 'mcp-session-id': id, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION, ...extra });
}

/** A directory whose backend `slow` has a tool `hold` that runs until the test releases it. */
function holdingDirectory(): {
  directory: FakeDirectory;
  started: Promise<void>;
  release: () => void;
} {
  const started = deferred();
  const released = deferred();
  const slow = new FakeBackend('slow', {
    tools: {
      hold: async () => {
        started.resolve();
        await released.promise;
        return textResult('released');
      },
    },
  });
  return {
    directory: new FakeDirectory([slow]),
    started: started.promise,
    release: () => released.resolve(),
  };
}

/** A raw `tools/call` of `slow__hold` in session `id`. */
function callHold(url: URL, id: string): Promise<RawResponse> {
  return rawRequest(url, {
    headers: inSession(id),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'slow__hold', arguments: {} },
    }),
  });
}

describe('a request without a session', () => {
  it.each(['POST', 'GET', 'DELETE'])('is answered 400 when it is a %s without an id', async (method) => {
    const { url, handle } = await serve(new FakeDirectory());

    const response = await rawRequest(url, {
      method,
      headers: jsonHeaders(),
      ...(method === 'POST' ? { body: LIST } : {}),
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual(refusal('Bad Request: missing mcp-session-id header'));
    expect(handle.sessionCount()).toBe(0);
  });

  it.each(['POST', 'GET', 'DELETE'])(
    'is answered 404 when it is a %s naming an unknown id, the names of Object.prototype included',
    async (method) => {
      const { url } = await serve(new FakeDirectory());

      const ids = [
        '6c1b2a52-58a1-4a8e-9f4e-000000000000',
        '__proto__',
        'constructor',
        'prototype',
        'toString',
      ];
      for (const id of [...ids, 'hasOwnProperty', '__defineGetter__']) {
        const response = await rawRequest(url, {
          method,
          headers: inSession(id),
          ...(method === 'POST' ? { body: LIST } : {}),
        });

        expect(response.status).toBe(404);
        expect(JSON.parse(response.body)).toEqual(refusal('Session not found'));
      }
    },
  );
});

describe('a session', () => {
  it('can be used only with the token that opened it: another token gets 404', async () => {
    const { url } = await serve(new FakeDirectory(), { authTokens: [FIRST_TOKEN, SECOND_TOKEN] });
    const id = await openRawSession(url, { authorization: `Bearer ${FIRST_TOKEN}` });

    const other = await rawRequest(url, {
      headers: inSession(id, { authorization: `Bearer ${SECOND_TOKEN}` }),
      body: LIST,
    });
    const owner = await rawRequest(url, {
      headers: inSession(id, { authorization: `Bearer ${FIRST_TOKEN}` }),
      body: LIST,
    });

    expect(other.status).toBe(404);
    expect(JSON.parse(other.body)).toEqual(refusal('Session not found'));
    expect(owner.status).toBe(200);
    const [answer] = jsonRpcMessages(owner) as { id: number; result: { tools: { name: string }[] } }[];
    expect(answer?.id).toBe(2);
    expect(answer?.result.tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
  });

  it('ends on DELETE: it is gone from the count and a later request gets 404', async () => {
    const { url, handle } = await serve(new FakeDirectory());
    const id = await openRawSession(url);
    expect(handle.sessionCount()).toBe(1);

    const deleted = await rawRequest(url, { method: 'DELETE', headers: inSession(id) });
    const after = await rawRequest(url, { headers: inSession(id), body: LIST });

    expect(deleted.status).toBe(200);
    expect(handle.sessionCount()).toBe(0);
    expect(after.status).toBe(404);
  });

  it('is closed after the idle time without requests, and a later request gets 404', async () => {
    const { url, handle } = await serve(new FakeDirectory(), { sessionIdleMs: IDLE_MS });
    const id = await openRawSession(url);

    await expect.poll(() => handle.sessionCount(), { timeout: 5000 }).toBe(0);
    const after = await rawRequest(url, { headers: inSession(id), body: LIST });

    expect(after.status).toBe(404);
  });

  it('is not closed while one of its calls runs longer than the idle time', async () => {
    const { directory, started, release } = holdingDirectory();
    const { url, handle } = await serve(directory, { sessionIdleMs: IDLE_MS });
    const busy = await openRawSession(url);
    const call = callHold(url, busy);
    await started;
    // Opened after the call started: once this one is closed as idle, the call has run longer than the idle time.
    const idle = await openRawSession(url);

    await expect.poll(() => handle.sessionCount(), { timeout: 5000 }).toBe(1);
    release();
    const answered = await call;
    const idleAfter = await rawRequest(url, { headers: inSession(idle), body: LIST });
    const busyAfter = await rawRequest(url, { headers: inSession(busy), body: LIST });

    expect(jsonRpcMessages(answered)).toEqual([
      { jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'released' }] } },
    ]);
    expect(idleAfter.status).toBe(404);
    expect(busyAfter.status).toBe(200);
  });

  it('of a connected SDK client is kept while its GET stream is open, and closed once the client is gone', async () => {
    // Longer than IDLE_MS: the client's session is idle between its initialize and its GET stream, a gap that a
    // loaded machine can stretch past 150 ms.
    const { url, handle, connect } = await serve(new FakeDirectory(), { sessionIdleMs: 1000 });
    const client = await connect();
    const idle = await openRawSession(url);

    await expect.poll(() => handle.sessionCount(), { timeout: 5000 }).toBe(1);
    const stillIdle = await rawRequest(url, { headers: inSession(idle), body: LIST });
    const listed = await client.listTools();
    // Closing the client ends its streams without a DELETE, as a client that crashed or forgot would.
    await client.close();

    expect(stillIdle.status).toBe(404);
    expect(listed.tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    await expect.poll(() => handle.sessionCount(), { timeout: 5000 }).toBe(0);
  });
});
