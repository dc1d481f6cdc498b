/**
 * A remote MCP backend in the test process (Streamable HTTP, stateless, on 127.0.0.1 and a free port) that records
 * the headers of every request it gets: to show what the gateway sends a backend, and what it does not.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** The backend: its URL, the headers it saw, and how to stop it. */
export interface RecordingBackend {
  readonly url: URL;
  /** The headers of each request so far, in order. */
  readonly headers: readonly IncomingHttpHeaders[];
  /** The `_meta` of each tool call so far. */
  readonly metas: readonly unknown[];
  close(): Promise<void>;
}

/** Starts a backend with one tool, `echo({text})`. */
export async function startRecordingBackend(): Promise<RecordingBackend> {
  const headers: IncomingHttpHeaders[] = [];
  const metas: unknown[] = [];
  const server = createServer((req, res) => {
    headers.push({ ...req.headers });
    const mcp = new McpServer({ name: 'recording', version: '1.0.0' });
    mcp.registerTool(
      'echo',
      { description: 'Echoes text.', inputSchema: { text: z.string() } },
      ({ text }, extra) => {
        metas.push(extra._meta);
        return { content: [{ type: 'text', text }] };
      },
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close());
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`),
    headers,
    metas,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
