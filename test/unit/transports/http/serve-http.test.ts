/**
 * The HTTP front door in this process: `serveHttp` over a gateway core with fake backends, reached by the real SDK
 * client over Streamable HTTP and by raw requests for what an SDK client never sends. Sessions, guards and
 * shutdown have files of their own beside this one.
 */
import { describe, expect, it } from 'vitest';

import { GATEWAY_NAME, GATEWAY_VERSION } from '../../../../src/version.js';
import { FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../../../helpers/gateway-tool-names.js';
import { initializeBody, jsonHeaders, jsonRpcMessages, rawRequest } from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';
import { waitFor } from '../../../helpers/wait-for.js';

const serve = useInProcessHttp();

/** A directory with one backend, `alpha`, whose `echo` returns its `text` argument. */
function alphaDirectory(): { directory: FakeDirectory; alpha: FakeBackend } {
  const alpha = new FakeBackend('alpha', {
    tools: { echo: (args) => textResult(String(args.text)) },
  });
  return { directory: new FakeDirectory([alpha]), alpha };
}

describe('serving MCP over Streamable HTTP', () => {
  it('listens on 127.0.0.1 at /mcp on the port it was given (0 picks a free one)', async () => {
    const { url, handle } = await serve(new FakeDirectory());

    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/mcp');
    expect(handle.port).toBeGreaterThan(0);
    expect(url.href).toBe(`http://127.0.0.1:${handle.port}/mcp`);
  });

  it('initializes an SDK client as the gateway, in a session of its own', async () => {
    const { directory } = alphaDirectory();
    const { connect, handle } = await serve(directory);

    const client = await connect();

    expect(client.getServerVersion()).toEqual({ name: GATEWAY_NAME, version: GATEWAY_VERSION });
    expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: true } });
    expect(handle.sessionCount()).toBe(1);
  });

  it('lists the gateway tools and the backend tools, and forwards a call to the backend', async () => {
    const { directory, alpha } = alphaDirectory();
    const client = await (await serve(directory)).connect();

    const { tools } = await client.listTools();
    const result = await client.callTool({ name: 'alpha__echo', arguments: { text: 'over http' } });

    expect(tools.map((tool) => tool.name)).toEqual([...GATEWAY_TOOL_NAMES, 'alpha__echo']);
    expect(result).toEqual({ content: [{ type: 'text', text: 'over http' }] });
    expect(alpha.calls.map((call) => [call.tool, call.args])).toEqual([['echo', { text: 'over http' }]]);
  });

  it('gives each session a distinct random (version 4 UUID) id', async () => {
    const { url } = await serve(new FakeDirectory());

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => rawRequest(url, { headers: jsonHeaders(), body: initializeBody() })),
    );

    const ids = responses.map((response) => response.headers['mcp-session-id']);
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('answers a raw initialize with the gateway as server, on an SSE stream', async () => {
    const { url } = await serve(new FakeDirectory());

    const response = await rawRequest(url, { headers: jsonHeaders(), body: initializeBody(7) });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(jsonRpcMessages(response)).toMatchObject([
      { jsonrpc: '2.0', id: 7, result: { serverInfo: { name: GATEWAY_NAME, version: GATEWAY_VERSION } } },
    ]);
  });

  it('shares one directory between sessions: a registration through one is seen and called through another', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name) =>
      new FakeBackend(name, { tools: { ping: textResult(`pong from ${name}`) } });
    const { connect } = await serve(directory);
    const first = await connect();
    const second = await connect();
    let secondTold = 0;
    second.setNotificationHandler('notifications/tools/list_changed', () => {
      secondTold += 1;
    });

    const registered = await first.callTool({
      name: 'register_server',
      arguments: { name: 'late', command: 'node' },
    });
    await waitFor(() => secondTold === 1, { description: 'the other session to hear of the new tool' });
    const called = await second.callTool({ name: 'late__ping', arguments: {} });

    expect(registered.isError).toBeUndefined();
    expect((await second.listTools()).tools.map((tool) => tool.name)).toEqual([
      ...GATEWAY_TOOL_NAMES,
      'late__ping',
    ]);
    expect(called).toEqual({ content: [{ type: 'text', text: 'pong from late' }] });
  });

  it('answers a body that is not JSON with a JSON-RPC parse error and opens no session', async () => {
    const { url, handle } = await serve(new FakeDirectory());

    const response = await rawRequest(url, { headers: jsonHeaders(), body: '{not json' });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error: the body is not valid JSON' },
      id: null,
    });
    expect(handle.sessionCount()).toBe(0);
  });
});

describe('/healthz', () => {
  it('answers 200 {"status":"ok"} to a GET, without a token and whatever the Host', async () => {
    const { url } = await serve(new FakeDirectory(), { authTokens: ['a-token-of-sixteen-chars'] });

    const response = await rawRequest(url, { method: 'GET', path: '/healthz', headers: { host: 'x' } });

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    // Nothing about the gateway beyond its being alive: no session, no server name.
    expect(Object.keys(response.headers).sort()).toEqual([
      'connection',
      'content-length',
      'content-type',
      'date',
      'keep-alive',
    ]);
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('is the MCP endpoint to no other method: a POST there is an unknown path', async () => {
    const { url } = await serve(new FakeDirectory());

    const response = await rawRequest(url, { path: '/healthz', headers: jsonHeaders(), body: '{}' });

    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Not found: the MCP endpoint is /mcp' },
      id: null,
    });
  });
});
