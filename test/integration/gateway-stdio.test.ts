/**
 * The built gateway over stdio, as a process: its configured backends, its flags, its stdout carrying nothing but
 * protocol messages, and its lifetime. What every front door does alike is in test/contract.
 */
import { readFile, writeFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import {
  callTool,
  writeEchoConfig,
  writeExampleConfig,
  type StdioGateway,
} from '../helpers/gateway-process.js';
import { NATIVE_EXAMPLES } from '../helpers/native-examples.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { findProcessesByMarker, listDescendants, waitForProcessesGone } from '../helpers/process-table.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

interface ListedServer {
  name: string;
  state: string;
  tools: string[];
  calls: number;
  pid: number | null;
}

describe('the gateway over stdio, with the example backends', () => {
  const sandbox = useProcessSandbox('gateway-stdio-');
  let gateway: StdioGateway;

  beforeAll(async () => {
    const config = await writeExampleConfig(sandbox.dir, sandbox.marker);
    gateway = await sandbox.connectStdio(['--auto-register', config, '--timeout', '1000']);
  });

  it('has every configured backend ready', async () => {
    const result = await callTool(gateway.client, 'list_servers');
    const servers = (result.structuredContent as { servers: ListedServer[] }).servers;
    expect(servers.map((server) => [server.name, server.state])).toEqual([
      ['weather', 'ready'],
      ...(NATIVE_EXAMPLES ? [['sqlite', 'ready']] : []),
      ['filesystem', 'ready'],
      ['echo', 'ready'],
    ]);
    expect(servers.find((server) => server.name === 'weather')?.tools).toEqual([
      'get_alerts',
      'get_forecast',
    ]);
    expect(textOf(result)).toContain('weather [ready] - weather');
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

  it.skipIf(!NATIVE_EXAMPLES)('runs the database-report pipeline down to the top customers', async () => {
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

  it('writes nothing but protocol messages on stdout and logs to stderr', () => {
    // The client would have failed to parse any stray stdout line; the log lines must be on stderr.
    const configured = NATIVE_EXAMPLES ? 4 : 3;
    expect(gateway.stderr()).toContain(`ready: ${configured} of ${configured} configured server(s) ready`);
  });
});

describe('the gateway process lifetime', () => {
  const sandbox = useProcessSandbox('gateway-lifetime-', { per: 'test' });

  it('shuts down and leaves no process when its stdin closes', async () => {
    const config = await writeEchoConfig(sandbox.dir, sandbox.marker);
    const gateway = await sandbox.connectStdio(['--auto-register', config]);
    const descendants = listDescendants(gateway.pid);
    expect(findProcessesByMarker(sandbox.marker).length).toBeGreaterThanOrEqual(1);
    await gateway.client.close();
    await waitForProcessesGone([gateway.pid, ...descendants], 6000);
    expect(findProcessesByMarker(sandbox.marker)).toEqual([]);
    expect(gateway.stderr()).toContain('shutting down (the client closed stdin)');
  });

  it('shuts down and leaves no process on SIGTERM', async () => {
    const config = await writeEchoConfig(sandbox.dir, sandbox.marker);
    const gateway = await sandbox.connectStdio(['--auto-register', config]);
    const exited = new Promise<number | null>((resolve) => {
      gateway.transport.onclose = () => resolve(null);
    });
    const descendants = listDescendants(gateway.pid);
    process.kill(gateway.pid, 'SIGTERM');
    await exited;
    await waitForProcessesGone([gateway.pid, ...descendants], 6000);
    expect(findProcessesByMarker(sandbox.marker)).toEqual([]);
    expect(gateway.stderr()).toContain('shutting down (SIGTERM)');
  });

  it('keeps serving the other backends when one configured backend fails', async () => {
    const config = await writeEchoConfig(sandbox.dir, sandbox.marker);
    const parsed = JSON.parse(await readFile(config, 'utf8')) as { servers: Record<string, unknown> };
    parsed.servers.broken = { command: process.execPath, args: [fixturePath('crash-on-start.mjs')] };
    await writeFile(config, JSON.stringify(parsed));
    const gateway = await sandbox.connectStdio(['--auto-register', config]);
    const list = await callTool(gateway.client, 'list_servers');
    const servers = (list.structuredContent as { servers: ListedServer[] }).servers;
    expect(servers.find((server) => server.name === 'broken')?.state).toBe('failed');
    expect(servers.filter((server) => server.state === 'ready').map((server) => server.name)).toEqual([
      'echo',
    ]);
    // The backend's stderr reaches the gateway's through two pipes: it may trail the answer.
    await waitFor(() => gateway.stderr().includes('fatal: missing configuration FIXTURE_X'), {
      description: "the broken backend's stderr on the gateway's",
    });
  });
});
