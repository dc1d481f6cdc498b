/**
 * The admin listener (`--admin-port`): `/healthz`, `/readyz` and the mounted routes (`/metrics`) on 127.0.0.1 only,
 * for a gateway serving stdio (which has no HTTP listener of its own) or beside the HTTP front door. No bearer
 * token: only this machine reaches it, and its Host check keeps web pages from reaching it through DNS rebinding.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import { createHostCheck } from '../http/host-check.js';
import { HEALTH_PATH, READY_PATH } from '../http/http-defaults.js';
import { sendRejection } from '../http/http-responses.js';
import type { MountedHandler } from '../http/serve-http.js';
import type { HttpRoutes } from './http-routes.js';
import { answerHealth, answerReadiness, type Readiness } from './probes.js';

/** The one address the admin listener binds. */
export const ADMIN_HOST = '127.0.0.1';

/** Options of {@link serveAdmin}. */
export interface AdminOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** What `/readyz` reports. */
  readonly readiness: () => Readiness;
  /** Routes besides the probes (`/metrics`); read at each request, so a route added later is served. */
  readonly routes: HttpRoutes;
  /** Handlers asked first, after the Host check, each for its own paths (the dashboard of a stdio gateway). */
  readonly mounts?: readonly MountedHandler[] | undefined;
}

/** A listening admin listener. */
export interface AdminHandle {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops serving (the probes answer 503 meanwhile) and resolves once the listener is closed. */
  close(): Promise<void>;
}

/** Starts the admin listener; resolves once it listens. */
export async function serveAdmin(options: AdminOptions): Promise<AdminHandle> {
  const { logger } = options;
  const checkHost = createHostCheck({ bindHost: ADMIN_HOST });
  let stopping = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rejection = checkHost(req);
    if (rejection) {
      sendRejection(res, rejection);
      return;
    }
    for (const mounted of options.mounts ?? []) if (await mounted(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === HEALTH_PATH && req.method === 'GET') return answerHealth(res, stopping);
    if (path === READY_PATH && req.method === 'GET') return answerReadiness(res, options.readiness, stopping);
    const route = options.routes.get(path);
    if (route) return route(req, res);
    const served = [HEALTH_PATH, READY_PATH, ...options.routes.keys()].join(', ');
    sendRejection(res, { status: 404, message: `Not found: the admin listener serves ${served}` });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.warn('admin request failed', { error: (error as Error).message });
      if (!res.headersSent) sendRejection(res, { status: 500, message: 'Internal error' });
      else res.end();
    });
  });
  server.listen(options.port, ADMIN_HOST);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GatewayError(
      'invalid_config',
      code === 'EADDRINUSE'
        ? `--admin-port ${options.port} is already in use on ${ADMIN_HOST}: choose another (0 picks a free one)`
        : `cannot listen on --admin-port ${options.port} of ${ADMIN_HOST}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${ADMIN_HOST}:${port}`;
  logger.info(`serving the admin listener at ${url}`, {
    paths: [HEALTH_PATH, READY_PATH, ...options.routes.keys()],
  });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () => {
      closing ??= (async () => {
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
