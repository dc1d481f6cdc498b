import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runValidate } from '../../../../src/commands/validate/validate-command.js';
import type { Environment } from '../../../../src/config/expand-variables.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
/** A folder standing for the gateway's PATH, holding one executable, `tool`. */
let bin: string;

beforeEach(async () => {
  dir = await makeTempDir('gateway-unit-validate-');
  bin = path.join(dir, 'bin');
  await mkdir(bin);
  await writeExecutable(path.join(bin, 'tool'));
});

afterEach(async () => {
  await removeTempDir(dir);
});

async function writeExecutable(file: string, mode = 0o755): Promise<void> {
  await writeFile(file, '#!/bin/sh\n');
  await chmod(file, mode);
}

/** Writes `config` (JSON-encoded unless a string) as `name` in the temp folder. */
async function writeConfig(config: unknown, name = 'gateway-config.json'): Promise<void> {
  await writeFile(
    path.join(dir, name),
    typeof config === 'string' ? config : JSON.stringify(config, null, 2),
  );
}

/** Runs `validate` in the temp folder with PATH = `bin` (plus `env`); returns the exit code and the report lines. */
async function validate(file?: string, env: Environment = {}): Promise<{ code: number; lines: string[] }> {
  let output = '';
  const code = await runValidate(
    { file },
    { stderr: (text) => (output += text), env: { PATH: bin, ...env }, cwd: dir },
  );
  expect(output.endsWith('\n')).toBe(true);
  return { code, lines: output.slice(0, -1).split('\n') };
}

describe('runValidate', () => {
  it('says in one line that a clean config is valid, and exits 0', async () => {
    await writeConfig({
      servers: { a: { command: 'tool' }, b: { url: 'https://example.com/mcp' } },
      pipelines: { p: { steps: [{ server: 'a', tool: 't' }] } },
    });

    expect(await validate()).toEqual({
      code: 0,
      lines: ['gateway-config.json is valid: 2 servers, 1 pipeline'],
    });
  });

  it("refuses an entry that starts a gateway on this same file (a client's config holding the gateway itself)", async () => {
    await writeConfig({
      mcpServers: {
        gateway: {
          command: 'npx',
          args: ['-y', 'mcp-multi-server-gateway', '--auto-register', 'gateway-config.json'],
        },
        a: { command: 'tool' },
      },
    });

    const { code, lines } = await validate();

    expect(code).toBe(1);
    expect(lines[0]).toBe(
      `error: mcpServers.gateway: server "gateway" starts a gateway on ${path.join(dir, 'gateway-config.json')}, ` +
        'which this gateway is already serving: it would start itself again and again. Remove this entry from the ' +
        "config (the gateway is the client's entry, not a backend)",
    );
  });

  it('reads the file it is given, relative to its folder', async () => {
    await writeConfig({ mcpServers: { a: { command: 'tool' } } }, 'other.json');

    expect(await validate('other.json')).toEqual({
      code: 0,
      lines: ['other.json is valid: 1 server, 0 pipelines'],
    });
  });

  it('exits 0 with warnings only, and counts them', async () => {
    await writeConfig({ servers: { a: { command: 'tool', cmd: 'x', envPassthrough: ['NOPE'] } } });

    expect(await validate()).toEqual({
      code: 0,
      lines: [
        'warning: servers.a.cmd: unknown key, ignored; did you mean "command"?',
        "warning: servers.a.envPassthrough.0: NOPE is not set in the gateway's environment, so the backend will " +
          'not get it; set it, or remove it from envPassthrough',
        'gateway-config.json is valid: 1 server, 0 pipelines; 2 warnings',
      ],
    });
  });

  it('lists errors, then warnings, then a summary, and exits 1', async () => {
    await writeConfig({
      servers: {
        github: { command: 'github-mcp', env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' }, enviroment: {} },
        bad: { command: 'tool', url: 'https://example.com' },
      },
    });

    expect(await validate()).toEqual({
      code: 1,
      lines: [
        'error: servers.github.env.GITHUB_TOKEN: ${GITHUB_TOKEN} is not set; set it, or write ${GITHUB_TOKEN:-default}',
        'error: servers.bad: give exactly one of "command" (a local server) and "url" (a remote one)',
        'error: servers.github.command: "github-mcp" was not found on PATH; install it, or give its path',
        'warning: servers.github.enviroment: unknown key, ignored; did you mean "env"?',
        'gateway-config.json is not valid: 2 servers, 0 pipelines; 3 errors, 1 warning',
      ],
    });
  });

  it('makes a disabled server whose command is missing a warning', async () => {
    await writeConfig({ mcpServers: { old: { command: 'gone', disabled: true } } });

    expect(await validate()).toEqual({
      code: 0,
      lines: [
        'warning: mcpServers.old.command: "gone" was not found on PATH; install it, or give its path',
        'gateway-config.json is valid: 1 server, 0 pipelines; 1 warning',
      ],
    });
  });

  it('still checks the schema of a disabled server', async () => {
    await writeConfig({ servers: { old: { command: 'tool', disabled: 'yes' } } });

    expect((await validate()).lines).toEqual([
      'error: servers.old.disabled: Invalid input: expected boolean, received string',
      'gateway-config.json is not valid: 1 server, 0 pipelines; 1 error, 0 warnings',
    ]);
  });

  it('resolves ./ paths against the config folder and says so', async () => {
    await mkdir(path.join(dir, 'servers'));
    await writeExecutable(path.join(dir, 'servers/ok.sh'));
    await writeExecutable(path.join(dir, 'servers/not-executable.sh'), 0o644);
    await writeConfig({
      servers: {
        ok: { command: './servers/ok.sh', cwd: 'servers' },
        missing: { command: './servers/missing.sh' },
        plain: { command: './servers/not-executable.sh' },
      },
    });

    expect((await validate()).lines).toEqual([
      `error: servers.missing.command: "${dir}/servers/missing.sh" is not an executable file; fix the path ` +
        '("./" and "../" start from the config file\'s folder) or make the file executable',
      `error: servers.plain.command: "${dir}/servers/not-executable.sh" is not an executable file; fix the path ` +
        '("./" and "../" start from the config file\'s folder) or make the file executable',
      'gateway-config.json is not valid: 3 servers, 0 pipelines; 2 errors, 0 warnings',
    ]);
  });

  it("resolves other relative paths against the server's cwd, and checks that cwd", async () => {
    await mkdir(path.join(dir, 'work'));
    await writeExecutable(path.join(dir, 'work/run.sh'));
    await writeConfig({
      servers: {
        ok: { command: 'bin/tool', cwd: '.' },
        inWork: { command: 'work/run.sh', cwd: 'work' },
        noFolder: { command: 'tool', cwd: 'nowhere' },
        absolute: { command: `${dir}/nope` },
      },
    });

    expect((await validate()).lines).toEqual([
      `error: servers.inWork.command: "${dir}/work/work/run.sh" is not an executable file; fix the path ` +
        '(a relative path starts from the server\'s "cwd", by default the config file\'s folder) or make the file executable',
      `error: servers.noFolder.cwd: "${dir}/nowhere" is not a folder; create it, or fix "cwd" (a relative one starts ` +
        "from the config file's folder)",
      `error: servers.absolute.command: "${dir}/nope" is not an executable file; fix the path or make the file executable`,
      'gateway-config.json is not valid: 4 servers, 0 pipelines; 3 errors, 0 warnings',
    ]);
  });

  it("searches the server's own env.PATH when it sets one, as the backend's lookup does", async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await writeExecutable(path.join(elsewhere, 'special'));
    await writeConfig({
      servers: {
        found: { command: 'special', env: { PATH: '${EXTRA}' } },
        lost: { command: 'tool', env: { PATH: elsewhere } },
      },
    });

    expect((await validate(undefined, { EXTRA: elsewhere })).lines).toEqual([
      'error: servers.lost.command: "tool" was not found on PATH; install it, or give its path',
      'gateway-config.json is not valid: 2 servers, 0 pipelines; 1 error, 0 warnings',
    ]);
  });

  it('names a command written with variables as written, never with their values', async () => {
    await writeConfig({ servers: { a: { command: '${TOOLS}/server', cwd: '${WORK}' } } });

    const { lines } = await validate(undefined, { TOOLS: '/secret-place', WORK: dir });

    expect(lines).toEqual([
      'error: servers.a.command: "${TOOLS}/server" (after expanding variables) is not an executable file; fix the path or make the file executable',
      'gateway-config.json is not valid: 1 server, 0 pipelines; 1 error, 0 warnings',
    ]);
  });

  it('does not look for a command whose variables are not set', async () => {
    await writeConfig({ servers: { a: { command: '${TOOLS}/server' } } });

    expect((await validate()).lines).toEqual([
      'error: servers.a.command: ${TOOLS} is not set; set it, or write ${TOOLS:-default}',
      'gateway-config.json is not valid: 1 server, 0 pipelines; 1 error, 0 warnings',
    ]);
  });

  it('shows where the JSON breaks, and exits 1', async () => {
    await writeConfig('{\n  "servers": {\n    "a": { "command": "tool" },\n  }, \n}\n');

    expect(await validate()).toEqual({
      code: 1,
      lines: [
        'gateway-config.json: not valid JSON at line 4, column 3: Expected double-quoted property name',
        '    4 |   },',
        '      |   ^',
      ],
    });
  });

  it('names a file that does not exist, and exits 1', async () => {
    expect(await validate('missing.json')).toEqual({
      code: 1,
      lines: ['missing.json: cannot read the config file (no such file)'],
    });
  });
});
