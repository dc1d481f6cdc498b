/**
 * The SDK's Streamable HTTP server transport on `node:http`, as the SDK's own Node adapter runs it (its web-standard
 * transport behind `@hono/node-server`'s request listener), with two differences, so that an SSE answer's head and
 * first event leave in one write, at once:
 * - the answer is marked chunked. Unmarked, the listener reads ahead to size the body: it finds the priming event
 *   (a session with an event store starts every stream with one), then waits a timer turn (about a millisecond) for
 *   more before writing anything, and every call over HTTP paid that wait;
 * - marked, the listener flushes the head alone, then writes the first event: the head is held to the end of the
 *   turn instead, and goes with that event (see `headWithFirstEvent`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { getRequestListener } from '@hono/node-server';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';

/** A 2025-era session's transport, served by `handleNodeRequest`. */
export class NodeHttpTransport extends WebStandardStreamableHTTPServerTransport {
  /** Serves one HTTP request of the session; `parsedBody` is the body when it was read already. */
  async handleNodeRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    headWithFirstEvent(res);
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

/**
 * Makes `res.flushHeaders()` wait for the end of the turn, so that the first event written in the meantime (the
 * priming event, already in the stream when the listener flushes) goes out with the head. Written apart, they cost
 * the client, or the replica passing the answer on, a read each; and a replica that died between the two left its
 * client a stream with no event id, which it cannot resume. A stream that stays quiet still has its head sent.
 */
function headWithFirstEvent(res: ServerResponse): void {
  const flush = res.flushHeaders.bind(res);
  res.flushHeaders = () => {
    const before = res.socket?.bytesWritten;
    setImmediate(() => {
      // Nothing written since: the head goes alone. Otherwise it went with the event (a flush would write nothing).
      if (!res.destroyed && res.socket?.bytesWritten === before) flush();
    });
  };
}
