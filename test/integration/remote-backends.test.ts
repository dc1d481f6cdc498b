import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import {
  callTool,
  connectStdioGateway,
  startHttpGateway,
  textOf,
  type HttpGateway,
  type StdioGateway,
} from '../helpers/gateway-process.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let dir: string;
let marker: string;
let front: StdioGateway | undefined;
let remote: HttpGateway | undefined;
let legacy: ChildProcessWithoutNullStreams[] = [];

async function writeConfig(servers: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, `config-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify({ servers }));
  return file;
}

/** Starts the SSE-only fixture and resolves with its URL. */
async function startLegacyServer(key?: string): Promise<URL> {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_TEST_MARKER: marker };
  if (key !== undefined) env.FIXTURE_KEY = key;
  const child = spawn(process.execPath, [fixturePath('sse-only.mjs')], { env, stdio: 'pipe' });
  legacy.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`sse-only exited with ${code}: ${stderr}`)));
  });
}

afterEach(async () => {
  await front?.client.close();
  if (remote) await remote.stop();
  for (const child of legacy) {
    if (child.exitCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  front = undefined;
  remote = undefined;
  legacy = [];
  await waitForProcessesGone(findProcessesByMarker(marker), 5000);
  await removeTempDir(dir);
});

describe('remote backends', () => {
  it('reaches a Streamable HTTP backend given by url, with the same registry and tools', async () => {
    dir = await makeTempDir('remote-');
    marker = `marker-${randomUUID()}`;
    const env = { GATEWAY_TEST_MARKER: marker };
    remote = await startHttpGateway([
      '--auto-register',
      await writeConfig({ echo: { command: process.execPath, args: [fixturePath('echo.mjs')], env } }),
    ]);
    front = await connectStdioGateway([
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
    dir = await makeTempDir('remote-sse-');
    marker = `marker-${randomUUID()}`;
    const key = randomUUID();
    const url = await startLegacyServer(key);
    front = await connectStdioGateway([
      '--auto-register',
      await writeConfig({ legacy: { url: url.href, headers: { 'x-fixture-key': key } } }),
    ]);
    expect(textOf(await callTool(front.client, 'legacy__echo', { text: 'over sse' }))).toBe('over sse');
  });

  it('registers a remote backend at runtime when register_server is given a URL', async () => {
    dir = await makeTempDir('remote-register-');
    marker = `marker-${randomUUID()}`;
    const key = randomUUID();
    const url = await startLegacyServer(key);
    front = await connectStdioGateway([]);
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
    dir = await makeTempDir('remote-down-');
    marker = `marker-${randomUUID()}`;
    front = await connectStdioGateway([
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
