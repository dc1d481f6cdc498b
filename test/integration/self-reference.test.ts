/**
 * A gateway never starts itself. A client config that holds the gateway's own entry, given to `--auto-register`
 * (as a user who points the gateway at their claude_desktop_config.json would), starts one gateway, not a chain
 * of them; a wrapper the gateway cannot see through is stopped by the started gateway itself; a gateway behind a
 * gateway on another config still works. Processes are counted through a marker every descendant inherits.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { BackendInfo } from '../../src/shared/backend-info.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, CLI_PATH, type StdioGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { findProcessesByMarker } from '../helpers/process-table.js';
import { textOf } from '../helpers/text-of.js';

const sandbox = useProcessSandbox('self-reference-', { per: 'test' });
let gateway: StdioGateway | undefined;

const env = (): Record<string, string> => ({ ...sandbox.env });

/** The entry a client has for the gateway: this checkout's bin on `config`. */
function gatewayEntry(config: string): Record<string, unknown> {
  return {
    command: process.execPath,
    args: [CLI_PATH, '--auto-register', config],
    env: env(),
    restart: false,
  };
}

async function servers(): Promise<Record<string, BackendInfo>> {
  if (!gateway) throw new Error('start a gateway first');
  const listed = (await callTool(gateway.client, 'list_servers')).structuredContent as {
    servers: BackendInfo[];
  };
  return Object.fromEntries(listed.servers.map((server) => [server.name, server]));
}

/** The gateway processes started with the marker (the echo fixture is not one). */
function markedGateways(): number[] {
  return findProcessesByMarker(sandbox.marker).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(CLI_PATH);
    } catch {
      // Exited meanwhile: not a running gateway.
      return false;
    }
  });
}

describe('a config that holds the gateway itself', () => {
  it('starts no second gateway, and says which entry it refused and why', async () => {
    const config = path.join(sandbox.dir, 'claude_desktop_config.json');
    await writeFile(
      config,
      JSON.stringify({
        mcpServers: {
          gateway: gatewayEntry(config),
          echo: { command: process.execPath, args: [fixturePath('echo.mjs')], env: env() },
        },
      }),
    );

    gateway = await sandbox.connectStdio(['--auto-register', config]);

    const listed = await servers();
    expect(listed.echo?.state).toBe('ready');
    expect(listed.gateway).toMatchObject({ state: 'failed', pid: null, nextRetryAt: null });
    expect(listed.gateway?.lastError).toContain(
      `server "gateway" starts a gateway on ${config}, which this gateway is already serving`,
    );
    expect(markedGateways()).toEqual([]);
    expect(findProcessesByMarker(sandbox.marker)).toHaveLength(1);
  });

  it('is stopped by the started gateway itself when a wrapper hides what it starts', async () => {
    const config = path.join(sandbox.dir, 'wrapped.json');
    const script = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} --auto-register ${JSON.stringify(config)}`;
    await writeFile(
      config,
      JSON.stringify({
        servers: { hidden: { command: '/bin/sh', args: ['-c', script], env: env(), restart: false } },
      }),
    );

    gateway = await sandbox.connectStdio(['--auto-register', config]);

    const hidden = (await servers()).hidden;
    expect(hidden?.state).toBe('failed');
    expect(hidden?.lastError).toContain('exited with code 1 before completing the MCP handshake');
    expect(hidden?.lastError).toContain('is already served by the gateway that started this one');
    expect(findProcessesByMarker(sandbox.marker)).toEqual([]);
  });
});

describe('a gateway behind a gateway', () => {
  it('works on another config, its tools reachable through both', async () => {
    const inner = path.join(sandbox.dir, 'inner.json');
    const outer = path.join(sandbox.dir, 'outer.json');
    await writeFile(
      inner,
      JSON.stringify({
        servers: { echo: { command: process.execPath, args: [fixturePath('echo.mjs')], env: env() } },
      }),
    );
    await writeFile(outer, JSON.stringify({ servers: { inner: gatewayEntry(inner) } }));

    gateway = await sandbox.connectStdio(['--auto-register', outer]);

    expect((await servers()).inner?.state).toBe('ready');
    const result = await callTool(gateway.client, 'inner__echo__echo', { text: 'through two gateways' });
    expect(textOf(result)).toBe('through two gateways');
  });
});
