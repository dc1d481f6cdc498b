/**
 * One principal's own connection to a backend that connects per principal (`oauth.perPrincipal`): its OAuth session
 * (tokens kept under `<backend>\n<principal>`), opened on its first call, its authorization asked of that principal's
 * client alone, and what its connection sends up (requests, notifications) addressed to that principal's sessions
 * only. Nothing here is shared with another principal.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { BackendMessage } from '../../shared/backend.js';
import { connectionOptions, type BackendEvents, type BackendOptions } from '../backend-options.js';
import type { BackendSpec } from '../backend-spec.js';
import { BackendConnection } from '../connection/connection.js';
import { authorizationOf, type BackendAuthorization } from '../oauth/backend-authorization.js';

/** Where a principal's connection is: `idle` (none open now: opened on the next call). */
export type PrincipalState = 'idle' | 'starting' | 'ready' | 'needs_authorization' | 'failed';

/** What a principal's connection is made of: its backend's, and who it acts for. */
export interface PrincipalParts {
  readonly spec: BackendSpec;
  readonly options: BackendOptions;
  readonly logger: Logger;
  readonly events: BackendEvents;
  readonly principal: string;
}

/** One principal's connection and authorization. */
export class PrincipalConnection {
  private connection: BackendConnection | undefined;
  private opening: Promise<BackendConnection> | undefined;
  private currentState: PrincipalState = 'idle';
  private lastError: string | undefined;
  private closed = false;
  private readonly authorization: BackendAuthorization;
  /** Calls of this principal in flight: a connection in use is never closed for idleness nor for the limit. */
  inFlight = 0;

  constructor(private readonly parts: PrincipalParts) {
    const { spec, options, logger, events, principal } = parts;
    const authorization = authorizationOf(
      spec,
      options.oauth,
      logger,
      {
        needed: () => this.needed(),
        authorized: () => this.reopen(),
        ask: (asked, signal) => events.request(spec.name, asked, signal, principal),
        notify: (notification) => events.notification(spec.name, notification, principal),
      },
      principal,
    );
    if (!authorization) throw new Error(`backend "${spec.name}" has no OAuth client to act per principal`);
    this.authorization = authorization;
  }

  get state(): PrincipalState {
    return this.currentState;
  }

  /** The URL this principal's person must open, while its authorization is pending. */
  get authorizationUrl(): string | undefined {
    return this.currentState === 'needs_authorization' ? this.authorization.url : undefined;
  }

  /** Why this principal cannot use the backend now (its pending authorization, with the URL), when it cannot. */
  describe(): string | undefined {
    return this.authorization.describe() ?? this.lastError;
  }

  /**
   * The principal's open connection, opened when there is none. When its person must authorize first, its client
   * is asked to open the URL (URL-mode elicitation) and the call waits for the callback; a client that cannot be
   * asked, or a person who declines, gets the refusal that carries the URL. Without `ask` (a list), nobody is
   * asked: the refusal comes at once.
   */
  async connect(
    signal: AbortSignal | undefined,
    tool: string | undefined,
    ask = true,
  ): Promise<BackendConnection> {
    if (this.currentState === 'ready' && this.connection) return this.connection;
    if (this.currentState !== 'needs_authorization') {
      try {
        return await (this.opening ??= this.open());
      } catch (error) {
        // Read again: the open changed it (TypeScript keeps the narrowing across the await).
        if (this.state !== 'needs_authorization') throw error;
      }
    }
    if (ask) await this.authorization.authorizeCall(signal);
    const connection = this.connection;
    if (this.state === 'ready' && connection) return connection;
    throw this.refusal(tool);
  }

  /** Ends the connection and forgets a pending authorization; the stored tokens stay for the next time. */
  async close(): Promise<void> {
    this.closed = true;
    this.authorization.close();
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close();
  }

  private async open(): Promise<BackendConnection> {
    const { spec, options, logger, events, principal } = this.parts;
    this.currentState = 'starting';
    try {
      const authProvider = await this.authorization.provider();
      const connection: BackendConnection = new BackendConnection(
        spec,
        { ...connectionOptions(spec, options, logger), authProvider },
        {
          onRequest: (request, signal) => events.request(spec.name, request, signal, principal),
          onNotification: (notification) => this.onNotification(notification),
        },
      );
      await connection.open(() => this.lost(connection));
      if (this.closed) {
        await connection.close();
        throw new GatewayError('backend_unavailable', `backend "${spec.name}" was removed while connecting`, {
          backend: spec.name,
        });
      }
      this.connection = connection;
      this.currentState = 'ready';
      this.lastError = undefined;
      logger.info('principal connected', { principal });
      events.changed();
      return connection;
    } catch (error) {
      // A 401 started an authorization (the session said so): the principal's person must act.
      this.currentState = this.authorization.url === undefined ? 'failed' : 'needs_authorization';
      this.lastError = (error as Error).message;
      events.changed();
      throw error;
    } finally {
      this.opening = undefined;
    }
  }

  /** The principal's tokens were refused (a failed refresh, a 401 in use): its calls wait or fail until it authorizes. */
  private needed(): void {
    if (this.currentState === 'needs_authorization') return;
    const previous = this.connection;
    this.connection = undefined;
    this.currentState = 'needs_authorization';
    this.parts.events.changed();
    void previous?.close();
  }

  /** The principal authorized: a new connection with its new tokens; resolves once connected (or failed). */
  private async reopen(): Promise<void> {
    if (this.closed) return;
    const previous = this.connection;
    this.connection = undefined;
    this.currentState = 'idle';
    await previous?.close();
    await (this.opening ??= this.open()).then(
      () => undefined,
      () => undefined,
    );
  }

  /** The connection ended without being asked to: the next call opens another. */
  private lost(connection: BackendConnection): void {
    if (connection !== this.connection || this.closed) return;
    this.connection = undefined;
    this.currentState = 'idle';
    this.lastError = `backend "${this.parts.spec.name}" ${connection.closeReason ?? 'closed its connection'}`;
    this.parts.events.changed();
  }

  private onNotification(notification: BackendMessage): void {
    // The tool list is the backend's, discovered on its own connection: a principal's view of it changes nothing.
    if (notification.method === 'notifications/tools/list_changed') return;
    this.parts.events.notification(this.parts.spec.name, notification, this.parts.principal);
  }

  private refusal(tool: string | undefined): GatewayError {
    const { spec, principal } = this.parts;
    const why =
      this.describe() ??
      `backend "${spec.name}" is waiting for authorization of principal "${principal}"; call it again to get the URL`;
    return new GatewayError('backend_unavailable', why, { backend: spec.name, tool });
  }
}
