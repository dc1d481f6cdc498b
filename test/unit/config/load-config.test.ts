import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig, parseConfig, type LoadConfigOptions } from '../../../src/config/load-config.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gateway-unit-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` (JSON-encoded unless it is a string) to `name` in the temp folder; returns its path. */
async function writeConfig(content: unknown, name = 'gateway-config.json'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The GatewayError that loading `file` fails with. */
async function loadError(file: string, options: LoadConfigOptions = {}): Promise<GatewayError> {
  const error = await loadConfig(file, options).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).code).toBe('invalid_config');
  return error as GatewayError;
}

describe('loadConfig', () => {
  it('returns the servers and pipelines of a valid file, with the file and its folder', async () => {
    const file = await writeConfig({
      servers: {
        weather: {
          command: 'node',
          args: ['servers/weather.js', '--verbose'],
          env: { NWS_USER_AGENT: 'test' },
          cwd: 'servers',
          description: 'US weather',
          timeoutMs: 5000,
        },
        sqlite: { command: 'node', args: 'servers/sqlite.js --db "my data.db"' },
      },
      pipelines: {
        nightly: {
          description: 'Export',
          steps: [{ id: 'export', server: 'sqlite', tool: 'export', params: { table: 'orders' }, after: [] }],
        },
      },
    });

    const config = await loadConfig(file);

    expect(config).toEqual({
      file,
      baseDir: dir,
      warnings: [],
      servers: {
        weather: {
          command: 'node',
          args: ['servers/weather.js', '--verbose'],
          env: { NWS_USER_AGENT: 'test' },
          cwd: 'servers',
          description: 'US weather',
          timeoutMs: 5000,
        },
        sqlite: { command: 'node', args: 'servers/sqlite.js --db "my data.db"' },
      },
      pipelines: {
        nightly: {
          description: 'Export',
          steps: [{ id: 'export', server: 'sqlite', tool: 'export', params: { table: 'orders' }, after: [] }],
        },
      },
    });
  });

  it('resolves a relative path against the working directory', async () => {
    const file = await writeConfig({ servers: {} });

    const config = await loadConfig(path.relative(process.cwd(), file));

    expect(config.file).toBe(file);
    expect(config.baseDir).toBe(dir);
  });

  it('gives empty servers and pipelines for an empty object', async () => {
    const config = await loadConfig(await writeConfig({}));

    expect(config.servers).toEqual({});
    expect(config.pipelines).toEqual({});
  });

  it('accepts mcpServers, as in claude_desktop_config.json, as a synonym of servers', async () => {
    const file = await writeConfig({
      mcpServers: {
        files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
      },
    });

    const config = await loadConfig(file);

    expect(config.servers).toEqual({
      files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
    });
    expect(config).not.toHaveProperty('mcpServers');
  });

  it('refuses a file with both servers and mcpServers', async () => {
    const file = await writeConfig({ servers: {}, mcpServers: {} });

    const error = await loadError(file);

    expect(error.message).toBe(
      `${file}: invalid config:\n  at (root): use either "servers" or "mcpServers", not both`,
    );
  });

  it('names the JSON path of an invalid server name', async () => {
    const file = await writeConfig({ servers: { 'bad name': { command: 'node' } } });

    const error = await loadError(file);

    expect(error.message).toMatch(
      new RegExp(`^${escape(file)}: invalid config:\n {2}at servers\\.bad name: `),
    );
  });

  it('refuses a server name longer than 32 characters', async () => {
    const name = 'a'.repeat(33);
    const file = await writeConfig({ mcpServers: { [name]: { command: 'node' } } });

    expect((await loadError(file)).message).toContain(`at mcpServers.${name}: `);
  });

  it('says what a server name may contain when a name is invalid', async () => {
    const file = await writeConfig({ servers: { 'bad name': { command: 'node' } } });

    expect((await loadError(file)).message).toContain('a server name is 1 to 32 letters, digits, "_" or "-"');
  });

  it('names the JSON path and the expected type of a value of the wrong type', async () => {
    const file = await writeConfig({ servers: { weather: { command: 42 } } });

    const error = await loadError(file);

    expect(error.message).toBe(
      `${file}: invalid config:\n  at servers.weather.command: Invalid input: expected string, received number`,
    );
  });

  it('lists every problem of the file, one line each', async () => {
    const file = await writeConfig({
      servers: { a: { command: '' }, b: { command: 'node', timeoutMs: -1, env: { PORT: 8080 } } },
    });

    const lines = (await loadError(file)).message.split('\n');

    expect(lines[0]).toBe(`${file}: invalid config:`);
    expect(lines.slice(1)).toEqual([
      '  at servers.a.command: command must not be empty',
      expect.stringMatching(/^ {2}at servers\.b\.env\.PORT: .*expected string, received number$/) as string,
      expect.stringMatching(/^ {2}at servers\.b\.timeoutMs: .*expected number to be >0$/) as string,
    ]);
  });

  it('accepts args as a string or an array of strings, and nothing else', async () => {
    const valid = await loadConfig(
      await writeConfig({
        servers: { a: { command: 'x', args: '--a "b c"' }, b: { command: 'x', args: ['--a'] } },
      }),
    );
    expect(valid.servers.a?.args).toBe('--a "b c"');
    expect(valid.servers.b?.args).toEqual(['--a']);

    const error = await loadError(
      await writeConfig({ servers: { a: { command: 'x', args: ['--a', 1] } } }, 'bad.json'),
    );
    expect(error.message).toMatch(
      /\n {2}at servers\.a\.args\.1: Invalid input: expected string, received number$/,
    );
  });

  it('refuses args given as a string that cannot be split into words, saying how to fix it', async () => {
    const error = await loadError(
      await writeConfig({ servers: { a: { command: 'x', args: '--name "open' } } }),
    );
    expect(error.message).toMatch(
      /\n {2}at servers\.a\.args: args cannot be split into words \(an unclosed quote\?\); close it, or give args as an array$/,
    );
  });

  it('validates pipelines: at least one step, each with a server and a tool', async () => {
    const emptyError = await loadError(await writeConfig({ pipelines: { p: { steps: [] } } }, 'empty.json'));
    expect(emptyError.message).toMatch(/\n {2}at pipelines\.p\.steps: a pipeline needs at least one step$/);

    const stepError = await loadError(
      await writeConfig(
        { pipelines: { p: { steps: [{ server: 'a', tool: 't' }, { server: 'a' }] } } },
        'step.json',
      ),
    );
    expect(stepError.message).toMatch(
      /\n {2}at pipelines\.p\.steps\.1\.tool: Invalid input: expected string, received undefined$/,
    );
  });

  it('validates the names of pipelines', async () => {
    const error = await loadError(
      await writeConfig({ pipelines: { 'my pipeline': { steps: [{ server: 'a', tool: 't' }] } } }),
    );

    expect(error.message).toMatch(/\n {2}at pipelines\.my pipeline: /);
  });

  it('refuses a file that is not JSON, naming the file, the line and column, and showing the line', async () => {
    const file = await writeConfig('{\n  "servers": {\n    "a": { "command": "node" },\n  }, \n}');

    const error = await loadError(file);

    expect(error.message).toBe(
      [
        `${file}: not valid JSON at line 4, column 3: Expected double-quoted property name`,
        '    4 |   },',
        '      |   ^',
      ].join('\n'),
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a JSON value that is not an object', async () => {
    const error = await loadError(await writeConfig('[]'));

    expect(error.message).toMatch(
      /invalid config:\n {2}at \(root\): Invalid input: expected object, received array$/,
    );
  });

  it('names a missing file and says it does not exist', async () => {
    const file = path.join(dir, 'missing.json');

    const error = await loadError(file);

    expect(error.message).toBe(`${file}: cannot read the config file (no such file)`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('names a path that is a folder, with the system error code', async () => {
    const folder = path.join(dir, 'folder.json');
    await mkdir(folder);

    const error = await loadError(folder);

    expect(error.message).toBe(`${folder}: cannot read the config file (EISDIR)`);
  });
});

describe('loadConfig with variables and warnings', () => {
  const env = { HOME: '/home/ada', API_KEY: 'k-123' };

  it('expands variables from the environment it is given', async () => {
    const file = await writeConfig({
      servers: {
        local: { command: '${HOME}/bin/server', args: '--home ${HOME}', env: { KEY: '${API_KEY}' } },
        remote: { url: '${API_URL:-https://api.example.com/mcp}', headers: { 'X-Key': '${API_KEY}' } },
      },
    });

    const config = await loadConfig(file, { env });

    expect(config.servers).toEqual({
      local: { command: '/home/ada/bin/server', args: ['--home', '/home/ada'], env: { KEY: 'k-123' } },
      remote: { url: 'https://api.example.com/mcp', headers: { 'X-Key': 'k-123' } },
    });
  });

  it('lists every unset variable and every schema error at once, a reference once even where the schema fails', async () => {
    const file = await writeConfig({
      servers: {
        github: { command: 'gh', env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' }, timeoutMs: 0 },
        api: { url: '${API_URL}', headers: { Authorization: 'Bearer ${API_KEY} ${TOKEN}' } },
      },
    });

    const error = await loadError(file, { env });

    expect(error.message).toBe(
      [
        `${file}: invalid config:`,
        '  at servers.github.env.GITHUB_TOKEN: ${GITHUB_TOKEN} is not set; set it, or write ${GITHUB_TOKEN:-default}',
        '  at servers.api.url: ${API_URL} is not set; set it, or write ${API_URL:-default}',
        '  at servers.api.headers.Authorization: ${TOKEN} is not set; set it, or write ${TOKEN:-default}',
        '  at servers.github.timeoutMs: Too small: expected number to be >0',
      ].join('\n'),
    );
    expect(error.message).not.toContain('k-123');
  });

  it("expands a remote server's oauth secrets, and reports a bad oauth option at its path without the secret", async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIGH-not-a-real-key\n-----END PRIVATE KEY-----';
    const keyed = {
      clientId: 'gw',
      clientAuth: 'private_key_jwt',
      privateKey: '${CLIENT_KEY}',
      alg: 'ES256',
    };
    const file = await writeConfig({
      servers: { billing: { url: 'https://billing.example.com/mcp', oauth: keyed } },
    });

    const config = await loadConfig(file, { env: { ...env, CLIENT_KEY: pem } });
    expect(config.servers.billing?.oauth).toEqual({ ...keyed, privateKey: pem });

    const wrong = await writeConfig({
      servers: {
        billing: { url: 'https://billing.example.com/mcp', oauth: { ...keyed, alg: 'none', dpop: 'yes' } },
      },
    });
    const error = await loadError(wrong, { env: { ...env, CLIENT_KEY: pem } });
    expect(error.message).toBe(
      [
        `${wrong}: invalid config:`,
        '  at servers.billing.oauth.alg: alg is one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512',
        '  at servers.billing.oauth.dpop: dpop is true or false',
      ].join('\n'),
    );
    expect(error.message).not.toContain('MIGH');
  });

  it('returns the warnings: unknown keys and envPassthrough variables that are not set', async () => {
    const file = await writeConfig({
      servers: { a: { command: 'x', enviroment: {}, envPassthrough: ['HOME', 'NOT_SET'] } },
      pipeline: {},
    });

    const config = await loadConfig(file, { env });

    expect(config.warnings).toEqual([
      'servers.a.enviroment: unknown key, ignored; did you mean "env"?',
      'pipeline: unknown key, ignored; did you mean "pipelines"?',
      "servers.a.envPassthrough.1: NOT_SET is not set in the gateway's environment, so the backend will not get it; " +
        'set it, or remove it from envPassthrough',
    ]);
    expect(config.servers.a).toEqual({ command: 'x', envPassthrough: ['HOME', 'NOT_SET'] });
  });

  it('skips a byte-order mark', async () => {
    const config = await loadConfig(await writeConfig('\uFEFF{"servers": {}}'));

    expect(config.servers).toEqual({});
  });
});

describe('parseConfig', () => {
  it('names the given source in its messages', () => {
    expect(() => parseConfig({ servers: { a: {} } }, 'inline config')).toThrow(
      'inline config: invalid config:\n  at servers.a: give exactly one of "command" (a local server) and "url" (a remote one)',
    );
  });

  it('returns the validated config with servers taken from mcpServers', () => {
    expect(parseConfig({ mcpServers: { a: { command: 'x' } } }, 'inline')).toEqual({
      servers: { a: { command: 'x' } },
      pipelines: {},
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
