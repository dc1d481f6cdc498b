import type { Tool } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { ToolSearchIndex, type SearchableTool } from '../../../../src/gateway/search/tool-search-index.js';

/** A searchable tool of `backend` with the given definition. */
function entry(
  backend: string,
  tool: Partial<Tool> & { name: string },
  backendDescription = '',
): SearchableTool {
  return {
    backend,
    backendDescription,
    exposedName: `${backend}__${tool.name}`,
    tool: { inputSchema: { type: 'object' }, ...tool },
  };
}

const FILES = [
  entry('files', { name: 'read_file', description: 'Read the complete contents of a file as text.' }),
  entry('files', { name: 'write_file', description: 'Create a new file or overwrite an existing one.' }),
  entry('files', {
    name: 'list_directory',
    description: 'Get a listing of the entries of a path.',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Directory to list' } },
    },
  }),
  entry('files', { name: 'delete_file', description: 'Removes a file from disk.' }),
];

const GRAPH = [
  entry('graph', {
    name: 'create_entities',
    description: 'Create entities in the knowledge graph',
    inputSchema: {
      type: 'object',
      properties: {
        entities: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              entityType: { type: 'string', description: 'The kind of thing, e.g. person or company' },
            },
          },
        },
      },
    },
  }),
  entry('graph', { name: 'searchNodes', title: 'Search nodes', description: 'Search the knowledge graph' }),
];

function names(index: ToolSearchIndex, query: string, options: { backend?: string; limit?: number } = {}) {
  return index
    .search(query, { backend: options.backend, limit: options.limit ?? 10 })
    .hits.map((hit) => hit.entry.exposedName);
}

describe('ToolSearchIndex', () => {
  const index = ToolSearchIndex.build([...FILES, ...GRAPH]);

  it('ranks a tool whose name matches above tools that only mention the words', () => {
    expect(names(index, 'read a file')[0]).toBe('files__read_file');
    expect(names(index, 'write file')[0]).toBe('files__write_file');
  });

  it('matches across plural and verb forms', () => {
    expect(names(index, 'reading files')[0]).toBe('files__read_file');
    expect(names(index, 'creating an entity')[0]).toBe('graph__create_entities');
  });

  it('splits camelCase names and searches titles', () => {
    expect(names(index, 'search nodes')[0]).toBe('graph__searchNodes');
  });

  it('searches parameter names and descriptions, nested ones included', () => {
    expect(names(index, 'person')).toEqual(['graph__create_entities']);
    expect(names(index, 'entity type')[0]).toBe('graph__create_entities');
  });

  it('finds a tool through a synonym, and ranks a literal match above it', () => {
    expect(names(index, 'folder')).toEqual(['files__list_directory']);
    // "remove" is in delete_file's description; "delete" is in its name: both find it first.
    expect(names(index, 'remove a file')[0]).toBe('files__delete_file');
    expect(names(index, 'erase a file')[0]).toBe('files__delete_file');
    const [literal, synonym] = [
      index.search('directory', { limit: 1 }).hits[0],
      index.search('folder', { limit: 1 }).hits[0],
    ];
    expect(literal?.entry).toBe(synonym?.entry);
    expect(literal?.score).toBeGreaterThan(synonym?.score ?? Number.POSITIVE_INFINITY);
  });

  it('leaves out tools that share no term with the query, and counts all matches despite the limit', () => {
    expect(index.search('weather forecast', { limit: 5 })).toEqual({ hits: [], total: 0 });
    expect(index.search('the of and', { limit: 5 })).toEqual({ hits: [], total: 0 });
    const found = index.search('file', { limit: 2 });
    expect(found.hits).toHaveLength(2);
    expect(found.total).toBe(4);
  });

  it('searches only the tools of one server when asked', () => {
    expect(names(index, 'create', { backend: 'files' })).toEqual(['files__write_file']);
    expect(names(index, 'create', { backend: 'graph' })).toEqual(['graph__create_entities']);
    expect(names(index, 'create', { backend: 'nowhere' })).toEqual([]);
  });

  it('tells two servers with the same tools apart by the server description', () => {
    const twins = ToolSearchIndex.build([
      entry('shop', { name: 'read_query', description: 'Run a SELECT' }, 'Shop orders database'),
      entry('logs', { name: 'read_query', description: 'Run a SELECT' }, 'Web server access logs'),
    ]);
    expect(names(twins, 'select from the access logs')[0]).toBe('logs__read_query');
    expect(names(twins, 'select from the orders')[0]).toBe('shop__read_query');
  });

  it('keeps catalog order between equal scores, and scores deterministically', () => {
    const twins = ToolSearchIndex.build([
      entry('b', { name: 'ping', description: 'Ping' }),
      entry('a', { name: 'ping', description: 'Ping' }),
    ]);
    expect(names(twins, 'ping')).toEqual(['b__ping', 'a__ping']);
    expect(index.search('read file', { limit: 3 })).toEqual(index.search('read file', { limit: 3 }));
  });

  it('lists the tools of a server in catalog order', () => {
    expect(index.entries('graph').map((tool) => tool.tool.name)).toEqual(['create_entities', 'searchNodes']);
    expect(index.entries()).toHaveLength(6);
    expect(index.entries()).toHaveLength(6);
  });

  it('copes with tools without description or schema properties', () => {
    const bare = ToolSearchIndex.build([entry('x', { name: 'noop' }), entry('x', { name: 'ping_host' })]);
    expect(names(bare, 'ping')).toEqual(['x__ping_host']);
    expect(ToolSearchIndex.build([]).search('anything', { limit: 5 })).toEqual({ hits: [], total: 0 });
  });
});
