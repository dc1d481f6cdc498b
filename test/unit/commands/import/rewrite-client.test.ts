import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  applyRewrite,
  backupName,
  planRewrite,
  type RewriteRequest,
} from '../../../../src/commands/import/rewrite-client.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

const NOW = new Date(2026, 2, 7, 9, 5, 3);
const ENTRY = {
  type: 'stdio' as const,
  command: '/usr/bin/node',
  args: ['/opt/gw/dist/cli.js', '--auto-register', '/g.json'],
};

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('gateway-import-rewrite-');
});

afterEach(async () => {
  await removeTempDir(dir);
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function request(file: string, remove: string[][], extra: Partial<RewriteRequest> = {}): RewriteRequest {
  return {
    jsonc: true,
    remove: remove.map((entryPath) => ({ file, path: entryPath })),
    target: { file, serversPath: ['servers'] },
    entry: ENTRY,
    now: NOW,
    cliPath: '/opt/gw/dist/cli.js',
    ...extra,
  };
}

describe('backupName', () => {
  it('stamps the local date and time', () => {
    expect(backupName('/home/alex/.cursor/mcp.json', NOW)).toBe(
      '/home/alex/.cursor/mcp.json.20260307-090503.bak',
    );
    expect(backupName('C:\\x\\mcp.json', new Date(2026, 11, 31, 23, 59, 59))).toBe(
      'C:\\x\\mcp.json.20261231-235959.bak',
    );
  });
});

describe('planRewrite and applyRewrite', () => {
  it('swaps the imported servers for the gateway, keeping other comments, tabs, the trailing-comma style and other keys', async () => {
    const original = [
      '// Servers for this workspace.',
      '{',
      '\t"inputs": [{ "type": "promptString", "id": "key", "password": true }],',
      '\t"servers": {',
      '\t\t// Imported.',
      '\t\t"fetch": { "type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"] },',
      '\t\t/* Not imported: it prompts for its key. */',
      '\t\t"ask": { "type": "stdio", "command": "npx", "env": { "KEY": "${input:key}" } },',
      '\t\t"time": { "type": "stdio", "command": "uvx", },',
      '\t},',
      '}',
      '',
    ].join('\n');
    const file = await write('mcp.json', original);
    const plans = await planRewrite(
      request(file, [
        ['servers', 'fetch'],
        ['servers', 'time'],
      ]),
    );
    expect(plans).toEqual([
      {
        file,
        text: [
          '// Servers for this workspace.',
          '{',
          '\t"inputs": [{ "type": "promptString", "id": "key", "password": true }],',
          '\t"servers": {',
          '\t\t/* Not imported: it prompts for its key. */',
          '\t\t"ask": { "type": "stdio", "command": "npx", "env": { "KEY": "${input:key}" } },',
          '\t\t"gateway": {',
          '\t\t\t"type": "stdio",',
          '\t\t\t"command": "/usr/bin/node",',
          '\t\t\t"args": [',
          '\t\t\t\t"/opt/gw/dist/cli.js",',
          '\t\t\t\t"--auto-register",',
          '\t\t\t\t"/g.json"',
          '\t\t\t]',
          '\t\t},',
          '\t},',
          '}',
          '',
        ].join('\n'),
        backup: `${file}.20260307-090503.bak`,
        removed: 2,
        getsGateway: true,
        replacesGateway: false,
      },
    ]);
    // Planning writes nothing.
    await expect(readFile(file, 'utf8')).resolves.toBe(original);

    await applyRewrite(plans);
    await expect(readFile(file, 'utf8')).resolves.toBe(plans[0]?.text);
    await expect(readFile(`${file}.20260307-090503.bak`, 'utf8')).resolves.toBe(original);
  });

  it('edits several files, the gateway going to the target only, and keeps CRLF line endings and a BOM', async () => {
    const user = await write(
      'claude.json',
      '\uFEFF{\r\n  "theme": "dark",\r\n  "mcpServers": {\r\n    "memory": { "command": "npx" }\r\n  },\r\n  "projects": {\r\n    "/w": { "mcpServers": { "db": { "command": "node" } }, "history": [] }\r\n  }\r\n}\r\n',
    );
    const project = await write(
      '.mcp.json',
      '{\n  "mcpServers": {\n    "docs": { "type": "http", "url": "https://d.example/mcp" }\n  }\n}\n',
    );
    const plans = await planRewrite({
      jsonc: false,
      remove: [
        { file: user, path: ['mcpServers', 'memory'] },
        { file: project, path: ['mcpServers', 'docs'] },
        { file: user, path: ['projects', '/w', 'mcpServers', 'db'] },
      ],
      target: { file: user, serversPath: ['mcpServers'] },
      entry: { command: 'npx', args: ['-y', 'mcp-multi-server-gateway', '--auto-register', '/g.json'] },
      now: NOW,
      cliPath: '/opt/gw/dist/cli.js',
    });
    expect(plans.map(({ file, removed, getsGateway }) => ({ file, removed, getsGateway }))).toEqual([
      { file: user, removed: 2, getsGateway: true },
      { file: project, removed: 1, getsGateway: false },
    ]);
    expect(plans[0]?.text).toBe(
      '\uFEFF{\r\n  "theme": "dark",\r\n  "mcpServers": {\r\n    "gateway": {\r\n      "command": "npx",\r\n      "args": [\r\n        "-y",\r\n        "mcp-multi-server-gateway",\r\n        "--auto-register",\r\n        "/g.json"\r\n      ]\r\n    }\r\n  },\r\n  "projects": {\r\n    "/w": { "mcpServers": {}, "history": [] }\r\n  }\r\n}\r\n',
    );
    expect(plans[1]?.text).toBe('{\n  "mcpServers": {}\n}\n');
    await applyRewrite(plans);
    expect((await readdir(dir)).sort()).toEqual([
      '.mcp.json',
      '.mcp.json.20260307-090503.bak',
      'claude.json',
      'claude.json.20260307-090503.bak',
    ]);
  });

  it('adds the servers object when the target has none yet', async () => {
    const file = await write('settings.json', '{\n    "editor.fontSize": 14\n}\n');
    const [plan] = await planRewrite({
      ...request(file, []),
      target: { file, serversPath: ['mcp', 'servers'] },
    });
    expect(JSON.parse(plan?.text ?? '')).toEqual({
      'editor.fontSize': 14,
      mcp: { servers: { gateway: ENTRY } },
    });
    expect(plan?.text).toContain('\n    "mcp": {\n        "servers": {\n            "gateway": {\n');
  });

  it('replaces an older entry of the gateway named "gateway"', async () => {
    const file = await write(
      'mcp.json',
      JSON.stringify(
        { servers: { gateway: { command: 'mcp-gateway', args: ['--auto-register', 'old.json'] } } },
        null,
        2,
      ),
    );
    const [plan] = await planRewrite(request(file, []));
    expect(plan?.replacesGateway).toBe(true);
    expect(JSON.parse(plan?.text ?? '')).toEqual({ servers: { gateway: ENTRY } });
  });

  it('recognizes an older entry that runs this copy of the gateway by path', async () => {
    const older = { command: '/usr/bin/node', args: ['/opt/gw/dist/cli.js', '--auto-register', '/old.json'] };
    const file = await write('mcp.json', JSON.stringify({ servers: { gateway: older } }));
    const [plan] = await planRewrite(request(file, []));
    expect(plan?.replacesGateway).toBe(true);
    await expect(planRewrite(request(file, [], { cliPath: '/elsewhere/dist/cli.js' }))).rejects.toThrow(
      'already holds a server that is not mcp-gateway',
    );
  });

  it('refuses to replace another server named "gateway", and writes nothing', async () => {
    const text = JSON.stringify({
      servers: { fetch: { command: 'uvx' }, gateway: { command: 'my-own-gateway' } },
    });
    const file = await write('mcp.json', text);
    await expect(planRewrite(request(file, [['servers', 'fetch']]))).rejects.toThrow(
      `${file}: "servers.gateway" already holds a server that is not mcp-gateway, and the gateway's entry is named "gateway"; rename that server in the client, then import again`,
    );
    await expect(readFile(file, 'utf8')).resolves.toBe(text);
  });

  it('refuses a file that became invalid since it was read', async () => {
    const file = await write('mcp.json', '{"servers": {');
    await expect(planRewrite(request(file, []))).rejects.toThrow(
      `${file}:1:14: not valid JSON with comments`,
    );
  });

  it('never overwrites an existing backup', async () => {
    const file = await write('mcp.json', '{"servers": {}}');
    await write('mcp.json.20260307-090503.bak', 'older backup');
    const plans = await planRewrite(request(file, []));
    await expect(applyRewrite(plans)).rejects.toThrow(
      `${file}: cannot back it up to ${file}.20260307-090503.bak (EEXIST); the file is unchanged`,
    );
    await expect(readFile(file, 'utf8')).resolves.toBe('{"servers": {}}');
    await expect(readFile(`${file}.20260307-090503.bak`, 'utf8')).resolves.toBe('older backup');
  });
});
