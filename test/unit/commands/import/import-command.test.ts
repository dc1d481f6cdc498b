import { mkdir, readFile, stat, writeFile, copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createImportCommand,
  runImport,
  type ImportIo,
  type ImportOptions,
} from '../../../../src/commands/import/import-command.js';
import { installClientFixture, type InstalledClient } from './client-fixtures.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('gateway-import-command-');
});

afterEach(async () => {
  await removeTempDir(dir);
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function io(
  where: InstalledClient,
  output: { stdout: string; stderr: string },
  extra: Partial<ImportIo> = {},
): ImportIo {
  return {
    stdout: (text) => (output.stdout += text),
    stderr: (text) => (output.stderr += text),
    env: {},
    platform: 'linux',
    home: where.home,
    cwd: where.project,
    execPath: '/usr/bin/node',
    cliPath: '/opt/gw/dist/cli.js',
    now: () => new Date(2026, 2, 7, 9, 5, 3),
    ...extra,
  };
}

async function run(
  options: ImportOptions,
  where: InstalledClient,
  extra: Partial<ImportIo> = {},
): Promise<Run> {
  const output = { stdout: '', stderr: '' };
  const code = await runImport(options, io(where, output, extra));
  return { code, ...output };
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

/** The client entry printed on stdout for a config at `out`. */
function snippet(key: string, out: string, extra: Record<string, unknown> = {}, type = false): string {
  const entry = {
    ...(type ? { type: 'stdio' } : {}),
    command: '/usr/bin/node',
    args: ['/opt/gw/dist/cli.js', '--auto-register', out],
    ...extra,
  };
  return `${JSON.stringify({ [key]: { gateway: entry } }, null, 2)}\n`;
}

describe('runImport, Claude Desktop', () => {
  it('writes the servers it can, reports every other entry, and prints the client entry', async () => {
    const where = await installClientFixture('claude-desktop', dir);
    const { home, project } = where;
    const result = await run({ client: 'claude-desktop' }, where);
    const out = `${project}/gateway-config.json`;
    expect(result).toEqual({
      code: 0,
      stdout: snippet('mcpServers', out),
      stderr: [
        `Read ${home}/.config/Claude/claude_desktop_config.json (Claude Desktop, user scope)`,
        'Imported 5 servers:',
        '  filesystem (stdio, user)',
        '  github (stdio, user)',
        '    - env: GITHUB_PERSONAL_ACCESS_TOKEN',
        '  postgres (stdio, user)',
        '    - env: DATABASE_URL',
        '  linear (http, user)',
        '    - headers: Authorization',
        '  weather (stdio, user, disabled)',
        'Not imported, left as they are in the client (5):',
        '  Brave Search (user)',
        '    - the name is not valid for the gateway (1 to 32 letters, digits, "_" or "-"): rename it "Brave-Search" in the client and import again',
        '  sentry (user)',
        '    - "timeout" is not a field the gateway knows; remove it in the client and import again',
        '  notes (user)',
        '    - not a server object: expected {"command": ...} or {"url": ...}, found a string',
        '  templated (user)',
        '    - args[2]: ${API_TOKEN}: Claude Desktop passes "${...}" on as it is, but the gateway would replace it with an environment variable; remove it or write the value in the client, then import again',
        '  gateway (user)',
        `    - launches mcp-gateway itself (with --auto-register ${home}/gateway-config.json)`,
        `Wrote ${out} (5 servers).`,
        "Put this entry in Claude Desktop's config, in place of the servers imported:",
        '',
      ].join('\n'),
    });
    expect(await readJson(out)).toEqual({
      servers: {
        filesystem: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-filesystem', `${home}/Desktop`, `${home}/Downloads`],
        },
        github: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-github'],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_FAKE0000000000000000000000000000000000' },
        },
        postgres: {
          command: '/usr/local/bin/uvx',
          args: ['mcp-server-postgres'],
          env: { DATABASE_URL: 'postgresql://app:FAKE-db-password@localhost:5432/app' },
          cwd: `${home}/projects/app`,
        },
        linear: {
          type: 'http',
          url: 'https://mcp.linear.app/mcp',
          headers: { Authorization: 'Bearer lin_api_FAKE0000000000' },
        },
        weather: { command: 'python3', args: [`${home}/mcp/weather.py`], disabled: true },
      },
    });
    // The config holds the servers' secrets: readable by its owner only.
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it('finds the file where macOS keeps it, and under XDG_CONFIG_HOME on Linux', async () => {
    // Windows locations are computed in client-locations.test.ts: Windows paths cannot be read on this machine.
    const where = await installClientFixture('claude-desktop', dir);
    const source = path.join(where.home, '.config/Claude/claude_desktop_config.json');
    const mac = path.join(where.home, 'Library/Application Support/Claude/claude_desktop_config.json');
    await mkdir(path.dirname(mac), { recursive: true });
    await copyFile(source, mac);
    const onMac = await run({ client: 'claude-desktop', out: 'mac.json' }, where, { platform: 'darwin' });
    expect(onMac.code).toBe(0);
    expect(onMac.stderr).toContain(`Read ${mac} (Claude Desktop, user scope)\n`);

    const xdg = path.join(dir, 'xdg');
    await mkdir(path.join(xdg, 'Claude'), { recursive: true });
    await copyFile(source, path.join(xdg, 'Claude', 'claude_desktop_config.json'));
    const withXdg = await run({ client: 'claude-desktop', out: 'xdg.json' }, where, {
      env: { XDG_CONFIG_HOME: xdg },
    });
    expect(withXdg.code).toBe(0);
    expect(withXdg.stderr).toContain(
      `Read ${xdg}/Claude/claude_desktop_config.json (Claude Desktop, user scope)\n`,
    );
  });

  it('never prints the value of an env variable or a header', async () => {
    const where = await installClientFixture('claude-desktop', dir);
    const result = await run({ client: 'claude-desktop', rewriteClient: true }, where);
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/FAKE/);
  });
});

describe('runImport, Claude Code', () => {
  it('merges the user, project and local scopes of the current folder, the most specific winning', async () => {
    const where = await installClientFixture('claude-code', dir);
    const { home, project } = where;
    const out = `${project}/gateway-config.json`;
    const result = await run({ client: 'claude-code' }, where);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        `Read ${home}/.claude.json (Claude Code, user and local scopes)`,
        `Read ${project}/.mcp.json (Claude Code, project scope)`,
        'Imported 7 servers:',
        '  context7 (http, user)',
        '    - headers: CONTEXT7_API_KEY',
        '    - expands from the environment: CONTEXT7_API_KEY',
        '  memory (stdio, user)',
        '    - env: MEMORY_FILE_PATH',
        '    - expands from the environment: HOME',
        '  sentry (sse, user)',
        '  playwright (stdio, project, disabled)',
        `    - runs in ${project}, the project folder Claude Code ran it in`,
        '    - disabled, as Claude Code has it turned off for this project',
        '  docs (http, project)',
        '    - headers: Authorization',
        '    - expands from the environment: DOCS_TOKEN',
        '  db (stdio, local)',
        '    - env: DATABASE_URL',
        `    - runs in ${project}, the project folder Claude Code ran it in`,
        '  helper (stdio, local)',
        `    - runs in ${project}, the project folder Claude Code ran it in`,
        'Not imported, left as they are in the client (4):',
        '  tracker (project)',
        '    - "headersHelper" is not supported: the gateway runs no command to compute headers: put the headers in "headers" and import again',
        '  vault (project)',
        '    - env.VAULT_TOKEN: ${env:VAULT_TOKEN} is not a variable the gateway expands (it expands ${NAME} and ${NAME:-default})',
        '  db (user)',
        '    - the project scope has a server of the same name, which takes its place',
        '  db (project)',
        '    - the local scope has a server of the same name, which takes its place',
        `Wrote ${out} (7 servers).`,
        'The gateway config reads CONTEXT7_API_KEY, HOME, DOCS_TOKEN from the environment, which Claude Code passes on.',
        "Put this entry in Claude Code's config, in place of the servers imported:",
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe(
      snippet(
        'mcpServers',
        out,
        { env: { CONTEXT7_API_KEY: '${CONTEXT7_API_KEY:-}', DOCS_TOKEN: '${DOCS_TOKEN:-}' } },
        true,
      ),
    );
    expect(await readJson(out)).toEqual({
      servers: {
        context7: {
          type: 'http',
          url: 'https://mcp.context7.com/mcp',
          headers: { CONTEXT7_API_KEY: '${CONTEXT7_API_KEY}' },
        },
        memory: {
          type: 'stdio',
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-memory'],
          env: { MEMORY_FILE_PATH: '${HOME}/.memory.json' },
        },
        sentry: { type: 'sse', url: 'https://mcp.sentry.dev/sse' },
        playwright: { command: 'npx', args: ['@playwright/mcp@latest'], cwd: project, disabled: true },
        docs: {
          type: 'http',
          url: 'https://docs.example.com/mcp',
          headers: { Authorization: 'Bearer ${DOCS_TOKEN}' },
        },
        db: {
          type: 'stdio',
          command: 'node',
          args: ['tools/db-mcp.js'],
          env: { DATABASE_URL: 'postgresql://shop:FAKE-shop-password@localhost/shop' },
          cwd: project,
        },
        helper: { type: 'stdio', command: `${project}/bin/helper-mcp`, args: ['--verbose'], cwd: project },
      },
    });
  });

  it("reads one .mcp.json named with --from as its folder's project", async () => {
    const where = await installClientFixture('claude-code', dir);
    const result = await run({ client: 'claude-code', from: '.mcp.json', out: 'project.json' }, where);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      `Read ${where.project}/.mcp.json (Claude Code, project scope)`,
      'Imported 3 servers:',
    ]);
    // Outside Claude Code, nothing says playwright is turned off.
    expect(Object.keys((await readJson(`${where.project}/project.json`)) as { servers: object }).length).toBe(
      1,
    );
    expect(await readJson(`${where.project}/project.json`)).toMatchObject({
      servers: {
        playwright: { cwd: where.project },
        docs: {},
        db: { env: { DATABASE_URL: '${SHOP_DATABASE_URL}' } },
      },
    });
  });
});

describe('runImport, Cursor', () => {
  it('reads the global and project files, translating ${env:NAME}, ${userHome} and ${workspaceFolder}', async () => {
    const where = await installClientFixture('cursor', dir);
    const { home, project } = where;
    const out = `${project}/gateway-config.json`;
    const result = await run({ client: 'cursor' }, where);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        `Read ${home}/.cursor/mcp.json (Cursor, global scope)`,
        `Read ${project}/.cursor/mcp.json (Cursor, project scope)`,
        'Imported 5 servers:',
        '  notes (stdio, global)',
        '  context7 (http, global)',
        '    - headers: CONTEXT7_API_KEY',
        '    - expands from the environment: CONTEXT7_API_KEY',
        '  github (stdio, project)',
        '    - env: GITHUB_PERSONAL_ACCESS_TOKEN',
        '    - expands from the environment: SHOP_GITHUB_TOKEN',
        `    - runs in ${project}, the project folder Cursor ran it in`,
        '  shop-db (stdio, project)',
        '    - "autoApprove" left out: the client\'s list of tools it runs without asking',
        `    - runs in ${project}, the project folder Cursor ran it in`,
        '  local-tools (stdio, project)',
        `    - runs in ${project}, the project folder Cursor ran it in`,
        'Not imported, left as they are in the client (4):',
        '  scratch (global)',
        '    - args[0]: ${workspaceFolder} has no single value in a user-level file (it depends on the folder the client has open); write the path instead, or import the workspace file with --from',
        '  mcp-gateway (global)',
        `    - launches mcp-gateway itself (with --auto-register ${home}/gateway-config.json)`,
        '  secrets (project)',
        '    - "envFile" is not supported: the gateway reads no env file: copy the variables into "env" in the client (or into the environment the gateway runs in) and import again',
        '  github (global)',
        '    - the project scope has a server of the same name, which takes its place',
        `Wrote ${out} (5 servers).`,
        'The gateway config reads CONTEXT7_API_KEY, SHOP_GITHUB_TOKEN from the environment, which Cursor passes on.',
        "Put this entry in Cursor's config, in place of the servers imported:",
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe(
      snippet('mcpServers', out, {
        env: { CONTEXT7_API_KEY: '${env:CONTEXT7_API_KEY}', SHOP_GITHUB_TOKEN: '${env:SHOP_GITHUB_TOKEN}' },
      }),
    );
    expect(await readJson(out)).toEqual({
      servers: {
        notes: { command: 'node', args: [`${home}/mcp/notes/index.js`] },
        context7: {
          url: 'https://mcp.context7.com/mcp',
          headers: { CONTEXT7_API_KEY: '${CONTEXT7_API_KEY}' },
        },
        github: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-github'],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${SHOP_GITHUB_TOKEN}' },
          cwd: project,
        },
        'shop-db': {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-postgres', 'postgresql://localhost/shop'],
          cwd: project,
        },
        'local-tools': {
          command: `${project}/scripts/mcp.sh`,
          args: ['--root', project, '--name', 'shop'],
          cwd: project,
        },
      },
    });
  });
});

describe('runImport, VS Code', () => {
  it('reads mcp.json and settings.json of the user and the workspace, JSONC included', async () => {
    const where = await installClientFixture('vscode', dir);
    const { home, project } = where;
    const user = `${home}/.config/Code/User`;
    const out = `${project}/gateway-config.json`;
    const result = await run({ client: 'vscode' }, where);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        `Read ${user}/mcp.json (VS Code, user scope)`,
        `Read ${user}/settings.json (VS Code, user settings scope)`,
        `Read ${project}/.vscode/mcp.json (VS Code, workspace scope)`,
        'Imported 6 servers:',
        '  filesystem (stdio, user)',
        '  github (http, user)',
        '    - headers: Authorization',
        '    - expands from the environment: GITHUB_TOKEN',
        '  fetch (stdio, user)',
        '  time (stdio, user settings)',
        '  tests (stdio, workspace)',
        '    - "dev" left out: VS Code\'s development mode (watch and debug), which only VS Code itself can run',
        `    - runs in ${project}, the project folder VS Code ran it in`,
        '  staging (sse, workspace)',
        'Not imported, left as they are in the client (2):',
        '  perplexity (user)',
        '    - env.PERPLEXITY_API_KEY: ${input:perplexity-key} asks the user for a value when the server starts, which the gateway cannot do; put the value in an environment variable, write ${env:NAME} in the client instead, and import again',
        '  shop-api (workspace)',
        '    - "envFile" is not supported: the gateway reads no env file: copy the variables into "env" in the client (or into the environment the gateway runs in) and import again',
        `Wrote ${out} (6 servers).`,
        'The gateway config reads GITHUB_TOKEN from the environment, which VS Code passes on.',
        "Put this entry in VS Code's config, in place of the servers imported:",
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe(
      snippet('servers', out, { env: { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' } }, true),
    );
    expect(await readJson(out)).toEqual({
      servers: {
        filesystem: {
          type: 'stdio',
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-filesystem', `${home}/Documents`],
        },
        github: {
          type: 'http',
          url: 'https://api.githubcopilot.com/mcp/',
          headers: { Authorization: 'Bearer ${GITHUB_TOKEN}' },
        },
        fetch: { type: 'stdio', command: 'uvx', args: ['mcp-server-fetch'] },
        time: { type: 'stdio', command: 'uvx', args: ['mcp-server-time', '--local-timezone=Europe/Paris'] },
        tests: { type: 'stdio', command: 'node', args: ['tools/test-mcp.js'], cwd: project },
        staging: { type: 'sse', url: 'https://staging.example.com/sse' },
      },
    });
  });
});

describe('runImport, Windsurf', () => {
  it('maps serverUrl and disabledTools, keeps disabled servers, and leaves out its own gateway entry', async () => {
    const where = await installClientFixture('windsurf', dir);
    const { home, project } = where;
    const out = `${project}/gateway-config.json`;
    const result = await run({ client: 'windsurf' }, where);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        `Read ${home}/.codeium/windsurf/mcp_config.json (Windsurf, user scope)`,
        'Imported 4 servers:',
        '  github (stdio, user)',
        '    - env: GITHUB_PERSONAL_ACCESS_TOKEN',
        '    - expands from the environment: GITHUB_TOKEN',
        '  figma (http, user)',
        '    - headers: Authorization',
        '  git (stdio, user, disabled)',
        '  puppeteer (stdio, user)',
        '    - tools turned off: puppeteer_evaluate',
        'Not imported, left as they are in the client (2):',
        '  stripe (user)',
        `    - env.STRIPE_SECRET_KEY: \${file:${home}/.stripe-key} is a Windsurf variable the gateway cannot translate`,
        '  local (user)',
        `    - launches mcp-gateway itself (with --auto-register ${home}/gateway/gateway-config.json)`,
        `Wrote ${out} (4 servers).`,
        'The gateway config reads GITHUB_TOKEN from the environment, which Windsurf passes on.',
        "Put this entry in Windsurf's config, in place of the servers imported:",
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe(snippet('mcpServers', out, { env: { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' } }));
    expect(await readJson(out)).toEqual({
      servers: {
        github: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-github'],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_TOKEN}' },
        },
        figma: { url: 'https://mcp.figma.com/mcp', headers: { Authorization: 'Bearer figd_FAKE000000' } },
        git: { command: 'uvx', args: ['mcp-server-git'], disabled: true },
        puppeteer: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-puppeteer'],
          tools: { deny: ['puppeteer_evaluate'] },
        },
      },
    });
  });
});

describe('runImport, failures', () => {
  it('never overwrites the output without --force', async () => {
    const where = await installClientFixture('windsurf', dir);
    const out = path.join(where.project, 'gateway-config.json');
    await writeFile(out, 'keep me');
    const refused = await run({ client: 'windsurf' }, where);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${out} already exists; pass --force to overwrite it, or --out to write the config elsewhere\n`,
    });
    await expect(readFile(out, 'utf8')).resolves.toBe('keep me');

    const forced = await run({ client: 'windsurf', force: true }, where);
    expect(forced.code).toBe(0);
    expect(await readJson(out)).toMatchObject({ servers: { github: {}, figma: {}, git: {}, puppeteer: {} } });
  });

  it("never writes over the client's own file, even with --force", async () => {
    const where = await installClientFixture('windsurf', dir);
    const file = path.join(where.home, '.codeium/windsurf/mcp_config.json');
    const original = await readFile(file, 'utf8');
    expect(await run({ client: 'windsurf', out: file, force: true }, where)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: --out ${file} is the Windsurf config being read; write the gateway config elsewhere\n`,
    });
    await expect(readFile(file, 'utf8')).resolves.toBe(original);
  });

  it('writes --out relative to the working folder, creating its folders', async () => {
    const where = await installClientFixture('windsurf', dir);
    const result = await run({ client: 'windsurf', out: 'configs/gw/windsurf.json' }, where);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Wrote ${where.project}/configs/gw/windsurf.json (4 servers).\n`);
    expect(result.stdout).toContain(`"${where.project}/configs/gw/windsurf.json"`);
  });

  it('says where it looked when the client has no config', async () => {
    const where = await installClientFixture('windsurf', dir);
    const result = await run({ client: 'cursor' }, where);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'error: found no Cursor config; looked for:',
        `  ${where.home}/.cursor/mcp.json`,
        `  ${where.project}/.cursor/mcp.json`,
        'name the file with --from PATH',
        '',
      ].join('\n'),
    });
  });

  it('fails on a missing or invalid --from file, with the line and column', async () => {
    const where = await installClientFixture('windsurf', dir);
    expect(await run({ client: 'claude-desktop', from: 'nope.json' }, where)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${where.project}/nope.json: cannot read the file (no such file); check the path given to --from\n`,
    });
    const broken = path.join(where.project, 'broken.json');
    await writeFile(broken, '{\n  "mcpServers": {\n    "a": { "command": "npx" }\n    "b": {}\n  }\n}\n');
    expect(await run({ client: 'claude-desktop', from: broken }, where)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${broken}:4:5: not valid JSON: expected "," between two items; fix the file (the client cannot read it either), or name another file with --from\n`,
    });
    await expect(readdir(where.project)).resolves.toEqual(['broken.json']);
  });

  it('writes nothing when no server can be imported', async () => {
    const where = await installClientFixture('windsurf', dir);
    const only = path.join(where.project, 'only.json');
    await writeFile(only, JSON.stringify({ mcpServers: { 'my server': { command: 'npx' } } }));
    const result = await run({ client: 'claude-desktop', from: only }, where);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').slice(-2)).toEqual([
      `error: none of the 1 server found can be imported (see above); ${where.project}/gateway-config.json was not written`,
      '',
    ]);
    await writeFile(only, '{"mcpServers": {}}');
    expect((await run({ client: 'claude-desktop', from: only }, where)).stderr).toBe(
      `Read ${only} (Claude Desktop, user scope)\nerror: no servers in ${only}; ${where.project}/gateway-config.json was not written\n`,
    );
    await expect(readdir(where.project)).resolves.toEqual(['only.json']);
  });

  it('is a usage error for an unknown client', async () => {
    const where = await installClientFixture('windsurf', dir);
    expect(await run({ client: 'emacs' }, where)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: unknown client "emacs": expected one of claude-desktop, claude-code, cursor, vscode, windsurf\n',
    });
  });
});

describe('runImport --rewrite-client', () => {
  it('replaces the imported servers by the gateway entry after a backup, keeping everything else', async () => {
    const where = await installClientFixture('claude-desktop', dir);
    const file = path.join(where.home, '.config/Claude/claude_desktop_config.json');
    const original = await readFile(file, 'utf8');
    const out = `${where.project}/gateway-config.json`;
    const result = await run({ client: 'claude-desktop', rewriteClient: true }, where);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(snippet('mcpServers', out));
    expect(result.stderr.split('\n').slice(-4)).toEqual([
      `Wrote ${out} (5 servers).`,
      `Rewrote ${file}: took out 5 servers, replaced the "gateway" entry (backup: ${file}.20260307-090503.bak).`,
      'Claude Desktop now starts the gateway with this entry:',
      '',
    ]);
    await expect(readFile(`${file}.20260307-090503.bak`, 'utf8')).resolves.toBe(original);
    const rewritten = (await readJson(file)) as {
      mcpServers: Record<string, unknown>;
      globalShortcut: string;
    };
    expect(rewritten.globalShortcut).toBe('Ctrl+Alt+Space');
    // What was not imported stays; the old gateway entry named "gateway" is replaced.
    expect(Object.keys(rewritten.mcpServers)).toEqual([
      'Brave Search',
      'sentry',
      'notes',
      'templated',
      'gateway',
    ]);
    expect(rewritten.mcpServers.gateway).toEqual({
      command: '/usr/bin/node',
      args: ['/opt/gw/dist/cli.js', '--auto-register', out],
    });
  });

  it('keeps the comments of a VS Code file, and edits every file servers came from', async () => {
    const where = await installClientFixture('vscode', dir);
    const user = path.join(where.home, '.config/Code/User');
    const result = await run({ client: 'vscode', rewriteClient: true }, where);
    expect(result.code).toBe(0);
    const out = `${where.project}/gateway-config.json`;
    expect(await readFile(path.join(user, 'mcp.json'), 'utf8')).toBe(
      [
        '// MCP servers for every workspace.',
        '{',
        '  "inputs": [',
        '    {',
        '      "type": "promptString",',
        '      "id": "perplexity-key",',
        '      "description": "Perplexity API key",',
        '      "password": true',
        '    }',
        '  ],',
        '  "servers": {',
        '    "perplexity": {',
        '      "type": "stdio",',
        '      "command": "npx",',
        '      "args": ["-y", "server-perplexity-ask"],',
        '      "env": { "PERPLEXITY_API_KEY": "${input:perplexity-key}" }',
        '    },',
        '    "gateway": {',
        '      "type": "stdio",',
        '      "command": "/usr/bin/node",',
        '      "args": [',
        '        "/opt/gw/dist/cli.js",',
        '        "--auto-register",',
        `        "${out}"`,
        '      ],',
        '      "env": {',
        '        "GITHUB_TOKEN": "${env:GITHUB_TOKEN}"',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(await readFile(path.join(user, 'settings.json'), 'utf8')).toBe(
      [
        '{',
        '  "editor.fontSize": 14,',
        '  // Older form: servers inside the settings.',
        '  "mcp": {',
        '    "servers": {}',
        '  },',
        '  "workbench.colorTheme": "Default Dark Modern"',
        '}',
        '',
      ].join('\n'),
    );
    expect(await readFile(path.join(where.project, '.vscode/mcp.json'), 'utf8')).toBe(
      [
        '{',
        '  // Project servers, shared with the team.',
        '  "servers": {',
        '    "shop-api": {',
        '      "type": "stdio",',
        '      "command": "node",',
        '      "args": ["${workspaceFolder}/tools/api-mcp.js"],',
        '      "envFile": "${workspaceFolder}/.env"',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect((await readdir(user)).sort()).toEqual([
      'mcp.json',
      'mcp.json.20260307-090503.bak',
      'settings.json',
      'settings.json.20260307-090503.bak',
    ]);
  });

  it('leaves every file as it was when the gateway entry cannot be placed', async () => {
    const where = await installClientFixture('windsurf', dir);
    const file = path.join(where.home, '.codeium/windsurf/mcp_config.json');
    // "gateway" is not imported (it has a field the gateway does not know) and is not mcp-gateway: it must stay.
    const text = JSON.stringify({
      mcpServers: { git: { command: 'uvx' }, gateway: { command: 'my-gateway', timeout: 5 } },
    });
    await writeFile(file, text);
    const result = await run({ client: 'windsurf', rewriteClient: true }, where);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').at(-2)).toBe(
      `error: ${file}: "mcpServers.gateway" already holds a server that is not mcp-gateway, and the gateway's entry is named "gateway"; rename that server in the client, then import again`,
    );
    await expect(readFile(file, 'utf8')).resolves.toBe(text);
    await expect(readdir(where.project)).resolves.toEqual([]);
  });
});

describe('createImportCommand', () => {
  async function parse(args: string[]): Promise<{ code: number | undefined; error: unknown; output: Run }> {
    const where = await installClientFixture('windsurf', dir);
    const output = { stdout: '', stderr: '' };
    let code: number | undefined;
    const command = createImportCommand((exit) => (code = exit), io(where, output));
    const error = await command.parseAsync(args, { from: 'user' }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    return { code, error, output: { code: code ?? -1, ...output } };
  }

  it('runs the import with the parsed flags and hands back its exit code', async () => {
    const { code, error, output } = await parse(['windsurf', '--out', 'w.json', '--force']);
    expect(error).toBeUndefined();
    expect(code).toBe(0);
    expect(output.stderr).toContain('/work/shop/w.json (4 servers).\n');
  });

  it.each([
    [
      ['emacs'],
      "error: command-argument value 'emacs' is invalid for argument 'client'. Allowed choices are claude-desktop, claude-code, cursor, vscode, windsurf.\n",
    ],
    [['cursor', '--bogus'], "error: unknown option '--bogus'\n"],
    [[], "error: missing required argument 'client'\n"],
    [['cursor', 'extra'], 'error: too many arguments. Expected 1 argument but got 2.\n'],
  ])('throws a CommanderError for %j without running', async (args, message) => {
    const { code, error, output } = await parse(args);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).toBe(1);
    expect(code).toBeUndefined();
    expect(output.stderr).toBe(message);
  });

  it('documents the clients, their files and the variable translation in --help', async () => {
    const { error, output } = await parse(['--help']);
    expect((error as CommanderError).exitCode).toBe(0);
    for (const text of [
      'Usage: import [options] <client>',
      '--from <path>',
      '--out <path>',
      '--force',
      '--rewrite-client',
      '~/Library/Application Support/Claude/claude_desktop_config.json',
      '%APPDATA%\\Claude\\claude_desktop_config.json',
      '~/.claude.json: user scope',
      './.mcp.json: project scope',
      '~/.cursor/mcp.json (global), then ./.cursor/mcp.json (project)',
      './.vscode/mcp.json',
      '~/.codeium/windsurf/mcp_config.json',
      '${env:NAME} becomes ${NAME}',
      '<file>.<YYYYMMDD-HHMMSS>.bak',
      'Exit codes: 0 done, 1 failure',
    ]) {
      expect(output.stdout).toContain(text);
    }
  });
});

describe('runImport --rewrite-client, several files', () => {
  it('puts the gateway where the first server was, and points at an older gateway entry left in place', async () => {
    const where = await installClientFixture('cursor', dir);
    const global = path.join(where.home, '.cursor/mcp.json');
    const project = path.join(where.project, '.cursor/mcp.json');
    const result = await run({ client: 'cursor', rewriteClient: true }, where);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').slice(-7)).toEqual([
      `Wrote ${where.project}/gateway-config.json (5 servers).`,
      'The gateway config reads CONTEXT7_API_KEY, SHOP_GITHUB_TOKEN from the environment, which Cursor passes on.',
      `Rewrote ${global}: took out 2 servers, added "gateway" (backup: ${global}.20260307-090503.bak).`,
      `Rewrote ${project}: took out 3 servers (backup: ${project}.20260307-090503.bak).`,
      `Still in ${global}: "mcp-gateway", which starts mcp-gateway too; remove it if the new "gateway" entry takes its place.`,
      'Cursor now starts the gateway with this entry:',
      '',
    ]);
    const globalServers = ((await readJson(global)) as { mcpServers: object }).mcpServers;
    // github stays: the project's github was the one imported.
    expect(Object.keys(globalServers)).toEqual(['github', 'scratch', 'mcp-gateway', 'gateway']);
    const projectServers = ((await readJson(project)) as { mcpServers: object }).mcpServers;
    expect(Object.keys(projectServers)).toEqual(['secrets']);
  });
});
