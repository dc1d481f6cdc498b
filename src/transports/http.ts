/**
 * Serves the gateway over Streamable HTTP at `/mcp`: one MCP server object per session, created by the factory
 * passed in. This file is the wiring; each guard lives in its own file and runs in this order, before any MCP
 * processing: Host and Origin (403), bearer token (401), method (405), protocol version (400), body size (413),
 * one message per POST (400), then the session (400 without an id, 404 for an unknown one or another token's).
 * It knows sessions and HTTP, nothing of backends.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createBearerAuth, type Principal } from './bearer-auth.js';
import { createHostCheck, isLoopbackAddress } from './host-check.js';
import { sendJson, sendRejection, type Rejection } from './http-responses.js';
import { InFlightRequests } from './in-flight.js';
import { checkProtocolVersion } from './protocol-version.js';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './read-json-body.js';
import { SessionStore, type AcquiredSession } from './session-store.js';

/** One session's MCP server, as built by the gateway for each new session. */
export interface SessionServer {
  /** Connects the server to the session's transport. */
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link serveHttp}. Only `host`, `port` and `logger` are required; the rest have safe defaults. */
export interface HttpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Larger request bodies get 413. Default {@link DEFAULT_MAX_BODY_BYTES} (4 MiB). */
  readonly maxBodyBytes?: number | undefined;
  /** Accepted bearer tokens; empty means no authentication, which is allowed on a loopback address only. */
  readonly authTokens?: readonly string[] | undefined;
  /** Host names accepted in the `Host` header besides the loopback ones (and the bound address). */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Origins accepted in the `Origin` header besides loopback ones. */
  readonly allowedOrigins?: readonly string[] | undefined;
  /** A session without requests for this long is closed. Default {@link DEFAULT_SESSION_IDLE_MS} (30 minutes). */
  readonly sessionIdleMs?: number | undefined;
  /** A request's headers and body must arrive within this time, or it gets 408. Default 30 s. */
  readonly requestTimeoutMs?: number | undefined;
  /** On close, requests in progress get this long to finish. Default 3 s. */
  readonly drainTimeoutMs?: number | undefined;
}

/** A listening HTTP front door. */
export interface HttpHandle {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly port: number;
  /** Number of open sessions. */
  sessionCount(): number;
  /**
   * Stops accepting connections and requests, lets requests in progress finish (up to the drain timeout), ends
   * every session, and resolves once the listener is closed.
   */
  close(): Promise<void>;
}

/** The MCP endpoint's path. */
export const MCP_PATH = '/mcp';
/** The unauthenticated liveness probe's path. */
export const HEALTH_PATH = '/healthz';
/** Default of {@link HttpOptions.sessionIdleMs}: 30 minutes. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
/** Default of {@link HttpOptions.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default of {@link HttpOptions.drainTimeoutMs}. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 3000;

const SESSION_HEADER = 'mcp-session-id';

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly instance: SessionServer;
}

/**
 * Starts the HTTP server; resolves once it listens.
 *
 * @throws GatewayError when asked to listen on a non-loopback address without a token.
 */
export async function serveHttp(
  createSession: () => SessionServer,
  options: HttpOptions,
): Promise<HttpHandle> {
  const { logger } = options;
  const tokens = options.authTokens ?? [];
  if (tokens.length === 0 && !isLoopbackAddress(options.host)) {
    throw new GatewayError(
      'invalid_config',
      `refusing to serve HTTP on ${options.host} without an auth token: anyone who can reach it could start ` +
        'commands on this machine; set --auth-token or MCP_GATEWAY_AUTH_TOKEN, or bind 127.0.0.1',
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const checkHost = createHostCheck({
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
    bindHost: options.host,
  });
  const authenticate = createBearerAuth(tokens);
  const inFlight = new InFlightRequests();
  let draining = false;

  const closeSession = async (session: Session): Promise<void> => {
    try {
      await session.transport.close();
    } finally {
      await session.instance.close();
    }
  };
  const sessions = new SessionStore<Session>({
    idleMs: options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
    onIdle: (session) => {
      logger.info('closed an idle session', { sessions: sessions.size });
      closeSession(session).catch((error: unknown) =>
        logger.warn('closing an idle session failed', { error: (error as Error).message }),
      );
    },
  });
  const endSession = async (id: string): Promise<void> => {
    const session = sessions.delete(id);
    if (session) await closeSession(session);
  };

  const refuse = (res: ServerResponse, rejection: Rejection): void => {
    if (rejection.status === 401 || rejection.status === 403) {
      logger.warn('refused a request', { status: rejection.status, reason: rejection.message });
    }
    sendRejection(res, rejection);
  };

  const openSession = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    principal: Principal,
  ): Promise<void> => {
    const instance = createSession();
    let opened: AcquiredSession<Session> | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        opened = sessions.add(id, { transport, instance }, principal);
        res.once('close', () => opened?.release());
        logger.debug('session opened', { sessions: sessions.size });
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && sessions.peek(id)?.transport === transport) {
        sessions.delete(id);
        void instance.close();
      }
    };
    await instance.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize that failed leaves no session behind.
    if (opened === undefined) await instance.close();
  };

  const handleMcp = async (
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      refuse(res, {
        status: 405,
        message: `Method ${method} is not allowed on ${MCP_PATH}`,
        headers: { Allow: 'GET, POST, DELETE' },
      });
      return;
    }
    const versionRejection = checkProtocolVersion(req);
    if (versionRejection) {
      refuse(res, versionRejection);
      return;
    }
    const sessionId = headerValue(req, SESSION_HEADER);
    let body: unknown;
    if (method === 'POST') {
      const read = await readJsonBody(req, maxBodyBytes);
      if (!read.ok) {
        refuse(res, read.rejection);
        return;
      }
      body = read.value;
      if (Array.isArray(body)) {
        refuse(res, {
          status: 400,
          message: 'Bad Request: send one JSON-RPC message per request, not a batch',
        });
        return;
      }
      if (sessionId === undefined) {
        if (!isInitializeRequest(body)) {
          refuse(res, { status: 400, message: `Bad Request: missing ${SESSION_HEADER} header` });
          return;
        }
        await openSession(req, res, body, principal);
        return;
      }
    } else if (sessionId === undefined) {
      refuse(res, { status: 400, message: `Bad Request: missing ${SESSION_HEADER} header` });
      return;
    }
    const session = sessions.acquire(sessionId, principal);
    if (!session) {
      refuse(res, { status: 404, message: 'Session not found' });
      return;
    }
    res.once('close', () => session.release());
    await session.value.transport.handleRequest(req, res, body);
    if (method === 'DELETE') await endSession(sessionId);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    if (path === HEALTH_PATH && req.method === 'GET') {
      sendJson(res, draining ? 503 : 200, { status: draining ? 'stopping' : 'ok' });
      return;
    }
    // A standalone GET stream stays open for the session's life: shutdown does not wait for it.
    if (req.method !== 'GET') inFlight.track(res);
    if (draining) {
      refuse(res, {
        status: 503,
        message: 'Service Unavailable: the gateway is shutting down',
        headers: { Connection: 'close' },
      });
      return;
    }
    const hostRejection = checkHost(req);
    if (hostRejection) {
      refuse(res, hostRejection);
      return;
    }
    const auth = authenticate(req);
    if (!auth.ok) {
      refuse(res, auth.rejection);
      return;
    }
    if (path !== MCP_PATH) {
      refuse(res, { status: 404, message: `Not found: the MCP endpoint is ${MCP_PATH}` });
      return;
    }
    await handleMcp(req, res, auth.principal);
  };

  const httpServer = createServer(
    {
      // Slow or stalled requests (headers or body trickling in) get 408 and lose their connection.
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeoutMs / 4))),
    },
    (req, res) => {
      handleRequest(req, res).catch((error: unknown) => {
        // A client that went away (or timed out) mid-request is not the gateway's failure.
        const gone = req.destroyed || res.destroyed;
        logger[gone ? 'debug' : 'error']('HTTP request failed', { error: (error as Error).message });
        if (!res.headersSent) {
          sendRejection(res, { status: 500, code: ErrorCode.InternalError, message: 'Internal error' });
        } else res.end();
      });
    },
  );

  httpServer.listen(options.port, options.host);
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}${MCP_PATH}`;
  logger.info(`serving MCP over Streamable HTTP at ${url}`, {
    auth: tokens.length > 0 ? 'bearer token' : 'none (loopback only)',
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    sessionCount: () => sessions.size,
    close: () => {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        if (!(await inFlight.settle(drainTimeoutMs))) {
          logger.warn(`${inFlight.size} request(s) still running after ${drainTimeoutMs} ms; ending them`);
        }
        await Promise.allSettled(sessions.ids().map((id) => endSession(id)));
        httpServer.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    // Not a path a client of this server would send: treat it as an unknown one.
    return '';
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
