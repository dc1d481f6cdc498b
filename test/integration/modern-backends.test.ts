/**
 * Backends that speak only 2026-07-28 (they refuse `initialize`), over stdio and over HTTP, behind the gateway as
 * a 2025 client sees them: tools, progress, resources, prompts, completion and list changes, as with any backend.
 */

import type { Client } from '@modelcontextprotocol/client';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { startListeningFixture } from '../helpers/listening-fixture.js';
import { writeServersConfig } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

describe.each(['stdio', 'http'] as const)('a 2026-07-28-only backend over %s', (kind) => {
  const sandbox = useProcessSandbox(`modern-backend-${kind}-`);
  let client: Client;
  let config: string;

  beforeAll(async () => {
    const backend =
      kind === 'stdio'
        ? { command: process.execPath, args: [fixturePath('modern-only.mjs')], env: sandbox.env }
        : { url: (await startListeningFixture(sandbox, 'modern-only.mjs', ['--http'])).href };
    config = await writeServersConfig(sandbox.dir, { modern: backend });
    ({ client } = await sandbox.connectStdio(['--auto-register', config, '--log-level', 'silent']));
  });

  it('lists its tools under their exposed names and forwards calls, the envelope naming the gateway', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['modern__echo', 'modern__progress', 'modern__add_tool', 'modern__client_info']),
    );

    const echoed = await client.callTool({ name: 'modern__echo', arguments: { text: 'across eras' } });
    expect(echoed).toEqual({ content: [{ type: 'text', text: 'across eras' }] });

    const envelope = JSON.parse(
      textOf(await client.callTool({ name: 'modern__client_info', arguments: {} })),
    ) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'mcp-gateway' },
    });
  });

  it("relays its progress to the caller under the caller's token, in order, before the result", async () => {
    // Read on the wire: an SDK client may handle a result before progress read in the same chunk.
    const raw = await sandbox.startRawStdio(['--auto-register', config, '--log-level', 'silent']);
    const response = await raw.request('p1', 'tools/call', {
      name: 'modern__progress',
      arguments: { steps: 3 },
      _meta: { progressToken: 'caller-token' },
    });
    expect(response).toMatchObject({ result: { content: [{ type: 'text', text: 'done 3' }] } });
    const upToResult = raw.messages.slice(0, raw.messages.indexOf(response));
    const progress = upToResult.filter((message) => message.method === 'notifications/progress');
    expect(progress.map((message) => message.params)).toEqual([
      { progressToken: 'caller-token', progress: 1, total: 3 },
      { progressToken: 'caller-token', progress: 2, total: 3 },
      { progressToken: 'caller-token', progress: 3, total: 3 },
    ]);
  });

  it('serves its resources, prompts and completions', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('modern://greeting');
    const read = await client.readResource({ uri: 'modern://greeting' });
    expect(read.contents).toEqual([
      { uri: 'modern://greeting', mimeType: 'text/plain', text: 'hello from 2026' },
    ]);

    const prompt = await client.getPrompt({ name: 'modern__greet', arguments: { name: 'ada' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Hello, ada!' } }]);

    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'modern__greet' },
      argument: { name: 'name', value: 'a' },
    });
    expect(completion.completion.values).toEqual(['ada', 'alan']);
  });

  it('hears its tool list change on the subscription stream and tells the client', async () => {
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      changed += 1;
    });

    await client.callTool({ name: 'modern__add_tool', arguments: { name: 'extra' } });

    await waitFor(() => changed > 0, { description: 'tools/list_changed from the gateway' });
    await waitFor(
      async () => (await client.listTools()).tools.some((tool) => tool.name === 'modern__extra'),
      {
        description: 'the added tool in the list',
      },
    );
    expect(textOf(await client.callTool({ name: 'modern__extra', arguments: {} }))).toBe('extra');
  });
});

describe.each(['stdio', 'http'] as const)(
  'resource subscriptions of a 2026-07-28-only backend over %s',
  (kind) => {
    const sandbox = useProcessSandbox(`modern-subscriptions-${kind}-`);

    /** The URIs of `notifications/resources/updated` that `client` hears, as they arrive. */
    function updatesOf(client: Client): string[] {
      const uris: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', (notification) => {
        uris.push(notification.params.uri);
      });
      return uris;
    }

    it('puts them on its listen stream: every subscribed session hears updates until it lets go, across a restart', async () => {
      const backend =
        kind === 'stdio'
          ? { command: process.execPath, args: [fixturePath('modern-only.mjs')], env: sandbox.env }
          : { url: (await startListeningFixture(sandbox, 'modern-only.mjs', ['--http'])).href };
      const config = await writeServersConfig(sandbox.dir, { modern: backend });
      const gateway = await sandbox.startHttp(['--auto-register', config]);
      const first = await gateway.connect();
      const second = await gateway.connect();
      const firstHeard = updatesOf(first);
      const secondHeard = updatesOf(second);
      const greeting = { uri: 'modern://greeting' };

      await first.subscribeResource(greeting);
      await second.subscribeResource(greeting);
      await first.callTool({ name: 'modern__set_greeting', arguments: { text: 'one' } });
      await waitFor(() => firstHeard.length === 1 && secondHeard.length === 1, {
        description: 'the update at both subscribed sessions',
      });

      // One session letting go leaves the other's subscription in place at the backend.
      await first.unsubscribeResource(greeting);
      await second.callTool({ name: 'modern__set_greeting', arguments: { text: 'two' } });
      await waitFor(() => secondHeard.length === 2, {
        description: 'the second update at the session still subscribed',
      });

      // A new connection to the backend is given the subscriptions held.
      await second.callTool({ name: 'restart_server', arguments: { name: 'modern' } });
      await second.callTool({ name: 'modern__set_greeting', arguments: { text: 'three' } });
      await waitFor(() => secondHeard.length === 3, { description: 'an update after the restart' });
      expect((await second.readResource(greeting)).contents).toEqual([
        { uri: 'modern://greeting', mimeType: 'text/plain', text: 'three' },
      ]);
      await first.listTools();
      expect(firstHeard).toEqual(['modern://greeting']);
      expect(secondHeard).toEqual(['modern://greeting', 'modern://greeting', 'modern://greeting']);
    });
  },
);
