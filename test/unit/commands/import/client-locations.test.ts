import { describe, expect, it } from 'vitest';

import {
  defaultSources,
  sourcesFromFile,
  type LocationContext,
} from '../../../../src/commands/import/client-locations.js';

const mac: LocationContext = {
  platform: 'darwin',
  home: '/Users/alex',
  env: {},
  cwd: '/Users/alex/work/shop',
};
const linux: LocationContext = {
  platform: 'linux',
  home: '/home/alex',
  env: {},
  cwd: '/home/alex/work/shop',
};
const windows: LocationContext = {
  platform: 'win32',
  home: 'C:\\Users\\alex',
  env: { APPDATA: 'C:\\Users\\alex\\AppData\\Roaming' },
  cwd: 'C:\\work\\shop',
};

/** Each source as `file [servers paths] (scope, workspace)`, to compare whole lists at a glance. */
function summarize(context: LocationContext, client: Parameters<typeof defaultSources>[0]): string[] {
  return defaultSources(client, context).map(show);
}

function show(source: ReturnType<typeof defaultSources>[number]): string {
  const paths = source.serversPaths.map((path) => path.join('.')).join(' | ');
  return `${source.file} [${paths}] (${source.scope}, ${source.workspaceFolder ?? '-'})`;
}

describe('defaultSources', () => {
  it('finds Claude Desktop in the application data folder of each OS', () => {
    expect(summarize(mac, 'claude-desktop')).toEqual([
      '/Users/alex/Library/Application Support/Claude/claude_desktop_config.json [mcpServers] (user, -)',
    ]);
    expect(summarize(windows, 'claude-desktop')).toEqual([
      'C:\\Users\\alex\\AppData\\Roaming\\Claude\\claude_desktop_config.json [mcpServers] (user, -)',
    ]);
    expect(summarize(linux, 'claude-desktop')).toEqual([
      '/home/alex/.config/Claude/claude_desktop_config.json [mcpServers] (user, -)',
    ]);
  });

  it('honours XDG_CONFIG_HOME on Linux, and falls back when APPDATA is unset on Windows', () => {
    expect(summarize({ ...linux, env: { XDG_CONFIG_HOME: '/home/alex/.xdg' } }, 'claude-desktop')).toEqual([
      '/home/alex/.xdg/Claude/claude_desktop_config.json [mcpServers] (user, -)',
    ]);
    expect(summarize({ ...linux, env: { XDG_CONFIG_HOME: '' } }, 'claude-desktop')).toEqual([
      '/home/alex/.config/Claude/claude_desktop_config.json [mcpServers] (user, -)',
    ]);
    // XDG_CONFIG_HOME is a Linux convention: macOS apps ignore it.
    expect(summarize({ ...mac, env: { XDG_CONFIG_HOME: '/Users/alex/.xdg' } }, 'claude-desktop')).toEqual([
      '/Users/alex/Library/Application Support/Claude/claude_desktop_config.json [mcpServers] (user, -)',
    ]);
    expect(summarize({ ...windows, env: {} }, 'claude-desktop')).toEqual([
      'C:\\Users\\alex\\AppData\\Roaming\\Claude\\claude_desktop_config.json [mcpServers] (user, -)',
    ]);
  });

  it("reads Claude Code's user scope, the project's .mcp.json, then the project's local scope", () => {
    expect(summarize(linux, 'claude-code')).toEqual([
      '/home/alex/.claude.json [mcpServers] (user, -)',
      '/home/alex/work/shop/.mcp.json [mcpServers] (project, /home/alex/work/shop)',
      '/home/alex/.claude.json [projects./home/alex/work/shop.mcpServers] (local, /home/alex/work/shop)',
    ]);
    const [, project] = defaultSources('claude-code', linux);
    expect(project?.disabledNames).toEqual({
      file: '/home/alex/.claude.json',
      path: ['projects', '/home/alex/work/shop', 'disabledMcpjsonServers'],
    });
  });

  it('tries both spellings of a Windows project folder in ~/.claude.json, and honours CLAUDE_CONFIG_DIR', () => {
    expect(summarize(windows, 'claude-code')).toEqual([
      'C:\\Users\\alex\\.claude.json [mcpServers] (user, -)',
      'C:\\work\\shop\\.mcp.json [mcpServers] (project, C:\\work\\shop)',
      'C:\\Users\\alex\\.claude.json [projects.C:\\work\\shop.mcpServers | projects.C:/work/shop.mcpServers] (local, C:\\work\\shop)',
    ]);
    expect(
      summarize({ ...mac, env: { CLAUDE_CONFIG_DIR: '/Users/alex/.claude-work' } }, 'claude-code')[0],
    ).toBe('/Users/alex/.claude-work/.claude.json [mcpServers] (user, -)');
  });

  it("reads Cursor's global file, then the project's", () => {
    expect(summarize(mac, 'cursor')).toEqual([
      '/Users/alex/.cursor/mcp.json [mcpServers] (global, -)',
      '/Users/alex/work/shop/.cursor/mcp.json [mcpServers] (project, /Users/alex/work/shop)',
    ]);
    expect(summarize(windows, 'cursor')).toEqual([
      'C:\\Users\\alex\\.cursor\\mcp.json [mcpServers] (global, -)',
      'C:\\work\\shop\\.cursor\\mcp.json [mcpServers] (project, C:\\work\\shop)',
    ]);
  });

  it('reads the global file once when run from the home folder', () => {
    expect(summarize({ ...linux, cwd: '/home/alex' }, 'cursor')).toEqual([
      '/home/alex/.cursor/mcp.json [mcpServers] (global, -)',
    ]);
  });

  it("reads VS Code's user mcp.json and settings.json, then the workspace's", () => {
    expect(summarize(mac, 'vscode')).toEqual([
      '/Users/alex/Library/Application Support/Code/User/mcp.json [servers] (user, -)',
      '/Users/alex/Library/Application Support/Code/User/settings.json [mcp.servers] (user settings, -)',
      '/Users/alex/work/shop/.vscode/mcp.json [servers] (workspace, /Users/alex/work/shop)',
      '/Users/alex/work/shop/.vscode/settings.json [mcp.servers] (workspace settings, /Users/alex/work/shop)',
    ]);
    expect(summarize(linux, 'vscode').slice(0, 2)).toEqual([
      '/home/alex/.config/Code/User/mcp.json [servers] (user, -)',
      '/home/alex/.config/Code/User/settings.json [mcp.servers] (user settings, -)',
    ]);
    expect(summarize({ ...linux, env: { XDG_CONFIG_HOME: '/xdg' } }, 'vscode')[0]).toBe(
      '/xdg/Code/User/mcp.json [servers] (user, -)',
    );
    expect(summarize(windows, 'vscode')[0]).toBe(
      'C:\\Users\\alex\\AppData\\Roaming\\Code\\User\\mcp.json [servers] (user, -)',
    );
  });

  it('finds Windsurf under ~/.codeium on every OS', () => {
    expect(summarize(mac, 'windsurf')).toEqual([
      '/Users/alex/.codeium/windsurf/mcp_config.json [mcpServers] (user, -)',
    ]);
    expect(summarize(linux, 'windsurf')).toEqual([
      '/home/alex/.codeium/windsurf/mcp_config.json [mcpServers] (user, -)',
    ]);
    expect(summarize(windows, 'windsurf')).toEqual([
      'C:\\Users\\alex\\.codeium\\windsurf\\mcp_config.json [mcpServers] (user, -)',
    ]);
  });
});

describe('sourcesFromFile', () => {
  const from = (client: Parameters<typeof sourcesFromFile>[0], file: string, context = linux): string[] =>
    sourcesFromFile(client, file, context).map(show);

  it('resolves a relative path against the working folder', () => {
    expect(from('claude-desktop', 'backup/claude.json')).toEqual([
      '/home/alex/work/shop/backup/claude.json [mcpServers] (user, -)',
    ]);
    expect(from('windsurf', 'C:\\tmp\\mcp_config.json', windows)).toEqual([
      'C:\\tmp\\mcp_config.json [mcpServers] (user, -)',
    ]);
  });

  it("reads a Claude Code .mcp.json as its folder's project, any other file as ~/.claude.json", () => {
    expect(from('claude-code', '/home/alex/other/.mcp.json')).toEqual([
      '/home/alex/other/.mcp.json [mcpServers] (project, /home/alex/other)',
    ]);
    expect(from('claude-code', '/backup/claude.json')).toEqual([
      '/backup/claude.json [mcpServers] (user, -)',
      '/backup/claude.json [projects./home/alex/work/shop.mcpServers] (local, /home/alex/work/shop)',
    ]);
  });

  it('reads a file in a .cursor or .vscode folder as the project around it, except the one in the home', () => {
    expect(from('cursor', '/home/alex/blog/.cursor/mcp.json')).toEqual([
      '/home/alex/blog/.cursor/mcp.json [mcpServers] (project, /home/alex/blog)',
    ]);
    expect(from('cursor', '/home/alex/.cursor/mcp.json')).toEqual([
      '/home/alex/.cursor/mcp.json [mcpServers] (global, -)',
    ]);
    expect(from('vscode', '/home/alex/blog/.vscode/mcp.json')).toEqual([
      '/home/alex/blog/.vscode/mcp.json [servers | mcp.servers] (workspace, /home/alex/blog)',
    ]);
    expect(from('vscode', '/home/alex/.config/Code/User/settings.json')).toEqual([
      '/home/alex/.config/Code/User/settings.json [servers | mcp.servers] (user, -)',
    ]);
  });
});
