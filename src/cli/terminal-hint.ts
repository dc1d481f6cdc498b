/**
 * What a person who runs the stdio gateway in a terminal reads: it is an MCP server waiting for a client on
 * stdin, not a program that asks them anything, and how to try it.
 */
import path from 'node:path';

/** The lines to show, for the gateway started as `argv` (node, script, flags...) from `cwd`. */
export function terminalHint(argv: readonly string[], cwd: string): string[] {
  const [, script, ...flags] = argv;
  const words = [
    'node',
    script === undefined ? 'dist/cli.js' : path.resolve(cwd, script),
    ...flags.map(absolute),
  ];
  return [
    'this is an MCP server: it speaks JSON-RPC on stdin and stdout and waits for an MCP client (nothing to type here).',
    'Put it in your client (docs/clients.md), or try it with the MCP Inspector:',
    `  npx @modelcontextprotocol/inspector ${words.map(quote).join(' ')}`,
    'Press Ctrl-C to stop.',
  ];

  /** A config file given relatively is made absolute: the Inspector may run elsewhere. */
  function absolute(flag: string, index: number, all: readonly string[]): string {
    return all[index - 1] === '--auto-register' ? path.resolve(cwd, flag) : flag;
  }
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
