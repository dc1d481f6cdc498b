/**
 * The direct baseline of the 2026-07-28 HTTP path: an echo tool served by the v2 SDK's own `createMcpHandler`
 * (stateless, a server per request) on 127.0.0.1 and a free port, no gateway involved.
 *
 * Prints `serving MCP over Streamable HTTP at <url>` on stderr once listening, as the gateway does.
 */
import { createServer } from 'node:http';
import process from 'node:process';

import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'echo-modern', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its text argument.', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool('pid', { description: 'Returns the server process id.' }, () => ({
    content: [{ type: 'text', text: String(process.pid) }],
  }));
  return server;
});
const serve = toNodeHandler(handler);

const http = createServer((req, res) => void serve(req, res));
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  if (address && typeof address === 'object') {
    console.error(`serving MCP over Streamable HTTP at http://127.0.0.1:${address.port}/mcp`);
  }
});
