import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { CLI_PATH, fixtureServer, PROJECT_ROOT, writeServersConfig } from '../helpers/gateway-process.js';
import { findProcessesByMarker, listDescendants, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

let dir: string | undefined;
let marker: string;

/** A gateway process and what it has logged so far. */
interface GatewayChild {
  readonly child: ChildProcessWithoutNullStreams;
  stderr(): string;
}

/** Spawns the gateway over stdio with an echo backend and a wrapper script (whose server is a grandchild). */
async function spawnGateway(
  extraServers: (env: Record<string, string>) => Record<string, unknown> = () => ({}),
): Promise<GatewayChild> {
  dir = await makeTempDir('gateway-signals-');
  marker = `marker-${randomUUID()}`;
  const env = { GATEWAY_TEST_MARKER: marker };
  const config = await writeServersConfig(dir, {
    echo: fixtureServer('echo.mjs', { env }),
    wrapped: { command: fixturePath('wrapper.sh'), env },
    ...extraServers(env),
  });
  const child = spawn(process.execPath, [CLI_PATH, '--auto-register', config], {
    cwd: PROJECT_ROOT,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // A stdio gateway starts its backends on the client's first message (but `server/discover`): send one.
  child.stdin.write(
    `${JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'signals-test', version: '1' },
      },
    })}\n`,
  );
  return { child, stderr: () => stderr };
}

/** Spawns the gateway and waits until its configured backends had their first start. */
async function startGateway(
  extraServers?: (env: Record<string, string>) => Record<string, unknown>,
): Promise<ChildProcessWithoutNullStreams> {
  const gateway = await spawnGateway(extraServers);
  await waitFor(() => gateway.stderr().includes('configured server(s)'), {
    description: 'the backends to start',
    timeoutMs: 15_000,
  });
  return gateway.child;
}

/** A backend that takes `delayMs` to answer its handshake, with the test's `env` (its marker). */
function slowBackend(delayMs: number): (env: Record<string, string>) => Record<string, unknown> {
  return (env) => ({
    slow: fixtureServer('slow-start.mjs', {
      env: { ...env, FIXTURE_START_DELAY_MS: String(delayMs) },
      startupTimeoutMs: 120_000,
    }),
  });
}

afterEach(async () => {
  for (const pid of findProcessesByMarker(marker)) process.kill(pid, 'SIGKILL');
  await waitForProcessesGone(findProcessesByMarker(marker), 3000);
  if (dir) await removeTempDir(dir);
});

describe('the gateway process and its signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('exits 0 on %s and leaves no process', async (signal) => {
    const gateway = await startGateway();
    const descendants = listDescendants(gateway.pid ?? -1);
    expect(findProcessesByMarker(marker).length).toBeGreaterThanOrEqual(3);
    const exited = once(gateway, 'exit');
    gateway.kill(signal);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    await waitForProcessesGone(descendants, 3000);
    expect(findProcessesByMarker(marker)).toEqual([]);
  });

  it('reloads its config on SIGHUP and keeps running, its backends untouched', async () => {
    const gateway = await startGateway();
    let stderr = '';
    gateway.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const before = findProcessesByMarker(marker).sort();

    gateway.kill('SIGHUP');

    await waitFor(
      () => stderr.includes('config unchanged (SIGHUP)') || stderr.includes('reloaded (SIGHUP)'),
      {
        description: 'the reload to be logged',
      },
    );
    expect(gateway.exitCode).toBeNull();
    expect(findProcessesByMarker(marker).sort()).toEqual(before);
    const exited = once(gateway, 'exit');
    gateway.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('exits 0 on SIGTERM while a backend is still starting, and leaves no process', async () => {
    const gateway = await spawnGateway(slowBackend(60_000));
    // Every backend is running (the slow one still before its handshake), the first start not over.
    await waitFor(() => findProcessesByMarker(marker).length >= 3, {
      description: 'the backends to be spawned',
    });
    expect(gateway.stderr()).not.toContain('configured server(s)');
    const exited = once(gateway.child, 'exit');

    gateway.child.kill('SIGTERM');

    expect(await exited).toEqual([0, null]);
    await waitForProcessesGone(findProcessesByMarker(marker), 3000);
    expect(findProcessesByMarker(marker)).toEqual([]);
  });

  it('keeps running on SIGHUP while a backend is still starting, and reloads once started', async () => {
    const gateway = await spawnGateway(slowBackend(1500));
    await waitFor(() => findProcessesByMarker(marker).length >= 3, {
      description: 'the backends to be spawned',
    });

    gateway.child.kill('SIGHUP');

    await waitFor(() => gateway.stderr().includes('reloaded (SIGHUP)'), {
      description: 'the reload to be logged',
      timeoutMs: 15_000,
    });
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.stderr()).toMatch(/configured server\(s\)[\s\S]*reloaded \(SIGHUP\)/);
    const exited = once(gateway.child, 'exit');
    gateway.child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('when SIGKILLed, leaves backends that stop at the end of their stdin to stop on their own', async () => {
    const gateway = await startGateway();
    const descendants = listDescendants(gateway.pid ?? -1);
    gateway.kill('SIGKILL');
    await once(gateway, 'exit');
    // No code of the gateway runs: each backend sees its stdin close, and well-behaved servers exit.
    await waitForProcessesGone(descendants, 5000);
    expect(findProcessesByMarker(marker)).toEqual([]);
  });

  it('when SIGKILLed, cannot stop a backend that ignores the end of its stdin (documented)', async () => {
    const pidFile = path.join(await makeTempDir('stubborn-'), 'pids.json');
    const stubbornMarker = `stubborn-${randomUUID()}`;
    const gateway = await startGateway(() => ({
      stubborn: fixtureServer('ignores-sigterm.mjs', {
        env: { GATEWAY_TEST_MARKER: stubbornMarker, FIXTURE_PID_FILE: pidFile },
      }),
    }));
    const stubbornPids = findProcessesByMarker(stubbornMarker);
    expect(stubbornPids.length).toBeGreaterThanOrEqual(1);
    gateway.kill('SIGKILL');
    await once(gateway, 'exit');
    await waitForProcessesGone(findProcessesByMarker(marker), 5000);
    // The stubborn one survives: this is the limit README's "Processes" section states.
    expect(findProcessesByMarker(stubbornMarker).length).toBeGreaterThanOrEqual(1);
    for (const pid of findProcessesByMarker(stubbornMarker)) process.kill(pid, 'SIGKILL');
    await waitForProcessesGone(stubbornPids, 3000);
    await removeTempDir(path.dirname(pidFile));
  });
});
