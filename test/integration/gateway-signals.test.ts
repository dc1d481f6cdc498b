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

/** Starts the gateway over stdio with an echo backend and a wrapper script (whose server is a grandchild). */
async function startGateway(
  extraServers: Record<string, unknown> = {},
): Promise<ChildProcessWithoutNullStreams> {
  dir = await makeTempDir('gateway-signals-');
  marker = `marker-${randomUUID()}`;
  const env = { GATEWAY_TEST_MARKER: marker };
  const config = await writeServersConfig(dir, {
    echo: fixtureServer('echo.mjs', { env }),
    wrapped: { command: fixturePath('wrapper.sh'), env },
    ...extraServers,
  });
  const child = spawn(process.execPath, [CLI_PATH, '--auto-register', config], {
    cwd: PROJECT_ROOT,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await waitFor(() => stderr.includes('configured server(s)'), {
    description: 'the backends to start',
    timeoutMs: 15_000,
  });
  return child;
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
    const gateway = await startGateway({
      stubborn: fixtureServer('ignores-sigterm.mjs', {
        env: { GATEWAY_TEST_MARKER: stubbornMarker, FIXTURE_PID_FILE: pidFile },
      }),
    });
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
