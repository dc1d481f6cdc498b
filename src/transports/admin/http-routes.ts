/**
 * Routes mounted on the gateway's HTTP listeners besides `/mcp` and the probes: `/metrics`, and later others
 * (`/dashboard`). One table, built by the composition root, is handed to the HTTP front door (which serves it behind
 * its Host check and bearer token) and to the admin listener (loopback only): a route added to it is served by both.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers one request to its path (any method: a handler refuses the ones it does not serve). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Handlers by exact path (`/metrics`). */
export type HttpRoutes = ReadonlyMap<string, RouteHandler>;
