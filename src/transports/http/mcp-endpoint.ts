/**
 * The MCP endpoint behind the HTTP guards: method, protocol version, body, then the era. A request that claims the
 * 2026-07-28 envelope goes to the modern leg (stateless, `modern-endpoint.ts`). The rest is 2025 traffic, served by
 * session. A POST without a session id must be an `initialize`, which opens a session (one SDK Streamable
 * HTTP transport and one gateway session each); any other request names its session, bound to the principal that
 * opened it: 400 without an id, 404 for an unknown one or another principal's.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { isInitializeRequest } from '@modelcontextprotocol/server';
import type { Logger } from '../../logger.js';
import { NodeHttpTransport } from '../node-http-transport.js';
import { ResumableEvents } from '../resumable-events.js';
import type { OpenSession, SessionOpener } from '../session-opener.js';
import type { AuthIdentity, Principal } from './bearer-auth.js';
import { headerValue } from './header-value.js';
import { MCP_PATH, SESSION_RETRY_AFTER_S } from './http-defaults.js';
import { SHUTTING_DOWN, type Rejection } from './http-responses.js';
import { isModernRequest, ModernEndpoint } from './modern-endpoint.js';
import { checkProtocolVersion } from './protocol-version.js';
import { readJsonBody } from './read-json-body.js';
import { SessionStore, type AcquiredSession } from './session-store.js';

const SESSION_HEADER = 'mcp-session-id';

interface Session {
  readonly transport: NodeHttpTransport;
  readonly session: OpenSession;
  /** Gives the session's place back to the session limits. Idempotent. */
  readonly release: () => void;
}

/**
 * Whether a principal may open another session (per-principal session limits): a ticket to release once the
 * session has closed, or a refusal saying which limit and when to retry (the HTTP answer is 429 with `Retry-After`).
 */
export type SessionAdmission = (
  principal: Principal,
) =>
  | { readonly admitted: true; release(): void }
  | { readonly admitted: false; readonly message: string; readonly retryAfterMs: number };

/** Options of {@link McpEndpoint}. */
export interface McpEndpointOptions {
  readonly maxBodyBytes: number;
  readonly sessionIdleMs: number;
  /** How many sessions may be open at once, in all: a new one past it gets 429. */
  readonly maxSessions: number;
  /** Per-principal session limits; none when undefined. */
  readonly admitSession?: SessionAdmission | undefined;
  /** Session ids become `<prefix>.<uuid>` (see `HttpOptions.sessionIdPrefix`). */
  readonly sessionIdPrefix?: string | undefined;
  /** Whether `identity` may call JSON-RPC `method` (an OAuth scope per method): a 403 to answer, or undefined. */
  readonly authorize?: ((identity: AuthIdentity, method: string) => Rejection | undefined) | undefined;
  /** Whether the front door is shutting down: no new session or call, only what finishes the calls in progress. */
  readonly draining?: (() => boolean) | undefined;
  /** A cluster replica's routing of 2026-07-28 requests by `requestState` (`handled` once forwarded). */
  readonly routeModern?:
    ((req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<'local' | 'handled'>) | undefined;
  readonly logger: Logger;
  /** Answers a refused request (and logs what is worth logging). */
  readonly refuse: (res: ServerResponse, rejection: Rejection) => void;
}

/** The sessions of the HTTP front door, and the handling of requests to the MCP path. */
export class McpEndpoint {
  private readonly sessions: SessionStore<Session>;
  private readonly modern: ModernEndpoint;
  /** Sessions being opened: counted against the cap with those open. */
  private opening = 0;

  constructor(
    private readonly opener: SessionOpener,
    private readonly options: McpEndpointOptions,
  ) {
    this.modern = new ModernEndpoint(opener, options.logger);
    this.sessions = new SessionStore<Session>({
      idleMs: options.sessionIdleMs,
      onIdle: (session) => {
        options.logger.info('closed an idle session', { sessions: this.sessions.size });
        closeSession(session).catch((error: unknown) =>
          options.logger.warn('closing an idle session failed', { error: (error as Error).message }),
        );
      },
    });
  }

  /** Number of open sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Ends every session, and the modern requests in flight. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([this.modern.close(), ...this.sessions.ids().map((id) => this.endSession(id))]);
  }

  /** Serves one request that passed the guards, made by `identity`. */
  async handle(req: IncomingMessage, res: ServerResponse, identity: AuthIdentity): Promise<void> {
    const { refuse } = this.options;
    const { principal } = identity;
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
    // A session request with a bad version is refused before its body; a POST may be a 2026-07-28 request, which the
    // modern leg answers in JSON-RPC, with its id (an unsupported revision is -32022, naming the supported ones).
    if (versionRejection && method !== 'POST') {
      refuse(res, versionRejection);
      return;
    }
    const sessionId = headerValue(req, SESSION_HEADER);
    const draining = this.options.draining?.() === true;
    let body: unknown;
    if (method === 'POST') {
      const read = await readJsonBody(req, this.options.maxBodyBytes);
      if (!read.ok) {
        refuse(res, read.rejection);
        return;
      }
      body = read.value;
      // A method's own scopes (step-up): checked on each request, with the token it carries.
      const method = methodOf(body);
      const denied = method === undefined ? undefined : this.options.authorize?.(identity, method);
      if (denied) {
        refuse(res, denied);
        return;
      }
      if (isModernRequest(req, body)) {
        if ((await this.options.routeModern?.(req, res, body)) === 'handled') return;
        // Draining: a retry resumes a call in progress here; a new request goes to another replica.
        if (draining && !hasRequestState(body)) return refuse(res, SHUTTING_DOWN);
        await this.modern.handle(req, res, body, identity);
        return;
      }
      if (versionRejection) {
        refuse(res, versionRejection);
        return;
      }
      if (Array.isArray(body)) {
        refuse(res, {
          status: 400,
          message: 'Bad Request: send one JSON-RPC message per request, not a batch',
        });
        return;
      }
      if (sessionId === undefined) {
        if (draining) return refuse(res, SHUTTING_DOWN);
        if (!isInitializeRequest(body)) {
          refuse(res, { status: 400, message: `Bad Request: missing ${SESSION_HEADER} header` });
          return;
        }
        await this.openSession(req, res, body, identity);
        return;
      }
    } else if (sessionId === undefined) {
      refuse(res, { status: 400, message: `Bad Request: missing ${SESSION_HEADER} header` });
      return;
    }
    // Draining: answers and notifications (a sampling result, a cancellation) and resumed streams (a GET with
    // Last-Event-ID: not new work) still reach the calls in progress; a new request or stream gets 404, so that the
    // client starts a session on another replica at once.
    const resuming = method === 'GET' && headerValue(req, 'last-event-id') !== undefined;
    const newWork = (method === 'GET' && !resuming) || (method === 'POST' && isRequest(body));
    const session = draining && newWork ? undefined : this.sessions.acquire(sessionId, principal);
    if (!session) {
      refuse(res, { status: 404, message: 'Session not found' });
      return;
    }
    res.once('close', () => session.release());
    const { transport } = session.value;
    await transport.handleNodeRequest(req, res, body);
    if (method === 'DELETE') await this.endSession(sessionId);
    // A cancelled request gets no answer: its POST's stream is ended now rather than held open until the client
    // hangs up (a draining replica would otherwise wait its whole drain timeout for it).
    const cancelled = cancelledRequestOf(body);
    if (cancelled !== undefined) transport.closeSSEStream(cancelled);
  }

  private async openSession(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    identity: AuthIdentity,
  ): Promise<void> {
    const { logger, maxSessions, refuse } = this.options;
    const { principal } = identity;
    if (this.sessions.size + this.opening >= maxSessions) {
      refuse(
        res,
        tooManySessions(`the gateway has ${maxSessions} sessions open, its limit (limits.sessions)`),
      );
      return;
    }
    const admission = this.options.admitSession?.(principal) ?? { admitted: true, release: () => undefined };
    if (!admission.admitted) {
      refuse(res, tooManySessions(admission.message, admission.retryAfterMs));
      return;
    }
    const prefix = this.options.sessionIdPrefix;
    const id = prefix === undefined ? randomUUID() : `${prefix}.${randomUUID()}`;
    let opened: AcquiredSession<Session> | undefined;
    let entry: Session | undefined;
    // The callbacks below run once the session is connected (during `handleRequest`), after `entry` is set.
    const transport: NodeHttpTransport = new NodeHttpTransport({
      sessionIdGenerator: () => id,
      // A client whose stream broke before its answer came resumes it with Last-Event-ID (see resumable-events.ts).
      eventStore: new ResumableEvents(),
      onsessioninitialized: (initialized) => {
        if (entry) opened = this.sessions.add(initialized, entry, principal);
        res.once('close', () => opened?.release());
        logger.debug('session opened', { sessions: this.sessions.size });
      },
    });
    transport.onclose = () => {
      const sessionId = transport.sessionId;
      if (sessionId !== undefined && this.sessions.peek(sessionId)?.transport === transport) {
        this.sessions.delete(sessionId);
        admission.release();
        void entry?.session.close();
      }
    };
    this.opening += 1;
    try {
      const session = await this.opener.connect(transport, {
        principal,
        frontDoor: 'http-legacy',
        sessionId: id,
        claims: identity.claims,
      });
      entry = { transport, session, release: () => admission.release() };
      await transport.handleNodeRequest(req, res, body);
      // An initialize that failed leaves no session behind.
      if (opened === undefined) await session.close();
    } finally {
      this.opening -= 1;
      if (opened === undefined) admission.release();
    }
  }

  private async endSession(id: string): Promise<void> {
    const session = this.sessions.delete(id);
    if (session) await closeSession(session);
  }
}

/** Whether a single message is a JSON-RPC request (a method and an id), not a notification or an answer. */
function isRequest(body: unknown): boolean {
  return methodOf(body) !== undefined && (body as { id?: unknown }).id !== undefined;
}

/** The request a `notifications/cancelled` names, if `body` is one. */
function cancelledRequestOf(body: unknown): string | number | undefined {
  if (methodOf(body) !== 'notifications/cancelled') return undefined;
  const requestId = (body as { params?: { requestId?: unknown } }).params?.requestId;
  return typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined;
}

/** Whether a request carries a `requestState` (a 2026-07-28 retry of a call in progress). */
function hasRequestState(body: unknown): boolean {
  const params = (body as { params?: { requestState?: unknown } } | null)?.params;
  return typeof params === 'object' && params !== null && typeof params.requestState === 'string';
}

/** The JSON-RPC method of a single message, if it is a request or notification. */
function methodOf(body: unknown): string | undefined {
  const method =
    typeof body === 'object' && body !== null ? (body as { method?: unknown }).method : undefined;
  return typeof method === 'string' ? method : undefined;
}

async function closeSession(session: Session): Promise<void> {
  session.release();
  try {
    await session.transport.close();
  } finally {
    await session.session.close();
  }
}

/** 429 for a new session over a session limit, with when to try again. */
function tooManySessions(message: string, retryAfterMs = SESSION_RETRY_AFTER_S * 1000): Rejection {
  return {
    status: 429,
    message: message.startsWith('Too many') ? message : `Too many sessions: ${message}`,
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  };
}
