import { describe, expect, it } from 'vitest';

import type { ClientId } from '../../../../src/commands/import/client-formats.js';
import {
  formatClientSnippet,
  gatewayClientEntry,
} from '../../../../src/commands/import/gateway-entry-snippet.js';

const install = { execPath: '/usr/local/bin/node', cliPath: '/opt/gw/dist/cli.js' };
const config = '/home/alex/gateway-config.json';
const launch = { command: '/usr/local/bin/node', args: ['/opt/gw/dist/cli.js', '--auto-register', config] };

describe('gatewayClientEntry', () => {
  it.each<[ClientId, Record<string, unknown>]>([
    ['claude-desktop', launch],
    ['claude-code', { type: 'stdio', ...launch }],
    ['cursor', launch],
    ['vscode', { type: 'stdio', ...launch }],
    ['windsurf', launch],
  ])('runs this Node and this package by absolute path for %s', (client, expected) => {
    expect(gatewayClientEntry(client, install, config, [])).toEqual(expected);
  });

  it('runs npx when this copy sits in the npx cache, which gets cleaned', () => {
    const npx = {
      execPath: '/usr/bin/node',
      cliPath: '/home/alex/.npm/_npx/1a2b/node_modules/mcp-multi-server-gateway/dist/cli.js',
    };
    expect(gatewayClientEntry('cursor', npx, config, [])).toEqual({
      command: 'npx',
      args: ['-y', 'mcp-multi-server-gateway', '--auto-register', config],
    });
    const windows = {
      execPath: 'C:\\node\\node.exe',
      cliPath:
        'C:\\Users\\alex\\AppData\\Local\\npm-cache\\_npx\\1a2b\\node_modules\\mcp-multi-server-gateway\\dist\\cli.js',
    };
    expect(gatewayClientEntry('vscode', windows, 'C:\\g.json', [])).toEqual({
      type: 'stdio',
      command: 'npx',
      args: ['-y', 'mcp-multi-server-gateway', '--auto-register', 'C:\\g.json'],
    });
  });

  it("passes the variables the config expands on from the client's environment, in the client's syntax", () => {
    const names = ['GITHUB_TOKEN', 'HOME', 'DOCS_TOKEN'];
    expect(gatewayClientEntry('vscode', install, config, names).env).toEqual({
      GITHUB_TOKEN: '${env:GITHUB_TOKEN}',
      DOCS_TOKEN: '${env:DOCS_TOKEN}',
    });
    expect(gatewayClientEntry('windsurf', install, config, names).env).toEqual({
      GITHUB_TOKEN: '${env:GITHUB_TOKEN}',
      DOCS_TOKEN: '${env:DOCS_TOKEN}',
    });
    // Claude Code refuses an unset variable without a default.
    expect(gatewayClientEntry('claude-code', install, config, names).env).toEqual({
      GITHUB_TOKEN: '${GITHUB_TOKEN:-}',
      DOCS_TOKEN: '${DOCS_TOKEN:-}',
    });
    expect(gatewayClientEntry('cursor', install, config, ['HOME', 'PATH'])).toEqual(launch);
  });
});

describe('formatClientSnippet', () => {
  it('wraps the entry in mcpServers, or in servers for VS Code', () => {
    expect(formatClientSnippet('claude-desktop', launch)).toBe(
      [
        '{',
        '  "mcpServers": {',
        '    "gateway": {',
        '      "command": "/usr/local/bin/node",',
        '      "args": [',
        '        "/opt/gw/dist/cli.js",',
        '        "--auto-register",',
        '        "/home/alex/gateway-config.json"',
        '      ]',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(formatClientSnippet('vscode', { type: 'stdio', ...launch }))).toEqual({
      servers: { gateway: { type: 'stdio', ...launch } },
    });
  });
});
