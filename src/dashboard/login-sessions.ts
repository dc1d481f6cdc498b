/**
 * The dashboard's browser sessions: a random id in an `HttpOnly; SameSite=Strict; Path=/dashboard` cookie maps to
 * the principal it logged in as, a CSRF token and an expiry, here in memory. The cookie never holds the token. The
 * number of sessions is bounded (the oldest goes first), so repeated logins cannot grow the gateway's memory.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie's name. */
export const SESSION_COOKIE = 'mcp_gateway_dashboard';

/** One logged-in browser. */
export interface LoginSession {
  readonly id: string;
  readonly principal: string;
  /** Sent back by the page in `X-CSRF-Token` with every action. */
  readonly csrfToken: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

/** The sessions of one dashboard. */
export class LoginSessions {
  private readonly sessions = new Map<string, LoginSession>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSessions: number,
    private readonly cookiePath: string,
  ) {}

  /** Starts a session for `principal`. */
  create(principal: string): LoginSession {
    this.prune();
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session: LoginSession = {
      id: randomBytes(32).toString('base64url'),
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: Date.now() + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session whose cookie `req` carries, or undefined (none, unknown, or expired: then forgotten). */
  of(req: IncomingMessage): LoginSession | undefined {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends a session (logout). */
  end(session: LoginSession): void {
    this.sessions.delete(session.id);
  }

  /** The `Set-Cookie` value of `session`, or of an expired cookie that clears it. */
  cookie(session: LoginSession | undefined): string {
    const attributes = `HttpOnly; SameSite=Strict; Path=${this.cookiePath}`;
    if (session === undefined) return `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`;
    const maxAge = Math.max(0, Math.floor((session.expiresAt - Date.now()) / 1000));
    return `${SESSION_COOKIE}=${session.id}; ${attributes}; Max-Age=${maxAge}`;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}

/** Whether `presented` is the session's CSRF token (constant time). */
export function isCsrfToken(session: LoginSession, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
