import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { PROJECT_ROOT } from '../helpers/gateway-process.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** Runs the built bin to completion with `input` on stdin, then stdin closed. */
function run(args: readonly string[], input = ''): Promise<CliRun> {
  return runCli(args, { input, env: { MCP_GATEWAY_AUTH_TOKEN: process.env.MCP_GATEWAY_AUTH_TOKEN } });
}

describe('the mcp-gateway command line', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-cli-');
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('prints its version from package.json', async () => {
    const { version } = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await run(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints help naming every flag', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--auto-register',
      '--transport',
      '--port',
      '--host',
      '--timeout',
      '--log-level',
      '--expose',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--transport', 'carrier-pigeon'], "option '--transport <kind>' argument 'carrier-pigeon' is invalid"],
    [['--port', 'abc'], '--port must be a whole number from 0 to 65535'],
    [['--port', '70000'], '--port must be a whole number from 0 to 65535'],
    [['--timeout', '0'], '--timeout must be a whole number from 1 to 86400000'],
    [['--log-level', 'loud'], "option '--log-level <level>' argument 'loud' is invalid"],
    [['stray'], 'too many arguments'],
  ])('rejects %j with exit code 2 and a one-line message', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 1 naming the file when the config does not exist', async () => {
    const missing = path.join(dir, 'missing.json');
    const result = await run(['--auto-register', missing]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${missing}: cannot read the config file (no such file)`);
  });

  it('exits 1 naming the JSON path of an invalid config entry', async () => {
    const file = path.join(dir, 'invalid.json');
    await writeFile(file, JSON.stringify({ mcpServers: { ok: { command: 'node' }, bad: { command: 42 } } }));
    const result = await run(['--auto-register', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: invalid config:`);
    expect(result.stderr).toContain(
      'at mcpServers.bad.command: Invalid input: expected string, received number',
    );
  });

  it('exits 1 when the config is not JSON', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"servers": ');
    const result = await run(['--auto-register', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: not valid JSON`);
  });

  it('exits 0 when stdin ends, writing nothing on stdout', async () => {
    const result = await run([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('shutting down (the client closed stdin)');
  });

  it('answers an initialize on stdout with protocol messages only', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const result = await run(['--log-level', 'debug'], `${JSON.stringify(initialize)}\n`);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      id: 1,
      result: { serverInfo: { name: 'mcp-gateway' } },
    });
  });

  it('exits 1 with a clear message, before starting any backend, when the HTTP port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const config = path.join(dir, 'port-taken.json');
      await writeFile(
        config,
        JSON.stringify({ servers: { echo: { command: process.execPath, args: [fixturePath('echo.mjs')] } } }),
      );
      const result = await run([
        '--transport',
        'streamable-http',
        '--port',
        String(port),
        '--auto-register',
        config,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `mcp-gateway error: port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another ` +
          'port with --port (0 picks a free one)\n',
      );
    } finally {
      blocker.close();
    }
  });
});
