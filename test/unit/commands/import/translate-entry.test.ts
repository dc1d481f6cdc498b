import { describe, expect, it } from 'vitest';

import type { ClientId } from '../../../../src/commands/import/client-formats.js';
import type { ClientSource } from '../../../../src/commands/import/client-locations.js';
import type { ClientEntry } from '../../../../src/commands/import/collect-entries.js';
import {
  sanitizeServerName,
  translateEntry,
  type EntryOutcome,
} from '../../../../src/commands/import/translate-entry.js';

const userFile: ClientSource = {
  file: '/home/alex/.config/client.json',
  scope: 'user',
  serversPaths: [['mcpServers']],
  workspaceFolder: undefined,
};
const projectFile: ClientSource = {
  file: '/home/alex/work/shop/.cursor/mcp.json',
  scope: 'project',
  serversPaths: [['mcpServers']],
  workspaceFolder: '/home/alex/work/shop',
};

function translate(
  client: ClientId,
  name: string,
  value: unknown,
  source: ClientSource = userFile,
  disabledByClient = false,
): EntryOutcome {
  const entry: ClientEntry = { name, value, source, path: ['mcpServers', name], disabledByClient };
  return translateEntry(entry, {
    client,
    platform: 'linux',
    home: '/home/alex',
    cwd: '/home/alex/work',
    cliPath: '/opt/gw/dist/cli.js',
    takenNames: new Set([name, 'my-db', 'my-db-2']),
  });
}

/** The parts of an outcome worth comparing (the entry itself is what was passed in). */
function summary(outcome: EntryOutcome): Record<string, unknown> {
  const { entry: _entry, ...rest } = outcome;
  return rest;
}

describe('sanitizeServerName', () => {
  it.each([
    ['Brave Search', 'Brave-Search'],
    ['github.com', 'github-com'],
    ['@scope/server', 'scope-server'],
    ['  spaced  out  ', 'spaced-out'],
    ['a'.repeat(40), 'a'.repeat(32)],
    [`${'b'.repeat(31)} tail`, 'b'.repeat(31)],
    ['ok_name-1', 'ok_name-1'],
  ])('turns %j into %j', (name, expected) => {
    expect(sanitizeServerName(name)).toBe(expected);
  });

  it('adds a number when the name is taken, still within 32 characters', () => {
    expect(sanitizeServerName('my db', new Set(['my-db']))).toBe('my-db-2');
    expect(sanitizeServerName('my db', new Set(['my-db', 'my-db-2']))).toBe('my-db-3');
    expect(sanitizeServerName(`${'c'.repeat(40)}!`, new Set(['c'.repeat(32)]))).toBe(`${'c'.repeat(30)}-2`);
  });

  it('gives nothing when no usable character is left', () => {
    expect(sanitizeServerName('日本語')).toBeUndefined();
    expect(sanitizeServerName('...')).toBeUndefined();
  });
});

describe('translateEntry', () => {
  it('keeps command, args, env, cwd and disabled of a local server', () => {
    const outcome = translate('claude-desktop', 'postgres', {
      command: '/usr/local/bin/uvx',
      args: ['mcp-server-postgres'],
      env: { DATABASE_URL: 'postgresql://app:FAKE@localhost/app' },
      cwd: '/home/alex/projects/app',
      disabled: true,
    });
    expect(summary(outcome)).toEqual({
      kind: 'imported',
      config: {
        command: '/usr/local/bin/uvx',
        args: ['mcp-server-postgres'],
        env: { DATABASE_URL: 'postgresql://app:FAKE@localhost/app' },
        cwd: '/home/alex/projects/app',
        disabled: true,
      },
      notes: [],
      envNames: [],
    });
  });

  it('keeps url, headers and type of a remote server', () => {
    expect(
      summary(
        translate('claude-code', 'docs', {
          type: 'http',
          url: 'https://docs.example.com/mcp',
          headers: { Authorization: 'Bearer ${DOCS_TOKEN}' },
        }),
      ),
    ).toEqual({
      kind: 'imported',
      config: {
        type: 'http',
        url: 'https://docs.example.com/mcp',
        headers: { Authorization: 'Bearer ${DOCS_TOKEN}' },
      },
      notes: [],
      envNames: ['DOCS_TOKEN'],
    });
    expect(
      summary(translate('claude-code', 'sentry', { type: 'sse', url: 'https://mcp.sentry.dev/sse' })),
    ).toEqual({
      kind: 'imported',
      config: { type: 'sse', url: 'https://mcp.sentry.dev/sse' },
      notes: [],
      envNames: [],
    });
  });

  it("maps Windsurf's serverUrl and disabledTools", () => {
    expect(
      summary(
        translate('windsurf', 'figma', {
          serverUrl: 'https://mcp.figma.com/mcp',
          headers: { Authorization: 'Bearer figd_FAKE' },
        }),
      ),
    ).toMatchObject({ kind: 'imported', config: { url: 'https://mcp.figma.com/mcp' } });
    expect(
      summary(translate('windsurf', 'puppeteer', { command: 'npx', disabledTools: ['puppeteer_evaluate'] })),
    ).toEqual({
      kind: 'imported',
      config: { command: 'npx', tools: { deny: ['puppeteer_evaluate'] } },
      notes: [],
      envNames: [],
    });
    expect(
      summary(translate('windsurf', 'both', { serverUrl: 'https://a.example', url: 'https://b.example' })),
    ).toEqual({ kind: 'skipped', reasons: ['give either "serverUrl" or "url", not both'] });
    // Other clients have no serverUrl.
    expect(summary(translate('cursor', 'figma', { serverUrl: 'https://mcp.figma.com/mcp' }))).toMatchObject({
      kind: 'skipped',
      reasons: ['"serverUrl" is not a field the gateway knows; remove it in the client and import again'],
    });
  });

  it('runs a project server in its project folder and makes relative paths absolute', () => {
    expect(
      summary(
        translate(
          'cursor',
          'local-tools',
          { command: './scripts/mcp.sh', args: ['--root', '${workspaceFolder}'] },
          projectFile,
        ),
      ),
    ).toEqual({
      kind: 'imported',
      config: {
        command: '/home/alex/work/shop/scripts/mcp.sh',
        args: ['--root', '/home/alex/work/shop'],
        cwd: '/home/alex/work/shop',
      },
      notes: ['runs in /home/alex/work/shop, the project folder Cursor ran it in'],
      envNames: [],
    });
    expect(
      summary(translate('cursor', 'sub', { command: 'bin/server', cwd: 'packages/api' }, projectFile)),
    ).toMatchObject({
      kind: 'imported',
      config: {
        command: '/home/alex/work/shop/packages/api/bin/server',
        cwd: '/home/alex/work/shop/packages/api',
      },
      notes: [],
    });
  });

  it('leaves a path starting with a variable to the gateway, which expands it', () => {
    expect(
      summary(
        translate('claude-code', 'tool', { command: '${HOME}/bin/tool', cwd: '${HOME}/work' }, projectFile),
      ),
    ).toEqual({
      kind: 'imported',
      config: { command: '${HOME}/bin/tool', cwd: '${HOME}/work' },
      notes: [],
      envNames: ['HOME'],
    });
  });

  it('refuses relative paths in a user-level file, where nothing says what they are relative to', () => {
    expect(summary(translate('claude-desktop', 'rel', { command: './server', cwd: 'sub' }))).toEqual({
      kind: 'skipped',
      reasons: [
        'cwd is a relative path and the folder it is relative to is unknown; write an absolute path in the client and import again',
      ],
    });
    expect(summary(translate('claude-desktop', 'rel', { command: 'bin/server' }))).toEqual({
      kind: 'skipped',
      reasons: [
        'command is a relative path and the folder it is relative to is unknown; write an absolute path in the client and import again',
      ],
    });
  });

  it('leaves out the gateway own entry, with the config it serves', () => {
    expect(
      summary(
        translate('claude-desktop', 'gateway', {
          command: 'npx',
          args: ['-y', 'mcp-multi-server-gateway@0.1.0', '--auto-register', '/home/alex/gateway-config.json'],
        }),
      ),
    ).toEqual({
      kind: 'skipped',
      reasons: ['launches mcp-gateway itself (with --auto-register /home/alex/gateway-config.json)'],
      launchesGateway: { autoRegister: '/home/alex/gateway-config.json' },
    });
    // This very copy, run by path.
    expect(
      summary(
        translate('claude-desktop', 'here', { command: '/usr/bin/node', args: ['/opt/gw/dist/cli.js'] }),
      ),
    ).toEqual({
      kind: 'skipped',
      reasons: ['launches mcp-gateway itself'],
      launchesGateway: { autoRegister: undefined },
    });
    // Its cwd (relative to the project) is where the file resolves.
    expect(
      summary(
        translate(
          'cursor',
          'gw',
          { command: 'mcp-gateway', args: ['--auto-register', 'gw.json'], cwd: 'config' },
          projectFile,
        ),
      ),
    ).toMatchObject({ launchesGateway: { autoRegister: '/home/alex/work/shop/config/gw.json' } });
  });

  it('proposes a valid name and reports every other problem with it', () => {
    expect(
      summary(
        translate('vscode', 'Brave Search', {
          type: 'stdio',
          command: 'npx',
          envFile: '/x/.env',
          timeout: 5,
        }),
      ),
    ).toEqual({
      kind: 'skipped',
      reasons: [
        'the name is not valid for the gateway (1 to 32 letters, digits, "_" or "-"): rename it "Brave-Search" in the client and import again',
        '"envFile" is not supported: the gateway reads no env file: copy the variables into "env" in the client (or into the environment the gateway runs in) and import again',
        '"timeout" is not a field the gateway knows; remove it in the client and import again',
      ],
      proposedName: 'Brave-Search',
    });
    // "my-db" and "my-db-2" are taken by other entries of the client.
    expect(summary(translate('claude-desktop', 'my db', { command: 'npx' }))).toMatchObject({
      proposedName: 'my-db-3',
    });
    expect(summary(translate('claude-desktop', '__proto__', { command: 'npx' }))).toEqual({
      kind: 'skipped',
      reasons: [
        'the name __proto__ is not one the gateway can hold: rename it "proto" in the client and import again',
      ],
      proposedName: 'proto',
    });
    expect(summary(translate('claude-desktop', '日本語', { command: 'npx' }))).toEqual({
      kind: 'skipped',
      reasons: [
        'the name is not valid for the gateway (1 to 32 letters, digits, "_" or "-"): rename the server in the client and import again',
      ],
    });
  });

  it('notes client-only fields it leaves out', () => {
    expect(
      summary(translate('vscode', 'tests', { type: 'stdio', command: 'node', dev: { watch: '**/*.js' } })),
    ).toEqual({
      kind: 'imported',
      config: { type: 'stdio', command: 'node' },
      notes: [
        '"dev" left out: VS Code\'s development mode (watch and debug), which only VS Code itself can run',
      ],
      envNames: [],
    });
    expect(summary(translate('cursor', 'db', { command: 'npx', autoApprove: ['query'] }))).toMatchObject({
      kind: 'imported',
      notes: ['"autoApprove" left out: the client\'s list of tools it runs without asking'],
    });
  });

  it('disables a server the client turned off outside the entry', () => {
    expect(summary(translate('claude-code', 'playwright', { command: 'npx' }, userFile, true))).toEqual({
      kind: 'imported',
      config: { command: 'npx', disabled: true },
      notes: ['disabled, as Claude Code has it turned off for this project'],
      envNames: [],
    });
  });

  it('reports values of the wrong type without showing them', () => {
    expect(
      summary(
        translate('claude-desktop', 'bad', {
          type: 'websocket',
          command: ['npx'],
          args: 'serve --port 1',
          env: { PORT: 3000, TOKEN: 'sk-FAKE' },
          headers: 'Authorization: Bearer sk-FAKE',
          disabled: 'yes',
          description: 7,
        }),
      ),
    ).toEqual({
      kind: 'skipped',
      reasons: [
        'type must be "stdio", "http" or "sse", found "websocket"',
        'command must be a string, found an array',
        'args must be an array of strings, found a string',
        'env.PORT must be a string, found a number',
        'headers must be an object of strings, found a string',
        'disabled must be true or false, found a string',
        'description must be a string, found a number',
      ],
    });
  });

  it("reports what the gateway's schema refuses", () => {
    expect(summary(translate('cursor', 'ws', { url: 'ws://localhost:9000' }))).toEqual({
      kind: 'skipped',
      reasons: ['at url: url must be an http:// or https:// URL'],
    });
    expect(summary(translate('cursor', 'none', { env: { A: 'b' } }))).toEqual({
      kind: 'skipped',
      reasons: ['at (root): give exactly one of "command" (a local server) and "url" (a remote one)'],
    });
    expect(
      summary(translate('claude-code', 'mixed', { type: 'stdio', url: 'https://x.example/mcp' })),
    ).toEqual({
      kind: 'skipped',
      reasons: [
        'at (root): type "stdio" goes with "command"; "http", "streamable-http" and "sse" go with "url"',
      ],
    });
  });

  it('reports an entry that is not an object', () => {
    expect(summary(translate('claude-desktop', 'notes', 'npx -y notes-mcp'))).toEqual({
      kind: 'skipped',
      reasons: ['not a server object: expected {"command": ...} or {"url": ...}, found a string'],
    });
    expect(summary(translate('claude-desktop', 'nothing', null))).toMatchObject({
      reasons: ['not a server object: expected {"command": ...} or {"url": ...}, found null'],
    });
  });
});
