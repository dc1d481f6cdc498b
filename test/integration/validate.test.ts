/**
 * `mcp-gateway validate` and config loading as users meet them: the built bin run as a child process.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callTool, CLI_PATH, fixtureServer } from '../helpers/gateway-process.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('gateway-validate-');
});

afterAll(async () => {
  await removeTempDir(dir);
});

/** Runs `node dist/cli.js ...args` in the temp folder, stdin closed, with `env` added to a minimal environment. */
function run(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { cwd: dir, replaceEnv: true, env: { PATH: process.env.PATH ?? '', ...env } });
}

/** Writes `content` (JSON-encoded unless a string) as `name` in the temp folder. */
async function write(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('mcp-gateway validate', () => {
  it('exits 0 with one line for a valid ./gateway-config.json, the default', async () => {
    await write('gateway-config.json', {
      servers: { echo: fixtureServer('echo.mjs', { env: { HOME_DIR: '${HOME:-/nowhere}' } }) },
      pipelines: { p: { steps: [{ server: 'echo', tool: 'echo' }] } },
    });

    expect(await run(['validate'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'gateway-config.json is valid: 1 server, 1 pipeline\n',
    });
  });

  it('exits 1 listing every error and warning with its JSON path, then a summary', async () => {
    await write('broken.json', {
      servers: {
        github: {
          command: 'mcp-gateway-test-no-such-command',
          env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' },
          envPassthrough: ['AWS_PROFILE'],
        },
        echo: fixtureServer('echo.mjs', { enviroment: { A: 'b' }, timeout: 5 }),
      },
    });

    const result = await run(['validate', 'broken.json'], { SECRET_VALUE: 'do-not-print' });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        'error: servers.github.env.GITHUB_TOKEN: ${GITHUB_TOKEN} is not set; set it, or write ${GITHUB_TOKEN:-default}',
        'error: servers.github.command: "mcp-gateway-test-no-such-command" was not found on PATH; install it, or give its path',
        'warning: servers.echo.enviroment: unknown key, ignored; did you mean "env"?',
        'warning: servers.echo.timeout: unknown key, ignored; did you mean "timeoutMs"?',
        "warning: servers.github.envPassthrough.0: AWS_PROFILE is not set in the gateway's environment, so the " +
          'backend will not get it; set it, or remove it from envPassthrough',
        'broken.json is not valid: 2 servers, 0 pipelines; 2 errors, 3 warnings',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 when there are only warnings', async () => {
    await write('warnings.json', { mcpServers: { echo: fixtureServer('echo.mjs', { cmd: 'x' }) } });

    expect(await run(['validate', 'warnings.json'])).toEqual({
      code: 0,
      stdout: '',
      stderr:
        'warning: mcpServers.echo.cmd: unknown key, ignored; did you mean "command"?\n' +
        'warnings.json is valid: 1 server, 0 pipelines; 1 warning\n',
    });
  });

  it('shows where the JSON breaks, the values on the line masked, and exits 1', async () => {
    await write(
      'syntax.json',
      '{\n  "servers": {\n    "a": { "command": "node", "env": { "K": "s3cr3t" } },\n  }, \n}\n',
    );

    expect(await run(['validate', 'syntax.json'])).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'syntax.json: not valid JSON at line 4, column 3: Expected double-quoted property name',
        '    4 |   },',
        '      |   ^',
        '',
      ].join('\n'),
    });
  });

  it('exits 1 naming a file that does not exist', async () => {
    expect(await run(['validate', 'missing.json'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'missing.json: cannot read the config file (no such file)\n',
    });
  });

  it.each([
    [
      ['validate', 'a.json', 'b.json'],
      "error: too many arguments for 'validate'. Expected 1 argument but got 2.",
    ],
    [['validate', '--bogus'], "error: unknown option '--bogus'"],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    expect(await run(args)).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });
});

describe('loading a config with warnings and variables', () => {
  it('starts anyway, logs the warnings, and hands the backend expanded and passed-through variables', async () => {
    const file = await write('typo.json', {
      servers: {
        echo: fixtureServer('echo.mjs', {
          env: { FROM_VAR: 'token=${GATEWAY_TEST_VALUE}', LITERAL: '$${GATEWAY_TEST_VALUE}' },
          envPassthrough: ['GATEWAY_TEST_PASS', 'MCP_GATEWAY_AUTH_TOKEN'],
          enviroment: { IGNORED: 'x' },
        }),
      },
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_PATH, '--auto-register', file],
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        GATEWAY_TEST_VALUE: 'expanded',
        GATEWAY_TEST_PASS: 'passed',
        MCP_GATEWAY_AUTH_TOKEN: 'gateway-secret-token',
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'validate-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const list = await callTool(client, 'list_servers');
      expect(list.structuredContent).toMatchObject({ servers: [{ name: 'echo', state: 'ready' }] });

      const env = async (name: string): Promise<string> =>
        textOf(await callTool(client, 'echo__env', { name }));
      expect(await env('FROM_VAR')).toBe('token=expanded');
      expect(await env('LITERAL')).toBe('${GATEWAY_TEST_VALUE}');
      expect(await env('GATEWAY_TEST_PASS')).toBe('passed');
      expect(await env('GATEWAY_TEST_VALUE')).toBe('<unset>');
      expect(await env('MCP_GATEWAY_AUTH_TOKEN')).toBe('<unset>');
      expect(await env('IGNORED')).toBe('<unset>');

      await waitFor(() => stderr.includes('servers.echo.enviroment: unknown key'), {
        description: 'the unknown-key warning on stderr',
      });
      expect(stderr).toContain(`${file}: servers.echo.enviroment: unknown key, ignored; did you mean "env"?`);
      expect(stderr).toContain(
        `${file}: servers.echo.envPassthrough.1: MCP_GATEWAY_AUTH_TOKEN is the gateway's own secret`,
      );
      expect(stderr).not.toContain('expanded');
      expect(stderr).not.toContain('gateway-secret-token');

      // What a client registers is taken as it is: a client cannot read the gateway's environment.
      await callTool(client, 'register_server', {
        name: 'runtime',
        command: process.execPath,
        args: [fixturePath('echo.mjs'), '${GATEWAY_TEST_VALUE}'],
      });
      const servers = (await callTool(client, 'list_servers')).structuredContent as {
        servers: { name: string; command: string }[];
      };
      const runtime = servers.servers.find((server) => server.name === 'runtime');
      expect(runtime?.command).toMatch(/ "\$\{GATEWAY_TEST_VALUE\}"$/);
    } finally {
      await client.close();
    }
  });

  it('refuses to start when a variable is not set, naming the server and the field', async () => {
    const file = await write('unset.json', {
      servers: { echo: fixtureServer('echo.mjs', { env: { TOKEN: '${GATEWAY_TEST_UNSET}' } }) },
    });

    const result = await run(['--auto-register', file]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}: invalid config:\n  at servers.echo.env.TOKEN: \${GATEWAY_TEST_UNSET} is not set; set it, or write \${GATEWAY_TEST_UNSET:-default}`,
    );
  });
});
