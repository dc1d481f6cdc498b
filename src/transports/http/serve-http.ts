/**
 * Serves the gateway over Streamable HTTP at `/mcp`. This file is the wiring and the order of the guards; each
 * guard lives in its own file and runs in this order, before any MCP processing: Host and Origin (403), the
 * protected resource metadata when OAuth is on (served without a token), bearer token (401; an OAuth token's
 * missing scope 403), then in `mcp-endpoint.ts` method (405), protocol version (400), body size (413), one message per
 * POST (400), and the session (400 without an id, 404 for an unknown one or another token's). The probes
 * `/healthz` and `/readyz` answer before any guard; the mounted routes (`/metrics`) after the bearer token. It knows sessions and HTTP, nothing of backends (readiness is
 * handed in). Whether a listener off loopback needs a token is the caller's rule
 * (`startGateway` enforces it).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { HttpRoutes } from '../admin/http-routes.js';
import { answerHealth, answerReadiness, type Readiness } from '../admin/probes.js';
import { OwnerRouter } from '../peers/owner-router.js';
import type { PeerRouting } from '../peers/peer-routing.js';
import type { SessionOpener } from '../session-opener.js';
import { socketTraffic } from '../socket-traffic.js';
import { createRequestAuth, type AuthToken, type TokenAuthority } from './bearer-auth.js';
import { createHostCheck } from './host-check.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
  HEALTH_PATH,
  MCP_PATH,
  READY_PATH,
} from './http-defaults.js';
import { sendJson, sendRejection, SHUTTING_DOWN, type Rejection } from './http-responses.js';
import { InFlightRequests } from './in-flight.js';
import { McpEndpoint, type SessionAdmission } from './mcp-endpoint.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';

/** Options of {@link serveHttp}. Only `host`, `port` and `logger` are required; the rest have safe defaults. */
export interface HttpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Larger request bodies get 413. Default {@link DEFAULT_MAX_BODY_BYTES} (4 MiB). */
  readonly maxBodyBytes?: number | undefined;
  /**
   * Accepted bearer tokens, each named (the name is the principal of its requests) or not (`token-<index>`);
   * empty means no authentication (for a loopback address only: see `startGateway`).
   */
  readonly authTokens?: readonly AuthToken[] | undefined;
  /**
   * OAuth access tokens besides the static ones: the authority for the listener's URL (known once it listens),
   * asked about every token that is not a static one. None when undefined.
   */
  readonly tokenAuthority?: ((listenerUrl: string) => TokenAuthority) | undefined;
  /** How many sessions may be open at once, in all. Default {@link DEFAULT_MAX_SESSIONS}. */
  readonly maxSessions?: number | undefined;
  /** Per-principal session limits (the config's `limits`); none when undefined. */
  readonly admitSession?: SessionAdmission | undefined;
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
  /** What `/readyz` reports: ready (200) once nothing is starting, with what is starting or failed, by name. */
  readonly readiness?: (() => Readiness) | undefined;
  /** Session ids become `<prefix>.<uuid>` (a cluster replica's id, so that any replica can tell the owner). */
  readonly sessionIdPrefix?: string | undefined;
  /** A cluster replica's peers: requests for another replica's sessions are passed to it (see docs/cluster.md). */
  readonly peers?: PeerRouting | undefined;
  /** More routes (`/metrics`), served behind the Host check and the bearer token like `/mcp`. */
  readonly routes?: HttpRoutes | undefined;
  /**
   * More handlers mounted on this listener (the dashboard), asked in order before the MCP endpoint's guards: each
   * answers the requests of its own paths, with its own guards, and resolves false for the others.
   */
  readonly mounts?: readonly MountedHandler[] | undefined;
}

/** A handler mounted on the listener: answers a request it owns and resolves true, or resolves false untouched. */
export type MountedHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export type { Readiness } from '../admin/probes.js';

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

/** Starts the HTTP server, opening one session on `opener` per client; resolves once it listens. */
export async function serveHttp(opener: SessionOpener, options: HttpOptions): Promise<HttpHandle> {
  const { logger } = options;
  const tokens = options.authTokens ?? [];
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const checkHost = createHostCheck({
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
    bindHost: options.host,
  });
  // Set once the port is taken (the authority needs the listener's URL): no request is handled before.
  let authority: TokenAuthority | undefined = undefined;
  let authenticate = createRequestAuth(tokens, undefined);
  const inFlight = new InFlightRequests();
  let draining = false;

  const refuse = (res: ServerResponse, rejection: Rejection): void => {
    if (rejection.status === 401 || rejection.status === 403 || rejection.status === 429) {
      logger.warn('refused a request', { status: rejection.status, reason: rejection.message });
    }
    sendRejection(res, rejection);
  };
  const router = options.peers && new OwnerRouter(options.peers, logger, refuse, () => draining);
  const endpoint = new McpEndpoint(opener, {
    draining: () => draining,
    routeModern: router && ((req, res, body) => router.routeState(req, res, body)),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    sessionIdleMs: options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
    maxSessions: options.maxSessions ?? DEFAULT_MAX_SESSIONS,
    admitSession: options.admitSession,
    sessionIdPrefix: options.sessionIdPrefix,
    authorize: (identity, method) => authority?.authorize(identity, method),
    logger,
    refuse,
  });

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    if (path === HEALTH_PATH && req.method === 'GET') {
      answerHealth(res, draining);
      return;
    }
    if (path === READY_PATH && req.method === 'GET') {
      answerReadiness(res, options.readiness, draining);
      return;
    }
    // A standalone GET stream stays open for the session's life: shutdown does not wait for it.
    if (req.method !== 'GET') inFlight.track(res);
    // While draining, the MCP endpoint still takes what finishes the calls in progress (see `McpEndpoint.handle`).
    if (draining && path !== MCP_PATH) {
      refuse(res, SHUTTING_DOWN);
      return;
    }
    for (const mounted of options.mounts ?? []) if (await mounted(req, res)) return;
    const hostRejection = checkHost(req);
    if (hostRejection) {
      refuse(res, hostRejection);
      return;
    }
    const document = req.method === 'GET' ? authority?.document(path) : undefined;
    if (document !== undefined) {
      sendJson(res, 200, document);
      return;
    }
    const auth = await authenticate(req);
    if (!auth.ok) {
      refuse(res, auth.rejection);
      return;
    }
    if (path !== MCP_PATH) {
      const route = options.routes?.get(path);
      if (route) await route(req, res);
      else refuse(res, { status: 404, message: `Not found: the MCP endpoint is ${MCP_PATH}` });
      return;
    }
    if (router && (await router.routeSession(req, res)) === 'handled') return;
    await endpoint.handle(req, res, { principal: auth.principal, claims: auth.claims });
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
          sendRejection(res, {
            status: 500,
            code: ProtocolErrorCode.InternalError,
            message: 'Internal error',
          });
        } else res.end();
      });
    },
  );

  const stopCounting = opener.countTraffic('http', socketTraffic(httpServer));
  httpServer.once('close', stopCounting);
  httpServer.listen(options.port, options.host);
  try {
    await once(httpServer, 'listening');
  } catch (error) {
    throw describeListenError(error, options.host, options.port);
  }
  const { port } = httpServer.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}${MCP_PATH}`;
  authority = options.tokenAuthority?.(url);
  authenticate = createRequestAuth(tokens, authority);
  const kinds = [...(tokens.length > 0 ? ['bearer token'] : []), ...(authority ? ['oauth'] : [])];
  logger.info(`serving MCP over Streamable HTTP at ${url}`, {
    auth: kinds.length > 0 ? kinds.join(' and ') : 'none (loopback only)',
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    sessionCount: () => endpoint.size,
    close: () => {
      closing ??= (async () => {
        draining = true;
        // Still listening while the calls in progress finish: the probes answer 503, new sessions get 503 and
        // requests of this replica's sessions 404, so that clients move to another replica at once.
        httpServer.closeIdleConnections();
        if (!(await inFlight.settle(drainTimeoutMs))) {
          logger.warn(`${inFlight.size} request(s) still running after ${drainTimeoutMs} ms; ending them`);
        }
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        router?.close();
        await endpoint.closeAll();
        httpServer.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

/** Why the port could not be taken, as the operator can fix it. */
function describeListenError(error: unknown, host: string, port: number): GatewayError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `port ${port} on ${host}`;
  const message =
    code === 'EADDRINUSE'
      ? `${where} is already in use: stop what listens there, or choose another port with --port (0 picks a free one)`
      : code === 'EACCES'
        ? `${where} may not be used by this user (ports below 1024 need privileges): choose another with --port`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `${host} is not an address of this machine: choose one with --host`
          : `cannot listen on ${where}: ${(error as Error).message}`;
  return new GatewayError('invalid_config', message, { cause: error });
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    // Not a path a client of this server would send: treat it as an unknown one.
    return '';
  }
}
