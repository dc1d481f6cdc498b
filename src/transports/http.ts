/**
 * Serves the gateway over Streamable HTTP at `/mcp`: one MCP server object per session, created by the factory
 * passed in. This file knows sessions and HTTP, nothing of backends.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import type { Logger } from '../logger.js';

/** One session's MCP server, as built by the gateway for each new session. */
export interface SessionServer {
  readonly server: Server;
  close(): Promise<void>;
}

/** Options of {@link serveHttp}. */
export interface HttpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Larger request bodies get 413. Default 4 MiB. */
  readonly maxBodyBytes?: number;
}

/** A listening HTTP front door. */
export interface HttpHandle {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly port: number;
  /** Number of open sessions. */
  sessionCount(): number;
  /** Stops accepting, ends every session, and resolves once the listener is closed. */
  close(): Promise<void>;
}

/** The MCP endpoint's path. */
export const MCP_PATH = '/mcp';
const SESSION_HEADER = 'mcp-session-id';
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly instance: SessionServer;
}

/** Starts the HTTP server; resolves once it listens. */
export async function serveHttp(
  createSession: () => SessionServer,
  options: HttpOptions,
): Promise<HttpHandle> {
  const sessions = new Map<string, Session>();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = options.logger;

  const endSession = async (id: string): Promise<void> => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    try {
      await session.transport.close();
    } finally {
      await session.instance.close();
    }
  };

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const instance = createSession();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, instance });
        logger.debug('session opened', { sessions: sessions.size });
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && sessions.get(id)?.transport === transport) {
        sessions.delete(id);
        void instance.close();
      }
    };
    await instance.server.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize that failed leaves no session behind.
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await instance.close();
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      sendJsonRpcError(res, 405, ErrorCode.InvalidRequest, `Method ${method} is not allowed on ${MCP_PATH}`);
      return;
    }
    const sessionId = headerValue(req, SESSION_HEADER);
    let body: unknown;
    if (method === 'POST') {
      const read = await readJsonBody(req, maxBodyBytes);
      if (!read.ok) {
        sendJsonRpcError(res, read.status, read.code, read.message);
        return;
      }
      body = read.value;
      if (sessionId === undefined) {
        if (!isInitializeRequest(body)) {
          sendJsonRpcError(
            res,
            400,
            ErrorCode.InvalidRequest,
            `Bad Request: missing ${SESSION_HEADER} header`,
          );
          return;
        }
        await openSession(req, res, body);
        return;
      }
    } else if (sessionId === undefined) {
      sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Bad Request: missing ${SESSION_HEADER} header`);
      return;
    }
    const session = sessions.get(sessionId);
    if (!session) {
      sendJsonRpcError(res, 404, ErrorCode.InvalidRequest, 'Session not found');
      return;
    }
    await session.transport.handleRequest(req, res, body);
    if (method === 'DELETE') await endSession(sessionId);
  };

  const httpServer = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handled =
      path === MCP_PATH
        ? handleMcp(req, res)
        : path === '/healthz' && req.method === 'GET'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok' }))
          : Promise.resolve(sendJson(res, 404, { error: 'not found' }));
    handled.catch((error: unknown) => {
      logger.error('HTTP request failed', { error: (error as Error).message });
      if (!res.headersSent) sendJsonRpcError(res, 500, ErrorCode.InternalError, 'Internal error');
      else res.end();
    });
  });

  httpServer.listen(options.port, options.host);
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}${MCP_PATH}`;
  logger.info(`serving MCP over Streamable HTTP at ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    sessionCount: () => sessions.size,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await Promise.allSettled([...sessions.keys()].map((id) => endSession(id)));
        httpServer.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return {
      ok: false,
      status: 413,
      code: ErrorCode.InvalidRequest,
      message: `Request body over ${maxBytes} bytes`,
    };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      return {
        ok: false,
        status: 413,
        code: ErrorCode.InvalidRequest,
        message: `Request body over ${maxBytes} bytes`,
      };
    }
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return {
      ok: false,
      status: 400,
      code: ErrorCode.ParseError,
      message: 'Parse error: the body is not valid JSON',
    };
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
