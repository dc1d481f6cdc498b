/**
 * The dashboard in process, on a real HTTP server on port 0: login, cookie and expiry, CSRF and Origin refusals,
 * and the event stream's snapshot and events (read with fetch). The sources are the seam the composition root
 * fills: an in-memory list of backends and a real observation hub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import {
  createDashboard,
  type Dashboard,
  type DashboardOptions,
} from '../../../src/dashboard/create-dashboard.js';
import type { BackendView, DashboardSources } from '../../../src/dashboard/dashboard-sources.js';
import { LOGIN_WINDOW_MS, MAX_FAILED_LOGINS } from '../../../src/dashboard/login-throttle.js';
import { ObservationHub } from '../../../src/gateway/observation-hub.js';
import { silentLogger } from '../../../src/logger.js';
import type { CallEvent } from '../../../src/shared/observation.js';
import type { TokenAuthority } from '../../../src/transports/http/bearer-auth.js';
import { rawRequest } from '../../helpers/http-gateway.js';
import { waitFor } from '../../helpers/wait-for.js';

const TOKEN = 'dashboard-test-token-0123456789';

interface Running {
  readonly url: URL;
  readonly hub: ObservationHub;
  readonly done: string[];
  readonly dashboard: Dashboard;
}

const open: { server: Server; dashboard: Dashboard }[] = [];
afterEach(async () => {
  for (const { server, dashboard } of open.splice(0)) {
    dashboard.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const backend: BackendView = {
  name: 'echo',
  state: 'ready',
  description: '',
  program: 'node',
  pid: 42,
  uptimeMs: 1000,
  restarts: 0,
  calls: 0,
  errors: 0,
  nextRetryAt: null,
  lastError: null,
  tools: ['echo'],
};

async function start(options: Partial<DashboardOptions> = {}): Promise<Running> {
  const hub = new ObservationHub(silentLogger);
  const done: string[] = [];
  const record = (what: string) => () => void done.push(what);
  const sources: DashboardSources = {
    observation: hub,
    backends: () => [backend],
    pendingPins: () => [],
    onBackendsChanged: () => () => undefined,
    onPinsChanged: () => () => undefined,
    actions: {
      restart: (server, principal) => Promise.resolve(record(`restart ${server} by ${principal}`)()),
      enable: (server, principal) => Promise.resolve(record(`enable ${server} by ${principal}`)()),
      disable: (server, principal) => Promise.resolve(record(`disable ${server} by ${principal}`)()),
      approve: () => Promise.reject(new Error('nothing waits')),
    },
  };
  const dashboard = createDashboard({
    sources,
    logger: silentLogger,
    authTokens: [{ name: 'admin', token: TOKEN }],
    ...options,
  });
  const server = createServer((req, res) => {
    void dashboard.handle(req, res).then((handled) => handled || res.writeHead(404).end());
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  open.push({ server, dashboard });
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/dashboard`), hub, done, dashboard };
}

async function logIn(url: URL, token = TOKEN): Promise<Response> {
  return fetch(new URL('/dashboard/login', url), {
    method: 'POST',
    body: new URLSearchParams({ token }),
    redirect: 'manual',
  });
}

async function session(url: URL): Promise<{ cookie: string; csrf: string }> {
  const login = await logIn(url);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await (await fetch(url, { headers: { cookie } })).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
  return { cookie, csrf };
}

function act(url: URL, headers: Record<string, string>, action = 'restart') {
  return rawRequest(new URL(`/dashboard/actions/${action}`, url), {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ server: 'echo' }),
  });
}

describe('dashboard login', () => {
  it('shows the login form, refuses a wrong token, and sets a session cookie for the right one', async () => {
    const { url } = await start();
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('name="token"');
    expect(first.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');

    const wrong = await logIn(url, 'not-the-token-at-all-000');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const right = await logIn(url);
    expect(right.status).toBe(303);
    const cookie = right.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^mcp_gateway_dashboard=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\/dashboard; Max-Age=\d+$/,
    );
    expect(cookie).not.toContain(TOKEN);
    const page = await (await fetch(url, { headers: { cookie: cookie.split(';')[0] ?? '' } })).text();
    expect(page).toContain('signed in as admin');
    expect(page).not.toContain(TOKEN);
  });

  it('refuses an address that failed too many logins in a minute, the right token included', async () => {
    const { url } = await start();
    for (let attempt = 0; attempt < MAX_FAILED_LOGINS; attempt++) {
      expect((await logIn(url, `wrong-token-number-${attempt}-0000`)).status).toBe(401);
    }
    const refused = await logIn(url);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);
    expect(refused.headers.get('set-cookie')).toBeNull();
  });

  it('never takes a token from the query string, and takes a bearer header', async () => {
    const { url } = await start();
    expect((await fetch(new URL(`/dashboard/state?token=${TOKEN}`, url))).status).toBe(401);
    const state = await fetch(new URL('/dashboard/state', url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(state.status).toBe(200);
    expect(((await state.json()) as { backends: BackendView[] }).backends[0]?.pid).toBe(42);
  });

  it('forgets a session once it expired', async () => {
    const { url } = await start({ sessionTtlMs: 200 });
    const { cookie } = await session(url);
    expect((await fetch(new URL('/dashboard/state', url), { headers: { cookie } })).status).toBe(200);
    await waitFor(
      async () => (await fetch(new URL('/dashboard/state', url), { headers: { cookie } })).status === 401,
      {
        description: 'the session to expire',
      },
    );
  });

  it('takes OAuth access tokens by bearer header when the gateway has only those, and never opens up', async () => {
    const ACCESS_TOKEN = 'an-oauth-access-token-0123456789';
    const authority: TokenAuthority = {
      authenticate: (token) =>
        Promise.resolve(
          token === ACCESS_TOKEN
            ? { ok: true, principal: 'corp:alice' }
            : { ok: false, rejection: { status: 401, message: 'Unauthorized: the token is not valid' } },
        ),
      unauthenticated: () => ({ status: 401, message: 'Unauthorized' }),
      authorize: () => undefined,
      document: () => undefined,
    };
    const { url, done } = await start({ authTokens: [], tokenAuthority: () => authority });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const page = await (await fetch(url)).text();
    const anonymous = await fetch(new URL('/dashboard/state', url));
    const login = await logIn(url, 'anything-at-all-0123456789');
    const wrong = await fetch(new URL('/dashboard/state', url), { headers: bearer('not-valid-0123456789') });
    const state = await fetch(new URL('/dashboard/state', url), { headers: bearer(ACCESS_TOKEN) });
    const refusedAction = await act(url, {});
    const action = await act(url, bearer(ACCESS_TOKEN));

    expect(page).toContain('takes OAuth access tokens only');
    expect(page).not.toContain('csrf-token');
    expect(anonymous.status).toBe(401);
    expect(login.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(state.status).toBe(200);
    expect(refusedAction.status).toBe(401);
    expect(action.status).toBe(200);
    expect(done).toEqual(['restart echo by corp:alice']);
  });

  it('refuses, with the reason, a caller the access rules do not let operate it', async () => {
    const { url, done } = await start({
      admit: ({ principal }) =>
        principal === 'admin' ? 'principal "admin" may not call restart_server' : undefined,
    });
    const { cookie, csrf } = await session(url);
    const bearer = { authorization: `Bearer ${TOKEN}` };

    const page = await fetch(url, { headers: { cookie } });
    const state = await fetch(new URL('/dashboard/state', url), { headers: bearer });
    const action = await act(url, { cookie, 'x-csrf-token': csrf });

    expect(page.status).toBe(403);
    expect(await page.text()).toBe('Forbidden: principal "admin" may not call restart_server');
    expect(state.status).toBe(403);
    expect(action.status).toBe(403);
    expect(done).toEqual([]);
  });

  it('needs no login without tokens (a loopback listener)', async () => {
    const { url } = await start({ authTokens: [] });
    const page = await fetch(url);
    expect(await page.text()).toContain('csrf-token');
    expect(page.headers.get('set-cookie')).toMatch(/^mcp_gateway_dashboard=/);
  });
});

describe('dashboard actions', () => {
  it('refuse a missing or wrong CSRF token and a foreign origin, and run with the right one', async () => {
    const { url, done } = await start();
    const { cookie, csrf } = await session(url);
    expect((await act(url, { cookie })).status).toBe(403);
    expect((await act(url, { cookie, 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await act(url, { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await act(url, { 'x-csrf-token': csrf })).status).toBe(401);
    expect(done).toEqual([]);

    const ok = await act(url, { cookie, 'x-csrf-token': csrf, origin: url.origin });
    expect(ok.status).toBe(200);
    expect((await act(url, { authorization: `Bearer ${TOKEN}` }, 'disable')).status).toBe(200);
    expect(done).toEqual(['restart echo by admin', 'disable echo by admin']);
  });

  it('never change anything on GET', async () => {
    const { url, done } = await start();
    const { cookie } = await session(url);
    const response = await fetch(new URL('/dashboard/actions/restart', url), { headers: { cookie } });
    expect(response.status).toBe(404);
    expect(done).toEqual([]);
  });
});

describe('the dashboard event stream', () => {
  it('sends a snapshot, then sessions and calls as they happen, and hears calls only while open', async () => {
    const { url, hub } = await start({ maxStreams: 1 });
    const { cookie } = await session(url);
    expect(hub.watchingCalls).toBe(false);
    const abort = new AbortController();
    const response = await fetch(new URL('/dashboard/events', url), {
      headers: { cookie },
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const next = async (event: string): Promise<unknown> => {
      for (;;) {
        const match = new RegExp(`event: ${event}\\ndata: (.*)\\n\\n`).exec(text);
        if (match) {
          text = text.slice((match.index ?? 0) + match[0].length);
          return JSON.parse(match[1] ?? 'null');
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${event}`);
        text += value;
      }
    };
    const snapshot = (await next('snapshot')) as { backends: BackendView[] };
    expect(snapshot.backends.map((b) => b.name)).toEqual(['echo']);
    expect(hub.watchingCalls).toBe(true);
    expect((await fetch(new URL('/dashboard/events', url), { headers: { cookie } })).status).toBe(503);

    hub.emitSession({
      type: 'session',
      action: 'opened',
      at: 1,
      principal: 'p',
      frontDoor: 'http-legacy',
      sessionId: 's1',
      client: { name: 'cli', version: '2' },
    });
    expect(await next('sessions')).toEqual([
      expect.objectContaining({ sessionId: 's1', client: { name: 'cli', version: '2' } }),
    ]);
    const call: CallEvent = {
      type: 'call',
      startedAt: Date.now(),
      durationMs: 3,
      server: 'echo',
      method: 'tools/call',
      tool: 'echo',
      route: 'tool',
      outcome: 'ok',
      errorCode: undefined,
      limit: undefined,
      arguments: { secret: 'never shown' },
      principal: 'p',
      frontDoor: 'http-legacy',
      sessionId: 's1',
      client: undefined,
    };
    await hub.emitCall(call);
    const sent = await next('call');
    expect(sent).toMatchObject({ server: 'echo', tool: 'echo', outcome: 'ok', durationMs: 3 });
    expect(JSON.stringify(sent)).not.toContain('never shown');

    abort.abort();
    await waitFor(() => !hub.watchingCalls, { description: 'the call listener to go with the stream' });
  });
});
