/**
 * The dashboard's two HTML pages (the login form and the dashboard itself) and the headers every dashboard answer
 * carries. No script or style is inline: both are files of the gateway, which the Content-Security-Policy allows
 * and nothing else. The only value put into the HTML is the CSRF token, which is escaped.
 */
import type { ServerResponse } from 'node:http';

/** What every dashboard answer carries: no framing, no sniffing, nothing from elsewhere, nothing cached. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // Not no-referrer: with it, browsers send `Origin: null` on form posts, which the Origin check refuses.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Writes a body with its type, the security headers and `extra`. */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  res
    .writeHead(status, {
      ...SECURITY_HEADERS,
      ...extra,
      'Content-Type': type,
      'Content-Length': String(Buffer.byteLength(body)),
    })
    .end(body);
}

/** Writes a JSON body (the actions' answers, refusals of script requests). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Readonly<Record<string, string>> = {},
): void {
  send(res, status, 'application/json', JSON.stringify(body), extra);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function head(base: string, title: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${title}</title><link rel="stylesheet" href="${base}/app.css">`
  );
}

/** The login form: the token goes in a POST body, never in the URL. */
export function loginPage(base: string, failed: boolean, staticTokens = true): string {
  // The form takes static tokens only: a browser cannot run an OAuth flow for this page.
  const noStaticTokens = staticTokens
    ? ''
    : `<p class="failed" role="alert">This gateway takes OAuth access tokens only, which this form cannot use: ` +
      `start it with an --auth-token for the page, or send "Authorization: Bearer &lt;access token&gt;" to ` +
      `${base}/state from a script.</p>`;
  return (
    `${head(base, 'mcp-gateway: log in')}</head><body><main><section class="login">` +
    `<h1>mcp-gateway dashboard</h1>` +
    noStaticTokens +
    `<form method="post" action="${base}/login">` +
    `<label for="token">Access token (one of the gateway's --auth-token values)</label>` +
    `<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>` +
    (failed ? `<p class="failed" role="alert">That token is not valid.</p>` : '') +
    `<button type="submit">Log in</button></form></section></main></body></html>`
  );
}

/** The dashboard; the script fills the tables from the event stream. */
export function dashboardPage(
  base: string,
  csrfToken: string,
  principal: string,
  canLogOut: boolean,
): string {
  const table = (id: string, title: string, columns: readonly string[]): string =>
    `<section><h2>${title}</h2><table><thead><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>` +
    `<tbody id="${id}"></tbody></table></section>`;
  const logout = canLogOut
    ? `<form method="post" action="${base}/logout"><input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">` +
      `<button type="submit">Log out</button></form>`
    : '';
  return (
    `${head(base, 'mcp-gateway dashboard')}<meta name="csrf-token" content="${escapeHtml(csrfToken)}">` +
    `<script src="${base}/app.js" defer></script></head><body data-base="${base}">` +
    `<header><h1>mcp-gateway</h1><span id="live" class="offline">connecting</span>` +
    `<span class="muted">signed in as ${escapeHtml(principal)}</span>${logout}</header><main>` +
    `<p id="status" role="status"></p>` +
    table('backends', 'Backends', [
      'Name',
      'State',
      'PID',
      'Uptime',
      'Restarts',
      'Calls / errors',
      'Tools',
      'Last error',
      '',
    ]) +
    `<section><h2>Calls per backend (bars: calls per bucket; line: mean latency)</h2><div id="charts"></div></section>` +
    table('pins', 'Definitions waiting for approval', [
      'Server',
      'Item',
      'Changed',
      'Mode',
      'First seen',
      '',
    ]) +
    table('sessions', 'Sessions', ['Client', 'Principal', 'Front door', 'Opened']) +
    table('calls', 'Last calls', ['Ended', 'Server', 'Tool', 'Outcome', 'Duration', 'Principal']) +
    `</main></body></html>`
  );
}
