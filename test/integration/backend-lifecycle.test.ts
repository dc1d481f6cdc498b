import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../../src/backends/backend-options.js';
import { BackendRegistry } from '../../src/backends/backend-registry.js';
import type { ManagedBackend } from '../../src/backends/managed-backend.js';
import type { ServerConfig } from '../../src/backends/server-config.js';
import { createStderrLogger, silentLogger } from '../../src/logger.js';
import { expectGatewayError } from '../helpers/expect-gateway-error.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { findProcessesByMarker, isProcessAlive, waitForProcessesGone } from '../helpers/process-table.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const FAST: BackendOptions = { ...DEFAULT_BACKEND_OPTIONS, closeGraceMs: 300 };

let registry: BackendRegistry;
// Every test ends with no process of its own left: the marker finds grandchildren too.
const sandbox = useProcessSandbox('lifecycle-test-', { per: 'test', exitTimeoutMs: 3000 });

function fixture(name: string, extra: Partial<ServerConfig> = {}): ServerConfig {
  return {
    command: process.execPath,
    args: [fixturePath(name)],
    ...extra,
    env: { ...sandbox.env, ...extra.env },
  };
}

function register(name: string, config: ServerConfig): Promise<ManagedBackend> {
  return registry.register(name, config, { baseDir: sandbox.dir });
}

beforeEach(() => {
  registry = new BackendRegistry(silentLogger, FAST);
  sandbox.defer(() => registry.closeAll());
});

describe('restarting crashed backends', () => {
  it('restarts a backend that crashed, in a new process, and counts the restart', async () => {
    const backend = await register(
      'mortal',
      fixture('exit-mid-call.mjs', { restart: { initialDelayMs: 10 } }),
    );
    const firstPid = backend.info().pid;
    const error = await expectGatewayError(backend.callTool('die', {}));
    expect(error.code).toBe('backend_exited');
    await waitFor(() => backend.state === 'ready' && backend.info().restarts === 1, {
      description: 'the restart',
    });
    expect(backend.info().pid).not.toBe(firstPid);
    expect(backend.info().lastError).toContain('exited with code 7');
    expect(textOf(await backend.callTool('echo', { text: 'back' }))).toBe('back');
  });

  it('gives up after the configured number of restarts of a backend that crashes after every handshake', async () => {
    const startLog = path.join(sandbox.dir, 'starts.log');
    const backend = await register(
      'storm',
      fixture('crash-after-handshake.mjs', {
        env: { FIXTURE_START_LOG: startLog },
        restart: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 40 },
      }),
    );
    await waitFor(() => backend.info().lastError?.includes('gave up'), { description: 'giving up' });
    const info = backend.info();
    expect(info.state).toBe('failed');
    expect(info.restarts).toBe(3);
    expect(info.nextRetryAt).toBeNull();
    expect(info.lastError).toContain('gave up after 3 restart(s) in a row');
    const starts = (await readFile(startLog, 'utf8')).trim().split('\n');
    expect(starts).toHaveLength(4);
  });

  it('does not restart a backend whose restart policy is off', async () => {
    const backend = await register('once', fixture('exit-mid-call.mjs', { restart: false }));
    await expectGatewayError(backend.callTool('die', {}));
    expect(backend.state).toBe('failed');
    expect(backend.info()).toMatchObject({ restarts: 0, nextRetryAt: null });
    const error = await expectGatewayError(backend.callTool('echo', { text: 'x' }));
    expect(error.message).toBe(
      'backend "once" is failed: exited with code 7; fix the config or call restart_server; last stderr lines:\n' +
        '  dying now',
    );
  });

  it('shows the next retry while a restart is pending, and removing the backend cancels it', async () => {
    const backend = await register(
      'later',
      fixture('exit-mid-call.mjs', { restart: { initialDelayMs: 60_000, maxDelayMs: 60_000 } }),
    );
    await expectGatewayError(backend.callTool('die', {}));
    const due = Date.parse(backend.info().nextRetryAt ?? '');
    expect(due).toBeGreaterThan(Date.now() + 50_000);
    const error = await expectGatewayError(backend.callTool('echo', { text: 'x' }));
    expect(error.code).toBe('backend_unavailable');
    expect(error.message).toMatch(
      /^backend "later" is failed: exited with code 7; retrying in (59|60) s; last stderr lines:\n {2}dying now$/,
    );
    await registry.remove('later');
    expect(backend.info()).toMatchObject({ state: 'stopped', nextRetryAt: null });
  });

  it('restarts a backend that stops answering health-check pings', async () => {
    const backend = await register(
      'deaf',
      fixture('echo.mjs', {
        healthCheck: { intervalMs: 100, timeoutMs: 300 },
        restart: { initialDelayMs: 10 },
      }),
    );
    const firstPid = backend.info().pid ?? -1;
    expect(textOf(await backend.callTool('go_deaf', {}))).toBe('going deaf');
    await waitFor(() => backend.state === 'ready' && backend.info().restarts === 1, {
      description: 'the restart after a failed ping',
      timeoutMs: 10_000,
    });
    expect(backend.info().lastError).toContain('did not answer a health-check ping within 300 ms');
    await waitForProcessesGone([firstPid], 3000);
    expect(textOf(await backend.callTool('echo', { text: 'healed' }))).toBe('healed');
  });
});

describe('limits and environment', () => {
  it('fails a backend cleanly when a message exceeds its size limit', async () => {
    const backend = await register('big', fixture('echo.mjs', { maxMessageBytes: 4096, restart: false }));
    const other = await register('other', fixture('echo.mjs'));
    expect(textOf(await backend.callTool('big', { bytes: 1000 }))).toHaveLength(1000);
    const error = await expectGatewayError(backend.callTool('big', { bytes: 100_000 }));
    expect(error.code).toBe('backend_exited');
    expect(error.message).toContain('was stopped: a message exceeded the limit of 4096 bytes');
    expect(backend.state).toBe('failed');
    expect(textOf(await other.callTool('echo', { text: 'unaffected' }))).toBe('unaffected');
  });

  it('lets one call override the backend timeout', async () => {
    const backend = await register('timed', fixture('echo.mjs', { timeoutMs: 60_000 }));
    const error = await expectGatewayError(backend.callTool('slow', { ms: 30_000 }, { timeoutMs: 200 }));
    expect(error.message).toBe('timed.slow timed out after 200 ms');
  });

  it('counts the non-JSON lines a backend prints on stdout', async () => {
    const backend = await register('noisy', fixture('noisy-stdout.mjs'));
    await backend.callTool('echo', { text: 'a' });
    expect(backend.info().skippedLines).toBeGreaterThanOrEqual(3);
  });

  it('hands backends a minimal environment unless inheritEnv is set, and never the gateway token', async () => {
    process.env.GATEWAY_TEST_INHERITED = 'visible';
    process.env.MCP_GATEWAY_AUTH_TOKEN = 'secret-token-value';
    try {
      const minimal = await register('minimal', fixture('echo.mjs'));
      const full = await register('full', fixture('echo.mjs', { inheritEnv: true }));
      expect(textOf(await minimal.callTool('env', { name: 'GATEWAY_TEST_INHERITED' }))).toBe('<unset>');
      expect(textOf(await minimal.callTool('env', { name: 'PATH' }))).toBe(process.env.PATH);
      expect(textOf(await full.callTool('env', { name: 'GATEWAY_TEST_INHERITED' }))).toBe('visible');
      expect(textOf(await full.callTool('env', { name: 'MCP_GATEWAY_AUTH_TOKEN' }))).toBe('<unset>');
    } finally {
      delete process.env.GATEWAY_TEST_INHERITED;
      delete process.env.MCP_GATEWAY_AUTH_TOKEN;
    }
  });

  it("logs each backend's stderr under its name and keeps its last lines for errors", async () => {
    const lines: string[] = [];
    registry = new BackendRegistry(
      createStderrLogger({ level: 'info', write: (line) => lines.push(line) }),
      FAST,
    );
    const error = await expectGatewayError(register('crash', fixture('crash-on-start.mjs')));
    expect(lines).toContain('mcp-gateway[crash] info: fatal: missing configuration FIXTURE_X\n');
    expect(error.message).toContain(
      'last stderr lines:\n  starting\n  loading config\n  fatal: missing configuration FIXTURE_X',
    );
  });
});

describe('concurrency', () => {
  it('answers 200 concurrent calls over 4 backends, each with its own result', async () => {
    const backends = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => register(name, fixture('echo.mjs'))),
    );
    const calls = Array.from({ length: 200 }, (_, index) => {
      const backend = backends[index % backends.length] as ManagedBackend;
      return backend.callTool('echo', { text: `${backend.name}-${index}` });
    });
    const results = await Promise.all(calls);
    expect(results.map(textOf)).toEqual(
      Array.from({ length: 200 }, (_, index) => `${'abcd'[index % 4]}-${index}`),
    );
  });

  it('ends racing registrations and removals of one name in a consistent registry with no leftover process', async () => {
    for (let round = 0; round < 5; round += 1) {
      const operations = [
        register('racer', fixture('echo.mjs')),
        registry.remove('racer'),
        register('racer', fixture('echo.mjs')),
        registry.remove('racer'),
        register('racer', fixture('echo.mjs')),
      ];
      await Promise.allSettled(operations);
      const backend = registry.get('racer');
      if (backend) {
        // Still registered: it may be starting, but must end up ready with exactly one process.
        await waitFor(() => backend.state !== 'starting', { description: 'the registration to settle' });
        expect(backend.state).toBe('ready');
        expect(findProcessesByMarker(sandbox.marker)).toEqual([backend.info().pid]);
        await registry.remove('racer');
      }
      await waitForProcessesGone(findProcessesByMarker(sandbox.marker), 3000);
      expect(registry.get('racer')).toBeUndefined();
    }
  });

  it('fails the calls in flight of a removed backend with a clear error', async () => {
    const backend = await register('gone', fixture('echo.mjs'));
    const pid = backend.info().pid ?? -1;
    // Their outcomes are taken at once: the calls fail while the removal is still in progress.
    const failures = [1, 2, 3].map(() => expectGatewayError(backend.callTool('slow', { ms: 30_000 })));
    await registry.remove('gone');
    for (const error of await Promise.all(failures)) {
      expect(error.message).toBe('gone.slow failed: backend "gone" was removed');
    }
    await waitForProcessesGone([pid], 3000);
    expect(isProcessAlive(pid)).toBe(false);
  });
});
