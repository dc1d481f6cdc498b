import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CONFORMANCE_CLI, ensureSuiteNode } from '../helpers/conformance.js';
import { startHttpGateway, type HttpGateway } from '../helpers/gateway-process.js';
import { initializeBody, jsonHeaders, rawRequest } from '../helpers/http-gateway.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

/** How many sessions the gateway has opened so far, from its debug log. */
function sessionsOpened(gateway: HttpGateway): number {
  return gateway.stderr().split('session opened').length - 1;
}

describe('DNS-rebinding protection of the HTTP front door', () => {
  let gateway: HttpGateway;
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-rebinding-');
    gateway = await startHttpGateway([
      '--log-level',
      'debug',
      '--allowed-hosts',
      'mcp.example.com',
      '--allowed-origins',
      'https://app.example.com',
    ]);
  });

  afterAll(async () => {
    await gateway.stop();
    await removeTempDir(dir);
  });

  it("passes the conformance suite's dns-rebinding-protection scenario", async () => {
    // At the revision the front door speaks (the suite would pick its latest, 2026-07-28, otherwise).
    const { stdout } = await run(await ensureSuiteNode(), [
      CONFORMANCE_CLI,
      'server',
      '--url',
      gateway.url.href,
      '--scenario',
      'dns-rebinding-protection',
      '--spec-version',
      '2025-11-25',
      '--output-dir',
      dir,
    ]);
    expect(stdout).toContain('Passed: 2/2, 0 failed');
    const [results] = await readdir(dir);
    const checks = JSON.parse(await readFile(path.join(dir, results ?? '', 'checks.json'), 'utf8')) as {
      id: string;
      status: string;
    }[];
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['localhost-host-rebinding-rejected', 'SUCCESS'],
      ['localhost-host-valid-accepted', 'SUCCESS'],
    ]);
  });

  it.each([
    ['a foreign host name', 'evil.example.com'],
    ['a foreign host name with the right port', 'evil.example.com:PORT'],
    ['a name that only starts like localhost', 'localhost.evil.example.com'],
    ['userinfo smuggling a loopback address', 'evil.example.com@127.0.0.1'],
    ['a foreign IP address', '10.0.0.1:PORT'],
  ])('answers 403 to %s in Host, before any MCP processing', async (_name, host) => {
    const opened = sessionsOpened(gateway);
    const response = await rawRequest(gateway.url, {
      headers: jsonHeaders({ host: host.replace('PORT', gateway.url.port) }),
      body: initializeBody(),
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    expect(response.headers['mcp-session-id']).toBeUndefined();
    expect(sessionsOpened(gateway)).toBe(opened);
  });

  it.each([
    ['a foreign origin', 'http://evil.example.com'],
    ['a foreign origin on the gateway port', 'http://evil.example.com:PORT'],
    ['the opaque origin null', 'null'],
    ['an allowed origin with another scheme', 'http://app.example.com'],
    ['a file origin', 'file://'],
  ])('answers 403 to %s in Origin, before any MCP processing', async (_name, origin) => {
    const opened = sessionsOpened(gateway);
    const response = await rawRequest(gateway.url, {
      headers: jsonHeaders({ origin: origin.replace('PORT', gateway.url.port) }),
      body: initializeBody(),
    });
    expect(response.status).toBe(403);
    expect(sessionsOpened(gateway)).toBe(opened);
  });

  it('answers 403 to a foreign Host on every method and path but /healthz', async () => {
    for (const [method, requestPath] of [
      ['GET', '/mcp'],
      ['DELETE', '/mcp'],
      ['GET', '/elsewhere'],
    ] as const) {
      const response = await rawRequest(gateway.url, {
        method,
        path: requestPath,
        headers: { host: 'evil.example.com' },
      });
      expect(response.status).toBe(403);
    }
    const health = await rawRequest(gateway.url, { method: 'GET', path: '/healthz', headers: { host: 'x' } });
    expect(health.status).toBe(200);
  });

  it.each([
    ['localhost on another port', { host: 'localhost:1' }],
    ['127.0.0.1 without a port', { host: '127.0.0.1' }],
    ['[::1] with a port', { host: '[::1]:8080' }],
    ['an upper-case loopback name', { host: 'LOCALHOST' }],
    ['a loopback origin on any port', { origin: 'http://localhost:5173' }],
    ['an https loopback origin', { origin: 'https://127.0.0.1' }],
    ['a host from --allowed-hosts on any port', { host: 'mcp.example.com:8443' }],
    ['an origin from --allowed-origins', { origin: 'https://app.example.com' }],
  ])('accepts %s', async (_name, headers) => {
    const response = await rawRequest(gateway.url, { headers: jsonHeaders(headers), body: initializeBody() });
    expect(response.status).toBe(200);
  });
});
