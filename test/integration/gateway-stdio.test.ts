import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import {
  callTool,
  connectStdioGateway,
  textOf,
  writeExampleConfig,
  type StdioGateway,
} from '../helpers/gateway-process.js';
import { findProcessesByMarker, listDescendants, waitForProcessesGone } from '../helpers/process-table.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

interface ListedServer {
  name: string;
  state: string;
  tools: string[];
  calls: number;
  pid: number | null;
}

describe('the gateway over stdio, with the example backends', () => {
  let gateway: StdioGateway;
  let dir: string;
  const marker = `marker-${randomUUID()}`;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-stdio-');
    const config = await writeExampleConfig(dir, marker);
    gateway = await connectStdioGateway(['--auto-register', config, '--timeout', '1000']);
  });

  afterAll(async () => {
    await gateway.client.close();
    await waitForProcessesGone(findProcessesByMarker(marker), 5000);
    await removeTempDir(dir);
  });

  it('lists its own tools first, then every backend tool under its prefix', async () => {
    const { tools } = await gateway.client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names.slice(0, GATEWAY_TOOL_NAMES.length)).toEqual(GATEWAY_TOOL_NAMES);
    expect(names).toEqual(
      expect.arrayContaining([
        'weather__get_alerts',
        'weather__get_forecast',
        'sqlite__read_query',
        'echo__add',
      ]),
    );
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('has every configured backend ready', async () => {
    const result = await callTool(gateway.client, 'list_servers');
    const servers = (result.structuredContent as { servers: ListedServer[] }).servers;
    expect(servers.map((server) => [server.name, server.state])).toEqual([
      ['weather', 'ready'],
      ['sqlite', 'ready'],
      ['filesystem', 'ready'],
      ['echo', 'ready'],
    ]);
    expect(servers.find((server) => server.name === 'weather')?.tools).toEqual([
      'get_alerts',
      'get_forecast',
    ]);
    expect(textOf(result)).toContain('weather [ready] - weather');
  });

  it('calls a tool of each example backend', async () => {
    const alerts = await callTool(gateway.client, 'call_backend', {
      server: 'weather',
      tool: 'get_alerts',
      params: '{"state": "TX"}',
    });
    expect(alerts.isError).toBeFalsy();
    expect(textOf(alerts)).toMatch(/simulated/i);

    const tables = await callTool(gateway.client, 'call_backend', {
      server: 'sqlite',
      tool: 'list_tables',
      params: {},
    });
    expect(textOf(tables)).toContain('customers');
    expect(textOf(tables)).toContain('orders');

    const readme = await callTool(gateway.client, 'call_backend', {
      server: 'filesystem',
      tool: 'read_file',
      params: { path: 'README.txt' },
    });
    expect(readme.isError).toBeFalsy();
    expect(textOf(readme).length).toBeGreaterThan(0);
  });

  it('passes a backend result through unchanged', async () => {
    const result = await callTool(gateway.client, 'call_backend', { server: 'echo', tool: 'mixed' });
    expect(result.content.map((item) => item.type)).toEqual(['text', 'image', 'audio', 'resource']);
    const failed = await callTool(gateway.client, 'call_backend', { server: 'echo', tool: 'fail' });
    expect(failed).toEqual({ content: [{ type: 'text', text: 'fail: requested failure' }], isError: true });
  });

  it('explains bad input: invalid JSON, unknown server, unknown tool', async () => {
    const badJson = await callTool(gateway.client, 'call_backend', {
      server: 'echo',
      tool: 'echo',
      params: '{"text": }',
    });
    expect(badJson.isError).toBe(true);
    expect(textOf(badJson)).toMatch(/^params is not valid JSON: .*\(line 1, column 10\)$/);

    const unknownServer = await callTool(gateway.client, 'call_backend', { server: 'nope', tool: 'x' });
    expect(textOf(unknownServer)).toBe(
      'unknown server "nope"; registered: weather, sqlite, filesystem, echo',
    );

    const unknownTool = await callTool(gateway.client, 'call_backend', {
      server: 'weather',
      tool: 'get_tides',
    });
    expect(textOf(unknownTool)).toBe(
      'server "weather" has no tool "get_tides"; its tools: get_alerts, get_forecast',
    );
  });

  it('times out a slow backend call and keeps the backend usable', async () => {
    const slow = await callTool(gateway.client, 'call_backend', {
      server: 'echo',
      tool: 'slow',
      params: { ms: 20_000 },
    });
    expect(slow.isError).toBe(true);
    expect(textOf(slow)).toBe('echo.slow timed out after 1000 ms');
    const echo = await callTool(gateway.client, 'call_backend', {
      server: 'echo',
      tool: 'echo',
      params: { text: 'ok' },
    });
    expect(textOf(echo)).toBe('ok');
  });

  it('registers, uses and removes a backend at runtime', async () => {
    const registered = await callTool(gateway.client, 'register_server', {
      name: 'extra',
      command: process.execPath,
      args: `"${fixturePath('echo.mjs')}"`,
      description: 'registered at runtime',
    });
    expect(registered.structuredContent).toMatchObject({ name: 'extra', status: 'ready' });
    expect((registered.structuredContent as { tools: string[] }).tools).toContain('echo');

    const duplicate = await callTool(gateway.client, 'register_server', {
      name: 'extra',
      command: process.execPath,
    });
    expect(textOf(duplicate)).toBe('a server named "extra" is already registered');

    const sum = await callTool(gateway.client, 'call_backend', {
      server: 'extra',
      tool: 'add',
      params: { a: 1, b: 2 },
    });
    expect(sum.structuredContent).toEqual({ sum: 3 });

    const removed = await callTool(gateway.client, 'remove_server', { name: 'extra' });
    expect(textOf(removed)).toBe('Removed server "extra"');
    const again = await callTool(gateway.client, 'remove_server', { name: 'extra' });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain('no server named "extra"');
  });

  it('reports a registration whose command does not exist', async () => {
    const result = await callTool(gateway.client, 'register_server', {
      name: 'ghost',
      command: 'no-such-binary-xyz',
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('command "no-such-binary-xyz" was not found');
  });

  it('runs the weather-analysis pipeline with both steps', async () => {
    const result = await callTool(gateway.client, 'route_pipeline', {
      scenario: 'weather-analysis',
      input: { state: 'NY' },
    });
    const outcome = result.structuredContent as { ok: boolean; steps: { id: string; status: string }[] };
    expect(outcome.ok).toBe(true);
    expect(outcome.steps.map((step) => [step.id, step.status])).toEqual([
      ['alerts', 'ok'],
      ['forecast', 'ok'],
    ]);
    expect(textOf(result)).toContain('Pipeline "weather-analysis": 2/2 step(s) succeeded');
  });

  it('runs the database-report pipeline down to the top customers', async () => {
    const result = await callTool(gateway.client, 'route_pipeline', { scenario: 'database-report' });
    const outcome = result.structuredContent as {
      ok: boolean;
      steps: { id: string; status: string; result?: { structuredContent?: { rows?: unknown[] } } }[];
    };
    expect(outcome.ok).toBe(true);
    expect(outcome.steps.map((step) => step.id)).toEqual(['tables', 'schema', 'top_customers']);
    const rows = outcome.steps[2]?.result?.structuredContent?.rows;
    expect(rows).toHaveLength(5);
  });

  it('runs custom steps and lists scenarios for an unknown one', async () => {
    const custom = await callTool(gateway.client, 'route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'a', server: 'echo', tool: 'echo', params: { text: 'first' } },
        { id: 'b', server: 'echo', tool: 'fail', after: ['a'] },
        { id: 'c', server: 'echo', tool: 'echo', params: { text: 'last' }, after: ['b'] },
      ],
    });
    const outcome = custom.structuredContent as { ok: boolean; steps: { status: string }[] };
    expect(outcome.ok).toBe(false);
    expect(outcome.steps.map((step) => step.status)).toEqual(['ok', 'error', 'skipped']);
    expect(textOf(custom)).toContain('first');

    const unknown = await callTool(gateway.client, 'route_pipeline', { scenario: 'nope' });
    expect(textOf(unknown)).toBe(
      'unknown scenario "nope"; available: weather-analysis, database-report, custom',
    );
  });

  it('writes nothing but protocol messages on stdout and logs to stderr', () => {
    // The client would have failed to parse any stray stdout line; the log lines must be on stderr.
    expect(gateway.stderr()).toContain('ready: 4 of 4 configured server(s) ready');
  });
});

describe('the gateway process lifetime', () => {
  it('shuts down and leaves no process when its stdin closes', async () => {
    const dir = await makeTempDir('gateway-stdin-');
    const marker = `marker-${randomUUID()}`;
    const gateway = await connectStdioGateway(['--auto-register', await writeExampleConfig(dir, marker)]);
    const descendants = listDescendants(gateway.pid);
    expect(findProcessesByMarker(marker).length).toBeGreaterThanOrEqual(4);
    await gateway.client.close();
    await waitForProcessesGone([gateway.pid, ...descendants], 6000);
    expect(findProcessesByMarker(marker)).toEqual([]);
    expect(gateway.stderr()).toContain('shutting down (the client closed stdin)');
    await removeTempDir(dir);
  });

  it('shuts down and leaves no process on SIGTERM', async () => {
    const dir = await makeTempDir('gateway-sigterm-');
    const marker = `marker-${randomUUID()}`;
    const gateway = await connectStdioGateway(['--auto-register', await writeExampleConfig(dir, marker)]);
    const exited = new Promise<number | null>((resolve) => {
      gateway.transport.onclose = () => resolve(null);
    });
    const descendants = listDescendants(gateway.pid);
    process.kill(gateway.pid, 'SIGTERM');
    await exited;
    await waitForProcessesGone([gateway.pid, ...descendants], 6000);
    expect(findProcessesByMarker(marker)).toEqual([]);
    expect(gateway.stderr()).toContain('shutting down (SIGTERM)');
    await gateway.client.close();
    await removeTempDir(dir);
  });

  it('keeps serving the other backends when one configured backend fails', async () => {
    const dir = await makeTempDir('gateway-partial-');
    const marker = `marker-${randomUUID()}`;
    const config = await writeExampleConfig(dir, marker);
    const parsed = JSON.parse(await readFile(config, 'utf8')) as { servers: Record<string, unknown> };
    parsed.servers.broken = { command: process.execPath, args: [fixturePath('crash-on-start.mjs')] };
    await writeFile(config, JSON.stringify(parsed));
    const gateway = await connectStdioGateway(['--auto-register', config]);
    const list = await callTool(gateway.client, 'list_servers');
    const servers = (list.structuredContent as { servers: ListedServer[] }).servers;
    expect(servers.find((server) => server.name === 'broken')?.state).toBe('failed');
    expect(servers.filter((server) => server.state === 'ready')).toHaveLength(4);
    expect(gateway.stderr()).toContain('fatal: missing configuration FIXTURE_X');
    await gateway.client.close();
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
    await removeTempDir(dir);
  });
});
