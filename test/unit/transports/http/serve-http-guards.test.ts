/**
 * The guards of the HTTP front door, in this process, and their order: Host and Origin (403), bearer token (401),
 * method (405), protocol version (400), body size (413), one message per POST (400), then the session. Each request
 * below breaks its own guard and every later one, so the answer shows which guard runs first.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { FakeDirectory } from '../../../helpers/fake-directory.js';
import { initializeBody, jsonHeaders, openRawSession, rawRequest } from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';

const serve = useInProcessHttp();

const TOKEN = 'the-right-token-0123456789';
const MAX_BODY = 1024;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const BAD_VERSION = { 'mcp-protocol-version': '1999-01-01' };
/** A batch over the body limit: too large, and a batch. */
const HUGE_BATCH = JSON.stringify([
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2000) } },
]);
const SMALL_BATCH = `[${initializeBody()}]`;

interface GuardCase {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly path?: string;
  readonly status: number;
  readonly message: string;
  readonly code?: number;
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/** Serves with a token, a body limit and an allowed origin; nothing else is allowed. */
function serveGuarded(): ReturnType<typeof serve> {
  return serve(new FakeDirectory(), {
    authTokens: [TOKEN],
    maxBodyBytes: MAX_BODY,
    allowedOrigins: ['https://app.example.com'],
  });
}

const CASES: Readonly<Record<string, GuardCase>> = {
  'a foreign Host, before the token': {
    method: 'PUT',
    headers: { ...jsonHeaders(BAD_VERSION), host: 'evil.example.com' },
    body: HUGE_BATCH,
    status: 403,
    message: 'Forbidden: host "evil.example.com" is not allowed (see --allowed-hosts)',
  },
  'a foreign Origin, before the token': {
    method: 'PUT',
    headers: jsonHeaders({ ...BAD_VERSION, origin: 'http://evil.example.com' }),
    body: HUGE_BATCH,
    status: 403,
    message: 'Forbidden: origin not allowed (see --allowed-origins)',
  },
  'no token, before the method': {
    method: 'PUT',
    headers: jsonHeaders(BAD_VERSION),
    body: HUGE_BATCH,
    status: 401,
    message: 'Unauthorized: send the header "Authorization: Bearer <token>"',
    responseHeaders: { 'www-authenticate': 'Bearer realm="mcp-gateway"' },
  },
  'a wrong token': {
    method: 'POST',
    headers: jsonHeaders({ authorization: 'Bearer not-the-token-0123456789' }),
    body: initializeBody(),
    status: 401,
    message: 'Unauthorized: the bearer token is not valid',
    responseHeaders: { 'www-authenticate': 'Bearer realm="mcp-gateway", error="invalid_token"' },
  },
  'a token in the query string only': {
    method: 'POST',
    path: `/mcp?access_token=${TOKEN}`,
    headers: jsonHeaders(),
    body: initializeBody(),
    status: 401,
    message: 'Unauthorized: send the header "Authorization: Bearer <token>"',
    responseHeaders: { 'www-authenticate': 'Bearer realm="mcp-gateway"' },
  },
  'another path without a token: the token comes first': {
    method: 'GET',
    path: '/admin',
    headers: {},
    status: 401,
    message: 'Unauthorized: send the header "Authorization: Bearer <token>"',
    responseHeaders: { 'www-authenticate': 'Bearer realm="mcp-gateway"' },
  },
  'another path, after the token': {
    method: 'POST',
    path: '/admin',
    headers: jsonHeaders(AUTH),
    body: initializeBody(),
    status: 404,
    message: 'Not found: the MCP endpoint is /mcp',
  },
  'a method other than GET, POST and DELETE, before the version': {
    method: 'PUT',
    headers: jsonHeaders({ ...AUTH, ...BAD_VERSION }),
    body: HUGE_BATCH,
    status: 405,
    message: 'Method PUT is not allowed on /mcp',
    responseHeaders: { allow: 'GET, POST, DELETE' },
  },
  'an unsupported protocol version on a 2025 request': {
    method: 'POST',
    headers: jsonHeaders({ ...AUTH, ...BAD_VERSION }),
    body: initializeBody(),
    status: 400,
    message: `Bad Request: unsupported MCP-Protocol-Version; supported: ${['2026-07-28', ...SUPPORTED_PROTOCOL_VERSIONS].join(', ')}`,
  },
  'a body over the limit (declared), before reading it as a batch': {
    method: 'POST',
    headers: jsonHeaders(AUTH),
    body: HUGE_BATCH,
    status: 413,
    message: `Request body over the limit of ${MAX_BODY} bytes`,
    responseHeaders: { connection: 'close' },
  },
  'a body over the limit (chunked, no length)': {
    method: 'POST',
    headers: jsonHeaders({ ...AUTH, 'transfer-encoding': 'chunked' }),
    body: HUGE_BATCH,
    status: 413,
    message: `Request body over the limit of ${MAX_BODY} bytes`,
    responseHeaders: { connection: 'close' },
  },
  'a batch, before opening a session': {
    method: 'POST',
    headers: jsonHeaders(AUTH),
    body: SMALL_BATCH,
    status: 400,
    message: 'Bad Request: send one JSON-RPC message per request, not a batch',
  },
};

describe('the guards of the HTTP front door', () => {
  it.each(Object.entries(CASES))('refuse %s, with a JSON-RPC error body', async (_name, guard) => {
    const { url, handle } = await serveGuarded();

    const response = await rawRequest(url, {
      method: guard.method,
      headers: guard.headers,
      body: guard.body,
      path: guard.path,
    });

    expect(response.status).toBe(guard.status);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: guard.code ?? -32600, message: guard.message },
      id: null,
    });
    for (const [name, value] of Object.entries(guard.responseHeaders ?? {})) {
      expect(response.headers[name]).toBe(value);
    }
    expect(response.headers['mcp-session-id']).toBeUndefined();
    expect(handle.sessionCount()).toBe(0);
  });

  it('let through a request that passes them all: loopback Host, an allowed Origin, the token, in any case', async () => {
    const { url, handle } = await serveGuarded();

    const id = await openRawSession(url, {
      host: `localhost:${url.port}`,
      origin: 'https://app.example.com',
      authorization: `bearer ${TOKEN}`,
    });

    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(handle.sessionCount()).toBe(1);
  });

  it('refuse a batch within a session too', async () => {
    const { url } = await serveGuarded();
    const id = await openRawSession(url, AUTH);

    const response = await rawRequest(url, {
      headers: jsonHeaders({ ...AUTH, 'mcp-session-id': id }),
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'ping' },
      ]),
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Bad Request: send one JSON-RPC message per request, not a batch' },
      id: null,
    });
  });

  it('keep serving after refusing a body over the limit', async () => {
    const { url, connect } = await serveGuarded();
    await rawRequest(url, { headers: jsonHeaders(AUTH), body: HUGE_BATCH });

    const client = await connect({ token: TOKEN });

    expect(await client.ping()).toEqual({});
  });
});
