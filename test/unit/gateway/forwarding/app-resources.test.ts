/**
 * MCP Apps' `ui://` resources through the gateway, with a real SDK client over an in-memory transport: a read goes
 * to the backend whose tool names the resource, although its server does not list it and other backends have
 * resources; the link follows the tools as they change; and a session announces the Apps extension when a backend
 * has an app.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import { closeInMemoryGateways, connectInMemory } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { methodsOf, readAnswer, resource, resourceBackend } from '../../../helpers/fake-resources.js';
import { rpcErrorOf } from '../../../helpers/rpc-error.js';

afterEach(closeInMemoryGateways);

const VIEW = 'ui://charts/view.html';
const ui = (resourceUri: string): Partial<Tool> => ({ _meta: { ui: { resourceUri } } });

/** An Apps server that lists nothing of its app: its tool names the resource, which it reads all the same. */
function chartsBackend(name = 'charts', uri = VIEW) {
  return resourceBackend(
    name,
    { resources: [resource(`notes://${name}/readme`)] },
    { tools: { show_chart: textResult('shown') }, definitions: { show_chart: ui(uri) } },
  );
}

describe('resources/read of an app', () => {
  it("goes to the backend whose tool names it, unlisted and with other backends' resources around", async () => {
    const files = resourceBackend('files', { resources: [resource('file:///a')] });
    const charts = chartsBackend();
    const docs = resourceBackend('docs', { templates: [{ uriTemplate: 'ui://{path}', name: 'any ui' }] });
    const { client } = await connectInMemory(new FakeDirectory([files, charts, docs]));

    const read = await client.readResource({ uri: VIEW });

    expect(read).toEqual(readAnswer('charts', VIEW));
    // Routed by the link: no list was needed, and the template of "docs" that matches it too did not win.
    expect([methodsOf(files), methodsOf(charts), methodsOf(docs)]).toEqual([[], ['resources/read'], []]);
  });

  it('goes to the tool that names it rather than to another backend that lists the same URI', async () => {
    const lister = resourceBackend('lister', { resources: [resource(VIEW)] });
    const charts = chartsBackend();
    const { client } = await connectInMemory(new FakeDirectory([lister, charts]));
    await client.listResources();

    const read = await client.readResource({ uri: VIEW });

    expect(read).toEqual(readAnswer('charts', VIEW));
  });

  it('follows the tools as they change: a link gained, and a link lost', async () => {
    const files = resourceBackend('files', { resources: [resource('file:///a')] });
    const charts = chartsBackend();
    const directory = new FakeDirectory([files, charts]);
    const { client } = await connectInMemory(directory);
    const later = 'ui://charts/later.html';

    charts.setTool('show_later', textResult('later'), ui(later));
    directory.emit('changed');
    const gained = await client.readResource({ uri: later });
    charts.setTool('show_chart', textResult('shown'));
    charts.setTool('show_later', textResult('later'));
    directory.emit('changed');
    const lost = await rpcErrorOf(client.readResource({ uri: VIEW }));

    expect(gained).toEqual(readAnswer('charts', later));
    expect(lost.message).toBe(`Resource not found: ${VIEW}`);
  });
});

describe('the capabilities of a session', () => {
  it('announce the MCP Apps extension when a backend has an app, and not otherwise', async () => {
    const withApps = await connectInMemory(new FakeDirectory([chartsBackend()]));
    const without = await connectInMemory(new FakeDirectory([resourceBackend('files', {})]));

    expect(withApps.client.getServerCapabilities()?.extensions).toEqual({
      'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] },
    });
    expect(without.client.getServerCapabilities()?.extensions).toBeUndefined();
  });
});
