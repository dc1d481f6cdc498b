/**
 * Where each client keeps its MCP servers, on macOS, Linux and Windows. The platform, home folder, environment and
 * working folder are parameters, so that every operating system's paths can be computed (and tested) anywhere.
 */
import path from 'node:path';

import type { ClientId } from './client-formats.js';

/** What the locations depend on. */
export interface LocationContext {
  readonly platform: NodeJS.Platform;
  /** The user's home folder. */
  readonly home: string;
  /** Read for `APPDATA`, `XDG_CONFIG_HOME` and `CLAUDE_CONFIG_DIR`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder the command runs in: the project or workspace whose own servers are read. */
  readonly cwd: string;
}

/** A JSON path: the keys leading to a value. */
export type JsonPath = readonly string[];

/** One place in one file where a client keeps servers. */
export interface ClientSource {
  /** Absolute path of the file. */
  readonly file: string;
  /** Which of the client's scopes this is, for reports: `user`, `local`, `project`, `workspace`... */
  readonly scope: string;
  /** Where the servers object may be in the file; the first one present is used. */
  readonly serversPaths: readonly JsonPath[];
  /** The project folder: what `${workspaceFolder}` means and where the client ran the servers. */
  readonly workspaceFolder: string | undefined;
  /**
   * Claude Code keeps the project (`.mcp.json`) servers a user turned off in `~/.claude.json`: the names at this
   * JSON path of that file are disabled in the client.
   */
  readonly disabledNames?: { readonly file: string; readonly path: JsonPath };
}

/** The `path` functions of the platform: Windows paths on `win32`, POSIX ones elsewhere. */
export function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/**
 * The files a client reads, broadest scope first; where two hold a server of the same name, the later one is the
 * one the client uses (the more specific scope wins).
 */
export function defaultSources(client: ClientId, context: LocationContext): ClientSource[] {
  // Run from the home folder, Cursor's project file is its global file: read once.
  const seen = new Set<string>();
  return allSources(client, context).filter((source) => {
    const key = JSON.stringify([source.file, source.serversPaths]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function allSources(client: ClientId, context: LocationContext): ClientSource[] {
  const paths = pathApi(context.platform);
  const { home, cwd } = context;
  switch (client) {
    case 'claude-desktop':
      return [userSource(paths.join(appDataFolder(context), 'Claude', 'claude_desktop_config.json'))];
    case 'claude-code': {
      const claudeJson = claudeCodeUserFile(context);
      return [
        userSource(claudeJson),
        {
          file: paths.join(cwd, '.mcp.json'),
          scope: 'project',
          serversPaths: [['mcpServers']],
          workspaceFolder: cwd,
          disabledNames: { file: claudeJson, path: ['projects', cwd, 'disabledMcpjsonServers'] },
        },
        claudeCodeLocalSource(claudeJson, cwd),
      ];
    }
    case 'cursor':
      return [
        { ...userSource(paths.join(home, '.cursor', 'mcp.json')), scope: 'global' },
        projectSource(paths.join(cwd, '.cursor', 'mcp.json'), cwd, 'project', ['mcpServers']),
      ];
    case 'vscode': {
      const user = vscodeUserFolder(context);
      return [
        { ...userSource(paths.join(user, 'mcp.json')), serversPaths: [['servers']] },
        {
          ...userSource(paths.join(user, 'settings.json')),
          scope: 'user settings',
          serversPaths: [['mcp', 'servers']],
        },
        projectSource(paths.join(cwd, '.vscode', 'mcp.json'), cwd, 'workspace', ['servers']),
        projectSource(paths.join(cwd, '.vscode', 'settings.json'), cwd, 'workspace settings', [
          'mcp',
          'servers',
        ]),
      ];
    }
    case 'windsurf':
      return [userSource(paths.join(home, '.codeium', 'windsurf', 'mcp_config.json'))];
  }
}

/**
 * The sources of a file named with `--from`. Its scope follows from where it is: a `.mcp.json`, or a `mcp.json`
 * in a `.cursor` or `.vscode` folder, belongs to the project folder around it; anything else is read as the
 * client's user-level file (for Claude Code: its user scope plus the local scope of the working folder).
 */
export function sourcesFromFile(client: ClientId, from: string, context: LocationContext): ClientSource[] {
  const paths = pathApi(context.platform);
  const file = paths.resolve(context.cwd, from);
  const folder = paths.dirname(file);
  const projectOf = (dotFolder: string): string | undefined =>
    paths.basename(folder) === dotFolder && paths.dirname(folder) !== context.home
      ? paths.dirname(folder)
      : undefined;
  switch (client) {
    case 'claude-desktop':
    case 'windsurf':
      return [userSource(file)];
    case 'claude-code':
      return paths.basename(file) === '.mcp.json'
        ? [projectSource(file, folder, 'project', ['mcpServers'])]
        : [userSource(file), claudeCodeLocalSource(file, context.cwd)];
    case 'cursor': {
      const project = projectOf('.cursor');
      return project === undefined
        ? [{ ...userSource(file), scope: 'global' }]
        : [projectSource(file, project, 'project', ['mcpServers'])];
    }
    case 'vscode': {
      const project = projectOf('.vscode');
      const serversPaths: JsonPath[] = [['servers'], ['mcp', 'servers']];
      return [
        project === undefined
          ? { ...userSource(file), serversPaths }
          : { ...projectSource(file, project, 'workspace', ['servers']), serversPaths },
      ];
    }
  }
}

function userSource(file: string): ClientSource {
  return { file, scope: 'user', serversPaths: [['mcpServers']], workspaceFolder: undefined };
}

function projectSource(file: string, folder: string, scope: string, servers: JsonPath): ClientSource {
  return { file, scope, serversPaths: [servers], workspaceFolder: folder };
}

/**
 * Claude Code's local scope: the servers of one project, kept in `~/.claude.json` under the project's absolute
 * path. On Windows the key may be written with forward slashes, so both spellings are tried.
 */
function claudeCodeLocalSource(claudeJson: string, cwd: string): ClientSource {
  const keys = [...new Set([cwd, cwd.replaceAll('\\', '/')])];
  return {
    file: claudeJson,
    scope: 'local',
    serversPaths: keys.map((key) => ['projects', key, 'mcpServers']),
    workspaceFolder: cwd,
  };
}

/** `~/.claude.json`, or `$CLAUDE_CONFIG_DIR/.claude.json` when Claude Code is told to keep its config elsewhere. */
function claudeCodeUserFile(context: LocationContext): string {
  const paths = pathApi(context.platform);
  const folder = nonEmpty(context.env.CLAUDE_CONFIG_DIR) ?? context.home;
  return paths.join(folder, '.claude.json');
}

/**
 * The per-user application data folder of desktop apps (Electron's `appData`): `~/Library/Application Support`
 * on macOS, `%APPDATA%` on Windows, `$XDG_CONFIG_HOME` or `~/.config` elsewhere.
 */
function appDataFolder(context: LocationContext): string {
  const paths = pathApi(context.platform);
  const { home, env } = context;
  switch (context.platform) {
    case 'darwin':
      return paths.join(home, 'Library', 'Application Support');
    case 'win32':
      return nonEmpty(env.APPDATA) ?? paths.join(home, 'AppData', 'Roaming');
    default:
      return nonEmpty(env.XDG_CONFIG_HOME) ?? paths.join(home, '.config');
  }
}

function vscodeUserFolder(context: LocationContext): string {
  return pathApi(context.platform).join(appDataFolder(context), 'Code', 'User');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
