import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ProtocolError } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, type StdioGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('aggregation-', { per: 'test' });
let gateway: StdioGateway | undefined;

/** Starts a gateway over stdio with echo fixture backends configured as given. */
async function start(servers: Record<string, Record<string, unknown>>): Promise<StdioGateway> {
  const config = path.join(sandbox.dir, 'config.json');
  const entries = Object.fromEntries(
    Object.entries(servers).map(([name, extra]) => [
      name,
      {
        command: process.execPath,
        args: [fixturePath('echo.mjs')],
        ...extra,
        env: { ...sandbox.env, ...(extra.env as Record<string, string> | undefined) },
      },
    ]),
  );
  await writeFile(config, JSON.stringify({ servers: entries }));
  gateway = await sandbox.connectStdio(['--auto-register', config]);
  return gateway;
}

async function toolNames(client: StdioGateway['client']): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

describe('backend tools through one endpoint', () => {
  it('lists every backend tool as <server>__<tool> with its schemas and annotations unchanged', async () => {
    const { client } = await start({ alpha: {}, beta: {} });
    const { tools } = await client.listTools();
    const add = tools.find((tool) => tool.name === 'alpha__add');
    expect(add?.outputSchema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });
    expect(add?.inputSchema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
    });
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['alpha__echo', 'beta__echo', 'beta__slow']),
    );
  });

  it('forwards a call and returns the result unchanged', async () => {
    const { client } = await start({ alpha: {} });
    expect(await callTool(client, 'alpha__add', { a: 20, b: 22 })).toEqual({
      content: [{ type: 'text', text: '42' }],
      structuredContent: { sum: 42 },
    });
    expect((await callTool(client, 'alpha__mixed')).content.map((item) => item.type)).toEqual([
      'text',
      'image',
      'audio',
      'resource',
    ]);
  });

  it('keeps the JSON-RPC code and message of a backend error, without doubling', async () => {
    const { client } = await start({ alpha: {} });
    const error = await client.callTool({ name: 'alpha__throw_error', arguments: {} }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(-32602);
    expect((error as ProtocolError).message).toBe('throw_error: bad params');
  });

  it('applies the timeout of call_backend to forwarded calls', async () => {
    const { client } = await start({ alpha: { timeoutMs: 300 } });
    const result = await callTool(client, 'alpha__slow', { ms: 20_000 });
    expect(result).toEqual({
      content: [{ type: 'text', text: 'alpha.slow timed out after 300 ms' }],
      isError: true,
    });
  });

  it('exposes names unprefixed with prefix "", and filters tools with allow and deny', async () => {
    const { client } = await start({
      plain: { prefix: '', tools: { allow: ['echo', 'add'] } },
      some: { tools: { deny: ['slow', 'throw_error'] } },
    });
    const names = await toolNames(client);
    expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'some__echo', 'some__fail']));
    expect(names).not.toContain('plain__echo');
    expect(names).not.toContain('fail');
    expect(names).not.toContain('some__slow');
    expect(textOf(await callTool(client, 'echo', { text: 'unprefixed' }))).toBe('unprefixed');
    // The filter limits calls too, and list_servers shows what clients can reach.
    const refused = await callTool(client, 'call_backend', {
      server: 'some',
      tool: 'slow',
      params: { ms: 1 },
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('server "some" does not expose tool "slow"');
    const servers = (await callTool(client, 'list_servers')).structuredContent as {
      servers: { name: string; tools: string[] }[];
    };
    expect(servers.servers.find((server) => server.name === 'plain')?.tools.sort()).toEqual(['add', 'echo']);
  });

  it('resolves clashing names deterministically and never lets a backend shadow a gateway tool', async () => {
    const { client } = await start({
      first: { prefix: 'x' },
      second: { prefix: 'x' },
      shadow: {
        prefix: '',
        tools: { allow: ['list_servers'] },
        env: { FIXTURE_EXTRA_TOOLS: 'list_servers' },
      },
    });
    const names = await toolNames(client);
    expect(names.filter((name) => name === 'x__echo')).toHaveLength(1);
    const renamed = names.filter((name) => /^x__echo_[0-9a-f]{6}$/.test(name));
    expect(renamed).toHaveLength(1);
    expect(names.filter((name) => name === 'list_servers')).toHaveLength(1);
    expect(names.some((name) => /^list_servers_[0-9a-f]{6}$/.test(name))).toBe(true);
    // The gateway's own list_servers still answers, and the renamed backend tool reaches the backend.
    expect((await callTool(client, 'list_servers')).structuredContent).toHaveProperty('servers');
    const shadowName = names.find((name) => name.startsWith('list_servers_')) ?? '';
    expect(textOf(await callTool(client, shadowName))).toBe('list_servers');
    expect(textOf(await callTool(client, renamed[0] ?? '', { text: 'second' }))).toBe('second');
    const listed = await callTool(client, 'list_servers');
    expect((listed.structuredContent as { conflicts: unknown[] }).conflicts).toEqual(
      expect.arrayContaining([
        { server: 'second', name: 'echo', exposedAs: renamed[0], conflictsWith: 'first' },
        { server: 'shadow', name: 'list_servers', exposedAs: shadowName, conflictsWith: 'the gateway' },
      ]),
    );
    expect(textOf(listed)).toContain(`second.echo -> ${renamed[0]} (taken by first)`);
    expect(gateway?.stderr()).toContain(`tool "echo" of "second" is exposed as "${renamed[0]}"`);
    // Same backends, same names: restarting the gateway gives the same result.
    await sandbox.stopProcesses();
    gateway = await sandbox.connectStdio(['--auto-register', path.join(sandbox.dir, 'config.json')]);
    expect(await toolNames(gateway.client)).toEqual(names);
  });

  it('shortens names longer than 64 characters with a hash, keeping them distinct', async () => {
    const long = `a_very_long_tool_name_${'x'.repeat(50)}`;
    const { client } = await start({
      longnames: { env: { FIXTURE_EXTRA_TOOLS: `${long}_one,${long}_two` } },
    });
    const names = (await toolNames(client)).filter((name) => name.startsWith('longnames__a_very_long'));
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(new Set(names).size).toBe(2);
    const results = await Promise.all(names.map((name) => callTool(client, name)));
    expect(results.map(textOf).sort()).toEqual([`${long}_one`, `${long}_two`]);
  });

  it('lists a backend tool that the backend added itself, after its own list_changed', async () => {
    const { client } = await start({ alpha: {} });
    let changes = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      changes += 1;
    });
    expect(textOf(await callTool(client, 'alpha__add_tool', { name: 'fresh' }))).toBe('added fresh');
    await waitFor(() => changes >= 1, { description: 'list_changed from the backend' });
    expect(await toolNames(client)).toContain('alpha__fresh');
    expect(textOf(await callTool(client, 'alpha__fresh'))).toBe('fresh');
  });

  it('keeps a forwarded call alive while the backend reports progress, past the timeout', async () => {
    const { client } = await start({ alpha: { timeoutMs: 400 } });
    const result = await client.callTool(
      { name: 'alpha__progress', arguments: { steps: 6, delayMs: 150 } },
      { onprogress: () => undefined },
    );
    // 6 x 150 ms is well past 400 ms, but no gap between two notifications is.
    expect(textOf(result)).toBe('progressed 6');
  });

  it('relays the backend progress of a forwarded call, in order, before its result', async () => {
    // Read on the wire: an SDK client drops progress that arrives in the same read as the response it belongs to,
    // which a loaded machine makes likely when the backend sends everything at once (delayMs 0).
    await start({ alpha: {} });
    await sandbox.stopProcesses();
    const raw = await sandbox.startRawStdio(['--auto-register', path.join(sandbox.dir, 'config.json')]);
    const response = await raw.request(1, 'tools/call', {
      name: 'alpha__progress',
      arguments: { steps: 4, delayMs: 0 },
      _meta: { progressToken: 'relay-order' },
    });
    const relayed = raw.messages
      .filter((message) => message.method === 'notifications/progress' || message === response)
      .map((message) => {
        if (message === response) return 'result';
        const params = message.params as { progressToken: string; progress: number; total: number };
        return `${params.progressToken} ${params.progress}/${params.total}`;
      });
    expect(relayed).toEqual([
      'relay-order 1/4',
      'relay-order 2/4',
      'relay-order 3/4',
      'relay-order 4/4',
      'result',
    ]);
    expect(response.result).toEqual({ content: [{ type: 'text', text: 'progressed 4' }] });
  });
});
