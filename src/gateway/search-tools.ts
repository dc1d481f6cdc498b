/**
 * `search_tools(query, server?, limit?)`: finds backend tools by what they do, so that a client need not hold
 * every backend's tool definitions in its context (expose mode `gateway`). Searches the hub's index of the exposed
 * tools (allow/deny filters applied, renamed tools under their exposed names).
 */
import type { z } from 'zod';

import { GatewayError } from '../errors.js';
import { formatSearchResults } from './format-results.js';
import type { GatewayTool } from './gateway-tools.js';
import type { SearchableTool } from './tool-search-index.js';
import { SEARCH_LIMIT_DEFAULT, SearchToolsInput, SearchToolsOutput } from './tool-schemas.js';

/** The `structuredContent` of a `search_tools` result. */
export type SearchToolsResult = z.infer<typeof SearchToolsOutput>;

/** One result: the tool, how to call it, and its score. */
export type SearchToolsMatch = SearchToolsResult['results'][number];

export const searchTools: GatewayTool = {
  name: 'search_tools',
  description: () =>
    "Find backend tools by what they do: a ranked keyword search over every backend tool's name, description and " +
    'parameters. Each match gives its server, tool, description, input schema and a score; call it with ' +
    'call_backend {"server", "tool", "params"}. Give `server` to search one backend only, or `server` with an ' +
    'empty query to get all its tools with their schemas.',
  inputSchema: SearchToolsInput,
  outputSchema: SearchToolsOutput,
  annotations: { title: 'Search backend tools', readOnlyHint: true, openWorldHint: false },
  handler: (raw, context) => {
    const args = SearchToolsInput.parse(raw);
    const query = (args.query ?? '').trim();
    const server = args.server;
    const upstream = server === undefined ? undefined : context.directory.get(server);
    if (server !== undefined && !upstream) {
      throw new GatewayError(
        'unknown_server',
        `unknown server "${server}"; registered: ${context.directory.describeNames()}`,
        { server },
      );
    }
    if (query === '' && server === undefined) {
      throw new GatewayError(
        'invalid_input',
        'search_tools needs a query (what you want to do, e.g. "read a file"), or a server whose tools to list',
      );
    }
    const index = context.searchIndex();
    let matches: SearchToolsMatch[];
    let total: number;
    if (query === '') {
      const entries = index.entries(server);
      total = entries.length;
      matches = entries.slice(0, args.limit ?? entries.length).map((entry) => toMatch(entry, null));
    } else {
      const found = index.search(query, { server, limit: args.limit ?? SEARCH_LIMIT_DEFAULT });
      total = found.total;
      matches = found.hits.map((hit) => toMatch(hit.entry, Math.round(hit.score * 1000) / 1000));
    }
    const result: SearchToolsResult = { query, server: server ?? null, total, results: matches };
    // A server that is not ready has no tools listed: say why the answer is empty.
    const serverState = upstream && upstream.state !== 'ready' ? upstream.state : undefined;
    return Promise.resolve({
      content: [{ type: 'text', text: formatSearchResults(result, serverState) }],
      structuredContent: result,
    });
  },
};

function toMatch(entry: SearchableTool, score: number | null): SearchToolsMatch {
  return {
    server: entry.server,
    tool: entry.tool.name,
    name: entry.exposedName,
    callBackend: { server: entry.server, tool: entry.tool.name },
    description: entry.tool.description ?? '',
    inputSchema: entry.tool.inputSchema,
    score,
  };
}
