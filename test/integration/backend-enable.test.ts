/**
 * Enabling and disabling backends at run time (`BackendRegistry.enable`/`disable`): real fixture processes, the
 * running state only (the config is not written).
 */
import { beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../../src/backends/backend-options.js';
import { BackendRegistry } from '../../src/backends/backend-registry.js';
import type { ServerConfig } from '../../src/backends/server-config.js';
import { silentLogger } from '../../src/logger.js';
import { expectGatewayError } from '../helpers/expect-gateway-error.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { waitForProcessesGone } from '../helpers/process-table.js';

const FAST: BackendOptions = { ...DEFAULT_BACKEND_OPTIONS, closeGraceMs: 300, handshakeTimeoutMs: 5000 };

let registry: BackendRegistry;
const sandbox = useProcessSandbox('enable-test-', { per: 'test', exitTimeoutMs: 3000 });

function echo(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { command: process.execPath, args: [fixturePath('echo.mjs')], env: { ...sandbox.env }, ...extra };
}

beforeEach(() => {
  registry = new BackendRegistry(silentLogger, FAST);
  sandbox.defer(() => registry.closeAll());
});

describe('disabling and enabling backends', () => {
  it('stops a ready backend on disable, and starts a new process on enable', async () => {
    const backend = await registry.register('echo', echo(), { baseDir: sandbox.dir });
    const pid = backend.info().pid ?? -1;
    let changes = 0;
    registry.on('changed', () => (changes += 1));

    await registry.disable('echo');
    expect(backend.info()).toMatchObject({ state: 'disabled', pid: null });
    await waitForProcessesGone([pid], 3000);
    expect(changes).toBeGreaterThan(0);
    expect((await expectGatewayError(backend.callTool('echo', { text: 'x' }))).message).toMatch(/disabled/);
    expect((await expectGatewayError(registry.restart('echo'))).message).toMatch(/disabled/);

    await registry.enable('echo');
    expect(backend.state).toBe('ready');
    const newPid = backend.info().pid;
    expect(newPid).not.toBeNull();
    expect(newPid).not.toBe(pid);
    expect((await backend.callTool('echo', { text: 'back' })).isError).toBeFalsy();
  });

  it('starts a backend the config lists as disabled', async () => {
    const backend = await registry.register('echo', echo({ disabled: true }), { baseDir: sandbox.dir });
    expect(backend.state).toBe('disabled');
    await registry.enable('echo');
    expect(backend.state).toBe('ready');
  });

  it('leaves a backend alone that is already in the state asked for', async () => {
    const backend = await registry.register('echo', echo(), { baseDir: sandbox.dir });
    const pid = backend.info().pid;
    await registry.enable('echo');
    expect(backend.info().pid).toBe(pid);
    await registry.disable('echo');
    await registry.disable('echo');
    expect(backend.state).toBe('disabled');
  });

  it('refuses an unknown name, listing what is registered', async () => {
    await registry.register('echo', echo(), { baseDir: sandbox.dir });
    expect((await expectGatewayError(registry.disable('nope'))).message).toMatch(/registered: echo/);
    expect((await expectGatewayError(registry.enable('nope'))).message).toMatch(/registered: echo/);
  });
});
