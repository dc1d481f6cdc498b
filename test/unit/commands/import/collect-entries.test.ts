import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultSources, sourcesFromFile } from '../../../../src/commands/import/client-locations.js';
import { collectEntries } from '../../../../src/commands/import/collect-entries.js';
import { installClientFixture } from './client-fixtures.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('gateway-import-collect-');
});

afterEach(async () => {
  await removeTempDir(dir);
});

describe('collectEntries', () => {
  it("lists Claude Code's entries the way Claude Code sees them: local beats project beats user", async () => {
    const { home, project } = await installClientFixture('claude-code', dir);
    const sources = defaultSources('claude-code', { platform: 'linux', home, env: {}, cwd: project });
    const collected = await collectEntries(sources, { jsonc: false, required: false });

    expect(collected.sourcesRead.map(({ file, scope }) => `${scope} ${file}`)).toEqual([
      `user ${home}/.claude.json`,
      `project ${project}/.mcp.json`,
      `local ${home}/.claude.json`,
    ]);
    expect(collected.sourcesMissing).toEqual([]);
    expect(collected.entries.map((entry) => `${entry.source.scope}:${entry.name}`)).toEqual([
      'user:context7',
      'user:memory',
      'user:sentry',
      'project:playwright',
      'project:docs',
      'project:tracker',
      'project:vault',
      'local:db',
      'local:helper',
    ]);
    expect(
      collected.shadowed.map(({ entry, by }) => `${entry.source.scope}:${entry.name} by ${by.source.scope}`),
    ).toEqual(['user:db by project', 'project:db by local']);
    const db = collected.entries.find((entry) => entry.name === 'db');
    expect(db?.path).toEqual(['projects', project, 'mcpServers', 'db']);
    // Turned off in ~/.claude.json for this project.
    expect(collected.entries.filter((entry) => entry.disabledByClient).map((entry) => entry.name)).toEqual([
      'playwright',
    ]);
  });

  it('reads each file once and notes the ones missing', async () => {
    const { home, project } = await installClientFixture('cursor', dir);
    const sources = defaultSources('vscode', { platform: 'linux', home, env: {}, cwd: project });
    const collected = await collectEntries(sources, { jsonc: true, required: false });
    expect(collected.sourcesRead).toEqual([]);
    expect(collected.sourcesMissing.map(({ file }) => file)).toEqual([
      `${home}/.config/Code/User/mcp.json`,
      `${home}/.config/Code/User/settings.json`,
      `${project}/.vscode/mcp.json`,
      `${project}/.vscode/settings.json`,
    ]);
  });

  it('reads both forms of VS Code file given with --from', async () => {
    const { home, project } = await installClientFixture('vscode', dir);
    const context = { platform: 'linux' as const, home, env: {}, cwd: project };
    const settings = `${home}/.config/Code/User/settings.json`;
    const fromSettings = await collectEntries(sourcesFromFile('vscode', settings, context), {
      jsonc: true,
      required: true,
    });
    expect(fromSettings.entries.map((entry) => [entry.name, entry.path])).toEqual([
      ['time', ['mcp', 'servers', 'time']],
    ]);
    const fromWorkspace = await collectEntries(sourcesFromFile('vscode', '.vscode/mcp.json', context), {
      jsonc: true,
      required: true,
    });
    expect(fromWorkspace.entries.map((entry) => entry.name)).toEqual(['shop-api', 'tests', 'staging']);
    expect(fromWorkspace.entries[0]?.source.workspaceFolder).toBe(project);
  });

  it('fails on a missing --from file and on servers that are not an object', async () => {
    const missing = path.join(dir, 'missing.json');
    await expect(
      collectEntries(
        [{ file: missing, scope: 'user', serversPaths: [['mcpServers']], workspaceFolder: undefined }],
        {
          jsonc: false,
          required: true,
        },
      ),
    ).rejects.toThrow(`${missing}: cannot read the file (no such file); check the path given to --from`);

    const file = path.join(dir, 'list.json');
    await writeFile(file, JSON.stringify({ mcpServers: [{ command: 'npx' }] }));
    await expect(
      collectEntries([{ file, scope: 'user', serversPaths: [['mcpServers']], workspaceFolder: undefined }], {
        jsonc: false,
        required: true,
      }),
    ).rejects.toThrow(
      `${file}: expected "mcpServers" to be an object of servers ({"name": {...}}), found an array; fix the file, or name another file with --from`,
    );
  });
});
