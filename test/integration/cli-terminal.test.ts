/**
 * The stdio gateway run by a person in a terminal (a real pseudo-terminal, through `script`): it says on stderr
 * what it is and how to try it, even without a config; and `--log-file` keeps the log where a client that swallows
 * stderr cannot lose it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI_PATH, connectStdioGateway, PROJECT_ROOT } from '../helpers/gateway-process.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('cli-terminal-');
});

afterAll(async () => {
  await removeTempDir(dir);
});

describe('the stdio gateway in a terminal', () => {
  it('says it is an MCP server waiting for a client, and how to try it, when stdin is a terminal', async () => {
    // `script` gives the gateway a pseudo-terminal as stdin; everything it writes comes back on script's stdout.
    const child = spawn('script', ['-qec', `${process.execPath} ${CLI_PATH}`, '/dev/null'], {
      cwd: PROJECT_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await waitFor(() => output.includes('Press Ctrl-C to stop.'), {
        description: 'the hint',
        timeoutMs: 10_000,
      });
      expect(output).toContain(
        'this is an MCP server: it speaks JSON-RPC on stdin and stdout and waits for an MCP client',
      );
      expect(output).toContain(`npx @modelcontextprotocol/inspector node ${CLI_PATH}`);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('says nothing of the kind when a client is connected through pipes', async () => {
    const gateway = await connectStdioGateway([]);
    await gateway.client.listTools();
    await gateway.client.close();
    expect(gateway.stderr()).not.toContain('this is an MCP server');
  });
});

describe('--log-file', () => {
  it('appends the log to the file, readable by its owner only', async () => {
    const log = path.join(dir, 'gateway.log');
    const gateway = await connectStdioGateway(['--log-file', log, '--log-level', 'debug']);
    await gateway.client.callTool({ name: 'list_servers', arguments: {} });
    await gateway.client.close();

    const content = await waitFor(
      async () => {
        const text = await readFile(log, 'utf8');
        return text.includes('shutting down') ? text : undefined;
      },
      { description: 'the log file to hold the shutdown' },
    );
    expect(content).toContain(
      'mcp-gateway debug: tools/call {"session":"s1 gateway-test/1.0.0","tool":"list_servers"',
    );
    expect(content).toContain('"outcome":"ok"');
    expect((await stat(log)).mode & 0o777).toBe(0o600);
  });

  it('is a usage error when the file cannot be opened', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--log-file', path.join(dir, 'missing', 'x.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toContain(`error: --log-file ${path.join(dir, 'missing', 'x.log')}: ENOENT`);
  });
});
