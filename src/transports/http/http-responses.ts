/**
 * How the HTTP front door answers when it refuses a request: a status, a JSON-RPC error body (so that an MCP client
 * always gets something it can parse), and the headers the status calls for.
 */
import type { ServerResponse } from 'node:http';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';

/** A refused request: what to answer instead of processing it. */
export interface Rejection {
  readonly status: number;
  /** The JSON-RPC error code of the body; `InvalidRequest` unless said otherwise. */
  readonly code?: number;
  /** Safe to show the client: never carries a token or a header value it did not choose itself. */
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Writes a JSON body with its status. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

/** Answers a refused request with a JSON-RPC error body (`id: null`: the request was never read as a message). */
export function sendRejection(res: ServerResponse, rejection: Rejection): void {
  sendJson(
    res,
    rejection.status,
    {
      jsonrpc: '2.0',
      error: { code: rejection.code ?? ProtocolErrorCode.InvalidRequest, message: rejection.message },
      id: null,
    },
    rejection.headers,
  );
}

/** What a draining front door answers to new work: 503, which a load balancer retries on another replica. */
export const SHUTTING_DOWN: Rejection = {
  status: 503,
  message: 'Service Unavailable: the gateway is shutting down',
  headers: { Connection: 'close' },
};
