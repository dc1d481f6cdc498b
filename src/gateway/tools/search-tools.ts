/**
 * `search_tools(query, server?, limit?)`: finds backend tools by what they do, so that a client need not hold
 * every backend's tool definitions in its context (expose mode `gateway`). Searches the index of the exposed tools
 * (allow/deny filters applied, renamed tools under their exposed names).
 */
import { z } from 'zod';

import { GatewayError } from '../../errors/gateway-error.js';
import type { SearchableTool } from '../search/tool-search-index.js';
import type { GatewayTool } from './gateway-tool.js';

/** How many tools `search_tools` returns when not told. */
export const SEARCH_LIMIT_DEFAULT = 5;
/** The most tools one search returns. */
export const SEARCH_LIMIT_MAX = 50;

/** The tool's arguments. */
export const SearchToolsInput = z.object({
  query: z
    .string()
    .optional()
    .describe(
      'What you want to do, in plain words, e.g. "save a note about a person" or "list the tables of a database". ' +
        'May be empty when `server` is given: then every tool of that server is returned.',
    ),
  server: z.string().min(1).optional().describe('Search only the tools of this backend (see list_servers).'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(SEARCH_LIMIT_MAX)
    .optional()
    .describe(
      `How many tools to return, best first: 1 to ${SEARCH_LIMIT_MAX}, default ${SEARCH_LIMIT_DEFAULT} ` +
        "(when listing a server's tools: all of them).",
    ),
});

/** The tool's `structuredContent`. */
export const SearchToolsOutput = z.object({
  query: z.string(),
  server: z.string().nullable(),
  /** Tools that matched (or that the server has, when listing one), of which `results` holds the first `limit`. */
  total: z.number().int(),
  results: z.array(
    z.object({
      server: z.string(),
      /** The backend's own name for the tool: what `call_backend` takes as `tool`. */
      tool: z.string(),
      /** The name the gateway exposes it under (`server__tool`). */
      name: z.string(),
      /** The arguments of `call_backend` that reach it, besides `params`. */
      callBackend: z.object({ server: z.string(), tool: z.string() }),
      description: z.string(),
      inputSchema: z.record(z.string(), z.unknown()),
      /** Relevance (higher is better, comparable within one search only); null when listing a server's tools. */
      score: z.number().nullable(),
    }),
  ),
});

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
    const backend = server === undefined ? undefined : context.directory.get(server);
    if (server !== undefined && !backend) {
      throw new GatewayError(
        'unknown_server',
        `unknown server "${server}"; registered: ${context.directory.describeNames()}`,
        { backend: server },
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
      const found = index.search(query, { backend: server, limit: args.limit ?? SEARCH_LIMIT_DEFAULT });
      total = found.total;
      matches = found.hits.map((hit) => toMatch(hit.entry, Math.round(hit.score * 1000) / 1000));
    }
    const result: SearchToolsResult = { query, server: server ?? null, total, results: matches };
    // A server that is not ready has no tools listed: say why the answer is empty.
    const serverState = backend && backend.state !== 'ready' ? backend.state : undefined;
    return Promise.resolve({
      content: [{ type: 'text', text: formatSearchResults(result, serverState) }],
      structuredContent: result,
    });
  },
};

function toMatch(entry: SearchableTool, score: number | null): SearchToolsMatch {
  return {
    server: entry.backend,
    tool: entry.tool.name,
    name: entry.exposedName,
    callBackend: { server: entry.backend, tool: entry.tool.name },
    description: entry.tool.description ?? '',
    inputSchema: entry.tool.inputSchema,
    score,
  };
}

/**
 * The matches of `search_tools`, best first: each with how to call it and its input schema as compact JSON (the
 * schema's `$schema` line left out: it says nothing a model needs). `serverState` is given when the server searched
 * is not ready, to say why it has no tools.
 */
export function formatSearchResults(result: SearchToolsResult, serverState?: string): string {
  const scope = result.server === null ? '' : ` of server "${result.server}"`;
  const shown = result.results.length;
  if (shown === 0) {
    if (serverState)
      return `No tools${scope}: it is ${serverState}, and only ready servers list their tools.`;
    if (result.query === '') return `Server "${result.server}" exposes no tools.`;
    return (
      `No tool${scope} matches "${result.query}". Try other words (what the tool does, or what it works on), ` +
      'or search_tools with a server and an empty query to see every tool of one backend.'
    );
  }
  const partial = shown < result.total;
  const heading =
    result.query === ''
      ? `${result.total} tool(s)${scope}${partial ? `, the first ${shown}` : ''}:`
      : `${result.total} tool(s)${scope} match "${result.query}"${partial ? `; the best ${shown}` : ''}:`;
  const lines = [heading];
  result.results.forEach((match, position) => {
    const score = match.score === null ? '' : ` (score ${match.score})`;
    const { $schema: _ignored, ...schema } = match.inputSchema;
    lines.push(
      '',
      `${position + 1}. ${match.server} / ${match.tool}${score}: ${match.description || '(no description)'}`,
      `   call: call_backend {"server": ${JSON.stringify(match.server)}, "tool": ${JSON.stringify(match.tool)}, ` +
        `"params": {...}} (exposed as ${match.name})`,
      `   inputSchema: ${JSON.stringify(schema)}`,
    );
  });
  return lines.join('\n');
}
