import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Progress } from '@modelcontextprotocol/server';
import { beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../../src/backends/backend-options.js';
import { BackendRegistry } from '../../src/backends/backend-registry.js';

import type { ServerConfig } from '../../src/backends/server-config.js';
import { silentLogger } from '../../src/logger.js';
import { backendRpcError } from '../../src/errors/to-wire.js';
import { expectGatewayError } from '../helpers/expect-gateway-error.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { findProcessesByMarker, isProcessAlive, waitForProcessesGone } from '../helpers/process-table.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const FAST: BackendOptions = { ...DEFAULT_BACKEND_OPTIONS, closeGraceMs: 300, handshakeTimeoutMs: 5000 };

let registry: BackendRegistry;
// Every test ends with no process of its own left: the marker finds grandchildren too.
const sandbox = useProcessSandbox('registry-test-', { per: 'test', exitTimeoutMs: 3000 });

/** A fixture run with plain node; the marker in its environment lets the test find every process it started. */
function fixture(name: string, env: Record<string, string> = {}): ServerConfig {
  const isScript = name.endsWith('.sh');
  return {
    command: isScript ? fixturePath(name) : process.execPath,
    args: isScript ? [] : [fixturePath(name)],
    env: { ...sandbox.env, ...env },
  };
}

function register(name: string, config: ServerConfig, keepOnFailure = false) {
  return registry.register(name, config, { baseDir: sandbox.dir, keepOnFailure });
}

beforeEach(() => {
  registry = new BackendRegistry(silentLogger, FAST);
  sandbox.defer(() => registry.closeAll());
});

describe('registering backends', () => {
  it('starts a backend, completes the handshake and lists its tools', async () => {
    const backend = await register('echo', fixture('echo.mjs'));
    expect(backend.state).toBe('ready');
    expect(backend.tools().map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'add', 'slow']));
    const info = backend.info();
    expect(info.pid).toEqual(expect.any(Number));
    expect(isProcessAlive(info.pid ?? -1)).toBe(true);
    expect(registry.names()).toEqual(['echo']);
  });

  it('refuses a duplicate name and starts no second process', async () => {
    await register('echo', fixture('echo.mjs'));
    const error = await expectGatewayError(register('echo', fixture('echo.mjs')));
    expect(error.code).toBe('duplicate_server');
    expect(error.message).toContain('"echo" is already registered');
    expect(findProcessesByMarker(sandbox.marker)).toHaveLength(1);
  });

  it('lets only one of two concurrent registrations of a name start', async () => {
    const results = await Promise.allSettled([
      register('twin', fixture('echo.mjs')),
      register('twin', fixture('echo.mjs')),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(findProcessesByMarker(sandbox.marker)).toHaveLength(1);
  });

  it('refuses an invalid name before starting anything', async () => {
    for (const name of ['bad name', '', 'x'.repeat(33), 'a.b', '__proto__!']) {
      const error = await expectGatewayError(register(name, fixture('echo.mjs')));
      expect(error.code).toBe('invalid_name');
    }
    expect(findProcessesByMarker(sandbox.marker)).toEqual([]);
  });

  it('reports a command that does not exist, and keeps the name free', async () => {
    const error = await expectGatewayError(register('ghost', { command: 'no-such-command-xyz', args: [] }));
    expect(error.code).toBe('spawn_failed');
    expect(error.message).toContain('command "no-such-command-xyz" was not found');
    expect(registry.get('ghost')).toBeUndefined();
  });

  it('reports a backend that crashes on start with its exit code and last stderr lines', async () => {
    const error = await expectGatewayError(register('crash', fixture('crash-on-start.mjs'), true));
    expect(error.code).toBe('handshake_failed');
    expect(error.message).toContain('backend "crash" exited with code 3 before completing the MCP handshake');
    expect(error.message).toContain('fatal: missing configuration FIXTURE_X');
    const kept = registry.get('crash');
    expect(kept?.state).toBe('failed');
    expect(kept?.info().lastError).toContain('exited with code 3');
  });

  it('kills a backend that never finishes the handshake and says so', async () => {
    registry = new BackendRegistry(silentLogger, { ...FAST, handshakeTimeoutMs: 400 });
    const error = await expectGatewayError(register('mute', fixture('never-initialize.mjs')));
    expect(error.code).toBe('handshake_failed');
    expect(error.message).toContain('did not complete the MCP handshake within 400 ms');
    await waitForProcessesGone(findProcessesByMarker(sandbox.marker), 3000);
    expect(registry.get('mute')).toBeUndefined();
  });

  it('skips non-JSON lines a backend prints on stdout', async () => {
    const backend = await register('noisy', fixture('noisy-stdout.mjs'));
    const result = await backend.callTool('echo', { text: 'through the noise' });
    expect(result.content).toEqual([{ type: 'text', text: 'through the noise' }]);
  });

  it('resolves a relative cwd against the base folder and passes configured env', async () => {
    const backend = await register('env', { ...fixture('echo.mjs', { GREETING: 'hello' }), cwd: '.' });
    const greeting = await backend.callTool('env', { name: 'GREETING' });
    expect(greeting.content).toEqual([{ type: 'text', text: 'hello' }]);
    const secret = await backend.callTool('env', { name: 'npm_config_user_agent' });
    expect(secret.content).toEqual([{ type: 'text', text: '<unset>' }]);
    expect(backend.spec.cwd).toBe(path.resolve(sandbox.dir));
  });
});

describe('calling backend tools', () => {
  it('returns results unchanged, including isError results and structured content', async () => {
    const backend = await register('echo', fixture('echo.mjs'));
    expect(await backend.callTool('add', { a: 2, b: 40 })).toEqual({
      content: [{ type: 'text', text: '42' }],
      structuredContent: { sum: 42 },
    });
    const failed = await backend.callTool('fail', {});
    expect(failed.isError).toBe(true);
    expect(failed.content).toEqual([{ type: 'text', text: 'fail: requested failure' }]);
    expect(backend.info().calls).toBe(2);
  });

  it('keeps the JSON-RPC code of a backend error without doubling the message', async () => {
    const backend = await register('echo', fixture('echo.mjs'));
    const error = await expectGatewayError(backend.callTool('throw_error', {}));
    expect(backendRpcError(error)).toMatchObject({ code: -32602, message: 'throw_error: bad params' });
    expect(error.message).toBe('echo.throw_error failed: throw_error: bad params');
    expect(backend.info().errors).toBe(1);
  });

  it('counts a call refused because the backend is not ready among its errors', async () => {
    const backend = await register('off', { ...fixture('echo.mjs'), disabled: true });
    const error = await expectGatewayError(backend.callTool('echo', { text: 'x' }));
    expect(error.code).toBe('backend_unavailable');
    expect(backend.info()).toMatchObject({ state: 'disabled', errors: 1 });
  });

  it('times out a slow call, cancels it on the backend, and stays usable', async () => {
    const cancelFile = path.join(sandbox.dir, 'cancelled.txt');
    const backend = await register('slow', {
      ...fixture('echo.mjs', { FIXTURE_CANCEL_FILE: cancelFile }),
      timeoutMs: 300,
    });
    const error = await expectGatewayError(backend.callTool('slow', { ms: 30_000 }));
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('slow.slow timed out after 300 ms');
    await waitFor(() => readFile(cancelFile, 'utf8').catch(() => undefined), {
      description: 'the cancel to reach the backend',
    });
    expect(await readFile(cancelFile, 'utf8')).toContain('cancelled 30000');
    expect((await backend.callTool('echo', { text: 'still here' })).content).toEqual([
      { type: 'text', text: 'still here' },
    ]);
  });

  it('cancels the backend request when the caller aborts', async () => {
    const cancelFile = path.join(sandbox.dir, 'cancelled.txt');
    const backend = await register('slow', fixture('echo.mjs', { FIXTURE_CANCEL_FILE: cancelFile }));
    const controller = new AbortController();
    const call = backend.callTool('slow', { ms: 30_000 }, { signal: controller.signal });
    controller.abort();
    const error = await expectGatewayError(call);
    expect(error.code).toBe('cancelled');
    await waitFor(() => readFile(cancelFile, 'utf8').catch(() => undefined), {
      description: 'the cancel file',
    });
  });

  it('runs calls to different backends concurrently', async () => {
    const a = await register('a', fixture('echo.mjs'));
    const b = await register('b', fixture('echo.mjs'));
    let slowDone = false;
    const slow = a.callTool('slow', { ms: 20_000 }).finally(() => (slowDone = true));
    // Its outcome is taken at once: it fails while the removal below is still in progress.
    const slowFailed = expect(slow).rejects.toThrow();
    const quick = await b.callTool('echo', { text: 'quick' });
    expect(quick.content).toEqual([{ type: 'text', text: 'quick' }]);
    expect(slowDone).toBe(false);
    await registry.remove('a');
    await slowFailed;
  });

  it('fails calls in flight at once with the exit reason when the backend dies', async () => {
    const backend = await register('mortal', { ...fixture('exit-mid-call.mjs'), timeoutMs: 60_000 });
    const error = await expectGatewayError(backend.callTool('die', {}));
    expect(error.code).toBe('backend_exited');
    expect(error.message).toContain('mortal.die failed: backend "mortal" exited with code 7');
    expect(error.message).toContain('dying now');
    expect(backend.state).toBe('failed');
    const next = await expectGatewayError(backend.callTool('echo', { text: 'x' }));
    expect(next.code).toBe('backend_unavailable');
    expect(next.message).toContain('is failed');
  });

  it('relays every progress notification, in order, before the result', async () => {
    const backend = await register('echo', fixture('echo.mjs'));
    const events: string[] = [];
    const result = await backend.callTool(
      'progress',
      { steps: 5, delayMs: 0 },
      { onProgress: (progress: Progress) => events.push(`${progress.progress}/${progress.total}`) },
    );
    events.push('result');
    expect(result.content).toEqual([{ type: 'text', text: 'progressed 5' }]);
    expect(events).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5', 'result']);
  });
});

describe('removing backends', () => {
  it('stops the process and frees the name', async () => {
    const backend = await register('echo', fixture('echo.mjs'));
    const pid = backend.info().pid ?? -1;
    await registry.remove('echo');
    await waitForProcessesGone([pid], 3000);
    expect(registry.get('echo')).toBeUndefined();
    expect(backend.state).toBe('stopped');
    await register('echo', fixture('echo.mjs'));
  });

  it('rejects an unknown name, listing what is registered', async () => {
    await register('echo', fixture('echo.mjs'));
    const error = await expectGatewayError(registry.remove('nope'));
    expect(error.code).toBe('unknown_server');
    expect(error.message).toBe('no server named "nope"; registered: echo');
  });

  it('fails calls in flight with a clear error', async () => {
    const backend = await register('echo', fixture('echo.mjs'));
    // Its outcome is taken at once: the call fails while the removal is still in progress.
    const failed = expect(backend.callTool('slow', { ms: 30_000 })).rejects.toThrow(/echo\.slow failed/);
    await registry.remove('echo');
    await failed;
  });

  it('leaves no grandchild behind a wrapper script', async () => {
    await register('wrapped', fixture('wrapper.sh'));
    expect(findProcessesByMarker(sandbox.marker).length).toBeGreaterThanOrEqual(2);
    await registry.remove('wrapped');
    await waitForProcessesGone(findProcessesByMarker(sandbox.marker), 3000);
  });

  it('kills a backend that ignores SIGTERM, and the child it started', async () => {
    const pidFile = path.join(sandbox.dir, 'pids.json');
    await register('stubborn', fixture('ignores-sigterm.mjs', { FIXTURE_PID_FILE: pidFile }));
    const pids = await waitFor(
      async () =>
        JSON.parse(await readFile(pidFile, 'utf8').catch(() => 'null')) as {
          pid: number;
          childPid: number;
        } | null,
      { description: 'the pid file' },
    );
    expect(isProcessAlive(pids.childPid)).toBe(true);
    await registry.remove('stubborn');
    await waitForProcessesGone([pids.pid, pids.childPid], 1000);
  });

  it('closes every backend at once on closeAll', async () => {
    await Promise.all(['a', 'b', 'c'].map((name) => register(name, fixture('echo.mjs'))));
    expect(findProcessesByMarker(sandbox.marker)).toHaveLength(3);
    await registry.closeAll();
    await waitForProcessesGone(findProcessesByMarker(sandbox.marker), 3000);
    const error = await expectGatewayError(register('late', fixture('echo.mjs')));
    expect(error.message).toContain('shutting down');
  });
});
