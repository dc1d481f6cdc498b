/**
 * Tool discovery through the built gateway: `--expose gateway` keeps tools/list to the gateway's own tools while
 * call_backend and search_tools reach every backend, search_tools follows backends registered, changed and removed
 * at runtime, and `all` keeps listing everything. Real processes, real SDK client.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import type { SearchToolsResult } from '../../src/gateway/tools/search-tools.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, CLI_PATH, PROJECT_ROOT, type StdioGateway } from '../helpers/gateway-process.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('tool-discovery-', { per: 'test' });
let listChanges = 0;

function echoServer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    command: process.execPath,
    args: [fixturePath('echo.mjs')],
    env: sandbox.env,
    ...extra,
  };
}

/** Writes a config with the echo fixture as `echo` and, filtered and prefixed, as `filtered`. */
async function writeConfig(extra: Record<string, unknown> = {}): Promise<string> {
  const file = path.join(sandbox.dir, 'config.json');
  const servers = {
    echo: echoServer(),
    filtered: echoServer({ prefix: 'f', tools: { deny: ['slow', 'env'] } }),
  };
  await writeFile(file, JSON.stringify({ servers, ...extra }));
  return file;
}

async function start(args: readonly string[], extra: Record<string, unknown> = {}): Promise<StdioGateway> {
  const config = await writeConfig(extra);
  const gateway = await sandbox.connectStdio(['--auto-register', config, ...args]);
  listChanges = 0;
  gateway.client.setNotificationHandler('notifications/tools/list_changed', () => {
    listChanges += 1;
  });
  return gateway;
}

async function search(
  client: StdioGateway['client'],
  args: Record<string, unknown>,
): Promise<SearchToolsResult> {
  const result = await callTool(client, 'search_tools', args);
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as SearchToolsResult;
}

async function names(client: StdioGateway['client'], args: Record<string, unknown>): Promise<string[]> {
  return (await search(client, args)).results.map((match) => match.name);
}

describe('--expose gateway', () => {
  it('lists only the gateway tools, while call_backend and the hidden exposed names still reach the backends', async () => {
    const { client } = await start(['--expose', 'gateway']);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    expect(client.getInstructions()).toContain('use search_tools');
    const viaCallBackend = await callTool(client, 'call_backend', {
      server: 'echo',
      tool: 'add',
      params: { a: 2, b: 3 },
    });
    expect(viaCallBackend.structuredContent).toEqual({ sum: 5 });
    expect(textOf(await callTool(client, 'f__echo', { text: 'hidden but callable' }))).toBe(
      'hidden but callable',
    );
  });

  it('finds tools by what they do, under their exposed names, leaving out the tools a filter hides', async () => {
    const { client } = await start(['--expose', 'gateway']);

    const found = await search(client, { query: 'add two numbers', limit: 2 });
    expect(found.results.map((match) => match.name)).toEqual(['echo__add', 'f__add']);
    expect(found.results[0]).toMatchObject({
      server: 'echo',
      tool: 'add',
      callBackend: { server: 'echo', tool: 'add' },
      description: 'Adds two numbers; the sum is also returned as structured content.',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    });
    expect(await names(client, { query: 'environment variable' })).toEqual(['echo__env']);
    const filtered = await names(client, { server: 'filtered' });
    expect(filtered).toHaveLength(11);
    expect(filtered).not.toContain('f__slow');
    expect(filtered).not.toContain('f__env');
  });

  it('follows a backend registered at runtime, its own tool changes, and its removal, announcing none', async () => {
    const { client } = await start(['--expose', 'gateway']);
    expect(await names(client, { query: 'summarize invoice' })).toEqual([]);

    const registered = await callTool(client, 'register_server', {
      name: 'late',
      command: process.execPath,
      args: [fixturePath('echo.mjs')],
    });
    expect(registered.isError, textOf(registered)).toBeFalsy();
    // The register_server answer comes after any notification the registration caused.
    expect(listChanges).toBe(0);
    expect((await names(client, { query: 'add numbers', server: 'late' }))[0]).toBe('late__add');

    // add_tool makes the backend announce tools/list_changed; the gateway lists its tools again, asynchronously.
    await callTool(client, 'call_backend', {
      server: 'late',
      tool: 'add_tool',
      params: { name: 'summarize_invoice' },
    });
    await waitFor(
      async () => (await names(client, { query: 'summarize invoice' })).includes('late__summarize_invoice'),
      {
        description: 'search_tools to find the tool added at runtime',
      },
    );

    await callTool(client, 'remove_server', { name: 'late' });
    expect(await names(client, { query: 'summarize invoice' })).toEqual([]);
    expect(await names(client, { query: 'add numbers', limit: 50 })).not.toContain('late__add');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    expect(listChanges).toBe(0);
  });

  it('is read from the config file\'s "expose", which the flag overrides', async () => {
    const fromConfig = await start([], { expose: 'gateway' });
    expect((await fromConfig.client.listTools()).tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    await sandbox.stopProcesses();

    const overridden = await start(['--expose', 'all'], { expose: 'gateway' });
    expect((await overridden.client.listTools()).tools.map((tool) => tool.name)).toContain('f__echo');
  });
});

describe('--expose all (the default)', () => {
  it('lists the gateway tools then every backend tool, announces registrations, and searches too', async () => {
    const { client } = await start([]);

    const listed = (await client.listTools()).tools.map((tool) => tool.name);
    expect(listed.slice(0, GATEWAY_TOOL_NAMES.length)).toEqual(GATEWAY_TOOL_NAMES);
    expect(listed).toEqual(expect.arrayContaining(['echo__echo', 'echo__slow', 'f__echo']));
    expect(listed).not.toContain('f__slow');

    await callTool(client, 'register_server', {
      name: 'late',
      command: process.execPath,
      args: [fixturePath('echo.mjs')],
    });
    expect(listChanges).toBeGreaterThan(0);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('late__echo');
    expect((await names(client, { query: 'echo text', server: 'late' }))[0]).toBe('late__echo');
  });
});

describe('invalid expose values', () => {
  async function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: PROJECT_ROOT, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stderr };
  }

  it('exits with code 2 for a bad --expose, naming the flag and the choices', async () => {
    const result = await run(['--expose', 'everything']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--expose <mode>' argument 'everything' is invalid");
    expect(result.stderr).toContain('all, gateway');
  });

  it('exits with code 1 for a bad "expose" in the config, naming the file and the path', async () => {
    const config = await writeConfig({ expose: 'some' });
    const result = await run(['--auto-register', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${config}: invalid config:`);
    expect(result.stderr).toContain('at expose: expose is "all" or "gateway"');
  });
});
