import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { findProcessesByMarker } from '../helpers/process-table.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** Runs the built bin with stdin closed, `env` added to the environment, and collects its output. */
function run(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runCli(args, { env });
}

const HTTP = ['--transport', 'streamable-http', '--port', '0'];
const SHORT_TOKEN = 'short-secret';

describe('the HTTP security flags of the command line', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-cli-http-');
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('prints help naming every HTTP security flag', async () => {
    const result = await run(['--help']);
    for (const flag of [
      '--auth-token',
      '--allowed-hosts',
      '--allowed-origins',
      '--allow-register',
      '--max-body-bytes',
      '--session-idle-timeout',
      '--request-timeout',
      '--drain-timeout',
      'MCP_GATEWAY_AUTH_TOKEN',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [['--auth-token', SHORT_TOKEN], {}, '--auth-token must be 16 or more characters'],
    [['--auth-token', 'has spaces in it, sixteen+'], {}, '--auth-token must be 16 or more characters'],
    [[], { MCP_GATEWAY_AUTH_TOKEN: SHORT_TOKEN }, 'MCP_GATEWAY_AUTH_TOKEN must be 16 or more characters'],
    [[], { MCP_GATEWAY_AUTH_TOKEN: '' }, 'MCP_GATEWAY_AUTH_TOKEN must be 16 or more characters'],
    [['--allowed-hosts', 'mcp.example.com:8443'], {}, 'give names without a port'],
    [['--allowed-hosts', 'evil.com/path'], {}, 'is not a host name'],
    [['--allowed-origins', 'https://app.example.com/path'], {}, 'is not an origin'],
    [['--allowed-origins', 'app.example.com'], {}, 'is not an origin'],
    [['--max-body-bytes', '0'], {}, '--max-body-bytes must be a whole number from 1 to 1073741824'],
    [
      ['--session-idle-timeout', 'soon'],
      {},
      '--session-idle-timeout must be a whole number from 1 to 86400000',
    ],
    [['--request-timeout', '0'], {}, '--request-timeout must be a whole number from 1 to 86400000'],
    [['--drain-timeout', '-1'], {}, '--drain-timeout must be a whole number from 0 to 86400000'],
  ])('rejects %j (env %j) with exit code 2 and a one-line message', async (args, env, message) => {
    const result = await run([...HTTP, ...args], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain(SHORT_TOKEN);
  });

  it.each(['0.0.0.0', '::', '192.0.2.1', 'example.com'])(
    'refuses to serve on %s without a token, with exit code 2, before starting any backend',
    async (host) => {
      const marker = `marker-${randomUUID()}`;
      const config = path.join(dir, `config-${randomUUID()}.json`);
      await writeFile(
        config,
        JSON.stringify({
          servers: {
            echo: { command: process.execPath, args: [fixturePath('echo.mjs')], env: { M: marker } },
          },
        }),
      );
      const result = await run([...HTTP, '--host', host, '--auto-register', config]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `error: --host ${host} is not a loopback address: set --auth-token or MCP_GATEWAY_AUTH_TOKEN, or an "auth" section in the config file, as well`,
      );
      expect(result.stderr).not.toContain('starting backend');
      expect(findProcessesByMarker(marker)).toEqual([]);
    },
  );
});
