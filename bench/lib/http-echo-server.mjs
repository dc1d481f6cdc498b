/**
 * The direct baseline of the HTTP path: an echo tool served by the SDK's own Streamable HTTP server transport, with
 * sessions, on 127.0.0.1 and a free port, no gateway involved. What it costs per call is what the SDK's HTTP
 * transport costs on this machine; the gateway's HTTP row is read against it.
 *
 * Prints `serving MCP over Streamable HTTP at <url>` on stderr once listening, as the gateway does.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** @type {Map<string, StreamableHTTPServerTransport>} */
const sessions = new Map();

function createEchoServer() {
  const server = new McpServer({ name: 'echo-http', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its text argument.', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool('pid', { description: 'Returns the server process id.' }, () => ({
    content: [{ type: 'text', text: String(process.pid) }],
  }));
  return server;
}

const http = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      const id = req.headers['mcp-session-id'];
      let transport = typeof id === 'string' ? sessions.get(id) : undefined;
      if (!transport) {
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sessionId) => sessions.set(sessionId, transport),
        });
        await createEchoServer().connect(transport);
      }
      await transport.handleRequest(req, res, body);
    })().catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  if (address && typeof address === 'object') {
    console.error(`serving MCP over Streamable HTTP at http://127.0.0.1:${address.port}/mcp`);
  }
});
process.on('SIGTERM', () => process.exit(0));
