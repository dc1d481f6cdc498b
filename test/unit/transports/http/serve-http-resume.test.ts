/**
 * A 2025-11-25 client whose POST stream breaks before its answer came (a proxy or a replica between it and the
 * gateway died) gets the answer by reconnecting with `Last-Event-ID`, as the Streamable HTTP transport allows, and
 * a draining gateway still takes that reconnection. The first event of an answer (the priming event with its id) is
 * written at once, not after a timer turn, and in one write with the head; a stream with no event yet still gets its
 * head.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { deferred, FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { jsonHeaders, jsonRpcMessages, openRawSession, rawRequest } from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';

const serve = useInProcessHttp();

/** A 2025-11-25 session opened on the gateway at `url`: the headers its requests carry. */
async function openSession(url: URL): Promise<Record<string, string>> {
  const id = await openRawSession(url);
  return jsonHeaders({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
}

/** A `tools/call` of `slow__hold` (see {@link heldTool}) under `id`. */
function holdCall(id: number): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'slow__hold', arguments: {} },
  });
}

/** A gateway whose one tool, `slow__hold`, answers once `released` is resolved; a session opened on it. */
async function heldTool() {
  const released = deferred();
  const slow = new FakeBackend('slow', {
    tools: {
      hold: async () => {
        await released.promise;
        return textResult('answered');
      },
    },
  });
  const { url } = await serve(new FakeDirectory([slow]));
  return { url, session: await openSession(url), released };
}

/** Sends `body` and reads the SSE answer until its first event id, then breaks the connection; resolves that id. */
function firstEventIdThenHangUp(url: URL, headers: Record<string, string>, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: url.pathname, headers });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const id = /^id: (.+)$/m.exec(text)?.[1];
        if (id !== undefined) {
          req.destroy();
          resolve(id);
        }
      });
      res.on('error', () => undefined);
      res.on('end', () => reject(new Error(`the answer ended without an event id: ${text}`)));
    });
    req.on('error', () => undefined);
    req.end(body);
  });
}

/** A GET whose head has come: its status, and its whole body once it ends. */
function openStream(url: URL, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Promise<string> }>(
    (resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers, agent: false });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        const body = new Promise<string>((done) => res.on('end', () => done(text)));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('a broken SSE answer', () => {
  it('is resumed with Last-Event-ID, even while the gateway drains', async () => {
    const started = [deferred(), deferred()];
    const released = deferred();
    const slow = new FakeBackend('slow', {
      tools: {
        hold: async ({ n }) => {
          started[Number(n)]?.resolve();
          await released.promise;
          return textResult(`call ${String(n)} answered`);
        },
      },
    });
    const { url, handle } = await serve(new FakeDirectory([slow]), { drainTimeoutMs: 10_000 });
    const session = await openSession(url);
    const call = (n: number) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 10 + n,
        method: 'tools/call',
        params: { name: 'slow__hold', arguments: { n } },
      });

    // Call 0 keeps its stream (and so the drain) going; call 1's stream breaks.
    const kept = rawRequest(url, { headers: session, body: call(0) });
    const lastEventId = await firstEventIdThenHangUp(url, session, call(1));
    await Promise.all(started.map(({ promise }) => promise));
    const closing = handle.close();
    const unknown = await rawRequest(url, {
      method: 'GET',
      headers: { ...session, accept: 'text/event-stream', 'last-event-id': 'no-such-stream/1' },
      agent: false,
    });
    // Open (its head came) before the calls are let go: the drain ends with them.
    const resumed = await openStream(url, {
      ...session,
      accept: 'text/event-stream',
      'last-event-id': lastEventId,
    });
    released.resolve();
    const answered = await kept;
    const replayed = { status: resumed.status, headers: resumed.headers, body: await resumed.body };
    await closing;

    expect(unknown.status).toBe(400);
    expect(resumed.status).toBe(200);
    expect(jsonRpcMessages(replayed)).toEqual([
      { jsonrpc: '2.0', id: 11, result: { content: [{ type: 'text', text: 'call 1 answered' }] } },
    ]);
    expect(jsonRpcMessages(answered)).toEqual([
      { jsonrpc: '2.0', id: 10, result: { content: [{ type: 'text', text: 'call 0 answered' }] } },
    ]);
  });
});

describe('the head and priming event of an SSE answer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are written at once, without waiting a timer turn for the answer', async () => {
    const { url, session, released } = await heldTool();
    // No timer fires from here on: the request listener under the SDK's transport, had it read ahead for a second
    // chunk after the priming event, would wait on one for ever (it did, about 1 ms a call, before the answers were
    // marked chunked).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = holdCall(3);
    const eventId = await firstEventIdThenHangUp(url, session, body);
    vi.useRealTimers();
    released.resolve();
    expect(eventId).toMatch(/\S/);
  }, 5000);

  it('leave in one write', async () => {
    const { url, session, released } = await heldTool();
    // Every write to a socket of this process, as the system call gets it (the gateway's answers among them).
    const spies = {
      write: vi.spyOn(Socket.prototype, '_write'),
      writev: vi.spyOn(Socket.prototype, '_writev'),
    };
    const body = holdCall(4);
    const text = (chunk: unknown): string => Buffer.from(chunk as Buffer).toString('utf8');
    let writes: string[];
    try {
      await firstEventIdThenHangUp(url, session, body);
      writes = [
        ...spies.write.mock.calls.map(([chunk]) => text(chunk)),
        ...spies.writev.mock.calls.map(([chunks]) => chunks.map(({ chunk }) => text(chunk)).join('')),
      ];
    } finally {
      spies.write.mockRestore();
      spies.writev.mockRestore();
      released.resolve();
    }
    expect(writes.filter((written) => written.startsWith('HTTP/1.1'))).toEqual([
      expect.stringMatching(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[0-9a-f]+\r\nid: \S+\n/),
    ]);
  });

  it('a stream with no event yet still gets its head', async () => {
    const { url } = await serve(new FakeDirectory([]));
    const session = await openSession(url);
    const stream = await openStream(url, { ...session, accept: 'text/event-stream' });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
  });
});
