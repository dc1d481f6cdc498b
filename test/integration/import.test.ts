import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load-config.js';
import { callTool, CLI_PATH, fixtureServer } from '../helpers/gateway-process.js';
import { textOf } from '../helpers/text-of.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

interface ClientEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

interface ListedServer {
  name: string;
  state: string;
  tools: string[];
}

/** A home folder with its config folders, and a project folder to run the command in. */
interface Machine {
  home: string;
  project: string;
  env: NodeJS.ProcessEnv;
}

async function makeMachine(dir: string): Promise<Machine> {
  const home = path.join(dir, 'home');
  const project = path.join(home, 'work', 'shop');
  await mkdir(project, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    APPDATA: path.join(home, 'AppData', 'Roaming'),
    CLAUDE_CONFIG_DIR: undefined,
  };
  return { home, project, env };
}

/** Runs `node dist/cli.js ...args` in the project folder with the machine's environment, to completion. */
function run(machine: Machine, args: readonly string[]): Promise<CliRun> {
  return runCli(args, { cwd: machine.project, replaceEnv: true, env: machine.env });
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Starts the gateway the way a client would with this entry, and lists its servers. */
async function listServersThrough(
  entry: ClientEntry,
  cwd: string,
): Promise<{ client: Client; servers: ListedServer[] }> {
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    cwd,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'import-test', version: '1.0.0' });
  await client.connect(transport);
  const result = await callTool(client, 'list_servers');
  return { client, servers: (result.structuredContent as { servers: ListedServer[] }).servers };
}

describe('mcp-gateway import', () => {
  let dir: string;
  let machine: Machine;
  const marker = `marker-${randomUUID()}`;
  const echoEnv = (name: string): Record<string, string> => ({
    FIXTURE_NAME: name,
    GATEWAY_TEST_MARKER: marker,
  });

  beforeAll(async () => {
    dir = await makeTempDir('gateway-import-');
    machine = await makeMachine(dir);
    await writeJson(path.join(machine.home, '.config', 'Claude', 'claude_desktop_config.json'), {
      globalShortcut: 'Ctrl+Alt+Space',
      mcpServers: {
        echo: fixtureServer('echo.mjs', { env: echoEnv('echo-one') }),
        second: fixtureServer('echo.mjs', { env: { ...echoEnv('echo-two'), API_KEY: 'FAKE-secret-value' } }),
        'Bad Name': fixtureServer('echo.mjs'),
        gateway: { command: process.execPath, args: [CLI_PATH, '--auto-register', '/elsewhere/config.json'] },
      },
    });
  });

  afterAll(async () => {
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
    await removeTempDir(dir);
  });

  it('writes a config the gateway starts with, and prints the entry that starts it', async () => {
    const out = path.join(machine.project, 'gateway-config.json');
    const result = await run(machine, ['import', 'claude-desktop']);
    expect(result.code).toBe(0);
    const entry = (JSON.parse(result.stdout) as { mcpServers: { gateway: ClientEntry } }).mcpServers.gateway;
    expect(entry).toEqual({ command: process.execPath, args: [CLI_PATH, '--auto-register', out] });
    expect(result.stderr).toBe(
      [
        `Read ${machine.home}/.config/Claude/claude_desktop_config.json (Claude Desktop, user scope)`,
        'Imported 2 servers:',
        '  echo (stdio, user)',
        '    - env: FIXTURE_NAME, GATEWAY_TEST_MARKER',
        '  second (stdio, user)',
        '    - env: FIXTURE_NAME, GATEWAY_TEST_MARKER, API_KEY',
        'Not imported, left as they are in the client (2):',
        '  Bad Name (user)',
        '    - the name is not valid for the gateway (1 to 32 letters, digits, "_" or "-"): rename it "Bad-Name" in the client and import again',
        '  gateway (user)',
        '    - launches mcp-gateway itself (with --auto-register /elsewhere/config.json)',
        `Wrote ${out} (2 servers).`,
        "Put this entry in Claude Desktop's config, in place of the servers imported:",
        '',
      ].join('\n'),
    );
    expect(result.stderr).not.toContain('FAKE-secret-value');

    const config = await loadConfig(out);
    expect(Object.keys(config.servers)).toEqual(['echo', 'second']);

    const { client, servers } = await listServersThrough(entry, dir);
    try {
      expect(servers.map((server) => [server.name, server.state])).toEqual([
        ['echo', 'ready'],
        ['second', 'ready'],
      ]);
      expect(servers[0]?.tools).toContain('echo');
      const echoed = await callTool(client, 'call_backend', {
        server: 'second',
        tool: 'echo',
        params: '{"text": "through the imported config"}',
      });
      expect(textOf(echoed)).toBe('through the imported config');
    } finally {
      await client.close();
    }
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
  });

  it('exits 1 when the output exists, unless --force', async () => {
    const out = path.join(machine.project, 'exists.json');
    await writeFile(out, '{}');
    const refused = await run(machine, ['import', 'claude-desktop', '--out', 'exists.json']);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${out} already exists; pass --force to overwrite it, or --out to write the config elsewhere\n`,
    });
    const forced = await run(machine, ['import', 'claude-desktop', '--out', 'exists.json', '--force']);
    expect(forced.code).toBe(0);
    expect(Object.keys((await loadConfig(out)).servers)).toEqual(['echo', 'second']);
  });

  it('exits 1 when the client has no config, or it is not valid JSON', async () => {
    const missing = await run(machine, ['import', 'windsurf', '--out', 'windsurf.json']);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: found no Windsurf config; looked for:\n  ${machine.home}/.codeium/windsurf/mcp_config.json\nname the file with --from PATH\n`,
    });
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{\n  "mcpServers": {\n    "a": { "command": "npx", }\n  }\n}\n');
    const invalid = await run(machine, ['import', 'claude-desktop', '--from', broken, '--out', 'x.json']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      `error: ${broken}:3:30: not valid JSON: expected a property name in double quotes; fix the file (the client cannot read it either), or name another file with --from\n`,
    );
  });

  it.each([
    [['import', 'emacs'], "error: command-argument value 'emacs' is invalid for argument 'client'."],
    [['import', 'cursor', '--bogus'], "error: unknown option '--bogus'"],
    [['import'], "error: missing required argument 'client'"],
    [['import', 'cursor', '--out'], "error: option '--out <path>' argument missing"],
  ])('exits 2 on %j', async (args, message) => {
    const result = await run(machine, args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('lists the subcommand in the help, and documents it in its own', async () => {
    const root = await run(machine, ['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('import [options] <client>');
    const own = await run(machine, ['import', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain('Usage: mcp-gateway import [options] <client>');
    expect(own.stdout).toContain('~/.codeium/windsurf/mcp_config.json');
  });

  it('rewrites a VS Code file: comments kept, imported servers swapped for the gateway, a backup beside it', async () => {
    const other = await makeMachine(path.join(dir, 'vscode'));
    const userFolder = path.join(other.home, '.config', 'Code', 'User');
    const file = path.join(userFolder, 'mcp.json');
    const echo = fixtureServer('echo.mjs', { env: echoEnv('vscode-echo') });
    const original = [
      '// My MCP servers.',
      '{',
      '  "inputs": [{ "type": "promptString", "id": "token", "password": true }],',
      '  "servers": {',
      '    // Echoes what it is given.',
      `    "echo": ${JSON.stringify({ type: 'stdio', ...echo })},`,
      '    /* Asks for a token: stays here. */',
      `    "asks": { "type": "stdio", "command": "npx", "env": { "TOKEN": "\${input:token}" } },`,
      '  },',
      '}',
      '',
    ].join('\n');
    await mkdir(userFolder, { recursive: true });
    await writeFile(file, original);

    const result = await run(other, ['import', 'vscode', '--rewrite-client']);
    expect(result.code).toBe(0);
    const out = path.join(other.project, 'gateway-config.json');
    const backups = (await readdir(userFolder)).filter((name) => name.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^mcp\.json\.\d{8}-\d{6}\.bak$/);
    await expect(readFile(path.join(userFolder, backups[0] ?? ''), 'utf8')).resolves.toBe(original);

    const rewritten = await readFile(file, 'utf8');
    expect(rewritten).toContain('// My MCP servers.');
    expect(rewritten).toContain('/* Asks for a token: stays here. */');
    expect(rewritten).not.toContain('// Echoes what it is given.');
    const client = parseJsonc(rewritten) as {
      inputs: unknown[];
      servers: { asks: unknown; gateway: ClientEntry & { type: string } };
    };
    expect(client.inputs).toHaveLength(1);
    expect(Object.keys(client.servers)).toEqual(['asks', 'gateway']);
    expect(client.servers.gateway).toEqual({
      type: 'stdio',
      command: process.execPath,
      args: [CLI_PATH, '--auto-register', out],
    });
    expect(JSON.parse(result.stdout)).toEqual({ servers: { gateway: client.servers.gateway } });

    // The client's new entry starts the gateway with the imported server.
    const { client: mcp, servers } = await listServersThrough(client.servers.gateway, other.home);
    try {
      expect(servers.map((server) => [server.name, server.state])).toEqual([['echo', 'ready']]);
    } finally {
      await mcp.close();
    }
    await waitForProcessesGone(findProcessesByMarker(marker), 6000);
  });
});
