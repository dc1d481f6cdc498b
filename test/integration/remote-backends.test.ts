import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { startListeningFixture } from '../helpers/listening-fixture.js';
import { callTool } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';

const sandbox = useProcessSandbox('remote-', { per: 'test' });

async function writeConfig(servers: Record<string, unknown>): Promise<string> {
  const file = path.join(sandbox.dir, `config-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify({ servers }));
  return file;
}

/** Starts the SSE-only fixture (stopped at teardown) and resolves with its URL. */
function startLegacyServer(key?: string): Promise<URL> {
  return startListeningFixture(sandbox, 'sse-only.mjs', [], key === undefined ? {} : { FIXTURE_KEY: key });
}

describe('remote backends', () => {
  it('reaches a Streamable HTTP backend given by url, with the same registry and tools', async () => {
    const env = sandbox.env;
    const remote = await sandbox.startHttp([
      '--auto-register',
      await writeConfig({ echo: { command: process.execPath, args: [fixturePath('echo.mjs')], env } }),
    ]);
    const front = await sandbox.connectStdio([
      '--auto-register',
      await writeConfig({ remote: { url: remote.url.href, description: 'a gateway behind a gateway' } }),
    ]);
    const listed = await callTool(front.client, 'list_servers');
    const servers = (
      listed.structuredContent as { servers: { name: string; state: string; command: string }[] }
    ).servers;
    expect(servers).toEqual([
      expect.objectContaining({ name: 'remote', state: 'ready', command: remote.url.href }),
    ]);
    const sum = await callTool(front.client, 'remote__echo__add', { a: 1, b: 41 });
    expect(sum.structuredContent).toEqual({ sum: 42 });
    const viaCallBackend = await callTool(front.client, 'call_backend', {
      server: 'remote',
      tool: 'echo__echo',
      params: { text: 'two hops' },
    });
    expect(textOf(viaCallBackend)).toBe('two hops');
  });

  it('falls back to SSE for a server that only speaks it, sending the configured headers', async () => {
    const key = randomUUID();
    const url = await startLegacyServer(key);
    const front = await sandbox.connectStdio([
      '--auto-register',
      await writeConfig({ legacy: { url: url.href, headers: { 'x-fixture-key': key } } }),
    ]);
    expect(textOf(await callTool(front.client, 'legacy__echo', { text: 'over sse' }))).toBe('over sse');
  });

  it('registers a remote backend at runtime when register_server is given a URL', async () => {
    const key = randomUUID();
    const url = await startLegacyServer(key);
    const front = await sandbox.connectStdio([]);
    const refused = await callTool(front.client, 'register_server', { name: 'old', command: url.href });
    // Without its header the fixture refuses every request: the error says what both transports answered.
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('neither Streamable HTTP');
    const withoutAuth = await startLegacyServer();
    const registered = await callTool(front.client, 'register_server', {
      name: 'old',
      command: withoutAuth.href,
    });
    expect(registered.structuredContent).toMatchObject({ name: 'old', status: 'ready', tools: ['echo'] });
    expect(textOf(await callTool(front.client, 'old__echo', { text: 'registered by url' }))).toBe(
      'registered by url',
    );
  });

  it('reports a remote backend that cannot be reached, and keeps serving', async () => {
    const front = await sandbox.connectStdio([
      '--auto-register',
      await writeConfig({ down: { url: 'http://127.0.0.1:1/mcp' } }),
    ]);
    const listed = await callTool(front.client, 'list_servers');
    const [down] = (listed.structuredContent as { servers: { state: string; lastError: string }[] }).servers;
    expect(down?.state).toBe('failed');
    expect(down?.lastError).toContain('backend "down" failed during the MCP handshake');
    expect(down?.lastError).toContain('neither Streamable HTTP');
  });
});
