/**
 * Both protocol eras on each front door, as stock clients meet them: the SDK v2 client in `auto` mode negotiates
 * 2026-07-28 over stdio (its probe runs in a sibling process, which must start no backend) and over HTTP, while a
 * 2025 client (SDK v1) keeps its session on the same gateway.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { CLI_PATH, PROJECT_ROOT, writeServersConfig } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A config with one echo backend that logs each of its starts to `startLog`. */
function echoConfig(dir: string, env: Readonly<Record<string, string>>, startLog: string): Promise<string> {
  return writeServersConfig(dir, {
    echo: {
      command: process.execPath,
      args: [fixturePath('echo.mjs')],
      env: { ...env, FIXTURE_START_LOG: startLog },
    },
  });
}

function starts(startLog: string): number {
  return existsSync(startLog) ? readFileSync(startLog, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('over stdio', () => {
  const sandbox = useProcessSandbox('eras-stdio-', { per: 'test' });

  it('answers server/discover at once, before any backend has started, and starts none for it', async () => {
    const startLog = path.join(sandbox.dir, 'starts.log');
    const config = await echoConfig(sandbox.dir, sandbox.env, startLog);
    const child = spawn(process.execPath, [CLI_PATH, '--auto-register', config, '--log-level', 'silent'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...sandbox.env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    sandbox.defer(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout });
    const firstLine = once(lines, 'line') as Promise<[string]>;
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: ENVELOPE } })}\n`,
    );
    const [line] = await firstLine;
    const answer = JSON.parse(line) as { id: number; result: Record<string, unknown> };

    expect(answer.id).toBe(1);
    expect(answer.result).toMatchObject({
      supportedVersions: expect.arrayContaining(['2026-07-28']) as unknown,
      capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, completions: {} },
    });
    expect(starts(startLog)).toBe(0);
    // The probe's process ends with its stdin, having started nothing.
    child.stdin.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(starts(startLog)).toBe(0);
  });

  it('lets the SDK v2 client in auto mode negotiate 2026-07-28, starting each backend once', async () => {
    const startLog = path.join(sandbox.dir, 'starts.log');
    const config = await echoConfig(sandbox.dir, sandbox.env, startLog);
    const client = new Client(
      { name: 'eras-test', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_PATH, '--auto-register', config, '--log-level', 'silent'],
      cwd: PROJECT_ROOT,
      env: { ...(process.env as Record<string, string>), ...sandbox.env },
    });
    sandbox.defer(() => client.close());
    await client.connect(transport);

    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo__echo');
    expect(textOf(await client.callTool({ name: 'echo__echo', arguments: { text: 'modern' } }))).toBe(
      'modern',
    );
    expect(starts(startLog)).toBe(1);
  });

  it('serves the 2025 handshake of an SDK v1 client as before', async () => {
    const startLog = path.join(sandbox.dir, 'starts.log');
    const config = await echoConfig(sandbox.dir, sandbox.env, startLog);
    const client = new LegacyClient({ name: 'eras-legacy', version: '1.0.0' });
    sandbox.defer(() => client.close());
    await client.connect(
      new LegacyStdioTransport({
        command: process.execPath,
        args: [CLI_PATH, '--auto-register', config, '--log-level', 'silent'],
        cwd: PROJECT_ROOT,
        env: { ...(process.env as Record<string, string>), ...sandbox.env },
      }),
    );

    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true } });
    const result = (await client.callTool({
      name: 'echo__echo',
      arguments: { text: 'legacy' },
    })) as CallToolResult;
    expect(textOf(result)).toBe('legacy');
    expect(starts(startLog)).toBe(1);
  });
});

describe('over HTTP, one URL for both eras', () => {
  const sandbox = useProcessSandbox('eras-http-');

  it('serves modern requests and legacy sessions side by side, with progress and list changes', async () => {
    const startLog = path.join(sandbox.dir, 'starts.log');
    const config = await echoConfig(sandbox.dir, sandbox.env, startLog);
    const gateway = await sandbox.startHttp(['--auto-register', config, '--allow-register']);

    const modern = new Client(
      { name: 'eras-modern', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    sandbox.defer(() => modern.close());
    await modern.connect(new StreamableHTTPClientTransport(gateway.url));
    expect(modern.getProtocolEra()).toBe('modern');

    const legacy = new LegacyClient({ name: 'eras-legacy', version: '1.0.0' });
    sandbox.defer(() => legacy.close());
    await legacy.connect(new LegacyHttpTransport(gateway.url));
    expect(legacy.getServerVersion()?.name).toBe('mcp-gateway');

    // Calls from both, through the same backend.
    expect(textOf(await modern.callTool({ name: 'echo__echo', arguments: { text: 'from 2026' } }))).toBe(
      'from 2026',
    );
    const fromLegacy = (await legacy.callTool({
      name: 'echo__echo',
      arguments: { text: 'from 2025' },
    })) as CallToolResult;
    expect(textOf(fromLegacy)).toBe('from 2025');

    // Progress on the modern request's own stream, in order, before its result (read on the wire: an SDK client
    // may handle a result before progress read with it).
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'echo__progress',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'echo__progress',
          arguments: { steps: 3, delayMs: 1 },
          _meta: { ...ENVELOPE, progressToken: 'wire-token' },
        },
      }),
    });
    const events = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => JSON.parse(line.slice('data:'.length)) as Record<string, unknown>);
    expect(events.map((event) => event.method ?? `result ${String(event.id)}`)).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'result 7',
    ]);
    expect(events.slice(0, 3).map((event) => (event.params as { progress: number }).progress)).toEqual([
      1, 2, 3,
    ]);

    // A registration reaches the modern client on its listen stream.
    let toolsChanged = 0;
    modern.setNotificationHandler('notifications/tools/list_changed', () => {
      toolsChanged += 1;
    });
    const subscription = await modern.listen({ toolsListChanged: true });
    sandbox.defer(() => subscription.close());
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    const registered = await modern.callTool({
      name: 'register_server',
      arguments: {
        name: 'second',
        command: process.execPath,
        args: [fixturePath('echo.mjs')],
        env: sandbox.env,
      },
    });
    expect(registered.isError).not.toBe(true);
    await waitFor(() => toolsChanged > 0, { description: 'tools/list_changed on the listen stream' });
    expect((await modern.listTools()).tools.map((tool) => tool.name)).toContain('second__echo');
    expect(starts(startLog)).toBe(1);
  });
});
