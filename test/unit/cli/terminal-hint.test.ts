import { describe, expect, it } from 'vitest';

import { terminalHint } from '../../../src/cli/terminal-hint.js';

describe('terminalHint', () => {
  it('says what the gateway is and gives the Inspector one-liner with absolute paths', () => {
    const lines = terminalHint(
      ['/usr/bin/node', 'dist/cli.js', '--auto-register', 'my config.json', '--expose', 'gateway'],
      '/home/alex/gateway',
    );

    expect(lines).toEqual([
      'this is an MCP server: it speaks JSON-RPC on stdin and stdout and waits for an MCP client (nothing to type here).',
      'Put it in your client (docs/clients.md), or try it with the MCP Inspector:',
      "  npx @modelcontextprotocol/inspector node /home/alex/gateway/dist/cli.js --auto-register '/home/alex/gateway/my config.json' --expose gateway",
      'Press Ctrl-C to stop.',
    ]);
  });

  it('gives the one-liner without flags when there are none', () => {
    expect(terminalHint(['/usr/bin/node', '/opt/gw/dist/cli.js'], '/tmp')[2]).toBe(
      '  npx @modelcontextprotocol/inspector node /opt/gw/dist/cli.js',
    );
  });
});
