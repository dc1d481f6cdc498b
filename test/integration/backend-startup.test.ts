/**
 * How backends start and what a client hears when one is not there: a first start that fails is retried visibly,
 * a slow handshake gets the time its config gives it, a call to a failed backend's tool says why (never "Unknown
 * tool"), restart_server starts one again, and register_server hands a backend its env and cwd without showing
 * their values anywhere. Real processes: the built gateway over stdio with the SDK client.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { BackendInfo } from '../../src/shared/backend-info.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, type StdioGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('backend-startup-', { per: 'test' });
let gateway: StdioGateway | undefined;

function fixture(file: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  return {
    command: process.execPath,
    args: [fixturePath(file)],
    env: { ...sandbox.env, ...env },
    ...extra,
  };
}

async function start(servers: Record<string, unknown>, flags: string[] = []): Promise<StdioGateway> {
  const file = path.join(sandbox.dir, 'config.json');
  await writeFile(file, JSON.stringify({ servers }));
  gateway = await sandbox.connectStdio(['--auto-register', file, ...flags]);
  return gateway;
}

async function server(name: string): Promise<BackendInfo | undefined> {
  if (!gateway) throw new Error('start() first');
  const listed = (await callTool(gateway.client, 'list_servers')).structuredContent as {
    servers: BackendInfo[];
  };
  return listed.servers.find((entry) => entry.name === name);
}

describe('starting backends', () => {
  it('retries a first start that fails, under the restart policy, and says so', async () => {
    const stateFile = path.join(sandbox.dir, 'started-once');
    await start({
      flaky: fixture(
        'fail-first-start.mjs',
        { restart: { initialDelayMs: 300 } },
        { FIXTURE_STATE_FILE: stateFile },
      ),
    });

    const ready = await waitFor(
      async () => ((await server('flaky'))?.state === 'ready' ? server('flaky') : undefined),
      {
        description: 'the retry to succeed',
        timeoutMs: 15_000,
      },
    );
    expect(ready).toMatchObject({
      restarts: 1,
      lastError: expect.stringContaining('exited with code 4') as string,
    });
    const log = gateway?.stderr() ?? '';
    expect(log).toContain('mcp-gateway[flaky] info: retrying in 0.3 s (attempt 1 of 5)');
    expect(log).toContain('first start: not ready yet');
    expect(textOf(await callTool((gateway as StdioGateway).client, 'flaky__echo', { text: 'up' }))).toBe(
      'up',
    );
  });

  it('gives a slow backend the handshake time its config sets (12 s to start, startupTimeoutMs 20000)', async () => {
    await start({
      slow: fixture('slow-start.mjs', { startupTimeoutMs: 20_000 }, { FIXTURE_START_DELAY_MS: '12000' }),
    });

    expect(await server('slow')).toMatchObject({ state: 'ready', restarts: 0 });
    expect(textOf(await callTool((gateway as StdioGateway).client, 'slow__echo', { text: 'late' }))).toBe(
      'late',
    );
  }, 40_000);

  it('fails a handshake past --startup-timeout with that limit in the reason', async () => {
    await start({ slow: fixture('slow-start.mjs', { restart: false }, { FIXTURE_START_DELAY_MS: '5000' }) }, [
      '--startup-timeout',
      '300',
    ]);

    expect(await server('slow')).toMatchObject({
      state: 'failed',
      lastError: expect.stringContaining('did not complete the MCP handshake within 300 ms') as string,
    });
  });
});

describe('a backend that is not there', () => {
  it("answers a call to its tools with its state and what to do, never 'Unknown tool'", async () => {
    await start({ memory: { command: 'nodee', args: ['server.js'], restart: false } });

    const result = await callTool((gateway as StdioGateway).client, 'memory__read_graph');

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `backend "memory" is failed: could not start: command "nodee" was not found (cwd: ${sandbox.dir}); fix the config ` +
        'or call restart_server',
    );
  });

  it('is started again by restart_server, and a running one gets a new process', async () => {
    const stateFile = path.join(sandbox.dir, 'started-once');
    await start({
      flaky: fixture('fail-first-start.mjs', { restart: false }, { FIXTURE_STATE_FILE: stateFile }),
      echo: fixture('echo.mjs'),
    });
    const client = (gateway as StdioGateway).client;
    expect(await server('flaky')).toMatchObject({ state: 'failed', nextRetryAt: null });
    const echoPid = (await server('echo'))?.pid;

    const restarted = await callTool(client, 'restart_server', { name: 'flaky' });
    const again = await callTool(client, 'restart_server', { name: 'echo' });

    expect(restarted.structuredContent).toEqual({ name: 'flaky', status: 'ready', tools: ['echo'] });
    expect(again.structuredContent).toMatchObject({ name: 'echo', status: 'ready' });
    expect((await server('echo'))?.pid).not.toBe(echoPid);
    const unknown = await callTool(client, 'restart_server', { name: 'nope' });
    expect(unknown).toMatchObject({ isError: true });
    expect(textOf(unknown)).toBe('no server named "nope"; registered: flaky, echo');
  });
});

describe('register_server', () => {
  it('hands the backend its env and cwd, and never shows the values', async () => {
    await start({});
    const client = (gateway as StdioGateway).client;
    const secret = `secret-${randomUUID()}`;

    const registered = await callTool(client, 'register_server', {
      name: 'tokened',
      command: process.execPath,
      args: [fixturePath('echo.mjs')],
      env: { API_TOKEN: secret, ...sandbox.env },
      cwd: sandbox.dir,
      timeoutMs: 5000,
    });

    expect(registered.structuredContent).toMatchObject({ name: 'tokened', status: 'ready' });
    expect(textOf(await callTool(client, 'tokened__env', { name: 'API_TOKEN' }))).toBe(secret);
    const listed = await callTool(client, 'list_servers');
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(JSON.stringify(await server('tokened'))).not.toContain(secret);
    expect(gateway?.stderr()).not.toContain(secret);
    expect((await server('tokened'))?.command).toBe(`${process.execPath} ${fixturePath('echo.mjs')}`);
  });

  it('refuses a call with neither command nor url, saying which to give', async () => {
    await start({});

    const result = await callTool((gateway as StdioGateway).client, 'register_server', { name: 'x' });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'give exactly one of "command" (a local server) and "url" (a remote one)',
    );
  });
});
