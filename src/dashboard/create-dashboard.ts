/**
 * The dashboard as a self-contained request handler: `handle(req, res)` answers every request under its base path
 * (`/dashboard` by default) and resolves true, or resolves false and leaves the request alone. Mounting it on any
 * node:http listener is one line: `if (await dashboard.handle(req, res)) return;`.
 *
 * Guards, in order: Host and Origin (the front door's own check), then who is asking: a session cookie (after the
 * login form, which takes the static tokens), a bearer header (scripts: a static token or, with an `auth` section,
 * an OAuth access token), or nobody when the gateway has neither (loopback only). Actions are
 * POSTs that need the session's CSRF token in `X-CSRF-Token` (or a bearer header, which no other site can make a
 * browser send); a GET never changes anything. A token is never read from the query string.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../logger.js';
import type { PrincipalClaims } from '../shared/observation.js';
import {
  createRequestAuth,
  createTokenCheck,
  type AuthToken,
  type RequestAuth,
  type TokenAuthority,
} from '../transports/http/bearer-auth.js';
import { createHostCheck, type HostCheckOptions } from '../transports/http/host-check.js';
import { DEFAULT_WINDOW, type WindowOptions } from './call-stats.js';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';
import { dashboardPage, loginPage, send, sendJson } from './dashboard-pages.js';
import type { DashboardSources } from './dashboard-sources.js';
import { LiveView } from './live-view.js';
import { isCsrfToken, LoginSessions, type LoginSession } from './login-sessions.js';
import { LoginThrottle } from './login-throttle.js';
import { parseAction, readSmallBody } from './read-body.js';

/** Where the dashboard is served unless told otherwise. */
export const DASHBOARD_PATH = '/dashboard';

/** Options of {@link createDashboard}; all but `sources` and `logger` have defaults. */
export interface DashboardOptions extends HostCheckOptions {
  readonly sources: DashboardSources;
  readonly logger: Logger;
  /** The tokens of the MCP endpoint; none (and no `tokenAuthority`) means no login (the listener is on loopback). */
  readonly authTokens?: readonly AuthToken[] | undefined;
  /**
   * The MCP endpoint's OAuth validation, given when the config has an `auth` section (it exists once the listener
   * is open): bearer headers may carry an access token then.
   */
  readonly tokenAuthority?: (() => TokenAuthority | undefined) | undefined;
  /**
   * Why a caller may not use the dashboard (it shows every backend and every principal's calls, and its actions
   * restart and disable backends), or undefined when it may. Default: whoever passed the login may.
   */
  readonly admit?: ((caller: DashboardCaller) => string | undefined) | undefined;
  readonly basePath?: string | undefined;
  /** How long a login lasts. Default 8 hours. */
  readonly sessionTtlMs?: number | undefined;
  /** At most this many event streams at once. Default 16. */
  readonly maxStreams?: number | undefined;
  /** Default 15 s. */
  readonly heartbeatMs?: number | undefined;
  readonly window?: WindowOptions | undefined;
}

/** A mounted dashboard. */
export interface Dashboard {
  /** Answers `req` if it is the dashboard's (resolves true), else resolves false without touching it. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Ends the event streams and stops listening to the gateway. */
  close(): void;
}

/** Who a dashboard request comes from. */
export interface DashboardCaller {
  readonly principal: string;
  /** What its OAuth access token said, when a bearer header carried one. */
  readonly claims?: PrincipalClaims | undefined;
}

/** Who is asking, and how they proved it. */
interface Caller extends DashboardCaller {
  /** The browser session, when the request carried its cookie. */
  readonly session: LoginSession | undefined;
  /** Whether a bearer header authenticated it (a script: no CSRF token needed). */
  readonly bearer: boolean;
}

const ACTIONS = new Set(['restart', 'enable', 'disable', 'approve']);

/** Builds the dashboard. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { sources, logger } = options;
  const base = options.basePath ?? DASHBOARD_PATH;
  const tokens = options.authTokens ?? [];
  const checkHost = createHostCheck(options);
  const authority = options.tokenAuthority;
  // Nobody needs to prove anything only when the front door asks nothing either (it is then on loopback).
  const open = tokens.length === 0 && authority === undefined;
  // Made at the first bearer request: the authority exists once the listener is open, before any request.
  let requestAuth: RequestAuth | undefined;
  const bearer = (req: IncomingMessage) => (requestAuth ??= createRequestAuth(tokens, authority?.()))(req);
  const checkToken = createTokenCheck(tokens);
  const sessions = new LoginSessions(options.sessionTtlMs ?? 8 * 3600_000, 1000, base);
  const throttle = new LoginThrottle();
  const live = new LiveView(sources, {
    maxStreams: options.maxStreams ?? 16,
    recentCalls: 50,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    window: options.window ?? DEFAULT_WINDOW,
  });

  const callerOf = async (req: IncomingMessage): Promise<Caller | undefined> => {
    const session = sessions.of(req);
    if (session) return { principal: session.principal, session, bearer: false };
    if (req.headers.authorization !== undefined) {
      const auth = await bearer(req);
      return auth.ok
        ? { principal: auth.principal, claims: auth.claims, session: undefined, bearer: true }
        : undefined;
    }
    return open ? { principal: 'anonymous', session: undefined, bearer: false } : undefined;
  };

  const page = (res: ServerResponse, caller: Caller): void => {
    const session = caller.session ?? sessions.create(caller.principal);
    const html = dashboardPage(base, session.csrfToken, caller.principal, !open);
    send(res, 200, 'text/html; charset=utf-8', html, { 'Set-Cookie': sessions.cookie(session) });
  };

  const login = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const waitMs = throttle.waitMs(address);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      logger.warn('refused a dashboard login', { reason: 'too many failed logins', address });
      send(res, 429, 'text/plain', `Too many failed logins: try again in ${seconds} s`, {
        'Retry-After': String(seconds),
      });
      return;
    }
    const body = await readSmallBody(req);
    const token = body === undefined ? undefined : new URLSearchParams(body).get('token');
    const principal = token ? checkToken(token) : undefined;
    if (!open && principal === undefined) {
      throttle.failed(address);
      logger.warn('refused a dashboard login', { reason: 'the token is not valid', address });
      send(res, 401, 'text/html; charset=utf-8', loginPage(base, true, tokens.length > 0));
      return;
    }
    throttle.succeeded(address);
    const session = sessions.create(principal ?? 'anonymous');
    logger.info('dashboard login', { principal: session.principal });
    send(res, 303, 'text/plain', 'logged in', { Location: base, 'Set-Cookie': sessions.cookie(session) });
  };

  const logout = async (req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> => {
    const body = await readSmallBody(req);
    const csrf = body === undefined ? undefined : (new URLSearchParams(body).get('csrf') ?? undefined);
    if (!caller.session || !isCsrfToken(caller.session, csrf)) {
      sendJson(res, 403, { error: 'Forbidden: the CSRF token is missing or wrong; reload the page' });
      return;
    }
    sessions.end(caller.session);
    send(res, 303, 'text/plain', 'logged out', { Location: base, 'Set-Cookie': sessions.cookie(undefined) });
  };

  const act = async (req: IncomingMessage, res: ServerResponse, caller: Caller, action: string) => {
    const csrf = req.headers['x-csrf-token'];
    if (!caller.bearer && !(caller.session && isCsrfToken(caller.session, csrf as string | undefined))) {
      sendJson(res, 403, { error: 'Forbidden: the CSRF token is missing or wrong; reload the page' });
      return;
    }
    const body = await readSmallBody(req);
    const parsed = body === undefined ? undefined : parseAction(body);
    if (!parsed) {
      sendJson(res, 400, {
        error: 'Bad request: send JSON {"server": "<name>"} (approve: also "kind", "name")',
      });
      return;
    }
    const { server, kind, name } = parsed;
    const { actions } = sources;
    try {
      if (action === 'restart') await actions.restart(server, caller.principal);
      else if (action === 'enable') await actions.enable(server, caller.principal);
      else if (action === 'disable') await actions.disable(server, caller.principal);
      else await actions.approve(server, caller.principal, kind, name);
      sendJson(res, 200, { ok: true });
    } catch (error) {
      sendJson(res, 409, { error: (error as Error).message });
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const rejection = checkHost(req);
    if (rejection) {
      logger.warn('refused a dashboard request', { status: rejection.status, reason: rejection.message });
      sendJson(res, rejection.status, { error: rejection.message });
      return;
    }
    const sub = path.slice(base.length);
    const method = req.method ?? 'GET';
    if (method === 'GET' && sub === '/app.js') return send(res, 200, 'text/javascript', DASHBOARD_SCRIPT);
    if (method === 'GET' && sub === '/app.css') return send(res, 200, 'text/css', DASHBOARD_STYLE);
    if (method === 'POST' && sub === '/login') return login(req, res);
    const caller = await callerOf(req);
    const refused = caller && options.admit?.(caller);
    if (refused !== undefined) {
      logger.warn('refused a dashboard request', { principal: caller?.principal, reason: 'access rules' });
      send(res, 403, 'text/plain; charset=utf-8', `Forbidden: ${refused}`);
      return;
    }
    if ((sub === '' || sub === '/') && method === 'GET') {
      if (caller) page(res, caller);
      else send(res, 200, 'text/html; charset=utf-8', loginPage(base, false, tokens.length > 0));
      return;
    }
    if (!caller) {
      sendJson(res, 401, {
        error: `Unauthorized: log in at ${base}, or send "Authorization: Bearer <token>"`,
      });
      return;
    }
    if (method === 'GET' && sub === '/events') {
      if (live.full) sendJson(res, 503, { error: 'Too many dashboards are open; close one and retry' });
      else live.open(req, res);
      return;
    }
    if (method === 'GET' && sub === '/state') return sendJson(res, 200, live.snapshot());
    if (method === 'POST' && sub === '/logout') return logout(req, res, caller);
    const action = /^\/actions\/([a-z]+)$/.exec(sub)?.[1];
    if (method === 'POST' && action !== undefined && ACTIONS.has(action))
      return act(req, res, caller, action);
    sendJson(res, method === 'GET' || method === 'POST' ? 404 : 405, {
      error: `Not found: ${method} ${path}`,
    });
  };

  return {
    handle: async (req, res) => {
      const path = pathOf(req);
      if (path !== base && !path.startsWith(`${base}/`)) return false;
      await route(req, res, path);
      return true;
    },
    close: () => live.close(),
  };
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    // Not a path this server serves.
    return '';
  }
}
