/**
 * Raw HTTP requests to a gateway (started with `startHttpGateway`) that can set any header (Host included) and
 * survive a server that answers before the body is sent.
 */
import { request, type Agent } from 'node:http';

import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/server';

/** An HTTP answer, body as text. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  readonly method?: string;
  /** Sent exactly as given; `host` overrides the one derived from the URL. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Path and query instead of the URL's own. */
  readonly path?: string;
  /** `false`: a connection of its own, never one kept alive by an earlier request (which a draining server closes). */
  readonly agent?: Agent | false;
}

/**
 * Sends one request with node:http (which, unlike fetch, lets a test set `Host`). A server that answers and closes
 * the connection while the body is still being written (a 413) still yields its answer.
 */
export function rawRequest(url: URL, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      method: options.method ?? 'POST',
      path: options.path ?? url.pathname,
      headers: { ...options.headers },
      ...(options.agent === undefined ? {} : { agent: options.agent }),
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', (error) => {
      // EPIPE or a reset after the answer arrived: the server stopped reading a body it had refused.
      if (!answered) reject(error);
    });
    req.end(options.body);
  });
}

/** Headers of a JSON-RPC POST, plus `extra`. */
export function jsonHeaders(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra };
}

/** A JSON-RPC `initialize` request body. */
export function initializeBody(id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'raw-attacker', version: '1' },
    },
  });
}

/** Opens a session with a raw `initialize` and returns its id; throws unless the gateway answered 200. */
export async function openRawSession(
  url: URL,
  headers: Readonly<Record<string, string>> = {},
): Promise<string> {
  const response = await rawRequest(url, { headers: jsonHeaders(headers), body: initializeBody() });
  const id = response.headers['mcp-session-id'];
  if (response.status !== 200 || typeof id !== 'string') {
    throw new Error(`initialize answered ${response.status}: ${response.body}`);
  }
  return id;
}

/** The JSON-RPC messages in a body that is either JSON or an SSE stream of `data:` lines. */
export function jsonRpcMessages(response: RawResponse): unknown[] {
  if (response.body.trim() === '') return [];
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('text/event-stream')) {
    return response.body
      .split('\n')
      .filter((line) => line.startsWith('data:') && line.slice(5).trim() !== '')
      .map((line) => JSON.parse(line.slice(5)) as unknown);
  }
  return [JSON.parse(response.body) as unknown];
}
