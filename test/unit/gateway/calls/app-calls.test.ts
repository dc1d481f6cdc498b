/**
 * MCP Apps calling the tools of their server through the gateway, with a real SDK client over an in-memory
 * transport: an app calls a tool by its server's own name (its host passes the call on as it is), which the gateway
 * resolves to the one backend it can mean, after every gateway tool and exposed name; app-only tools are left out
 * of `tools/list` and `search_tools` but stay callable that way; a tools filter still refuses what it refuses.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import {
  FakeBackend,
  FakeDirectory,
  textResult,
  type FakeBackendOptions,
} from '../../../helpers/fake-directory.js';
import { rpcErrorOf } from '../../../helpers/rpc-error.js';
import { onlyText, textOf } from '../../../helpers/text-of.js';

const current = useInMemorySession();

const APP_CLIENT = {
  client: {
    capabilities: {
      extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } },
    },
  },
};

const ui = (resourceUri: string, visibility?: string[]): Partial<Tool> => ({
  _meta: { ui: { resourceUri, ...(visibility ? { visibility } : {}) } },
});

/** An Apps server: a tool with an app, an app-only tool, and a tool for the model only. */
function chartsBackend(options: FakeBackendOptions = {}): FakeBackend {
  return new FakeBackend('charts', {
    tools: {
      show_chart: textResult('chart shown'),
      refresh_chart: textResult('chart refreshed'),
      explain_chart: textResult('chart explained'),
    },
    definitions: {
      show_chart: ui('ui://charts/view.html'),
      refresh_chart: ui('ui://charts/view.html', ['app']),
      explain_chart: { _meta: { ui: { visibility: ['model'] } } },
    },
    ...options,
  });
}

/** A backend with a tool `name`, linked to an app of its own when `app` is given. */
function backendWith(backend: string, name: string, app?: string): FakeBackend {
  return new FakeBackend(backend, {
    tools: { [name]: textResult(`${name} of ${backend}`) },
    definitions: app === undefined ? {} : { [name]: ui(app) },
  });
}

describe('an app-only tool (visibility ["app"])', () => {
  it('is not listed to the model, nor found by search_tools, yet an app calls it by its own name', async () => {
    const charts = chartsBackend();
    const client = await current.connect(new FakeDirectory([charts]), APP_CLIENT);

    const { tools } = await client.listTools();
    const found = await current.callTool('search_tools', { query: 'refresh chart' });
    const result = await current.callTool('refresh_chart', { range: '1d' });

    const names = tools.map((tool) => tool.name);
    expect(names).toContain('charts__show_chart');
    expect(names).toContain('charts__explain_chart');
    expect(names).not.toContain('charts__refresh_chart');
    expect(textOf(found)).not.toContain('refresh_chart');
    expect(onlyText(result)).toBe('chart refreshed');
    expect(charts.calls.map(({ tool, args }) => [tool, args])).toEqual([['refresh_chart', { range: '1d' }]]);
  });

  it('has no exposed name: only its own name reaches it', async () => {
    await current.connect(new FakeDirectory([chartsBackend()]), APP_CLIENT);

    const error = await rpcErrorOf(current.callTool('charts__refresh_chart'));

    expect(error.code).toBe(-32602);
    expect(error.message).toContain('Unknown tool "charts__refresh_chart"');
  });
});

describe("a call by a backend tool's own name", () => {
  it('reaches the only backend with that tool, with its _meta.ui left as the backend listed it', async () => {
    const charts = chartsBackend();
    const client = await current.connect(
      new FakeDirectory([charts, backendWith('files', 'read')]),
      APP_CLIENT,
    );

    const shown = await current.callTool('show_chart');
    const { tools } = await client.listTools();

    expect(onlyText(shown)).toBe('chart shown');
    expect(tools.find((tool) => tool.name === 'charts__show_chart')?._meta).toEqual({
      ui: { resourceUri: 'ui://charts/view.html' },
    });
  });

  it('is refused for a tool for the model only: an app may not call it', async () => {
    await current.connect(new FakeDirectory([chartsBackend()]), APP_CLIENT);

    const error = await rpcErrorOf(current.callTool('explain_chart'));

    expect(error.code).toBe(-32602);
    expect(error.message).toBe(
      'tool "explain_chart" of server "charts" is for the model only (_meta.ui.visibility leaves out "app"): an ' +
        'app cannot call it; a model calls it by its exposed name',
    );
  });

  it('never shadows a gateway tool or an exposed name', async () => {
    const charts = chartsBackend();
    // Tools named like a gateway tool and like another backend's exposed name, each with an app of its own.
    const mimic = new FakeBackend('mimic', {
      tools: { list_servers: textResult('mimic'), charts__show_chart: textResult('mimic') },
      definitions: {
        list_servers: ui('ui://mimic/a.html'),
        charts__show_chart: ui('ui://mimic/b.html'),
      },
    });
    await current.connect(new FakeDirectory([charts, mimic]), APP_CLIENT);

    const servers = await current.callTool('list_servers');
    const shown = await current.callTool('charts__show_chart');

    expect(textOf(servers)).toContain('charts');
    expect(onlyText(shown)).toBe('chart shown');
    expect(mimic.calls).toEqual([]);
  });

  it('goes to the one backend with an app when several have the tool', async () => {
    const withApp = backendWith('dashboard', 'refresh', 'ui://dashboard/view.html');
    const plain = backendWith('cache', 'refresh');
    await current.connect(new FakeDirectory([plain, withApp]), APP_CLIENT);

    const result = await current.callTool('refresh');

    expect(onlyText(result)).toBe('refresh of dashboard');
    expect(plain.calls).toEqual([]);
  });

  it('is refused, naming the candidates, when nothing says which backend it is for', async () => {
    const directory = new FakeDirectory([
      backendWith('left', 'refresh', 'ui://left/view.html'),
      backendWith('right', 'refresh', 'ui://right/view.html'),
      backendWith('plain', 'refresh'),
    ]);
    await current.connect(directory, APP_CLIENT);

    const error = await rpcErrorOf(current.callTool('refresh'));

    expect(error.code).toBe(-32602);
    expect(error.message).toBe(
      'tool "refresh" is a tool of servers "left", "right", and the call does not say which: a call by a ' +
        "backend's own tool name (an app's) reaches a backend only when one server has the tool, or one of them " +
        'has an app; call it by its exposed name instead',
    );
  });

  it('is refused by the tools filter, never sent to another backend with a tool of that name', async () => {
    const charts = chartsBackend({ toolFilter: { deny: ['refresh_chart'] } });
    const other = backendWith('other', 'refresh_chart');
    await current.connect(new FakeDirectory([charts, other]), APP_CLIENT);

    const result = await current.callTool('refresh_chart');

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'server "charts" does not expose tool "refresh_chart": its config\'s "tools" deny list (refresh_chart) holds ' +
        'it back; change that filter to reach it',
    );
    expect([charts.calls, other.calls]).toEqual([[], []]);
  });

  it('follows the tools as they change', async () => {
    const charts = chartsBackend();
    const directory = new FakeDirectory([charts]);
    await current.connect(directory, APP_CLIENT);

    charts.setTool('zoom', textResult('zoomed'), ui('ui://charts/view.html', ['app']));
    directory.emit('changed');

    expect(onlyText(await current.callTool('zoom'))).toBe('zoomed');
  });
});
