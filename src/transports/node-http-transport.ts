/**
 * The SDK's Streamable HTTP server transport on `node:http`, as the SDK's own Node adapter runs it (its web-standard
 * transport behind `@hono/node-server`'s request listener), with one difference: an SSE answer is marked chunked,
 * so that its head and first event are written at once. Unmarked, the listener reads ahead to size the body: it
 * finds the priming event (a session with an event store starts every stream with one), then waits a timer turn
 * (about a millisecond) for more before writing anything, and every call over HTTP paid that wait.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { getRequestListener } from '@hono/node-server';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';

/** A 2025-era session's transport, served by `handleNodeRequest`. */
export class NodeHttpTransport extends WebStandardStreamableHTTPServerTransport {
  /** Serves one HTTP request of the session; `parsedBody` is the body when it was read already. */
  async handleNodeRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    const listener = getRequestListener(
      async (request: Request) => streamedAtOnce(await this.handleRequest(request, { parsedBody })),
      { overrideGlobalObjects: false },
    );
    await listener(req, res);
  }
}

/** `response`, an SSE one marked chunked (what node:http sends it as anyway) so that the listener does not wait. */
function streamedAtOnce(response: Response): Response {
  if (response.body !== null && response.headers.get('content-type')?.startsWith('text/event-stream')) {
    response.headers.set('transfer-encoding', 'chunked');
  }
  return response;
}
