/**
 * Changing the config of a running gateway by editing its file: the difference is applied (added servers start,
 * removed ones stop, changed ones restart, untouched ones keep their process), pipelines and `expose` follow,
 * clients are told, an invalid edit is refused with the config in force kept, and two quick saves apply once.
 * Real processes: the built gateway over stdio with the SDK client, echo fixtures as backends.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';

import type { BackendInfo } from '../../src/shared/backend-info.js';
import type { ConfigStatus } from '../../src/shared/config-status.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, type StdioGateway } from '../helpers/gateway-process.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { isProcessAlive, waitForProcessesGone } from '../helpers/process-table.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('config-reload-', { per: 'test' });
let gateway: StdioGateway | undefined;
let file: string;
let listChanges = 0;

function echo(extraEnv: Record<string, string> = {}): Record<string, unknown> {
  return {
    command: process.execPath,
    args: [fixturePath('echo.mjs')],
    env: { ...sandbox.env, ...extraEnv },
  };
}

async function writeConfig(config: Record<string, unknown>): Promise<void> {
  await writeFile(file, JSON.stringify(config, null, 2));
}

async function start(config: Record<string, unknown>, flags: string[] = []): Promise<StdioGateway> {
  file = path.join(sandbox.dir, 'gateway-config.json');
  await writeConfig(config);
  gateway = await sandbox.connectStdio(['--auto-register', file, ...flags]);
  listChanges = 0;
  gateway.client.setNotificationHandler('notifications/tools/list_changed', () => {
    listChanges += 1;
  });
  return gateway;
}

interface Listed {
  readonly servers: BackendInfo[];
  readonly config?: ConfigStatus;
}

async function listServers(): Promise<Listed> {
  if (!gateway) throw new Error('start() first');
  return (await callTool(gateway.client, 'list_servers')).structuredContent as Listed;
}

function byName(listed: Listed): Record<string, BackendInfo> {
  return Object.fromEntries(listed.servers.map((server) => [server.name, server]));
}

describe('editing the config file of a running gateway', () => {
  it('starts added servers, stops removed ones, restarts changed ones and leaves the others alone', async () => {
    await start({ servers: { alpha: echo(), beta: echo(), delta: echo() } });
    const before = byName(await listServers());
    const alphaPid = before.alpha?.pid ?? 0;
    const betaPid = before.beta?.pid ?? 0;
    const deltaPid = before.delta?.pid ?? 0;

    await writeConfig({ servers: { alpha: echo(), beta: echo({ CHANGED: '1' }), gamma: echo() } });

    const after = await waitFor(
      async () => {
        const servers = byName(await listServers());
        const settled =
          servers.gamma?.state === 'ready' &&
          servers.beta?.state === 'ready' &&
          servers.beta.pid !== betaPid &&
          servers.delta === undefined;
        return settled ? servers : undefined;
      },
      { description: 'the edit to be applied', timeoutMs: 15_000 },
    );
    expect(Object.keys(after)).toEqual(['alpha', 'beta', 'gamma']);
    expect(after.alpha?.pid).toBe(alphaPid);
    expect(isProcessAlive(alphaPid)).toBe(true);
    await waitForProcessesGone([betaPid, deltaPid], 5000);
    await waitFor(() => listChanges > 0, { description: 'tools/list_changed' });
    const { tools } = await (gateway as StdioGateway).client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('gamma__echo');
    expect(tools.map((tool) => tool.name)).not.toContain('delta__echo');
    expect((await listServers()).config).toMatchObject({ file, reloads: 1, watching: true, lastError: null });
  });

  it('refuses an edit that does not validate, keeps the config in force, and says why in list_servers', async () => {
    await start({ servers: { alpha: echo() } });
    const alphaPid = byName(await listServers()).alpha?.pid;

    await writeFile(file, '{ "servers": { "alpha": ');

    const listed = await waitFor(
      async () => {
        const current = await listServers();
        return current.config?.lastError ? current : undefined;
      },
      { description: 'the refused reload', timeoutMs: 10_000 },
    );
    expect(listed.config?.lastError).toContain('not valid JSON at line 1');
    expect(listed.config?.reloads).toBe(0);
    expect(byName(listed).alpha).toMatchObject({ state: 'ready', pid: alphaPid });
    expect(gateway?.stderr()).toContain('config not reloaded (the file changed); the config in force stays');
    const text = (await callTool((gateway as StdioGateway).client, 'list_servers')).content;
    expect(JSON.stringify(text)).toContain('last edit NOT applied');

    await writeConfig({ servers: { alpha: echo() } });
    await waitFor(async () => (await listServers()).config?.lastError === null, {
      description: 'the error to clear once the file is valid again',
      timeoutMs: 10_000,
    });
  });

  it('applies two saves in quick succession once, with the content of the last', async () => {
    await start({ servers: { alpha: echo() } });
    const reloads = (): number =>
      (gateway?.stderr().match(/config reloaded \(the file changed\)/g) ?? []).length;

    await writeConfig({ servers: { alpha: echo(), one: echo() } });
    await delay(50);
    await writeConfig({ servers: { alpha: echo(), two: echo() } });

    await waitFor(async () => byName(await listServers()).two?.state === 'ready', {
      description: 'the second save to be applied',
      timeoutMs: 15_000,
    });
    expect(Object.keys(byName(await listServers()))).toEqual(['alpha', 'two']);
    expect(reloads()).toBe(1);
  });

  it('follows pipelines and expose, and tells clients their tool list changed', async () => {
    await start({ servers: { alpha: echo() } });

    await writeConfig({
      servers: { alpha: echo() },
      expose: 'gateway',
      pipelines: {
        greet: { description: 'Says hi', steps: [{ server: 'alpha', tool: 'echo', params: { text: 'hi' } }] },
      },
    });

    await waitFor(async () => (await listServers()).config?.reloads === 1, {
      description: 'the reload',
      timeoutMs: 10_000,
    });
    const client = (gateway as StdioGateway).client;
    await waitFor(() => listChanges > 0, { description: 'tools/list_changed' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    expect(tools.find((tool) => tool.name === 'route_pipeline')?.description).toContain('- greet: Says hi');
    const result = await callTool(client, 'route_pipeline', { scenario: 'greet' });
    expect(result.isError).toBeFalsy();
  });

  it('is not watched with --no-watch, and SIGHUP reloads it then', async () => {
    const running = await start({ servers: { alpha: echo() } }, ['--no-watch']);

    await writeConfig({ servers: { alpha: echo(), beta: echo() } });
    expect((await listServers()).config).toMatchObject({ watching: false, reloads: 0 });
    process.kill(running.pid, 'SIGHUP');

    await waitFor(async () => byName(await listServers()).beta?.state === 'ready', {
      description: 'the reload on SIGHUP',
      timeoutMs: 15_000,
    });
  });
});

describe('settings that a reload does not apply', () => {
  it('says an auth change takes effect on restart, and that auth does not apply over stdio', async () => {
    const auth = { issuers: [{ name: 'corp', issuer: 'https://id.example.com' }] };
    const running = await start({ servers: { alpha: echo() }, auth });
    await listServers();

    await writeConfig({ servers: { alpha: echo() }, auth: { ...auth, scopes: ['mcp'] } });

    await waitFor(
      () => running.stderr().includes('the changed "auth" takes effect when the gateway restarts'),
      {
        description: 'the warning about auth on reload',
        timeoutMs: 15_000,
      },
    );
    expect(running.stderr()).toContain('"auth" applies to the HTTP front door only');
  });
});

describe('servers as the config lists them', () => {
  it('lists a disabled server without starting it, and starts it once an edit enables it', async () => {
    await start({ servers: { alpha: echo(), off: { ...echo(), disabled: true } } });
    const listed = byName(await listServers());
    expect(listed.off).toMatchObject({ state: 'disabled', pid: null });
    const call = await callTool((gateway as StdioGateway).client, 'off__echo', { text: 'x' });
    expect(call).toMatchObject({ isError: true });
    expect(JSON.stringify(call.content)).toContain(
      'backend \\"off\\" is disabled in the config; set \\"disabled\\": false (or remove the key) to start it',
    );

    await writeConfig({ servers: { alpha: echo(), off: echo() } });

    await waitFor(async () => byName(await listServers()).off?.state === 'ready', {
      description: 'the enabled server to start',
      timeoutMs: 15_000,
    });
  });
});
