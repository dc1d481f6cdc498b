/**
 * The built gateway as an OAuth resource server, against a real OpenID Provider on loopback: the protected resource
 * metadata, 401 and 403 challenges, JWT and opaque (introspected) access tokens with a static token beside them,
 * the principal in the audit log, sessions bound to their principal, the SDK v2 and v1 clients, and no token
 * passthrough to a backend.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callTool, fixtureServer, type HttpGateway } from '../helpers/gateway-process.js';
import { startRecordingBackend, type RecordingBackend } from '../helpers/header-recording-backend.js';
import { initializeBody, jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import {
  INTROSPECTION_CLIENT,
  newSigningKey,
  startTestIssuer,
  type TestIssuer,
} from '../helpers/oidc-issuer.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const STATIC = 'ops-token-0123456789abcdef';
const now = () => Math.floor(Date.now() / 1000);

function listTools(id = 2): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list', params: {} });
}
function callEcho(id = 3): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'call_backend', arguments: { server: 'echo', tool: 'echo', params: { text: 'hi' } } },
  });
}

describe('a gateway with an auth section and a static token', () => {
  const sandbox = useProcessSandbox('gateway-oauth-');
  let idp: TestIssuer;
  let backend: RecordingBackend;
  let gateway: HttpGateway;
  let resource: string;
  let metadataUrl: string;
  let auditFile: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const token = (client: 'alice' | 'bob' | 'opaque-client', scope = 'mcp mcp:tools') =>
    idp.token(client, { resource, scope });

  beforeAll(async () => {
    idp = await startTestIssuer();
    backend = await startRecordingBackend();
    auditFile = path.join(sandbox.dir, 'audit.jsonl');
    const config = path.join(sandbox.dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        servers: { echo: fixtureServer('echo.mjs', { env: sandbox.env }), remote: { url: backend.url.href } },
        audit: { file: auditFile },
        auth: {
          issuers: [
            {
              name: 'corp',
              issuer: idp.issuer,
              introspection: { clientId: INTROSPECTION_CLIENT.id, clientSecret: '${INTROSPECTION_SECRET}' },
            },
          ],
          scopes: ['mcp'],
          methodScopes: { 'tools/call': ['mcp:tools'] },
        },
      }),
    );
    gateway = await sandbox.startHttp(['--auto-register', config, '--auth-token', `ops=${STATIC}`], {
      env: { INTROSPECTION_SECRET: INTROSPECTION_CLIENT.secret },
    });
    resource = gateway.url.href;
    metadataUrl = `${gateway.url.origin}/.well-known/oauth-protected-resource/mcp`;
  });
  afterAll(async () => {
    await backend.close();
    await idp.close();
  });

  it('publishes its protected resource metadata at both well-known paths, without a token', async () => {
    for (const where of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await fetch(new URL(where, gateway.url));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource,
        authorization_servers: [idp.issuer],
        scopes_supported: ['mcp', 'mcp:tools'],
        bearer_methods_supported: ['header'],
        resource_name: 'mcp-gateway',
      });
    }
    expect(gateway.stderr()).toContain('"auth":"bearer token and oauth"');
  });

  it('answers 401 without a token, naming the metadata and the scope', async () => {
    const response = await rawRequest(gateway.url, { headers: jsonHeaders(), body: initializeBody() });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="mcp-gateway", resource_metadata="${metadataUrl}", scope="mcp"`,
    );
  });

  it('serves the SDK v2 client with an access token, and audits the call under the token principal', async () => {
    const client = await gateway.connect(await token('alice'));
    const result = await callTool(client, 'call_backend', {
      server: 'echo',
      tool: 'echo',
      params: { text: 'hi' },
    });
    expect(textOf(result)).toContain('hi');
    const records = await waitFor(
      () => {
        const lines = readFileSync(auditFile, 'utf8').split('\n').filter(Boolean);
        const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        return parsed.some((record) => record.principal === 'corp:alice') ? parsed : undefined;
      },
      { description: 'the audit record of corp:alice' },
    );
    expect(records.find((record) => record.principal === 'corp:alice')).toMatchObject({ server: 'echo' });
  });

  it('serves the SDK v1 client with an access token', async () => {
    const client = new LegacyClient({ name: 'v1-client', version: '1.0.0' });
    const headers = bearer(await token('bob'));
    await client.connect(new LegacyHttpTransport(gateway.url, { requestInit: { headers } }));
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toContain('call_backend');
    } finally {
      await client.close();
    }
  });

  it('refuses expired, foreign-audience, untrusted-issuer and badly signed tokens with 401 invalid_token', async () => {
    const claims = { sub: 'mallory', scope: 'mcp mcp:tools', iat: now() - 600 };
    const cases = {
      'the token has expired': await idp.sign({
        ...claims,
        iss: idp.issuer,
        aud: resource,
        exp: now() - 120,
      }),
      'not meant for this resource': await idp.token('alice', {
        resource: 'http://127.0.0.1:9/other',
        scope: 'mcp',
      }),
      'issuer this gateway does not trust': await idp.sign({
        ...claims,
        iss: 'http://127.0.0.1:1/other',
        aud: resource,
        exp: now() + 60,
      }),
      'signature is not valid': await idp.sign(
        { ...claims, iss: idp.issuer, aud: resource, exp: now() + 60 },
        await newSigningKey('key-1'),
      ),
    };
    for (const [reason, bad] of Object.entries(cases)) {
      const response = await rawRequest(gateway.url, {
        headers: jsonHeaders(bearer(bad)),
        body: initializeBody(),
      });
      expect(response.status, reason).toBe(401);
      const challenge = String(response.headers['www-authenticate']);
      expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toContain(reason);
    }
    expect(gateway.stderr()).not.toContain(cases['the token has expired'].split('.')[2]);
  });

  it('answers 403 insufficient_scope to a call that needs a scope the token lacks (step-up)', async () => {
    const narrow = bearer(await token('alice', 'mcp'));
    const sessionId = await openRawSession(gateway.url, narrow);
    const session = { ...narrow, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    expect((await rawRequest(gateway.url, { headers: jsonHeaders(session), body: listTools() })).status).toBe(
      200,
    );
    const call = await rawRequest(gateway.url, { headers: jsonHeaders(session), body: callEcho() });
    expect(call.status).toBe(403);
    expect(call.headers['www-authenticate']).toBe(
      `Bearer realm="mcp-gateway", resource_metadata="${metadataUrl}", scope="mcp mcp:tools", ` +
        'error="insufficient_scope", error_description="missing scope mcp:tools"',
    );
    // The same session, with a token that has the scope (same principal), may call.
    const wide = { ...session, ...bearer(await token('alice')) };
    expect((await rawRequest(gateway.url, { headers: jsonHeaders(wide), body: callEcho() })).status).toBe(
      200,
    );
  });

  it('serves an introspected opaque token, asking the issuer once within the cache time', async () => {
    const opaque = await token('opaque-client');
    expect(opaque).not.toContain('.');
    const before = idp.hits('/token/introspection');
    const client = await gateway.connect(opaque);
    await client.listTools();
    await callTool(client, 'call_backend', { server: 'echo', tool: 'echo', params: { text: 'x' } });
    expect(idp.hits('/token/introspection')).toBe(before + 1);
    const inactive = await rawRequest(gateway.url, {
      headers: jsonHeaders(bearer('never-issued-opaque-token-0123456789')),
      body: initializeBody(),
    });
    expect(inactive.status).toBe(401);
    expect(inactive.headers['www-authenticate']).toContain('the token is not active');
  });

  it('takes an access token on its dashboard by bearer header, as on the MCP endpoint', async () => {
    const state = new URL('/dashboard/state', gateway.url);
    const withToken = await fetch(state, { headers: bearer(await token('alice')) });
    const without = await fetch(state);
    const forged = await fetch(state, { headers: bearer('not-a-token-of-the-issuer-0123') });

    expect(withToken.status).toBe(200);
    expect(
      ((await withToken.json()) as { backends: { name: string }[] }).backends.map((b) => b.name),
    ).toContain('echo');
    expect(without.status).toBe(401);
    expect(forged.status).toBe(401);
  });

  it('accepts the static token beside OAuth tokens, under its name', async () => {
    const client = await gateway.connect(STATIC);
    expect(
      textOf(await callTool(client, 'call_backend', { server: 'echo', tool: 'echo', params: { text: 's' } })),
    ).toContain('s');
    await waitFor(() => readFileSync(auditFile, 'utf8').includes('"principal":"ops"'), {
      description: 'the audit record of ops',
    });
  });

  it("refuses one principal's session to another principal", async () => {
    const alice = bearer(await token('alice'));
    const sessionId = await openRawSession(gateway.url, alice);
    const asBob = {
      ...bearer(await token('bob')),
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
    };
    const response = await rawRequest(gateway.url, { headers: jsonHeaders(asBob), body: listTools() });
    expect(response.status).toBe(404);
    const asStatic = { ...bearer(STATIC), 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    expect(
      (await rawRequest(gateway.url, { headers: jsonHeaders(asStatic), body: listTools() })).status,
    ).toBe(404);
  });

  it("never passes the client's token to a backend over HTTP, in a header or in _meta", async () => {
    const access = await token('alice');
    const client = await gateway.connect(access);
    const result = await callTool(client, 'call_backend', {
      server: 'remote',
      tool: 'echo',
      params: { text: 'r' },
    });
    expect(textOf(result)).toContain('r');
    expect(backend.metas.length).toBeGreaterThan(0);
    expect(backend.headers.length).toBeGreaterThan(0);
    for (const headers of backend.headers) {
      expect(headers.authorization).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(access);
    }
    expect(JSON.stringify(backend.metas)).not.toContain(access);
  });

  it('writes no token and no client secret to its log or the audit log', () => {
    const written = gateway.stderr() + readFileSync(auditFile, 'utf8');
    expect(written).not.toContain(INTROSPECTION_CLIENT.secret);
    expect(written).not.toContain(STATIC);
  });
});
