/**
 * search_tools and the `expose` modes, through a real SDK client over an in-memory transport: what a search
 * returns, its errors, the index following the backends, and what tools/list shows and announces in each mode.
 */
import { CallToolResultSchema } from '@modelcontextprotocol/core';
import type { Client, CallToolResult, Tool } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import type { ExposeMode } from '../../../../src/gateway/expose-mode.js';
import type { SearchToolsResult } from '../../../../src/gateway/tools/search-tools.js';
import type { PipelineCatalog } from '../../../../src/pipelines/pipeline-catalog.js';
import { closeInMemoryGateways, connectInMemory } from '../../../helpers/connect-in-memory.js';
import {
  FakeBackend,
  FakeDirectory,
  textResult,
  type FakeBackendOptions,
} from '../../../helpers/fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../../../helpers/gateway-tool-names.js';
import { textOf } from '../../../helpers/text-of.js';

/** A fake backend whose tools have real descriptions and schemas; `definitions` may change while it runs. */
class SchemaBackend extends FakeBackend {
  constructor(
    name: string,
    readonly definitions: Tool[],
    options: FakeBackendOptions = {},
  ) {
    super(name, {
      ...options,
      tools: Object.fromEntries(definitions.map((tool) => [tool.name, textResult(`${name}.${tool.name}`)])),
    });
  }

  override tools(): readonly Tool[] {
    return this.state === 'ready' ? this.definitions : [];
  }
}

const PATH_SCHEMA: Tool['inputSchema'] = {
  type: 'object',
  properties: { path: { type: 'string', description: 'File to read' } },
  required: ['path'],
};

function filesBackend(options: FakeBackendOptions = {}): SchemaBackend {
  return new SchemaBackend(
    'files',
    [
      { name: 'read_file', description: 'Read a text file', inputSchema: PATH_SCHEMA },
      { name: 'write_file', description: 'Write a text file', inputSchema: { type: 'object' } },
      { name: 'list_directory', description: 'List a directory', inputSchema: { type: 'object' } },
    ],
    { description: 'Project files', ...options },
  );
}

function weatherBackend(): SchemaBackend {
  return new SchemaBackend('weather', [
    { name: 'get_alerts', description: 'Weather alerts for a US state', inputSchema: { type: 'object' } },
    { name: 'get_forecast', description: 'Weather forecast for a place', inputSchema: { type: 'object' } },
  ]);
}

interface Connected {
  readonly client: Client;
  readonly pipelines: PipelineCatalog;
  readonly listChanges: () => number;
  readonly search: (args: Record<string, unknown>) => Promise<CallToolResult>;
}

afterEach(closeInMemoryGateways);

async function connect(directory: FakeDirectory, expose?: ExposeMode): Promise<Connected> {
  const session = await connectInMemory(directory, { expose, clientName: 'search-tools-test' });
  return { ...session, search: (args) => session.callTool('search_tools', args) };
}

function structured(result: CallToolResult): SearchToolsResult {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as SearchToolsResult;
}

function found(result: CallToolResult): string[] {
  return structured(result).results.map((match) => match.name);
}

describe('search_tools', () => {
  it('returns the best matches with server, tool, exposed name, how to call it, schema and score', async () => {
    const { search } = await connect(new FakeDirectory([filesBackend({ prefix: 'fs' }), weatherBackend()]));

    const result = await search({ query: 'read a file' });

    const content = structured(result);
    expect(content.query).toBe('read a file');
    expect(content.server).toBeNull();
    expect(content.results[0]).toEqual({
      server: 'files',
      tool: 'read_file',
      name: 'fs__read_file',
      callBackend: { server: 'files', tool: 'read_file' },
      description: 'Read a text file',
      inputSchema: PATH_SCHEMA,
      score: expect.any(Number) as number,
    });
    const scores = content.results.map((match) => match.score ?? 0);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(content.results.map((match) => match.server)).not.toContain('weather');
    const text = textOf(result);
    expect(text).toContain('1. files / read_file (score ');
    expect(text).toContain('call: call_backend {"server": "files", "tool": "read_file", "params": {...}}');
    expect(text).toContain('(exposed as fs__read_file)');
    expect(text).toContain(`inputSchema: ${JSON.stringify(PATH_SCHEMA)}`);
  });

  it('returns 5 matches by default and at most `limit`, with the total that matched', async () => {
    const many = new SchemaBackend(
      'many',
      Array.from({ length: 8 }, (_, index) => ({
        name: `report_${index}`,
        description: `Builds report number ${index}`,
        inputSchema: { type: 'object' as const },
      })),
    );
    const { search } = await connect(new FakeDirectory([many]));

    const byDefault = structured(await search({ query: 'report' }));
    expect(byDefault.results).toHaveLength(5);
    expect(byDefault.total).toBe(8);
    expect(structured(await search({ query: 'report', limit: 2 })).results).toHaveLength(2);
    expect(structured(await search({ query: 'report', limit: 50 })).results).toHaveLength(8);
    expect(textOf(await search({ query: 'report', limit: 2 }))).toMatch(
      /^8 tool\(s\) match "report"; the best 2:/,
    );
  });

  it('searches one server only when given one, and lists all its tools for an empty query', async () => {
    const { search } = await connect(new FakeDirectory([filesBackend(), weatherBackend()]));

    expect(found(await search({ query: 'weather', server: 'files' }))).toEqual([]);
    const listed = structured(await search({ server: 'files', query: '' }));
    expect(listed.total).toBe(3);
    expect(listed.results.map((match) => [match.tool, match.score])).toEqual([
      ['read_file', null],
      ['write_file', null],
      ['list_directory', null],
    ]);
    expect(listed.results[0]?.inputSchema).toEqual(PATH_SCHEMA);
    expect(found(await search({ server: 'weather' }))).toEqual([
      'weather__get_alerts',
      'weather__get_forecast',
    ]);
    expect(textOf(await search({ server: 'files', limit: 1 }))).toMatch(
      /^3 tool\(s\) of server "files", the first 1:/,
    );
  });

  it('refuses an unknown server naming the known ones, and an empty query without a server', async () => {
    const { search } = await connect(new FakeDirectory([filesBackend(), weatherBackend()]));

    const unknown = await search({ query: 'read', server: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe('unknown server "nope"; registered: files, weather');
    for (const args of [{}, { query: '' }, { query: '   ' }]) {
      const empty = await search(args);
      expect(empty.isError).toBe(true);
      expect(textOf(empty)).toBe(
        'search_tools needs a query (what you want to do, e.g. "read a file"), or a server whose tools to list',
      );
    }
    for (const limit of [0, 51, 2.5]) {
      const bad = await search({ query: 'read', limit });
      expect(bad.isError).toBe(true);
      expect(textOf(bad)).toMatch(/^invalid arguments for search_tools:\n {2}at limit: /);
    }
  });

  it('says when nothing matches, and why a server that is not ready has no tools', async () => {
    const failed = filesBackend();
    failed.state = 'failed';
    const { search } = await connect(new FakeDirectory([failed, weatherBackend()]));

    const none = await search({ query: 'quantum entanglement' });
    expect(structured(none)).toEqual({ query: 'quantum entanglement', server: null, total: 0, results: [] });
    expect(textOf(none)).toMatch(/^No tool matches "quantum entanglement"\. Try other words/);
    expect(textOf(await search({ server: 'files' }))).toBe(
      'No tools of server "files": it is failed, and only ready servers list their tools.',
    );
  });

  it('follows registrations, removals and tool changes', async () => {
    const directory = new FakeDirectory([weatherBackend()]);
    directory.onRegister = (name) =>
      new SchemaBackend(name, [
        { name: 'run_sql', description: 'Run a SQL query', inputSchema: { type: 'object' } },
      ]);
    const { client, search } = await connect(directory);
    expect(found(await search({ query: 'sql query' }))).toEqual([]);

    await client.callTool({ name: 'register_server', arguments: { name: 'db', command: 'db-server' } });
    expect(found(await search({ query: 'sql query' }))).toEqual(['db__run_sql']);

    // A backend announcing a new tool: the registry lists its tools again and says its set changed.
    const db = directory.get('db') as SchemaBackend;
    db.definitions.push({
      name: 'export_csv',
      description: 'Export a table as CSV',
      inputSchema: { type: 'object' },
    });
    directory.emit('changed');
    expect(found(await search({ query: 'export csv' }))).toEqual(['db__export_csv']);

    await client.callTool({ name: 'remove_server', arguments: { name: 'db' } });
    expect(found(await search({ query: 'sql query' }))).toEqual([]);
    expect(structured(await search({ query: 'weather' })).total).toBe(2);
  });
});

describe('expose modes', () => {
  it('lists only the gateway tools in gateway mode, yet keeps backend tools callable by their exposed names', async () => {
    const { client, search } = await connect(
      new FakeDirectory([filesBackend(), weatherBackend()]),
      'gateway',
    );

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    expect(client.getInstructions()).toContain('use search_tools to find one by what it does');
    expect(found(await search({ query: 'forecast' }))).toEqual(['weather__get_forecast']);
    const called = CallToolResultSchema.parse(
      await client.callTool({ name: 'weather__get_forecast', arguments: {} }),
    );
    expect(called).toEqual(textResult('weather.get_forecast'));
    const viaCallBackend = await client.callTool({
      name: 'call_backend',
      arguments: { server: 'files', tool: 'read_file', params: { path: 'a.txt' } },
    });
    expect(viaCallBackend).toEqual(textResult('files.read_file'));
  });

  it('lists the gateway tools and then every backend tool in all mode, the default', async () => {
    const { client } = await connect(new FakeDirectory([filesBackend(), weatherBackend()]));

    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual([
      ...GATEWAY_TOOL_NAMES,
      'files__read_file',
      'files__write_file',
      'files__list_directory',
      'weather__get_alerts',
      'weather__get_forecast',
    ]);
    expect(client.getInstructions()).not.toContain('are not listed here');
  });

  /** Changes the backends, then the pipelines (always announced), and counts the announcements once both arrived. */
  async function announcementsAfterBackendChanges(expose: ExposeMode): Promise<number> {
    const directory = new FakeDirectory([weatherBackend()]);
    const { client, pipelines, listChanges } = await connect(directory, expose);
    directory.add(filesBackend());
    await directory.remove('weather');
    const files = directory.get('files') as SchemaBackend;
    files.definitions.push({
      name: 'touch',
      description: 'Create an empty file',
      inputSchema: { type: 'object' },
    });
    directory.emit('changed');
    pipelines.replace({ p: { steps: [{ server: 'files', tool: 'touch' }] } });
    // Notifications and responses arrive in the order they were sent: after this answer, all have arrived.
    await client.ping();
    return listChanges();
  }

  it('announces backend tool changes in all mode', async () => {
    expect(await announcementsAfterBackendChanges('all')).toBe(4);
  });

  it('announces only pipeline changes in gateway mode, whose tools/list did not change otherwise', async () => {
    expect(await announcementsAfterBackendChanges('gateway')).toBe(1);
  });
});
